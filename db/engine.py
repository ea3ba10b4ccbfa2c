"""Engine creation, with the SQLite settings a bot with concurrent updates needs."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import Engine, create_engine, event
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
        if (path := sqlite_file(url)) is not None:
            _create_private(path)
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or every session would see its own empty database.
            kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"timeout": 30}
        if _INLINE_POSSIBLE:
            kwargs["async_creator"] = _inline_sqlite(parsed.database or ":memory:")
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sync_engine(url: str) -> Engine:
    """A plain (synchronous) engine on the same SQLite file, for `Database.run`: its work is
    synchronous and ran inline anyway (below), so the asyncio adapter's greenlet hop and the
    awaits of every cursor call bought nothing but their cost (bench/updates.py). The same
    pragmas as the async engine's connections."""
    parsed = make_url(url)
    engine = create_engine(
        parsed.set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": 30, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for PostgreSQL and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite creates it with the
    umask's 0644. SQLite gives its -wal, -shm and -journal files the database file's mode."""
    if path.parent.is_dir() and not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted or overwritten content is zeroed, not left in free space: a person's erased
    # details must not be recoverable from the file (README, "What /forget leaves behind").
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
    except Exception:  # noqa: BLE001 - in-memory databases refuse WAL; that is fine
        pass
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# --- SQLite in the event loop's own thread ---------------------------------------------------
# aiosqlite runs every call (cursor, execute, fetch, close, commit, rollback: 4 to 6 per
# statement) on a worker thread and wakes the event loop for each result. Those thread
# hand-offs, not SQLite, were most of the cost of an update (bench/updates.py): each waits for
# the OS to schedule two threads, which on a busy machine takes far longer than the query.
# SQLite on a local file answers in microseconds, so here the calls run inline instead (CPU per
# update fell from about 6-9 ms to about 2 ms). They do not yield to the loop, so a service's
# transaction runs from its first write to its commit without another task interleaving. The
# one rule that keeps this safe: never await anything but the database between a write and its
# commit (services never do; they hold no Telegram calls), or a second writer would wait on
# SQLite's lock while blocking the loop the first one needs. The worker thread remains for
# connecting, closing and SQLAlchemy's isolation-level switch. PostgreSQL (asyncpg) is unaffected.
_INLINE_POSSIBLE = callable(getattr(aiosqlite.Connection, "_execute", None))


class _InlineConnection(aiosqlite.Connection):
    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not getattr(self, "_running", True) or not self._connection:
            raise ValueError("Connection closed")  # what aiosqlite says; SQLAlchemy maps it
        return fn(*args, **kwargs)


def _inline_sqlite(database: str) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    def connector() -> sqlite3.Connection:
        # Created on the worker thread, used on the loop's thread: hence check_same_thread.
        return sqlite3.connect(database, timeout=30, check_same_thread=False)

    async def create() -> aiosqlite.Connection:
        connection = _InlineConnection(connector, iter_chunk_size=64)
        worker = getattr(connection, "_thread", None)
        if worker is not None:
            worker.daemon = True  # as SQLAlchemy does for aiosqlite's own connect()
        return await connection

    return create
