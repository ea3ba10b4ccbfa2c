"""A label and its value on one line, in Chinese, take the full-width colon "：" (WORDING.md:
"full-width colon after Chinese text"): a record's form in its summary and on its card, the
staff per station, a volunteer activity's roster. English keeps ": "."""

from __future__ import annotations

from services import people
from tests.bot.log_steps import skip_record_steps, to_the_form
from tests.bot.test_activities_volunteer import at, publish, run, volunteer
from tests.harness import BotHarness


async def test_the_record_form_in_its_summary_and_on_its_card(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await to_the_form(worker, "casework", "case_intake")
    await worker.send("C-7")
    await worker.press("log:fv:referral")
    await skip_record_steps(worker)
    summary = worker.last_text
    assert "个案编号：C-7\n个案来源：转介\n求助问题：（未填，记录不完整）" in summary
    await worker.press("log:ok")
    await worker.send("/mylogs")
    await worker.press("📋 1")
    assert "个案编号：C-7\n个案来源：转介" in worker.last_text


async def test_the_record_form_in_english_keeps_the_plain_colon(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_form(worker, "casework", "case_intake")
    await worker.send("C-8")
    await worker.press("log:fv:referral")
    await skip_record_steps(worker)
    assert "Case number: C-8\nSource: Referred" in worker.last_text


async def test_the_staff_per_station(bot: BotHarness) -> None:
    await bot.person(role="worker", stations=("jiangnan",))
    admin = await bot.admin()
    await admin.send("/staff")
    assert "江南街道社工站：" in admin.last_text
    assert "江南街道社工站: " not in admin.last_text


async def test_a_volunteer_activity_roster(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    activity_id = await publish(bot, worker)  # published in English, its steps checked there
    await run(bot, at(2026, 11, 16, 10, 1))
    await ann.press("🙋 Sign me up")
    async with bot.database.uow() as uow:
        await people.set_language(uow, tg_id=worker.user_id, language="zh", now=bot.clock.now())
    await worker.press_data(f"vam:ros:{activity_id}")
    roster = worker.last_with_buttons().text
    assert "1. · Ann：" in roster and "Ann: " not in roster
