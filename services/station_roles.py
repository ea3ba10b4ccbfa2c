"""Checking, in the database, that a person holds a role at a station right now.

Handlers already check `Access`, but a conversation can outlive a role (revoked mid-way) and a
button can be forged, so every write checks again here, inside its own unit of work.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from db.models import Person, StaffRole
from db.uow import UnitOfWork
from services.errors import NotAllowed

_HOLDS = (
    select(Person.id)
    .join(StaffRole, StaffRole.person_id == Person.id)
    .where(
        Person.tg_id == bindparam("tg_id"),
        StaffRole.role == bindparam("role"),
        StaffRole.station_code == bindparam("station_code"),
        StaffRole.revoked_at.is_(None),
    )
    .limit(1)
)  # prebuilt Core reads (`uow.rows`): no ORM session for a check every write makes
_PERSON_ID = select(Person.id).where(Person.tg_id == bindparam("tg_id"))


async def require_station_role(uow: UnitOfWork, *, tg_id: int, role: str, station_code: str) -> int:
    """The person's id when they hold `role` at `station_code`; NotAllowed otherwise."""
    found = await uow.rows(_HOLDS, {"tg_id": tg_id, "role": role, "station_code": station_code})
    if not found:
        raise NotAllowed(f"{role} at {station_code}")
    return int(found[0][0])


async def person_id_of(uow: UnitOfWork, *, tg_id: int) -> int | None:
    found = await uow.rows(_PERSON_ID, {"tg_id": tg_id})
    return int(found[0][0]) if found else None
