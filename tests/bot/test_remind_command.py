"""`stationbot remind --at … [--dry-run]`: the same ledger as the bot, from the command line."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.cli import main
from db import migrate
from db.models import Delivery
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import people, staff
from services.stations import sync_stations

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'remind.db'}"
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("STATIONBOT_DATABASE_URL", url)
    monkeypatch.delenv("STATIONBOT_TOKEN", raising=False)
    monkeypatch.delenv("STATIONBOT_KNOWLEDGE_DIR", raising=False)
    monkeypatch.setenv("STATIONBOT_ADMINS", "")

    async def seed() -> None:
        database = Database(url)
        await migrate.upgrade(database.engine)
        now = datetime(2026, 11, 1, tzinfo=SHANGHAI)
        async with database.uow() as uow:
            await sync_stations(uow, load_knowledge().stations)
        async with database.uow() as uow:
            await staff.grant_directly(
                uow, tg_id=10_003, role="supervisor", station_code="jiangnan", now=now,
                display_name="陈督导",
            )  # fmt: skip
        async with database.uow() as uow:
            await staff.grant_directly(
                uow, tg_id=10_006, role="supervisor", station_code="xicheng", now=now,
                display_name="Ann",
            )  # fmt: skip
        async with database.uow() as uow:
            await people.set_language(uow, tg_id=10_006, language="en", now=now)
        await database.dispose()

    asyncio.run(seed())
    return url


def ledger_size(url: str) -> int:
    async def count() -> int:
        database = Database(url)
        async with database.uow() as uow:
            total = await uow.session.scalar(select(func.count()).select_from(Delivery))
        await database.dispose()
        return int(total or 0)

    return asyncio.run(count())


def test_dry_run_prints_who_would_get_what_and_sends_nothing(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remind", "--at", "2026-11-25T09:00", "--dry-run"]) == 0
    out = capsys.readouterr().out
    # Per supervisor one message: the warning with the week's digest folded in.
    assert "dry run at 2026-11-25 09:00 CST: 2 message(s) would be sent; nothing sent" in out
    assert "→ 10003 陈督导 [zh] quota_warning jiangnan" in out
    assert "还差 13 小时，剩余 6 天" in out
    assert "→ 10006 Ann [en] quota_warning xicheng" in out
    assert "13 h to go in 6 days" in out
    assert ledger_size(database_url) == 0


def test_running_twice_sends_nothing_the_second_time(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remind", "--at", "2026-11-25T09:00"]) == 0
    first = capsys.readouterr().out
    assert "sent through the offline Telegram" in first
    # One message each: the warning with the digest folded in.
    assert first.count("→ 10003:") == 1 and first.count("→ 10006:") == 1
    assert "Supervision this month" in first  # Ann's digest, inside her warning
    assert "planned 2 new; sent 2, unreachable 0, failed 0, unknown 0" in first
    assert main(["remind", "--at", "2026-11-25T09:00"]) == 0
    second = capsys.readouterr().out
    assert "→" not in second
    assert "planned 0 new; sent 0" in second
    assert main(["remind", "--at", "2026-11-25T09:00", "--dry-run"]) == 0
    assert "0 message(s) would be sent" in capsys.readouterr().out


def test_a_malformed_moment_is_one_line_and_status_2(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remind", "--at", "25/11/2026 9am"]) == 2
    assert "--at must be a date and time like 2026-11-25T09:00" in capsys.readouterr().err
