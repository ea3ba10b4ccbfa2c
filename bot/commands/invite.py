"""`stationbot invite --role worker --station jiangnan [--valid-hours 72]`: print a deep link."""

from __future__ import annotations

import argparse
import sys

from bot.clock import SystemClock
from bot.runtime import knowledge_for, open_database
from bot.settings import Settings
from services import staff
from services.errors import InvalidValue


async def main(settings: Settings, args: argparse.Namespace) -> int:
    knowledge = knowledge_for(settings)
    if args.role != "admin" and args.station not in knowledge.stations:
        codes = ", ".join(knowledge.stations.codes)
        print(f"stationbot: --station must be one of: {codes}", file=sys.stderr)
        return 2
    database = await open_database(settings)
    try:
        from services.stations import sync_stations

        async with database.uow() as uow:
            await sync_stations(uow, knowledge.stations)
        async with database.uow() as uow:
            created = await staff.create_invite(
                uow,
                role=args.role,
                station_code=args.station,
                station_codes=knowledge.stations.codes,
                created_by_tg_id=None,
                valid_hours=(
                    staff.DEFAULT_VALID_HOURS if args.valid_hours is None else args.valid_hours
                ),
                now=SystemClock(settings.zone).now(),
            )
    except InvalidValue as error:
        print(f"stationbot: invalid {error.field} ({error.reason})", file=sys.stderr)
        return 2
    finally:
        await database.dispose()
    username = await bot_username(settings)
    print(f"https://t.me/{username}?start={created.code}")
    print(
        f"valid until {created.expires_at.astimezone(settings.zone):%Y-%m-%d %H:%M %Z}",
        file=sys.stderr,
    )
    return 0


async def bot_username(settings: Settings) -> str:
    """Ask Telegram for the bot's username when a token is set; offline, the console bot's."""
    if settings.token is None:
        from bot.offline_telegram import BOT_USERNAME

        return BOT_USERNAME
    from telegram import Bot

    async with Bot(settings.require_token(), base_url=settings.api_url) as bot:
        return bot.username
