"""`stationbot run` (long polling) and `stationbot webhook` (PTB's webhook server)."""

from __future__ import annotations

import argparse
import asyncio

from telegram import Bot, Update

from bot.application import build_application
from bot.logging_setup import setup_logging
from bot.runtime import check_location, claim_sqlite_file, knowledge_for, migrate_database
from bot.settings import Settings
from bot.webhook import check_secret, run_webhook
from db.uow import Database


def main(settings: Settings, args: argparse.Namespace) -> int:
    token = settings.require_token()
    if args.command == "webhook":
        check_secret(args.secret)
    knowledge = knowledge_for(settings)
    check_location(settings.database_url)
    claim_sqlite_file(settings.database_url)
    # Before logging starts, so a wrong setting ends with the one line `cli.main` prints and no
    # log lines or traceback around it: Telegram must answer, and the database must migrate.
    asyncio.run(_prepare(settings, token))
    setup_logging(token=token)
    database = Database(settings.database_url)  # connects lazily, inside PTB's loop
    app = build_application(
        settings, database=database, token=token, knowledge=knowledge, notify_in_background=True
    )
    if args.command == "run":
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    else:
        run_webhook(
            app,
            listen=args.listen,
            port=args.port,
            url=args.url.rstrip("/") + "/telegram",
            path="/telegram",
            secret=args.secret,
        )
    return 0


async def _prepare(settings: Settings, token: str) -> None:
    """Raises NetworkError / InvalidToken (the Bot API) or SettingsError (the database).

    Everything runs in this loop of its own and is closed before PTB starts its loop: pooled
    database connections are bound to the loop that opened them."""
    async with Bot(token, base_url=settings.api_url):
        pass  # initialising asks Telegram who the bot is (getMe)
    await migrate_database(settings)
