"""/myhours for someone with no hours at all: how to become a volunteer, not only "0 h"
(an outside tester's report, round 11)."""

from __future__ import annotations

from tests.harness import BotHarness


async def test_no_hours_yet_says_how_to_volunteer(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("/myhours")
    assert "还不是志愿者？发送 /volunteer 报名。" in resident.last_text
