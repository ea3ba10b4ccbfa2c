"""`stationbot report --period 2026-11 [--station jiangnan] --out DIR [--lang zh|en]`.

Writes the same chart (PNG) and workbook (XLSX) `/report` sends, and prints the summary.
`--period 2026` makes a yearly report; without `--station` it covers every station.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.runtime import knowledge_for, open_database
from bot.settings import Settings
from handlers.documents import report_files
from handlers.kit.i18n import Translator
from knowledge.bundle import Knowledge
from services import reports
from services.errors import InvalidValue
from services.reports import Report
from services.stations import sync_stations


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def main(settings: Settings, args: argparse.Namespace) -> int:
    knowledge = knowledge_for(settings)
    try:
        period = reports.parse_period(args.period)
    except InvalidValue:
        print("stationbot: --period must be a month (2026-11) or a year (2026)", file=sys.stderr)
        return 2
    if args.station is not None and args.station not in knowledge.stations:
        codes = ", ".join(knowledge.stations.codes)
        print(f"stationbot: --station must be one of: {codes}", file=sys.stderr)
        return 2
    database = await open_database(settings)
    try:
        async with database.uow() as uow:
            await sync_stations(uow, knowledge.stations)
        async with database.uow() as uow:
            report = await reports.gather_report(
                uow,
                period=period,
                station_code=args.station,
                now=SystemClock(settings.zone).now(),
                zone=settings.zone,
            )
    finally:
        await database.dispose()
    return write_files(report, knowledge, settings, Path(args.out), args.lang)


def write_files(
    report: Report, knowledge: Knowledge, settings: Settings, out: Path, lang: str
) -> int:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"stationbot: cannot write to {out}: {error.strerror}", file=sys.stderr)
        return 2
    translator = Translator()
    _ = translator.for_language(lang)
    names = report_files.names_for(knowledge, lang)
    chart_lang = report_files.chart_language(lang)
    stem = out / report_files.file_stem(report)
    chart_path, workbook_path = stem.with_suffix(".png"), stem.with_suffix(".xlsx")
    chart_path.write_bytes(
        report_files.report_chart(
            report,
            translator.for_language(chart_lang),
            report_files.names_for(knowledge, chart_lang),
        )
    )
    workbook_path.write_bytes(report_files.report_workbook(report, _, names, settings.zone))
    summary = report_files.report_summary(report, _, names)
    print(plain(summary).rsplit("\n\n", 1)[0])  # the last line points at the files in a chat
    print(chart_path)
    print(workbook_path)
    return 0
