"""One date reader (`services.dates.read_date`) behind every date step and one way of showing
a day and a moment (`handlers.kit.words.day_label` / `moment_label`) on every card: an outside
tester found "明天" read in one step and refused in another, "十八分" refused by /evaluation,
and staff cards dated 2026-11-16 10:00 where the resident read 11月16日 10:00."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import ServiceRequest
from tests.bot.test_requests import make_request
from tests.harness import BotHarness

# The harness's clock: 2026-11-16 10:00 in Shanghai, a Monday.


async def test_a_staff_card_and_the_residents_card_show_the_same_moment(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    resident = await bot.person()
    await make_request(resident)
    async with bot.database.uow() as uow:
        rid = (await uow.session.scalars(select(ServiceRequest.id))).one()
    await worker.send("/start")
    await worker.press_data(f"ib:rq:{rid}", message=worker.last)
    staff_card = worker.last_text
    await resident.send("/myrequests")
    listed = resident.last_text
    await resident.press_data(f"my:see:{rid}", message=resident.last)
    assert "11月16日 10:00" in staff_card
    assert "2026-11-16" not in staff_card
    assert "11月16日 10:00" in listed


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("明天", "Nov 17"), ("下周一", "Nov 23"), ("12.5", "Dec 5"), ("十二月五日", "Dec 5")],
)
async def test_the_next_contact_reads_relative_words_and_chinese_dates(
    bot: BotHarness, typed: str, shown: str
) -> None:
    from tests.bot.test_cases import case_row, open_direct_case

    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await open_direct_case(worker)
    cid = (await case_row(bot)).id
    await worker.press_data(f"cs:next:{cid}")
    await worker.send(typed)
    assert shown in worker.last_text


@pytest.mark.parametrize(
    ("lang", "said", "ahead"),
    [
        ("zh", "没看懂这个日期。请按“11月14日”或“昨天”这样输入。",
         "没看懂这个日期。请按“11月18日”或“明天”这样输入。"),
        ("en", "I could not read that date. Please type it like Nov 14 or yesterday.",
         "I could not read that date. Please type it like Nov 18 or tomorrow."),
    ],
)  # fmt: skip
async def test_nonsense_gets_the_one_sentence_in_every_date_step(
    bot: BotHarness, lang: str, said: str, ahead: str
) -> None:
    # fix11a (probe11 item 11): the example is a day the step takes, from today (16 November)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    await worker.send("/log")
    await worker.press("log:cat:casework")
    await worker.press("log:tpl:case_intake")
    await worker.send("soon-ish")
    assert worker.last_text.startswith(said)
    await worker.send("/cancel")
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("A walk in the park")
    await worker.send("soon-ish")
    assert worker.last_text.startswith(ahead)


async def test_the_next_contact_refuses_nonsense_in_the_same_words(bot: BotHarness) -> None:
    from tests.bot.test_cases import case_row, open_direct_case

    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await open_direct_case(worker)
    await worker.press_data(f"cs:next:{(await case_row(bot)).id}")
    await worker.send("soon-ish")
    assert worker.last_text.startswith(
        "I could not read that date. Please type it like Nov 18 or tomorrow."
    )


async def test_the_log_date_step_reads_the_day_before_yesterday(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    await worker.press("log:cat:casework")
    await worker.press("log:tpl:case_intake")
    await worker.send("前天")
    assert "could not read" not in worker.last_text
    assert "has not come" not in worker.last_text
    await worker.send("/cancel")
    await worker.send("/log")
    await worker.press("log:cat:casework")
    await worker.press("log:tpl:case_intake")
    await worker.send("明天")  # read, then refused for the rule that applies
    assert worker.last_text.startswith("That day has not come yet.")


async def test_evaluation_takes_points_in_chinese_numerals(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/evaluation")
    await admin.press("ev:y:2026")
    await admin.press("ev:enter")
    await admin.press("ev:s:jiangnan")
    await admin.press("ev:i:construction")
    await admin.send("十八分")
    assert admin.last_text.startswith("Saved: Construction quality 18 / 20.")
    await admin.press("ev:i:construction")
    await admin.send("十七点五分")
    assert "Construction quality: 17.5 / 20" in admin.button_labels()


async def test_an_activity_day_can_be_typed_as_next_saturday(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("Double Ninth haircuts")
    await worker.send("下周六")
    await worker.send("9:00-11:30")
    await worker.send("Activity room")
    await worker.press("vact:need:1")
    await worker.press("vact:tog:event_help")
    await worker.press("vact:done")
    await worker.press("vact:minors:no")
    await worker.press("vact:group:elderly")
    assert "When: Nov 28 9:00–11:30" in worker.last_text
