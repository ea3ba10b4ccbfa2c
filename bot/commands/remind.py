"""`stationbot remind [--at 2026-11-25T09:00] [--dry-run]`: run the reminders due at a moment.

The same work as the bot's minute job (plan into the ledger, then send what is due), at a
chosen moment in the configured zone, so an operator can catch up by hand or rehearse a date.
Everything goes through the ledger: running it twice sends nothing the second time. With
`--dry-run` it prints who would get what and writes and sends nothing. Without
STATIONBOT_TOKEN the messages go to the offline Telegram and are printed; with it, to Telegram.

The pace (30 a second) is per process: do not run it against a busy live bot's token.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.application import build_application
from bot.clock import FixedClock, SystemClock
from bot.offline_telegram import OFFLINE_TOKEN, BotMessage, OfflineTelegram, html_to_plain
from bot.runtime import knowledge_for, open_database
from bot.settings import Settings
from handlers.delivery import reminders
from services.stations import sync_stations


def parse_at(text: str, zone: ZoneInfo) -> datetime:
    """ISO date and time; without an offset it is read in the configured zone."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _stop_cleanly_on_signals(outbox: object, out: TextIO) -> asyncio.Event:
    """SIGTERM or Ctrl-C: the sends in flight finish and are recorded, nothing new is claimed,
    and the command ends normally (exit 0); the next run sends what is left. Killed outright,
    a claimed row would wait 10 minutes as `unknown` before its one retry."""
    stopped = asyncio.Event()

    def stop() -> None:
        if not stopped.is_set():
            stopped.set()
            out.write("stop signal received: finishing the messages in flight\n")
            out.flush()
            outbox.stop_claiming()  # type: ignore[attr-defined]  # an Outbox, passed as object

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    return stopped


def _printer(out: TextIO) -> Callable[[BotMessage, bool], None]:
    def show(message: BotMessage, edited: bool) -> None:
        buttons = "".join(f"  [{b.text}]" for b in message.buttons)
        out.write(f"→ {message.chat_id}: {message.text}\n{buttons and buttons + chr(10)}")
        out.flush()

    return show


async def main(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    zone = settings.zone
    try:
        at = parse_at(args.at, zone) if args.at else SystemClock(zone).now()
    except ValueError:
        print("stationbot: --at must be a date and time like 2026-11-25T09:00", file=sys.stderr)
        return 2
    knowledge = knowledge_for(settings)
    database = await open_database(settings)
    telegram = None
    token = OFFLINE_TOKEN
    if settings.token is None:
        telegram = OfflineTelegram()
        if not args.dry_run:
            telegram.listeners.append(_printer(out))
    else:
        token = settings.require_token()
    app = build_application(
        settings,
        database=database,
        token=token,
        request=telegram,
        clock=FixedClock(at, zone),
        knowledge=knowledge,
        persistence=False,
    )
    try:
        await app.initialize()
        async with database.uow() as uow:
            await sync_stations(uow, knowledge.stations)
        when = f"{at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
        if args.dry_run:
            lines = await reminders.preview(app.bot_data)
            out.write(f"dry run at {when}: {len(lines)} message(s) would be sent; nothing sent\n")
            for line in lines:
                item = line.preview
                message = item.message
                name = item.display_name or "?"
                queued = " (already planned)" if item.already_planned else ""
                out.write(
                    f"\n→ {message.recipient_tg_id} {name} [{line.language}] {message.kind} "
                    f"{message.station_code or ''}{queued}\n"
                )
                for text_line in html_to_plain(line.text).splitlines():
                    out.write(f"  {text_line}\n")
            return 0
        where = "the offline Telegram" if telegram is not None else "Telegram"
        out.write(f"reminders due at {when}, sent through {where}\n")
        out.flush()
        stopped = _stop_cleanly_on_signals(app.bot_data.outbox, out)
        planned, report = await reminders.run_due(app.bot_data)
        if stopped.is_set():
            out.write(f"stopped: {report.skipped} message(s) left for the next run\n")
        out.write(
            f"planned {planned.planned} new; sent {report.sent}, "
            f"unreachable {len(report.unreachable)}, failed {len(report.failed)}, "
            f"unknown {len(report.unknown)} (retried once after 10 minutes)\n"
        )
        return 0
    finally:
        await app.shutdown()
        await database.dispose()
