"""SQLite runs in the event loop's thread (db/engine.py), and concurrent units of work still
commit everything they wrote."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.util.concurrency import in_greenlet

from db import migrate
from db.models import Person
from db.uow import Database

NOW = datetime(2026, 11, 16, tzinfo=UTC)


async def test_statements_run_on_the_loop_thread(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    seen: list[int] = []
    try:
        async with database.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.create_function("whoami", 0, lambda: seen.append(threading.get_ident()))
            await connection.execute(text("SELECT whoami()"))
        assert seen == [threading.get_ident()]
    finally:
        await database.dispose()


async def test_concurrent_writers_all_commit(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    await migrate.upgrade(database.engine)

    async def add(tg_id: int) -> None:
        async with database.uow() as uow:
            uow.session.add(Person(tg_id=tg_id, created_at=NOW))
            await asyncio.sleep(0)  # let the others start their own units of work
            await uow.commit()

    try:
        await asyncio.gather(*(add(n) for n in range(1, 41)))
        async with database.uow() as uow:
            assert await uow.session.scalar(select(func.count()).select_from(Person)) == 40
    finally:
        await database.dispose()


async def test_database_run_on_a_file_needs_no_greenlet_and_shares_the_file(
    tmp_path: Path,
) -> None:
    """`Database.run` on a SQLite file: a plain synchronous connection (no asyncio adapter,
    no greenlet hop), with the same pragmas, and what it commits is what the units of work
    read (and the other way round)."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    await migrate.upgrade(database.engine)
    try:

        def write(connection: Connection) -> tuple[str, bool, int]:
            connection.execute(insert(Person).values(tg_id=7, created_at=NOW))
            pragma = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            return connection.dialect.driver, in_greenlet(), int(pragma or 0)

        assert await database.run(write) == ("pysqlite", False, 1)
        async with database.uow() as uow:
            uow.session.add(Person(tg_id=8, created_at=NOW))
            await uow.commit()
        counted = await database.run(
            lambda c: c.execute(select(func.count()).select_from(Person)).scalar(), commit=False
        )
        assert counted == 2
    finally:
        await database.dispose()
