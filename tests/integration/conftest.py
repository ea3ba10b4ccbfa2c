"""Database URLs for integration tests: SQLite always, PostgreSQL when configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db import migrate
from db.uow import Database

PG_URL = os.environ.get("STATIONBOT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        yield database
        await database.dispose()
        return
    assert PG_URL is not None
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = Database(PG_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(PG_URL, schema=schema)
    try:
        yield database
    finally:
        await database.dispose()
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def migrated_database(empty_database: Database) -> Database:
    await migrate.upgrade(empty_database.engine)
    return empty_database
