"""Alembic, driven from code so `run`, `console` and tests share one path.

Each migration runs in a transaction of its own, with its `alembic_version` row, on SQLite too:
a migration interrupted halfway (a full disk, a kill) leaves the database at the previous
revision, and the next upgrade carries on from there. SQLite can roll DDL back, but Python's
sqlite3 module never opens a transaction before CREATE or ALTER (each runs and commits on its
own), which is why Alembic's `transactional_ddl` is off for SQLite. For migrating, the
connection is switched to explicit transactions (SQLAlchemy's recipe for pysqlite: driver
autocommit, and a real BEGIN whenever SQLAlchemy begins), so the DDL is inside the BEGIN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "heads") -> None:
    await _run(engine, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    await _run(engine, lambda cfg: command.downgrade(cfg, revision))


async def _run(engine: AsyncEngine, action: object) -> None:
    def run_sync(connection: Connection) -> None:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        action(config)  # type: ignore[operator]  # alembic.command's functions, untyped

    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        previous = await connection.run_sync(_explicit_transactions) if sqlite else None
        try:
            await connection.run_sync(run_sync)
            await connection.commit()
        finally:
            if sqlite:
                await connection.rollback()  # nothing is left open on the pooled connection
                await connection.run_sync(_implicit_transactions, previous)


def _explicit_transactions(connection: Connection) -> Any:
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    previous = dbapi.isolation_level  # type: ignore[attr-defined]  # sqlite3's, not DB-API's
    dbapi.isolation_level = None  # type: ignore[attr-defined]  # sqlite3's, not DB-API's
    event.listen(connection, "begin", _emit_begin)
    return previous


def _implicit_transactions(connection: Connection, previous: Any) -> None:
    event.remove(connection, "begin", _emit_begin)
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    dbapi.isolation_level = previous  # type: ignore[attr-defined]  # sqlite3's, not DB-API's


def _emit_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


async def autogenerate(engine: AsyncEngine, message: str, rev_id: str) -> None:
    """Developers' tool: bring `engine` to heads, then write a migration for model changes."""

    def action(cfg: Config) -> None:
        command.upgrade(cfg, "heads")
        command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id)

    await _run(engine, action)
