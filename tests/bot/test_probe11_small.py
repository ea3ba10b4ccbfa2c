"""/myhours for someone with no hours at all: how to become a volunteer, not only "0 h"; one
icon per menu item (an outside tester's report, round 11)."""

from __future__ import annotations

from tests.harness import BotHarness


async def test_no_hours_yet_says_how_to_volunteer(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("/myhours")
    assert "还不是志愿者？发送 /volunteer 报名。" in resident.last_text


async def test_the_heads_menu_has_one_icon_per_item(bot: BotHarness) -> None:
    """📣 was both the volunteer activities and the broadcast in the head's menu."""
    head = await bot.person(role="station_head", stations=("jiangnan",))
    await head.send("/menu")
    icons = [label.split(" ", 1)[0] for label in head.button_labels()]
    assert len(icons) == len(set(icons)), icons
