"""probe11 item 12: /activity refused a start time already past today only at 📣 Publish, six
steps later; now the time step refuses it (and offers no start button already past)."""

from __future__ import annotations

import pytest

from tests.bot.test_activities_volunteer import at
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")

PASSED = {
    "en": "That time has passed; please choose a later one.",
    "zh": "这个时间已经过了，请选择晚一点的时间。",
}
WHERE = {"en": "Where is it?", "zh": "在哪里"}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_past_time_today_is_refused_at_the_time_step(bot: BotHarness, lang: str) -> None:
    bot.clock.current = at(2026, 11, 16, 14, 20)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang, name="Li")
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("Haircuts")
    await worker.press("vact:day:2026-11-16")
    starts = [b.callback_data for b in worker.last.buttons if ":start:" in (b.callback_data or "")]
    assert starts[0] == "vact:start:870"  # 14:30, the first not yet past
    await worker.send("13:00-14:30")
    assert PASSED[lang] in worker.last_text
    await worker.send("14:20")
    assert PASSED[lang] in worker.last_text
    await worker.press_data("vact:start:840")  # 14:00, from an earlier screen
    assert PASSED[lang] in worker.last_text
    await worker.send("15:00-16:00")
    assert WHERE[lang] in worker.last_text


async def test_a_past_time_typed_at_the_end_step_is_refused(bot: BotHarness) -> None:
    bot.clock.current = at(2026, 11, 16, 14, 20)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("Haircuts")
    await worker.press("vact:day:2026-11-16")
    await worker.press_data("vact:start:900")
    assert "When does it end?" in worker.last_text
    await worker.send("9:00-10:00")
    assert PASSED["en"] in worker.last_text
    await worker.send("16:00")
    assert "Where is it?" in worker.last_text


async def test_another_day_keeps_every_start(bot: BotHarness) -> None:
    bot.clock.current = at(2026, 11, 16, 14, 20)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("Haircuts")
    await worker.press("vact:day:2026-11-17")
    await worker.send("9:00-10:00")
    assert "Where is it?" in worker.last_text
