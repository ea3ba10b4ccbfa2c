"""The unit of work: one session, one transaction, rolled back unless the service commits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import make_engine

log = logging.getLogger(__name__)


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
        self, sessions: async_sessionmaker[AsyncSession], lock: OneAtATime | None = None
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._lock = lock

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        if self._lock is not None:
            await self._lock.acquire()
        self._session = self._sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            await session.rollback()
        finally:
            await session.close()
            self._session = None
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

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self._lock)

    async def dispose(self) -> None:
        await self.engine.dispose()
