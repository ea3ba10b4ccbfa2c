"""`stationbot verify CODE`: is this volunteer-hours certificate one the bot issued?

Prints whether it is valid and, if so, whose hours, how many, at which station and when it
was issued. Exit status 0 for a valid certificate, 1 for an unknown or revoked code.
"""

from __future__ import annotations

import argparse

from bot.commands.english import count_of
from bot.runtime import knowledge_for, open_database
from bot.settings import Settings
from handlers.documents.volunteer_certificate import hours_text
from services.errors import NotFound
from services.volunteer_certificates import verify_certificate


async def main(settings: Settings, args: argparse.Namespace) -> int:
    knowledge = knowledge_for(settings)
    database = await open_database(settings)
    try:
        async with database.uow() as uow:
            certificate = await verify_certificate(uow, code=args.code)
    except NotFound:
        print(f"NOT VALID: no certificate with the code {args.code!r} was issued")
        return 1
    finally:
        await database.dispose()
    station = knowledge.stations.get(certificate.station_code)
    station_name = station.name_zh if station else certificate.station_code
    status = "VALID" if certificate.valid else "REVOKED"
    period = "all time" if certificate.year is None else str(certificate.year)
    print(f"{status}: certificate {certificate.display_code}")
    print(f"holder: {certificate.holder_name or '(name erased)'}")
    if certificate.minor:
        print(f"guardian: {certificate.guardian_name or '(name erased)'}")
    print(
        f"hours: {hours_text(certificate.minutes)} "
        f"({period}, {count_of(len(certificate.activities), 'activity', 'activities')})"
    )
    if certificate.first_date and certificate.last_date:
        print(f"served: {certificate.first_date} to {certificate.last_date}")
    print(f"station: {station_name} ({certificate.station_code})")
    print(f"issued: {certificate.issued_at.astimezone(settings.zone):%Y-%m-%d}")
    return 0 if certificate.valid else 1
