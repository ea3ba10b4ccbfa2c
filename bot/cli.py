"""`stationbot …`: console, run, webhook, db, invite, report, remind, doctor, ledger, poster, verify, kb.

Wrong settings or catalogues end with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from bot.settings import SettingsError, load_settings
from knowledge.loading import CatalogError

EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stationbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    console = sub.add_parser("console", help="chat with the bot in this terminal, offline")
    console.add_argument(
        "--as", dest="role", default="resident",
        choices=["resident", "worker", "supervisor", "station_head", "admin"],
    )  # fmt: skip
    console.add_argument("--lang", default="zh", choices=["zh", "en"])

    sub.add_parser("run", help="run the bot with long polling")

    webhook = sub.add_parser("webhook", help="run the bot behind a webhook")
    webhook.add_argument("--url", required=True, help="public HTTPS URL Telegram posts to")
    webhook.add_argument("--listen", default="0.0.0.0")
    webhook.add_argument("--port", type=int, default=8443)
    webhook.add_argument("--secret", required=True, help="secret token Telegram sends back")

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every migration")
    downgrade = db_sub.add_parser("downgrade", help="undo migrations")
    downgrade.add_argument("revision", nargs="?", default="base")
    revision = db_sub.add_parser("revision", help="(developers) autogenerate a migration")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--rev-id", required=True)

    invite = sub.add_parser("invite", help="print an invitation link for a staff member")
    invite.add_argument(
        "--role", required=True, choices=["worker", "supervisor", "station_head", "admin"]
    )
    invite.add_argument("--station", help="station code (not for admins)")
    invite.add_argument(
        "--valid-hours", type=float, default=None, help="default: 72 (services.staff)"
    )

    report = sub.add_parser("report", help="write a monthly or yearly report (PNG and XLSX)")
    report.add_argument("--period", required=True, help="a month (2026-11) or a year (2026)")
    report.add_argument("--station", help="station code; every station when left out")
    report.add_argument("--out", default=".", help="folder to write the files into")
    report.add_argument("--lang", default="zh", choices=["zh", "en"])
    ledger = sub.add_parser("ledger", help="write a station-month's 台账 pack (one zip)")
    ledger.add_argument("--month", required=True, help="a month, e.g. 2026-11")
    ledger.add_argument("--station", required=True, help="station code")
    ledger.add_argument("--out", default=".", help="folder to write the zip into")
    ledger.add_argument("--lang", default="zh", choices=["zh", "en"])
    remind = sub.add_parser("remind", help="send the reminders due at a moment, once")
    remind.add_argument("--at", help="local date and time, e.g. 2026-11-25T09:00 (default: now)")
    remind.add_argument("--dry-run", action="store_true", help="print who would get what")
    poster = sub.add_parser("poster", help="write a station's wall poster with QR codes")
    poster.add_argument("--station", required=True, help="station code")
    poster.add_argument("--out", default=".", help="folder to write the PNG and PDF into")
    poster.add_argument("--bot-username", help="the bot's username (default: ask Telegram)")
    poster.add_argument("--lang", default="zh", choices=["zh", "en"])
    verify = sub.add_parser("verify", help="check a volunteer-hours certificate's code")
    verify.add_argument("code")
    sub.add_parser("doctor", help="list stations nobody can be reached at, and other gaps")
    kb = sub.add_parser("kb", help="check the knowledge base, or ask it a question")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_sub.add_parser("check", help="validate the FAQ files; exit 1 on any problem")
    kb_ask = kb_sub.add_parser("ask", help="the best entry for a question, and the runners-up")
    kb_ask.add_argument("question")
    kb_ask.add_argument("--lang", choices=["zh", "en"], help="language of the answer shown")
    kb_ask.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from telegram.error import InvalidToken, NetworkError

    args = build_parser().parse_args(argv)
    # Every file this process creates (the database and its -wal and -shm, reports) is its
    # owner's only: they hold residents' personal information.
    umask = os.umask(0o077)
    settings = None
    try:
        settings = load_settings()
        return _dispatch(args, settings)
    except (SettingsError, CatalogError) as error:
        print(f"stationbot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except InvalidToken:
        print("stationbot: STATIONBOT_TOKEN was refused by the Bot API", file=sys.stderr)
        return EXIT_CONFIG
    except NetworkError as error:  # at start: getMe, setWebhook, setMyCommands
        url = settings.api_url if settings is not None else "?"
        reason = _without_token(str(error).splitlines()[0] if str(error) else "", settings)
        print(
            f"stationbot: STATIONBOT_API_URL: cannot reach the Bot API at {url}: {reason}",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
    finally:
        os.umask(umask)


def _without_token(text: str, settings: object) -> str:
    token = getattr(settings, "token", None)
    secret = token.get_secret_value() if token is not None else ""
    return text.replace(secret, "<token>") if secret else text


def _dispatch(args: argparse.Namespace, settings: object) -> int:
    from bot.settings import Settings

    assert isinstance(settings, Settings)
    if args.command == "console":
        from bot import console

        return console.main(settings, args.role, args.lang)
    if args.command in ("run", "webhook"):
        from bot import serve

        return serve.main(settings, args)
    if args.command == "db":
        from bot.commands import database

        return asyncio.run(database.main(settings, args))
    if args.command == "invite":
        from bot.commands import invite

        return asyncio.run(invite.main(settings, args))
    if args.command == "report":
        from bot.commands import report

        return asyncio.run(report.main(settings, args))
    if args.command == "ledger":
        from bot.commands import ledger

        return asyncio.run(ledger.main(settings, args))
    if args.command == "remind":
        from bot.commands import remind

        return asyncio.run(remind.main(settings, args))
    if args.command == "poster":
        from bot.commands import poster

        return poster.main(settings, args)
    if args.command == "verify":
        from bot.commands import verify

        return asyncio.run(verify.main(settings, args))
    if args.command == "doctor":
        from bot.commands import doctor

        return asyncio.run(doctor.main(settings, args, sys.stdout))
    if args.command == "kb":
        from bot.commands import kb

        return kb.main(settings, args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    raise SystemExit(main())
