"""probe11 item 13: an activity tonight published in the quiet hours had its offers go out at
8:00 the next morning, after it was over, and the worker was not told. Now the summary and the
publish say so, and no offer is sent."""

from __future__ import annotations

import pytest

from bot.offline_telegram import OfflinePerson
from tests.bot.test_activities_volunteer import at, run, volunteer
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")

WARNING = {
    "en": "volunteers are told only at 8:00, after the activity has started",
    "zh": "要到8:00才能通知志愿者，那时活动已经开始",
}


async def up_to_the_summary(worker: OfflinePerson, day: str, times: str) -> str:
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("Evening chat")
    await worker.press(f"vact:day:{day}")
    await worker.send(times)
    await worker.send("Activity room")
    await worker.press("vact:need:1")
    await worker.press("vact:done")
    await worker.press("vact:minors:no")
    await worker.press("vact:group:elderly")
    return worker.last_text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_tonight_in_the_quiet_hours_warns_and_offers_nothing(
    bot: BotHarness, lang: str
) -> None:
    bot.clock.current = at(2026, 11, 16, 22, 20)  # a Monday, in the quiet hours
    ann = await volunteer(bot, "Ann", skills=(), availability=("evenings", "weekday_daytime"))
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang, name="Li")
    summary = await up_to_the_summary(worker, "2026-11-16", "23:00-23:45")
    assert WARNING[lang] in summary
    await worker.press("vact:save")
    assert any(WARNING[lang] in m.text for m in worker.messages[-4:])
    await run(bot, at(2026, 11, 17, 8, 0))
    assert ann.messages == []


async def test_tomorrow_is_offered_after_the_quiet_hours_without_the_warning(
    bot: BotHarness,
) -> None:
    bot.clock.current = at(2026, 11, 16, 22, 20)
    ann = await volunteer(bot, "Ann", skills=(), availability=("evenings", "weekday_daytime"))
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    summary = await up_to_the_summary(worker, "2026-11-17", "10:00-11:00")
    assert WARNING["en"] not in summary
    await worker.press("vact:save")
    assert any("They will be told at 8:00" in m.text for m in worker.messages)
    await run(bot, at(2026, 11, 17, 8, 0))
    assert "A volunteer activity that fits you" in ann.last_text
