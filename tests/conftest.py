"""Fixtures shared by all three layers: a database, a fixed clock, and the bot harness."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from db import models  # noqa: F401 - every table on the metadata
from db.base import Base
from db.uow import Database, UnitOfWork
from knowledge.bundle import load_knowledge
from services.stations import sync_stations
from tests.harness import BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_URL = os.environ.get("STATIONBOT_TEST_DATABASE_URL")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI), SHANGHAI)


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    """An in-memory SQLite database with every table and the default stations."""
    database = Database("sqlite+aiosqlite:///:memory:")
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with database.uow() as uow:
        await sync_stations(uow, load_knowledge().stations)
    yield database
    await database.dispose()


@pytest.fixture
async def uow(database: Database) -> AsyncIterator[UnitOfWork]:
    async with database.uow() as unit:
        yield unit


@pytest.fixture
async def bot(database: Database, clock: FixedClock) -> AsyncIterator[BotHarness]:
    harness = BotHarness(database, clock)
    await harness.start()
    yield harness
    await harness.stop()
