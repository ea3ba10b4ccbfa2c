"""Alembic environment. Called through `db.migrate` with a live connection."""

from __future__ import annotations

from alembic import context

import db.models  # noqa: F401 - registers every table on Base.metadata
from db.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `stationbot db upgrade` (db.migrate)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # One transaction per migration, DDL included (db/migrate.py makes SQLite's real).
        transactional_ddl=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
