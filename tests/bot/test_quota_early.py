"""/quota in the month's first week: a station below the line is "just started", not red."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.harness import BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_no_red_in_the_first_week(bot: BotHarness) -> None:
    bot.clock.current = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",))
    await supervisor.send("/quota")
    assert "江南街道社工站 · 🕐 本月刚开始" in supervisor.last_text
    assert "🔴" not in supervisor.last_text
    admin = await bot.admin(lang="en")
    await admin.send("/quota")
    assert admin.last_text.splitlines()[1] == ("behind 0 · on track 0 · met 0 · just started 14")
    bot.clock.current = datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI)
    await supervisor.send("/quota")
    assert "江南街道社工站 · 🔴 进度落后" in supervisor.last_text


async def test_a_forged_page_shows_the_first(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/quota")
    await admin.press_data("quota:pg:" + "9" * 40, message=admin.last)
    assert admin.last_text.startswith("Supervision hours, Nov: all stations")
