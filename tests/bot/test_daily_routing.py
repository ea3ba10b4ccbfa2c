"""Issue 12, the daily loop at the edges: requests and applications reach someone who can act,
and the resident is told honestly who that is."""

from __future__ import annotations

from tests.bot.test_requests import make_request
from tests.harness import ADMIN_ID, BotHarness


def sends_to(bot: BotHarness, tg_id: int) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in bot.telegram.calls_to("sendMessage")
        if int(c.params["chat_id"]) == tg_id
    ]


async def test_request_to_a_station_nobody_can_be_reached_at(bot: BotHarness) -> None:
    await bot.admin()  # named in STATIONBOT_ADMINS, never opened the bot
    resident = await bot.person(lang="en")
    ref = await make_request(resident, station="xicheng")
    assert ref.startswith("XC-")
    text = resident.last_text
    assert "Nobody at the station can be reached" in text
    assert "social worker of the station will accept" not in text
    assert "0579-8000 0002" in text and "Mon–Fri 8:30–12:00" in text  # knowledge/stations.yaml
    assert sends_to(bot, ADMIN_ID) == []  # never called Telegram for a chat never started


async def test_request_falls_back_to_an_administrator_who_started(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/start")
    resident = await bot.person(lang="en")
    await make_request(resident, station="xicheng")
    text = resident.last_text
    assert "social worker of the station will accept" not in text
    assert "the bureau" in text
    assert "New request for your station" in admin.last_text


async def test_request_falls_back_to_the_head(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("xicheng",), lang="en")
    resident = await bot.person(lang="zh")
    await make_request(resident, station="xicheng")
    assert "站长" in resident.last_text and "社工会接单" not in resident.last_text
    assert "New request for your station" in head.last_text
