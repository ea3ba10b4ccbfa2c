"""The unit of work: one session, one transaction, rolled back unless the service commits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, CursorResult, Executable, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import make_engine, make_sync_engine, sqlite_file

log = logging.getLogger(__name__)
T = TypeVar("T")


class OneAtATime:
    """Lets one unit of work at a time use a database, re-entrant within one asyncio task.

    An in-memory SQLite database is one shared connection (StaticPool): two units of work
    interleaving on it share one transaction, so one's rollback undoes the other's commit (seen
    when PTB's periodic persistence write met a handler's session). Files and PostgreSQL give
    each session its own connection and need no such lock.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            self._depth += 1
            return
        await self._lock.acquire()
        self._owner, self._depth = task, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        lock: OneAtATime | None = None,
        database: Database | None = None,
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._lock = lock
        self._database = database
        self._entered = False

    @property
    def session(self) -> AsyncSession:
        """The unit's session, opened at first use (a unit that only `rows()` needs none)."""
        if not self._entered:
            raise RuntimeError("unit of work used outside `async with`")
        if self._session is None:
            self._session = self._sessions()
        return self._session

    async def rows(self, statement: Executable, params: dict[str, Any]) -> Sequence[Any]:
        """The rows of a Core query. Before the unit has written anything, read on the
        database's kept connection without opening a session (what every update's first
        read costs: bench/updates.py); after, in the unit's own transaction, which sees its
        writes."""
        if self._session is None and self._database is not None and self._lock is None:
            return await self._database.run(
                lambda connection: connection.execute(statement, params).all(), commit=False
            )
        return (await self.session.execute(statement, params)).all()

    async def write(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)`: a use case's statements as one Core transaction, committed
        when `work` returns and rolled back if it raises. Before the unit has opened a session,
        on the database's kept connection in one hop into SQLAlchemy's greenlet, without the
        ORM's unit of work (an insert through `session.add` + flush cost several times the
        statement: bench/updates.py); after, in the unit's own session, then committed.
        `work` is synchronous: nothing else runs meanwhile."""
        if self._session is None and self._database is not None and self._lock is None:
            return await self._database.run(work, commit=True)
        session = self.session
        result = await session.run_sync(lambda sync: work(sync.connection()))
        await session.commit()
        return result

    async def __aenter__(self) -> UnitOfWork:
        if self._lock is not None:
            await self._lock.acquire()
        self._entered = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        self._entered = False
        try:
            if session is not None:
                try:
                    await session.rollback()
                finally:
                    await session.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    async def commit(self) -> None:
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()

    async def purge_old_copies(self) -> None:
        """After a commit that erased data: leave no copy of it in SQLite's write-ahead log.

        The WAL keeps the earlier versions of every page it holds until a checkpoint copies
        the newest ones into the database file (where secure_delete has zeroed what was
        removed); TRUNCATE then empties the WAL file. Nothing to do on PostgreSQL (its dead
        rows go with VACUUM; see README) or for an in-memory database.
        """
        session = self.session
        bind = session.get_bind()
        url = bind.engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return
        await session.commit()  # nothing may be open while the checkpoint runs
        busy = (await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))).first()
        if busy is not None and busy[0]:
            # Another process is reading: what was copied is copied; the next erasure, or
            # SQLite's own checkpoints, finish the job.
            log.warning("WAL checkpoint after an erasure was partial (a reader was busy)")


UowFactory = Callable[[], UnitOfWork]


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row a Core insert made (inside `UnitOfWork.write`)."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the insert made no row")
    return int(key[0])


def _in_transaction(connection: Connection, work: Callable[[Connection], T], commit: bool) -> T:
    with connection.begin() as transaction:
        result = work(connection)
        if not commit:
            transaction.rollback()
    return result


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(self, url: str, *, echo: bool = False, schema: str | None = None) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url, echo=echo, schema=schema)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        parsed = make_url(url)
        in_memory = parsed.get_backend_name() == "sqlite" and parsed.database in (
            None, "", ":memory:",
        )  # fmt: skip
        self._lock = OneAtATime() if in_memory else None
        self._kept: AsyncConnection | None = None
        self._kept_lock = asyncio.Lock()
        self._kept_loop: asyncio.AbstractEventLoop | None = None
        self._sync = make_sync_engine(url) if sqlite_file(url) is not None else None
        self._sync_kept: Connection | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self._lock, self)

    async def run(self, work: Callable[[Connection], T], *, commit: bool = True) -> T:
        """`work(connection)` in one Core transaction, committed (or rolled back with
        `commit=False`: a read), on a connection kept for this: no ORM session, no pool
        checkout, one hop into SQLAlchemy's greenlet for the whole transaction. For what runs
        on every update (the person's read, PTB persistence's write), where that machinery
        cost more than the statements (bench/updates.py). `work` is synchronous: nothing else
        runs meanwhile. One such transaction at a time.

        On a SQLite file, on a plain synchronous connection (`make_sync_engine`), without
        awaiting at all: SQLite ran in the loop's thread already, so the asyncio adapter only
        added a greenlet hop and an await per cursor call (about half of a short
        transaction's CPU: bench/updates.py)."""
        if self._sync is not None:
            return self._run_inline(work, commit)
        if self._lock is not None:  # in memory: the one shared connection, taking turns
            await self._lock.acquire()
            try:
                async with self.engine.connect() as connection:
                    return await connection.run_sync(_in_transaction, work, commit)
            finally:
                self._lock.release()
        async with self._kept_lock:
            loop = asyncio.get_running_loop()
            if (
                self._kept is None
                or self._kept.closed
                or self._kept.invalidated
                or self._kept_loop is not loop  # a connection is bound to the loop it began in
            ):
                self._kept, self._kept_loop = await self.engine.connect(), loop
            kept = self._kept
            try:
                return await kept.run_sync(_in_transaction, work, commit)
            except BaseException:
                self._kept = None  # a connection that failed is not kept
                with contextlib.suppress(Exception):
                    await kept.close()
                raise

    def _run_inline(self, work: Callable[[Connection], T], commit: bool) -> T:
        assert self._sync is not None  # nothing awaited: no other task can interleave here
        kept = self._sync_kept
        if kept is None or kept.closed or kept.invalidated:
            kept = self._sync_kept = self._sync.connect()
        try:
            return _in_transaction(kept, work, commit)
        except BaseException:
            self._sync_kept = None
            with contextlib.suppress(Exception):
                kept.close()
            raise

    async def dispose(self) -> None:
        sync_kept, self._sync_kept = self._sync_kept, None
        if sync_kept is not None:
            with contextlib.suppress(Exception):
                sync_kept.close()
        if self._sync is not None:
            self._sync.dispose()
        kept, self._kept = self._kept, None
        if kept is not None:
            with contextlib.suppress(Exception):
                await kept.close()
        await self.engine.dispose()
