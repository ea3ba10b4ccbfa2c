"""Migrations build exactly the models' schema, on SQLite and PostgreSQL, and can be undone."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from db import migrate
from db.base import Base
from db.uow import Database


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": False})
    return [d for d in compare_metadata(context, Base.metadata)]


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_upgrade_matches_models_and_round_trips(empty_database: Database) -> None:
    engine = empty_database.engine
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
        assert await connection.run_sync(_tables) == set(Base.metadata.tables)
    await migrate.downgrade(engine, "base")
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == set()
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == set(Base.metadata.tables)


def _versions(connection: Connection) -> list[str]:
    return [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]


async def test_upgrade_twice_is_harmless(migrated_database: Database) -> None:
    engine = migrated_database.engine
    async with engine.connect() as connection:
        versions = await connection.run_sync(_versions)
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_versions) == versions != []  # still at the same heads
        assert await connection.run_sync(_diff) == []
        assert await connection.run_sync(_tables) == set(Base.metadata.tables)
