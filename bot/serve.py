"""`stationbot run` (long polling) and `stationbot webhook` (PTB's webhook server)."""

from __future__ import annotations

import argparse
import asyncio

from telegram import Update

from bot.application import build_application
from bot.logging_setup import setup_logging
from bot.runtime import knowledge_for, migrate_database
from bot.settings import Settings
from db.uow import Database


def main(settings: Settings, args: argparse.Namespace) -> int:
    token = settings.require_token()
    setup_logging(token=token)
    knowledge = knowledge_for(settings)
    asyncio.run(migrate_database(settings))  # in a loop of its own, its connections closed
    database = Database(settings.database_url)  # connects lazily, inside PTB's loop
    app = build_application(settings, database=database, token=token, knowledge=knowledge)
    if args.command == "run":
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    else:
        app.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path="telegram",
            webhook_url=args.url.rstrip("/") + "/telegram",
            secret_token=args.secret,
            allowed_updates=Update.ALL_TYPES,
        )
    return 0
