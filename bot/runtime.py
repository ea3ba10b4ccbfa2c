"""Starting the pieces every command needs: settings, knowledge, database, migrations.

A database that cannot be used (a missing directory, a read-only file, a PostgreSQL host, port
or database that does not answer or does not exist, a full disk) stops the start with one line
naming STATIONBOT_DATABASE_URL and the reason (`SettingsError`, exit status 2), not a traceback.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings, SettingsError
from db import migrate
from db.engine import sqlite_file
from db.uow import Database
from knowledge.bundle import Knowledge, load_knowledge

SETTING = "STATIONBOT_DATABASE_URL"


def knowledge_for(settings: Settings) -> Knowledge:
    """Raises CatalogError (file, entry, problem) on a malformed catalogue: refuse to start."""
    return load_knowledge(Path(settings.knowledge_dir) if settings.knowledge_dir else None)


async def open_database(settings: Settings, *, upgrade: bool = True) -> Database:
    """A database for use in the running event loop, migrated first when `upgrade`."""
    check_location(settings.database_url)
    database = Database(settings.database_url)
    if upgrade:
        try:
            async with database_errors(settings.database_url):
                await migrate.upgrade(database.engine)
                await check_writable(database.engine)
        except BaseException:
            await database.dispose()
            raise
    return database


async def migrate_database(settings: Settings) -> None:
    """Bring the schema up to date in an event loop of its own, then close every connection.

    `run` and `webhook` migrate before PTB starts its own loop. Pooled connections belong to
    the loop that opened them (asyncpg's futures are bound to it), so none may outlive this
    one: the bot then opens fresh connections in PTB's loop.
    """
    database = await open_database(settings)
    await database.dispose()


_held_locks: list[int] = []


def claim_sqlite_file(url: str) -> None:
    """One bot per SQLite file: a second `run`/`webhook` on it stops with one line.

    Two bots on one file would both poll Telegram and both act on a press (two processes
    accepted the same request twice in the field tests); SQLite cannot arbitrate between
    them the way PostgreSQL's row locks do. The lock is `<database>.lock`, held with flock
    for the life of the process, so the kernel releases it even after a kill -9.
    """
    path = sqlite_file(url)
    if path is None:
        return
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SettingsError(
            f"{SETTING}: another stationbot is already running on {path} (it holds "
            f"{lock_path}); one SQLite file serves one bot"
        ) from None
    _held_locks.append(fd)  # kept open, and so locked, until the process ends


def check_location(url: str) -> None:
    """A SQLite file's directory must exist (SQLite creates the file, never its folder)."""
    path = sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise SettingsError(f"{SETTING}: the directory {path.parent} does not exist")
    if path is not None and path.is_dir():
        raise SettingsError(f"{SETTING}: {path} is a directory, not a database file")


@contextlib.asynccontextmanager
async def database_errors(url: str) -> AsyncIterator[None]:
    """Turn "cannot reach or use the database" into one line naming the setting."""
    try:
        yield
    except SettingsError:
        raise
    except (DBAPIError, OSError, SQLAlchemyError) as error:
        raise SettingsError(f"{SETTING}: cannot use {_where(url)}: {_reason(error)}") from None
    except Exception as error:  # asyncpg's own errors (unknown database, bad password, …)
        if type(error).__module__.startswith("asyncpg"):
            raise SettingsError(f"{SETTING}: cannot use {_where(url)}: {_reason(error)}") from None
        raise


async def check_writable(engine: AsyncEngine) -> None:
    """A read-only SQLite file migrates (nothing to write) and then fails at the first save:
    write once at start instead, in a transaction that is rolled back (SQLite reports a
    read-only file only at the first page it must change, not at BEGIN)."""
    if engine.dialect.name != "sqlite" or sqlite_file(str(engine.url)) is None:
        return
    async with engine.connect() as connection:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            await connection.exec_driver_sql("CREATE TABLE stationbot_write_check (x INTEGER)")
        finally:
            await connection.exec_driver_sql("ROLLBACK")


def _where(url: str) -> str:
    path = sqlite_file(url)
    if path is not None:
        return f"the SQLite file {path}"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return "the in-memory SQLite database"
    port = f":{parsed.port}" if parsed.port else ""
    return f"the PostgreSQL database {parsed.database or '?'} on {parsed.host or 'localhost'}{port}"


def _reason(error: BaseException) -> str:
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(cause, socket.gaierror):
        return "unknown host"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused (is the server running, and on that port?)"
    if isinstance(cause, TimeoutError):
        return "no answer (timed out)"
    text = str(cause).strip().splitlines()
    first = text[0] if text else type(cause).__name__
    # SQLAlchemy's wrapper repeats the driver's class name in angle brackets; keep the words.
    if first.startswith("<class"):
        first = first.split(">", 1)[-1].lstrip(": ")
    return first or type(cause).__name__
