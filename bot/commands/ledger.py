"""`stationbot ledger --month 2026-11 --station jiangnan --out DIR [--lang zh|en]`.

Writes the station-month's 台账 pack (one zip) from the database and the evidence copies under
STATIONBOT_MEDIA_DIR, and prints where it went, its size and the time it took. The operator at
the machine may read every station, as with `stationbot report`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.clock import SystemClock
from bot.commands.english import count_of
from bot.runtime import knowledge_for, open_database
from bot.settings import Settings
from handlers.documents import ledger_pack
from handlers.kit.i18n import Translator
from knowledge.bundle import Knowledge
from services import ledger, reports
from services.errors import InvalidValue
from services.stations import sync_stations


async def main(settings: Settings, args: argparse.Namespace) -> int:
    knowledge = knowledge_for(settings)
    try:
        period = reports.parse_period(args.month)
        if period.kind != reports.MONTH:
            raise InvalidValue("month", "not_a_month")
    except InvalidValue:
        print("stationbot: --month must be a month, e.g. 2026-11", file=sys.stderr)
        return 2
    if args.station not in knowledge.stations:
        codes = ", ".join(knowledge.stations.codes)
        print(f"stationbot: --station must be one of: {codes}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    database = await open_database(settings)
    try:
        async with database.uow() as uow:
            await sync_stations(uow, knowledge.stations)
        async with database.uow() as uow:
            month = await ledger.gather_month(
                uow,
                station_code=args.station,
                month=period.start,
                now=SystemClock(settings.zone).now(),
                zone=settings.zone,
                templates=knowledge.record_templates,
            )
    finally:
        await database.dispose()
    return write_pack(month, knowledge, settings, Path(args.out), args.lang, started)


def write_pack(
    month: ledger.LedgerMonth,
    knowledge: Knowledge,
    settings: Settings,
    out: Path,
    lang: str,
    started: float,
) -> int:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"stationbot: cannot write to {out}: {error.strerror}", file=sys.stderr)
        return 2
    _ = Translator().for_language(lang)
    data = ledger_pack.build_pack(
        month, _=_, knowledge=knowledge, lang=lang, media_dir=settings.media_path
    )
    target = out / ledger_pack.pack_name(month, _)
    target.write_bytes(data)
    elapsed = time.perf_counter() - started
    hours = f"{month.volunteer_hours:.2f}".rstrip("0").rstrip(".")
    print(
        f"{target}  {len(data) / 1e6:.1f} MB  {count_of(month.activities, 'record')}, "
        f"{count_of(len(month.sessions), 'supervision session')}, "
        f"{count_of(month.cases.opened, 'case')} opened, "
        f"{hours} confirmed volunteer {'hour' if hours == '1' else 'hours'}  {elapsed:.1f} s"
    )
    return 0
