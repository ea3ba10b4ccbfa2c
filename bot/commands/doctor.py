"""`stationbot doctor`: what a roll-out still lacks, so nothing a resident sends lands nowhere.

Prints the stations where nobody on the staff can be reached (nobody started the bot, or all
blocked it: their requests and questions fall back to the administrators), the administrators
named in STATIONBOT_ADMINS who never opened the bot (Telegram refuses a bot that writes first,
so they are never told anything), and the stations without a supervisor in the bot (their
quota cannot be logged). Always exits 0: it is a list of things to do, not a failure.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TextIO

from bot.runtime import knowledge_for, open_database
from bot.settings import Settings
from db.uow import Database
from knowledge.stations import StationCatalog
from services import reach
from services.stations import sync_stations


def _name(stations: StationCatalog, code: str) -> str:
    station = stations.get(code)
    return f"{station.name_zh} ({code})" if station is not None else code


async def report(
    database: Database, stations: StationCatalog, admin_ids: Iterable[int], out: TextIO
) -> reach.DoctorReport:
    async with database.uow() as uow:
        found = await reach.doctor(uow, station_codes=stations.codes, admin_tg_ids=admin_ids)
    write = out.write
    write(f"Stations without reachable staff: {len(found.stations_without_reachable_staff)}\n")
    for gap in found.stations_without_reachable_staff:
        detail = (
            f"workers {gap.reachable_workers}/{gap.workers} reachable, "
            f"heads {gap.reachable_heads}/{gap.heads} reachable"
        )
        fallback = "administrators" if found.reachable_admins else "NOBODY (phone only)"
        write(f"  {_name(stations, gap.station_code)}: {detail}; new messages go to {fallback}\n")
    write(f"Administrators in STATIONBOT_ADMINS who never started the bot: "
          f"{len(found.admins_never_started)}\n")  # fmt: skip
    for tg_id in found.admins_never_started:
        write(f"  {tg_id}: ask them to open the bot and press Start\n")
    for tg_id in found.admins_blocked:
        write(f"  {tg_id}: blocked the bot (unreachable until they write again)\n")
    write(f"Stations without a supervisor: {len(found.stations_without_supervisor)}\n")
    for code in found.stations_without_supervisor:
        write(f"  {_name(stations, code)}\n")
    return found


async def main(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    knowledge = knowledge_for(settings)
    database = await open_database(settings)
    try:
        async with database.uow() as uow:
            await sync_stations(uow, knowledge.stations)
        await report(database, knowledge.stations, settings.admins, out)
    finally:
        await database.dispose()
    return 0
