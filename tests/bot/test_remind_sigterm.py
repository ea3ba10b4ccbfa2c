"""`stationbot remind` stopped with SIGTERM halfway: what was in flight is recorded, nothing is
left `unknown`, and the next run sends the rest, each message once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from db import migrate
from db.models import FirstContact, Person, StaffRole
from db.uow import Database
from knowledge.bundle import load_knowledge
from services.stations import sync_stations

ROOT = Path(__file__).resolve().parents[2]
MOMENT = datetime(2026, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the 20th's warnings
PER_STATION = 10
FIRST = 3_000_000


async def _seed(url: str) -> int:
    database = Database(url)
    try:
        await migrate.upgrade(database.engine)
        stations = load_knowledge().stations
        async with database.uow() as uow:
            await sync_stations(uow, stations)
        async with database.uow() as uow:
            codes = [s.code for s in stations.stations]
            people = [
                Person(tg_id=FIRST + i, language="zh", display_name=f"督导{i}", created_at=MOMENT)
                for i in range(len(codes) * PER_STATION)
            ]
            uow.session.add_all(people)
            await uow.session.flush()
            uow.session.add_all(
                StaffRole(
                    person_id=p.id, role="supervisor", station_code=codes[i % len(codes)],
                    granted_at=MOMENT,
                )
                for i, p in enumerate(people)
            )  # fmt: skip
            # they have opened the bot: only people who have are reachable
            uow.session.add_all(FirstContact(tg_id=p.tg_id, first_at=MOMENT) for p in people)
            await uow.commit()
        return len(people)
    finally:
        await database.dispose()


def _remind(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "remind", "--at", "2026-12-20T09:00"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_sigterm_stops_remind_cleanly_and_the_next_run_sends_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{path}"
    supervisors = asyncio.run(_seed(url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONBOT_")}
    env.update(PYTHONPATH=str(ROOT), STATIONBOT_DATABASE_URL=url)

    first = _remind(tmp_path, env)
    assert first.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while (
        sum(line.startswith("→") for line in lines) < 10
    ):  # at 30 a second: a third of a second in
        line = first.stdout.readline()
        assert line and time.monotonic() < deadline, "".join(lines) + first.stderr.read()  # type: ignore[union-attr]
        lines.append(line)
    first.send_signal(signal.SIGTERM)
    out, err = first.communicate(timeout=60)
    lines += out.splitlines(keepends=True)
    assert first.returncode == 0, err
    assert "Traceback" not in err
    assert any(line.startswith("stopped: ") for line in lines), "".join(lines[-5:])
    with sqlite3.connect(path) as connection:
        statuses = Counter(
            (status, error)
            for status, error in connection.execute("SELECT status, last_error FROM deliveries")
        )
    assert not [k for k in statuses if k[1] == "in_flight"], statuses
    sent_first = sum(line.startswith("→") for line in lines)
    assert 10 <= sent_first < supervisors

    second = subprocess.run(
        [sys.executable, "-m", "bot", "remind", "--at", "2026-12-20T09:00"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    sent_second = sum(line.startswith("→") for line in second.stdout.splitlines())
    assert sent_first + sent_second == supervisors  # every one once: none lost, none twice
