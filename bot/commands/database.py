"""`stationbot db upgrade|downgrade|revision`."""

from __future__ import annotations

import argparse

from bot.settings import Settings
from db import migrate
from db.uow import Database


async def main(settings: Settings, args: argparse.Namespace) -> int:
    database = Database(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await migrate.upgrade(database.engine)
            print("database is up to date")
        elif args.db_command == "downgrade":
            await migrate.downgrade(database.engine, args.revision)
            print(f"database downgraded to {args.revision}")
        elif args.db_command == "revision":
            await migrate.autogenerate(database.engine, args.message, args.rev_id)
    finally:
        await database.dispose()
    return 0
