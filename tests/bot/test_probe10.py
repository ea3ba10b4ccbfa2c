"""What an outside tester found in round 10 (probe10), each seen from outside first: a worker's
note that describes a crisis is the note, not a call for help; the staff's card says whom a
walk-in's request is for in words; completing a walk-in's request does not claim the resident
was told; the emergency card names the lines for self-harm, domestic violence and scams; "好的"
and "不客气" are acknowledged, not thanked for or taken as a complaint."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ServiceRequest, WalkIn
from tests.bot.test_reg10_register import after_the_phone, up_to_the_phone
from tests.bot.test_requests import fill_request
from tests.harness import BotHarness

CRISIS = "老人昨天在家摔倒了，起不来，头上流血，邻居发现的"


async def registered_without_a_phone(worker: OfflinePerson) -> None:
    """/register's walk-in Grandma Liu, no phone, agreed, not taken on, saved."""
    await up_to_the_phone(worker)
    await worker.press("No phone")
    await after_the_phone(worker)
    await worker.press("wk:agree")
    await worker.press("wk:take:no")
    await worker.press("wk:save")


async def test_a_workers_crisis_description_at_register_is_the_description(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    await worker.send("/register")
    await worker.press("wk:service:elderly_care")
    await worker.press("wk:who:neighbour")
    await worker.press("wk:age:80_plus")
    await worker.send(CRISIS)
    assert "紧急情况" not in worker.last_text and "120" not in worker.last_text
    assert "再发送一次" not in worker.last_text
    await worker.send("刘奶奶")  # the next step: the name, nothing shifted
    await worker.press("不留电话")
    await after_the_phone(worker)
    await worker.press("wk:agree")
    await worker.press("wk:take:no")
    summary = worker.last_text
    assert "头上流血" in summary and "刘奶奶" in summary


async def test_a_resident_describing_a_crisis_still_gets_the_numbers(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    texts_before = len(resident.messages)
    await resident.send("my father collapsed and is not breathing")
    said = [m.text for m in resident.messages[texts_before:]]
    assert any("120" in text for text in said), said


async def test_the_staff_card_says_whom_a_walk_in_request_is_for(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await registered_without_a_phone(worker)
    card = colleague.last_text
    assert "For: The applicant's neighbour, 80 or older" in card, card
    assert "neighbour," in card and "For: neighbour" not in card
    await colleague.press("✅ Accept")
    await colleague.press("🔧 Start work")
    await colleague.press("✔️ Complete")
    assert "the resident is not on the bot" in colleague.last_text
    assert "the resident will see it" not in colleague.last_text
    await colleague.send("Visited; a volunteer will shop for her on Tuesdays.")
    await colleague.press("✅ Save")
    assert "Done." in colleague.last_text
    assert "The resident has been told" not in colleague.last_text


@pytest.mark.parametrize(
    ("typed", "line"),
    [
        ("我不想活了", "12356"),
        ("老公喝醉了打我", "12338"),
        ("I want to end my life", "12356"),
    ],
)
async def test_the_emergency_card_names_the_line_for_the_danger(
    bot: BotHarness, typed: str, line: str
) -> None:
    resident = await bot.person(lang="en" if typed.isascii() else "zh")
    await resident.send(typed)
    assert "110" in resident.last_text and line in resident.last_text


@pytest.mark.parametrize(
    ("typed", "lang"),
    [("不客气", "zh"), ("好的", "zh"), ("收到", "zh"), ("ok", "en")],
)
async def test_an_acknowledgement_is_acknowledged(bot: BotHarness, typed: str, lang: str) -> None:
    resident = await bot.person(lang=lang)
    await resident.send(typed)
    reply = resident.last_text
    assert reply.startswith(("好的。", "All right.")), reply
    assert "投诉" not in reply and "不客气" not in reply and "welcome" not in reply


@pytest.mark.parametrize("typed", ["志愿者有补贴吗？", "12345", "😀"])
async def test_a_question_or_digits_at_the_volunteer_name_step_is_no_name(
    bot: BotHarness, typed: str
) -> None:
    teen = await bot.person(lang="en")
    await teen.send("/volunteer")
    await teen.press("vol:age:14_17")
    await teen.press("vol:cons:yes")
    await teen.press("vol:xb:yes")
    name_step = teen.last_text
    await teen.send(typed)
    assert "Please type a name." in teen.last_text
    assert name_step.splitlines()[0] in teen.last_text  # the same step again
    await teen.send("Xiaohong")
    assert "Please type a name." not in teen.last_text


async def test_digits_at_the_walk_in_name_step_are_no_name(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    await worker.send("/register")
    await worker.press("wk:service:elderly_care")
    await worker.press("wk:who:neighbour")
    await worker.press("wk:age:80_plus")
    await worker.send("独居，腿脚不便，需要上门探访。")
    await worker.send("12345")
    assert "请输入姓名" in worker.last_text or "请输入名字" in worker.last_text, worker.last_text
    await worker.send("刘奶奶")
    assert "不留电话" in worker.last_text  # on to the phone


async def test_not_urgent_typed_at_is_it_urgent(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    await fill_request(resident)
    await resident.press_data("req:back")  # from the summary to "Is it urgent?"
    await resident.send("不急")
    assert "紧急程度：否" in resident.last_text or "是否紧急：否" in resident.last_text


async def test_the_head_erases_a_walk_ins_details_on_request(bot: BotHarness) -> None:
    """The notice read at /register promises the station erases on request (a walk-in has no
    /forget): the head's card has the button, a worker's has not, and a forged press changes
    nothing."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en", name="Zhou")
    await registered_without_a_phone(worker)
    async with bot.database.uow() as uow:
        request_id = await uow.session.scalar(select(ServiceRequest.id))
    await worker.send("/inbox")
    await worker.press_data(f"ib:rq:{request_id}")
    assert "🗑 Erase the resident's details" not in worker.button_labels()
    await worker.press_data(f"ib:wkxy:{request_id}")  # forged: a worker is not the head
    async with bot.database.uow() as uow:
        assert (await uow.session.get(WalkIn, request_id)).resident_name == "Grandma Liu"

    await head.send("/inbox")
    await head.press_data(f"ib:rq:{request_id}")
    await head.press("🗑 Erase the resident's details")
    assert "cannot be undone" in head.last_text
    await head.press("🗑 Erase")
    assert "personal details are erased" in head.last_text
    assert "Grandma Liu" not in head.last_text
    assert "🗑 Erase the resident's details" not in head.button_labels()
    async with bot.database.uow() as uow:
        walk_in = await uow.session.get(WalkIn, request_id)
        assert walk_in.resident_name is None and walk_in.village is None
    await head.press_data(f"ib:wkxy:{request_id}")  # pressed again
    assert "erased already" in head.last_text


@pytest.mark.parametrize(("lang", "typed"), [("zh", "同意"), ("en", "I agree")])
async def test_a_buttons_words_typed_press_it(bot: BotHarness, lang: str, typed: str) -> None:
    """An older person types what the button says («✅ 同意»): that is the press."""
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    notice = resident.last_text
    await resident.send(typed)
    assert resident.last_text != notice
    assert "境外" in resident.last_text or "outside" in resident.last_text.lower()


async def test_words_that_are_no_button_still_go_to_the_knowledge_base(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    await resident.send("/request")
    await resident.send("同意了隐私说明还能撤回吗")  # a question, not the button's words
    assert "境外" not in resident.last_text


async def test_the_home_visit_address_is_on_the_staff_card(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await up_to_the_phone(worker)
    await worker.press("No phone")
    await worker.send("城西村")
    await worker.send("城西村5号")  # the address, not skipped
    await worker.press("wk:time:any")
    await worker.press("wk:src:walk_in")
    await worker.press("wk:urg:no")
    await worker.press("wk:agree")
    await worker.press("wk:take:no")
    await worker.press("wk:save")
    assert "Address: 城西村5号" in colleague.last_text, colleague.last_text


@pytest.mark.parametrize(
    "typed", ["How do I get help for my old mother?", "I need help with my grandma"]
)
async def test_asking_for_help_is_no_emergency(bot: BotHarness, typed: str) -> None:
    """ "help" alone had weighed as "happening now": an ordinary question got the numbers on top."""
    resident = await bot.person(lang="en")
    await resident.send(typed)
    # (the one footer line of numbers under every "did you mean" stays; nothing on top)
    assert "If anyone is in danger right now" not in resident.last_text


async def test_help_with_a_fall_is_still_an_emergency(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("help, my mother fell and cannot get up")
    assert "120" in resident.last_text
