"""A broadcast held for the morning tells its sender the outcome once it has gone out: one
report through the ledger (sent / blocked / not reachable / unsubscribed, plural forms), planned
by the minute tick after the last row is settled, and never a second time."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.offline_telegram import OfflinePerson
from db.models import Delivery
from tests.bot.test_broadcast import mark_blocked, resident_of
from tests.bot.test_reminders import at, run
from tests.harness import BotHarness


def reports(person: OfflinePerson, start: str) -> list[str]:
    return [m.text for m in person.messages if m.text.startswith(start)]


async def hold_for_the_morning(head: OfflinePerson, text: str) -> None:
    await head.send("/broadcast")
    await head.press("bc:a:residents")
    await head.send(text)
    await head.press("bc:send")


async def test_a_held_broadcast_reports_to_its_sender_once_when_it_has_gone_out(
    bot: BotHarness,
) -> None:
    english = await resident_of(bot, "jiangnan", lang="en")
    blocked_before = await resident_of(bot, "jiangnan")
    blocks_at_eight = await resident_of(bot, "jiangnan")
    unsubscribed = await resident_of(bot, "jiangnan")
    await mark_blocked(bot, blocked_before)
    await unsubscribed.send("/unsubscribe")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    bot.clock.current = at(2026, 11, 21, 23, 10)
    await hold_for_the_morning(head, "Free health checks on Saturday")
    assert "tomorrow at 8:00" in head.last_text
    start = "📣 Your broadcast held for the morning has gone out"
    await run(bot, at(2026, 11, 22, 7, 59))
    assert reports(head, start) == []
    bot.telegram.block(blocks_at_eight.user_id)
    await run(bot, at(2026, 11, 22, 8, 0))  # it goes out: the report follows once it is settled
    assert [m for m in english.messages if "health checks" in m.text]
    await run(bot, at(2026, 11, 22, 8, 1))
    await run(bot, at(2026, 11, 22, 8, 2))  # a second tick (or a restart) plans nothing more
    (report,) = reports(head, start)
    assert report.splitlines() == [
        start + ": 1 delivered.",
        "2 people have blocked the bot and were not sent it.",
        "1 person unsubscribed from broadcasts.",
    ]
    async with bot.database.uow() as uow:
        rows = await uow.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.kind == "broadcast_report")
        )
    assert rows == 1


async def test_the_held_report_in_chinese_and_no_report_before_it_is_out(bot: BotHarness) -> None:
    for _ in range(2):
        await resident_of(bot, "jiangnan")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="zh")
    bot.clock.current = at(2026, 11, 21, 23, 10)
    await head.send("/broadcast")
    await head.press("bc:a:residents")
    await head.send("周六上午免费体检")
    await head.press("bc:send")
    start = "📣 您留到早上发的群发消息已发出"
    await run(bot, at(2026, 11, 22, 3, 0))  # still held: nothing went, nothing to report
    assert reports(head, start) == []
    await run(bot, at(2026, 11, 22, 8, 0))
    await run(bot, at(2026, 11, 22, 8, 1))
    assert reports(head, start) == [start + "：已送达 2 人。"]


async def test_a_broadcast_sent_at_once_is_reported_by_its_own_delivery_not_twice(
    bot: BotHarness,
) -> None:
    from handlers.management.broadcast import wait_for_sends

    await resident_of(bot, "jiangnan", lang="en")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    bot.clock.current = at(2026, 11, 22, 10, 0)
    await hold_for_the_morning(head, "Water cut tomorrow")  # by day: sent at once
    assert bot.app is not None
    await wait_for_sends(bot.app.bot_data)
    await run(bot, at(2026, 11, 22, 10, 1))
    assert len(reports(head, "📣 Broadcast done: 1 delivered.")) == 1
    assert reports(head, "📣 Your broadcast held") == []
