"""An upgrade interrupted halfway (here: the disk fills up) leaves a clean database.

SQLite's `max_page_count` plays the full disk: past it, every write fails with "database or
disk is full", as on a real full disk. Each migration is all or nothing, so what is left is
exactly some earlier revision, with its `alembic_version` row, and the next upgrade finishes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from db import migrate
from db.base import Base
from db.uow import Database


def _state(path: Path) -> tuple[set[str], list[str], int]:
    with sqlite3.connect(path) as connection:
        tables = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        versions = (
            [r[0] for r in connection.execute("SELECT version_num FROM alembic_version")]
            if "alembic_version" in tables
            else []
        )
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    return tables - {"alembic_version"}, versions, pages


async def _upgrade(path: Path, revision: str = "heads", max_pages: int | None = None) -> None:
    database = Database(f"sqlite+aiosqlite:///{path}")
    if max_pages is not None:

        def full_disk(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.cursor().execute(f"PRAGMA max_page_count={max_pages}")

        event.listen(database.engine.sync_engine, "connect", full_disk)
    try:
        await migrate.upgrade(database.engine, revision)
    finally:
        await database.dispose()


@pytest.mark.parametrize("share", [0.15, 0.5, 0.8])
async def test_an_upgrade_stopped_by_a_full_disk_leaves_a_revision_and_a_later_one_finishes(
    tmp_path: Path, share: float
) -> None:
    await _upgrade(tmp_path / "full.db")
    _tables, _versions, full_pages = _state(tmp_path / "full.db")

    broken = tmp_path / "broken.db"
    with pytest.raises(OperationalError, match="full"):
        await _upgrade(broken, max_pages=int(full_pages * share))
    tables, versions, _pages = _state(broken)
    if versions:
        # Exactly the tables of the revision it says it is at: nothing of the next one.
        reference = tmp_path / f"at-{versions[0]}.db"
        await _upgrade(reference, versions[0])
        assert tables == _state(reference)[0]
    else:
        assert tables == set()  # the first migration was undone whole

    await _upgrade(broken)  # the disk has room again
    tables, versions, _pages = _state(broken)
    assert tables == set(Base.metadata.tables)
    assert versions == _state(tmp_path / "full.db")[1]
