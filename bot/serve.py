"""`stationbot run` (long polling) and `stationbot webhook` (PTB's webhook server)."""

from __future__ import annotations

import argparse
import asyncio

from telegram import Update

from bot.application import build_application
from bot.logging_setup import setup_logging
from bot.runtime import knowledge_for, open_database
from bot.settings import Settings


def main(settings: Settings, args: argparse.Namespace) -> int:
    token = settings.require_token()
    setup_logging(token=token)
    knowledge = knowledge_for(settings)
    database = asyncio.run(open_database(settings))  # migrations before the loop PTB owns
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
