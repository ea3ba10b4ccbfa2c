"""`stationbot db upgrade|downgrade|revision`."""

from __future__ import annotations

import argparse

from bot.runtime import check_location, check_writable, database_errors
from bot.settings import Settings
from db import migrate
from db.uow import Database


async def main(settings: Settings, args: argparse.Namespace) -> int:
    check_location(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database_errors(settings.database_url):
            await _run(database, args)
    finally:
        await database.dispose()
    return 0


async def _run(database: Database, args: argparse.Namespace) -> None:
    if args.db_command == "upgrade":
        await migrate.upgrade(database.engine)
        await check_writable(database.engine)  # the bot will need to write, not only read
        print("database is up to date")
    elif args.db_command == "downgrade":
        await migrate.downgrade(database.engine, args.revision)
        print(f"database downgraded to {args.revision}")
    elif args.db_command == "revision":
        await migrate.autogenerate(database.engine, args.message, args.rev_id)
