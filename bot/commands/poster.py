"""`stationbot poster --station jiangnan --out DIR [--bot-username NAME] [--lang zh|en]`.

Writes the station's A4 wall poster as `poster-<station>.png` and `.pdf`: its name and three
QR codes (ask a question, request a service, volunteer) that open the bot on that station.
The bot's username comes from `--bot-username`, else from Telegram when `STATIONBOT_TOKEN` is
set, else the offline console bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.commands.invite import bot_username
from bot.runtime import knowledge_for
from bot.settings import Settings
from handlers.documents import station_poster
from handlers.documents.volunteer_certificate import NoCjkFont
from handlers.kit.i18n import Translator


def main(settings: Settings, args: argparse.Namespace) -> int:
    knowledge = knowledge_for(settings)
    station = knowledge.stations.get(args.station)
    if station is None:
        codes = ", ".join(knowledge.stations.codes)
        print(f"stationbot: --station must be one of: {codes}", file=sys.stderr)
        return 2
    username = args.bot_username or asyncio.run(bot_username(settings))
    _ = Translator().for_language(args.lang)
    try:
        poster = station_poster.poster_for(
            station.code, station.name(args.lang),
            bot_username=username, _=_,
        )  # fmt: skip
    except ValueError as error:
        print(f"stationbot: {error}", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        png, pdf = out / f"poster-{station.code}.png", out / f"poster-{station.code}.pdf"
        png.write_bytes(station_poster.poster_png(poster))
        pdf.write_bytes(station_poster.poster_pdf(poster))
    except NoCjkFont as error:
        print(f"stationbot: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"stationbot: cannot write to {out}: {error.strerror}", file=sys.stderr)
        return 2
    for code in poster.codes:
        print(f"{code.action}: {code.url}")
    print(png)
    print(pdf)
    return 0
