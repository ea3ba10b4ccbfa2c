"""/register, round 10 (an outside tester's report): a resident who gives no phone, or agrees
to everything but keeping it, is registered without one, and every card after says honestly
there is none; «✖️ Did not agree» says what it means and saves nothing only when confirmed;
the name and 村/社区 given at /register are on the request card the station's staff see and on
the case opened from it."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.offline_telegram import OfflinePerson
from db.models import Case, ServiceRequest, WalkIn
from tests.harness import BotHarness


async def up_to_the_phone(worker: OfflinePerson) -> None:
    await worker.send("/register")
    await worker.press("wk:service:elderly_care")
    await worker.press("wk:who:neighbour")
    await worker.press("wk:age:80_plus")
    await worker.send("Lives alone, cannot walk far; needs a home visit.")
    await worker.send("Grandma Liu")


async def after_the_phone(worker: OfflinePerson) -> None:
    await worker.send("城西村")
    await worker.press("wk:skip")
    await worker.press("wk:time:any")
    await worker.press("wk:src:walk_in")
    await worker.press("wk:urg:no")


async def stored(bot: BotHarness) -> tuple[str | None, str | None, str | None] | None:
    async with bot.database.uow() as uow:
        request = await uow.session.scalar(select(ServiceRequest))
        walk_in = await uow.session.scalar(select(WalkIn))
        if request is None or walk_in is None:
            return None
        return request.phone, walk_in.resident_name, walk_in.village


async def test_no_phone_at_the_phone_step_and_the_cards_say_so(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await up_to_the_phone(worker)
    assert "press “No phone”" in worker.last_text
    await worker.press("No phone")
    assert "Which village or community" in worker.last_text
    await after_the_phone(worker)
    notice = worker.last_text
    assert "keep your name, address and what you told us" in notice and "phone" not in notice
    assert "Agreed, not the phone" not in worker.button_labels()  # there is none to refuse
    await worker.press("wk:agree")
    await worker.press("wk:take:no")
    assert "Phone: not given" in worker.last_text
    await worker.press("wk:save")
    assert "Registered as JN-0001" in worker.last_text
    assert await stored(bot) == (None, "Grandma Liu", "城西村")

    card = colleague.last_text
    assert "New request for your station" in card
    assert "Resident: Grandma Liu" in card and "Village or community: 城西村" in card
    assert "Phone: not given" in card
    await colleague.press("✅ Accept")
    assert "You have accepted JN-0001." in colleague.last_text
    assert "The resident has been told" not in colleague.last_text  # a walk-in: nobody to tell
    assert "gave no phone number, so they cannot be called" in colleague.last_text
    assert "through their village or community" in colleague.last_text


async def test_agreed_to_all_but_the_phone_in_chinese(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    colleague = await bot.person(role="worker", stations=("jiangnan",), name="李社工")
    await up_to_the_phone(worker)
    assert "不想留电话的，请按“不留电话”" in worker.last_text
    await worker.send("138 0013 8000")
    await after_the_phone(worker)
    assert "您的姓名、电话、地址" in worker.last_text
    await worker.press("☑️ 同意，但不留电话")
    await worker.press("wk:take:no")
    summary = worker.last_text
    assert "电话：未留" in summary and "8000" not in summary
    await worker.press("wk:save")
    assert await stored(bot) == (None, "Grandma Liu", "城西村")
    card = colleague.last_text
    assert "居民：Grandma Liu" in card and "村/社区：城西村" in card and "电话：未留" in card
    await colleague.press("ib:acc:1")
    assert "您已受理 JN-0001。" in colleague.last_text and "已通知居民" not in colleague.last_text
    assert "居民没有留电话，无法电话联系" in colleague.last_text


async def test_a_phone_typed_after_agreeing_without_one_asks_the_consent_again(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await up_to_the_phone(worker)
    await worker.press("No phone")
    await after_the_phone(worker)
    await worker.press("wk:agree")
    await worker.press("wk:take:yes")
    await worker.press("wk:edit:phone")
    await worker.send("138 0013 8000")
    assert "keep your name, phone, address" in worker.last_text  # read out again, with it
    await worker.press("wk:agree")
    assert "Please check, then save" in worker.last_text and "138" in worker.last_text
    await worker.press("wk:save")
    assert (await stored(bot) or ("",))[0] == "+8613800138000"


async def test_did_not_agree_asks_once_more_then_saves_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await up_to_the_phone(worker)
    await worker.send("138 0013 8000")
    await after_the_phone(worker)
    await worker.press("✖️ Did not agree")
    said = worker.last_text
    assert said.startswith("Without their agreement nothing can be kept.")
    assert "press “☑️ Agreed, not the phone”" in said
    assert "🗑 Do not save" in worker.button_labels()
    await worker.press("☑️ Agreed, not the phone")  # a slip: nothing was lost
    assert "I take it myself" not in worker.last_text and "take it on" in worker.last_text
    await worker.press("wk:back")
    await worker.press("✖️ Did not agree")
    await worker.press("🗑 Do not save")
    assert worker.last_text.startswith("Nothing was saved: without their agreement")
    assert await stored(bot) is None
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
    assert "register" not in bot.app.user_data[worker.user_id]  # the draft went with it


async def test_the_case_from_a_walk_in_shows_name_and_village(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await up_to_the_phone(worker)
    await worker.press("No phone")
    await after_the_phone(worker)
    await worker.press("wk:agree")
    await worker.press("wk:take:yes")
    await worker.press("wk:save")
    await worker.press("📁 Open as a case")
    await worker.press("oc:tog:elderly")
    await worker.press("oc:done")
    await worker.press("oc:risk:low")
    summary = worker.last_text
    assert "Person served: Grandma Liu" in summary and "Village or community: 城西村" in summary
    await worker.press("oc:save")
    card = worker.last_text
    assert "Case JN-C-0001 is open" in card
    assert "Grandma Liu" in card and "Village or community: 城西村" in card
    await worker.send("/inbox")
    await worker.press_data("ib:rq:1")
    card = worker.last_text
    assert "Resident: Grandma Liu" in card and "Village or community: 城西村" in card
    assert "Phone: not given" in card


async def test_typing_no_at_the_phone_step_is_no_phone(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await up_to_the_phone(worker)
    await worker.send("没有。")
    assert "住在哪个村/社区" in worker.last_text
    await worker.press("wk:back")
    await worker.send("none")  # in English too, whatever the language
    assert "住在哪个村/社区" in worker.last_text


async def test_a_direct_case_declined_saves_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/cases")
    await worker.press("cs:new")
    await worker.send("Old Zhang")
    await worker.press("oc:age:60_79")
    await worker.press("oc:tog:elderly")
    await worker.press("oc:done")
    await worker.press("oc:skip")
    await worker.press("oc:risk:low")
    assert "keep your name, address and what you told us" in worker.last_text  # no phone asked
    assert "Agreed, not the phone" not in " ".join(worker.button_labels())
    await worker.press("oc:decline")
    assert worker.last_text.startswith("Without their agreement nothing can be kept. Press")
    await worker.press("oc:drop")
    assert worker.last_text.startswith("Nothing was saved")
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Case)) == 0
