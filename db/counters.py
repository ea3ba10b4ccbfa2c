"""Per-station numbers, taken atomically on SQLite and PostgreSQL: requests (JN-0001, …) and
cases (JN-C-0001, …), each series with its own counter."""

from __future__ import annotations

import functools

from sqlalchemy import Connection, Executable, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CaseCounter, StationCounter


async def take_next_number(
    session: AsyncSession,
    station_code: str,
    counter: type[StationCounter] | type[CaseCounter] = StationCounter,
) -> int:
    """The station's next number, within the caller's transaction.

    The counter row is created if missing (ON CONFLICT DO NOTHING, so two first requests at
    once cannot collide) and incremented in one UPDATE … RETURNING, so two transactions never
    read the same number: the second waits for the first to finish.
    """
    return await session.run_sync(
        lambda sync: next_number_in(sync.connection(), station_code, counter)
    )


def next_number_in(
    connection: Connection,
    station_code: str,
    counter: type[StationCounter] | type[CaseCounter] = StationCounter,
) -> int:
    """`take_next_number` inside a Core transaction (`UnitOfWork.write`)."""
    create, bump = _statements(connection.dialect.name, counter)
    connection.execute(create, {"code": station_code})
    after = connection.execute(bump, {"code": station_code}).scalar()
    assert after is not None
    return int(after) - 1


@functools.cache
def _statements(
    dialect: str, counter: type[StationCounter] | type[CaseCounter]
) -> tuple[Executable, Executable]:
    """The counter's two statements, built once per dialect (building them anew for each
    number cost more than running them: bench/updates.py)."""
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    create = (
        insert(counter)
        .values(station_code=bindparam("code"), next_number=1)
        .on_conflict_do_nothing(index_elements=["station_code"])
    )
    bump = (
        update(counter)
        .where(counter.station_code == bindparam("code"))
        .values(next_number=counter.next_number + 1)
        .returning(counter.next_number)
    )
    return create, bump


async def take_next_case_number(session: AsyncSession, station_code: str) -> int:
    return await take_next_number(session, station_code, CaseCounter)
