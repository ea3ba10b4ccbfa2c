"""Checking, in the database, that a person holds a role at a station right now.

Handlers already check `Access`, but a conversation can outlive a role (revoked mid-way) and a
button can be forged, so every write checks again here, inside its own unit of work.
"""

from __future__ import annotations

from sqlalchemy import select

from db.models import Person, StaffRole
from db.uow import UnitOfWork
from services.errors import NotAllowed


async def require_station_role(uow: UnitOfWork, *, tg_id: int, role: str, station_code: str) -> int:
    """The person's id when they hold `role` at `station_code`; NotAllowed otherwise."""
    person_id = await uow.session.scalar(
        select(Person.id)
        .join(StaffRole, StaffRole.person_id == Person.id)
        .where(
            Person.tg_id == tg_id,
            StaffRole.role == role,
            StaffRole.station_code == station_code,
            StaffRole.revoked_at.is_(None),
        )
        .limit(1)
    )
    if person_id is None:
        raise NotAllowed(f"{role} at {station_code}")
    return int(person_id)


async def person_id_of(uow: UnitOfWork, *, tg_id: int) -> int | None:
    return await uow.session.scalar(select(Person.id).where(Person.tg_id == tg_id))
