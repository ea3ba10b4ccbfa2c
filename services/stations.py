"""Keeping the `stations` table in step with the station catalogue."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Station
from db.uow import UnitOfWork
from knowledge.stations import StationCatalog


async def sync_stations(uow: UnitOfWork, catalog: StationCatalog) -> int:
    """Upsert every catalogue station; stations no longer listed are marked inactive.

    Idempotent: running it twice changes nothing the second time. Returns rows changed.
    """
    existing = {s.code: s for s in (await uow.session.scalars(select(Station))).all()}
    changed = 0
    for entry in catalog.stations:
        values = {
            "prefix": entry.prefix,
            "name_zh": entry.name_zh,
            "name_en": entry.name_en,
            "kind": entry.kind,
            "quota_hours": entry.quota_hours,
            "active": True,
        }
        row = existing.pop(entry.code, None)
        if row is None:
            uow.session.add(Station(code=entry.code, **values))
            changed += 1
            continue
        if any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
    for row in existing.values():
        if row.active:
            row.active = False
            changed += 1
    await uow.commit()
    return changed
