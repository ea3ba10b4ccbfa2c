"""Issue 12, the daily loop at the edges: requests and applications reach someone who can act,
and the resident is told honestly who that is."""

from __future__ import annotations

from handlers.management.broadcast import wait_for_sends
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


def calls_to(bot: BotHarness, tg_id: int, containing: str) -> list[dict[str, object]]:
    return [
        c.params
        for c in bot.telegram.calls_to("sendMessage")
        if int(c.params["chat_id"]) == tg_id and containing in str(c.params.get("text"))
    ]


def rings(params: dict[str, object]) -> bool:
    return str(params.get("disable_notification", "false")).lower() not in ("true", "1")


async def test_urgent_request_at_night_rings_and_escalates_once(bot: BotHarness) -> None:
    from tests.bot.test_reminders import at, run

    worker = await bot.person(role="worker", stations=("gushan",), lang="en", name="Li")
    head = await bot.person(role="station_head", stations=("gushan",), lang="en", name="Zhang")
    admin = await bot.person(role="admin", lang="en", name="Admin")
    resident = await bot.person(lang="en", name="Wang")
    bot.clock.current = at(2026, 11, 21, 3, 30)
    ref = await make_request(resident, station="gushan", urgent=True)
    (to_worker,) = calls_to(bot, worker.user_id, ref)
    (to_head,) = calls_to(bot, head.user_id, ref)
    assert "URGENT" in str(to_worker["text"]) and rings(to_worker) and rings(to_head)

    await run(bot, at(2026, 11, 21, 5, 30))  # 2 hours later, still in the quiet hours
    await run(bot, at(2026, 11, 21, 6, 30))
    for person in (head, admin):
        (reminder,) = calls_to(bot, person.user_id, "🚨")
        assert "URGENT" in str(reminder["text"]) and ref in str(reminder["text"])
        assert rings(reminder)
    assert calls_to(bot, worker.user_id, "🚨") == []
    assert sends_to(bot, ADMIN_ID) == []  # the settings' admin never started the bot


async def test_ordinary_request_at_night_goes_without_sound(bot: BotHarness) -> None:
    from tests.bot.test_reminders import at

    worker = await bot.person(role="worker", stations=("gushan",), lang="en", name="Li")
    resident = await bot.person(lang="en", name="Wang")
    bot.clock.current = at(2026, 11, 21, 3, 30)
    night_ref = await make_request(resident, station="gushan")
    (at_night,) = calls_to(bot, worker.user_id, night_ref)
    assert not rings(at_night)
    bot.clock.current = at(2026, 11, 21, 10, 0)
    day_ref = await make_request(resident, station="gushan", first_time=False)
    (by_day,) = calls_to(bot, worker.user_id, day_ref)
    assert rings(by_day)


async def test_broadcast_at_night_is_held_until_the_morning(bot: BotHarness) -> None:
    from tests.bot.test_broadcast import resident_of
    from tests.bot.test_reminders import at, run

    english = await resident_of(bot, "jiangnan", lang="en")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    bot.clock.current = at(2026, 11, 21, 23, 10)
    await head.send("/broadcast")
    await head.press("bc:a:residents")
    await head.send("Free health checks on Saturday")
    assert "It is night now" in head.last_text
    assert head.button_labels()[:2] == ["📣 Send now", "🌅 In the morning (8:00)"]
    await head.press("bc:send")
    assert "tomorrow at 8:00" in head.last_text
    await run(bot, at(2026, 11, 22, 7, 59))
    assert not [m for m in english.messages if "health checks" in m.text]
    await run(bot, at(2026, 11, 22, 8, 0))
    assert [m for m in english.messages if "health checks" in m.text]


async def test_broadcast_at_night_sent_now_goes_without_sound(bot: BotHarness) -> None:
    from tests.bot.test_broadcast import resident_of
    from tests.bot.test_reminders import at

    english = await resident_of(bot, "jiangnan", lang="en")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    bot.clock.current = at(2026, 11, 22, 3, 0)
    await head.send("/broadcast")
    await head.press("bc:a:residents")
    await head.send("Water cut tomorrow")
    await head.press("bc:send:now")
    assert any(m.text.startswith("📣 Sending to 1 person.") for m in head.messages)
    await wait_for_sends(bot.app.bot_data)  # type: ignore[union-attr]
    (sent,) = calls_to(bot, english.user_id, "Water cut")
    assert not rings(sent)


async def test_quota_says_the_rule_and_offers_to_log_a_session(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/quota")
    text = supervisor.last_text
    assert "Online and offline sessions count together, per calendar month" in text
    assert "13 h a month" in text
    assert supervisor.button_labels() == ["🧭 Log a session"]
    await supervisor.press("🧭 Log a session")
    assert supervisor.last_text != text  # the supervision log opens

    admin = await bot.admin(lang="en")
    await admin.send("/quota")
    table = admin.last_text
    jiangnan = next(line for line in table.splitlines() if "Jiangnan" in line)
    xicheng = next(line for line in table.splitlines() if "Xicheng" in line)
    assert "no supervisor" not in jiangnan and "no supervisor" in xicheng
    assert "no supervisor in the bot yet: 13 stations" in table


async def test_volunteer_application_nobody_can_be_told_of(bot: BotHarness) -> None:
    from tests.bot.test_volunteer import sign_up

    await bot.admin()  # never started
    person = await bot.person(lang="en")
    await sign_up(person)
    await person.press("vol:confirm")
    text = person.last_text
    assert "nobody at the station can be reached" in text and "A social worker will" not in text
    assert "0579-8000 0003" in text  # Jiangnan's phone, knowledge/stations.yaml
    assert sends_to(bot, ADMIN_ID) == []


async def test_volunteer_application_falls_back_to_an_administrator(bot: BotHarness) -> None:
    from tests.bot.test_volunteer import sign_up

    admin = await bot.admin(lang="en")
    await admin.send("/start")
    person = await bot.person(lang="en")
    await sign_up(person)
    await person.press("vol:confirm")
    assert "has gone to the bureau" in person.last_text
    assert "A social worker will" not in person.last_text
    assert "New volunteer application" in admin.last_text
