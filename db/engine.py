"""Engine creation, with the SQLite settings a bot with concurrent updates needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool


def make_engine(url: str, *, echo: bool = False, schema: str | None = None) -> AsyncEngine:
    """`schema` (PostgreSQL only) puts every table in that schema, e.g. one per test run."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if schema is not None and parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or every session would see its own empty database.
            kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # noqa: BLE001 - in-memory databases refuse WAL; that is fine
        pass
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
