"""How long `/stats` and `/quota` take on a province-sized SQLite database.

    python -m bench.stats                       # 1,000,000 activities, 40,000 stations
    python -m bench.stats --activities 100000 --stations 4000 --repeat 5
    python -m bench.stats --db /tmp/bench.db    # keep the file; a second run skips the build

Builds a throw-away SQLite file (schema from the models), fills it with INSERT … SELECT over
a recursive counter (no Python loop per row), then runs the very service calls the handlers
make, at a fixed `now`, and prints for each: the time (best and median of `--repeat` runs)
and the number of SQL statements, counted with SQLAlchemy's `before_cursor_execute` event.
The statement counts do not grow with the number of stations: there is no query per station.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, event

from db import models  # noqa: F401 - every table on the metadata
from db.base import Base
from db.uow import Database
from services import station_figures
from services.people import Access
from services.quota import quota_overview

ADMIN = Access(person_id=0, tg_id=0, language="en", is_admin=True)

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZONE)  # mid-month: this month and last both full
DAYS = 75  # activities spread over this month, last month and the one before
CATEGORIES = ("needs", "casework", "groupwork", "community", "volunteers", "resources",
              "supervision", "projects", "publicity", "admin")  # fmt: skip
GROUPS = ("elderly", "disabled", "children", "low_income", "minority", "other")


def _counter(n: int) -> str:
    return f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n - 1})"


def _sql_list(values: tuple[str, ...]) -> str:
    """A CASE picking values[k] for k = 0..len-1 (SQLite has no array literal)."""
    return " ".join(f"WHEN {k} THEN '{v}'" for k, v in enumerate(values))


def build(path: Path, *, stations: int, activities: int, sessions: int, requests: int) -> None:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
    workers = max(1, stations // 10)
    station = f"printf('s%05d', (i % {stations}) + 1)"
    with con:
        con.execute(
            f"""{_counter(stations)}
            INSERT INTO stations (code, prefix, name_zh, name_en, kind, quota_hours, active)
            SELECT printf('s%05d', i + 1), printf('S%d', i + 1), printf('第%d社工站', i + 1),
                   printf('Station %d', i + 1), 'town', 13.0, 1 FROM n"""
        )
        con.execute(
            f"""{_counter(workers)}
            INSERT INTO people (id, tg_id, language, created_at, broadcast_opt_out)
            SELECT i + 1, 1000000 + i, 'zh', '2026-01-01 00:00:00', 0 FROM n"""
        )
        con.execute(
            f"""{_counter(activities)}
            INSERT INTO activity_logs (worker_id, station_code, category_code, template_code,
                activity_date, minutes, person_times, created_at, deleted_at)
            SELECT (i % {workers}) + 1, {station},
                   CASE i % 10 {_sql_list(CATEGORIES)} END, 'case_record',
                   date('2026-11-16', printf('-%d days', (i * 7) % {DAYS})),
                   30 + (i % 8) * 15, 1 + (i % 40),
                   '2026-11-01 00:00:00', CASE WHEN i % 100 = 0 THEN '2026-11-02 00:00:00' END
            FROM n"""
        )
        # Most activities serve one group; every third one two (the split rule).
        con.execute(
            f"""INSERT INTO activity_groups (activity_id, group_code, person_times)
            SELECT id, CASE id % 6 {_sql_list(GROUPS)} END, person_times FROM activity_logs"""
        )
        con.execute(
            f"""INSERT INTO activity_groups (activity_id, group_code, person_times)
            SELECT id, CASE (id + 1) % 6 {_sql_list(GROUPS)} END, 1 + person_times / 2
            FROM activity_logs WHERE id % 3 = 0"""
        )
        con.execute(
            f"""{_counter(sessions)}
            INSERT INTO supervision_sessions (supervisor_id, station_code, session_date, minutes,
                mode, topic_code, created_at)
            SELECT 1, {station}, date('2026-11-16', printf('-%d days', (i * 11) % 45)),
                   30 * (1 + i % 6), CASE i % 2 WHEN 0 THEN 'online' ELSE 'offline' END,
                   'case_work', '2026-11-01 00:00:00'
            FROM n"""
        )
        con.execute(
            f"""{_counter(requests)}
            INSERT INTO service_requests (ref, client_token, station_code, resident_id,
                service_code, for_whom, age_group, preferred_time, urgent, status, created_at,
                erased)
            SELECT printf('R-%d', i), printf('t%d', i), {station}, 1, 'elderly_care', 'self',
                   '60+', 'any', 0,
                   CASE i % 6 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted'
                        WHEN 2 THEN 'in_progress' WHEN 3 THEN 'completed'
                        WHEN 4 THEN 'declined' ELSE 'cancelled' END,
                   datetime('2026-11-16 02:00:00', printf('-%d hours', (i * 13) % (24 * 60))), 0
            FROM n"""
        )
    con.execute("ANALYZE")
    con.close()


async def measure(
    database: Database, label: str, call: Callable[[], Awaitable[Any]], repeat: int
) -> tuple[str, float, float, int, Any]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    times = []
    result: Any = None
    for _ in range(repeat):
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        result = await call()
        times.append(time.perf_counter() - started)
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    return label, min(times), statistics.median(times), len(statements), result


async def run(path: Path, repeat: int) -> list[tuple[str, float, float, int, Any]]:
    database = Database(f"sqlite+aiosqlite:///{path}")

    async def figures(code: str) -> Any:
        async with database.uow() as uow:
            return await station_figures.station_figures(
                uow, actor=ADMIN, station_codes=[code], now=NOW, zone=ZONE
            )

    async def network(last_month: bool) -> Any:
        async with database.uow() as uow:
            return await station_figures.network_month(
                uow, actor=ADMIN, last_month=last_month, now=NOW, zone=ZONE
            )

    async def quota(codes: list[str] | None) -> Any:
        async with database.uow() as uow:
            return await quota_overview(uow, actor=ADMIN, station_codes=codes, now=NOW, zone=ZONE)

    rows = [
        await measure(database, "/stats  one station, 2 months", lambda: figures("s00001"), repeat),
        await measure(database, "/stats  all stations, this month", lambda: network(False), repeat),
        await measure(database, "/stats  all stations, last month", lambda: network(True), repeat),
        await measure(database, "/quota  two stations (supervisor)", lambda: quota(["s00001", "s00002"]), repeat),
        await measure(database, "/quota  all stations (admin)", lambda: quota(None), repeat),
    ]  # fmt: skip
    await database.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=40_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=240_000)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, help="reuse (or keep) this database file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stationbot-bench-") as folder:
        path = args.db or Path(folder) / "bench.db"
        if not path.exists():
            started = time.perf_counter()
            build(
                path,
                stations=args.stations,
                activities=args.activities,
                sessions=args.sessions,
                requests=args.requests,
            )
            built = time.perf_counter() - started
            size = path.stat().st_size / 1e6
            print(
                f"SQLite {sqlite3.sqlite_version}, {args.stations:,} stations, "
                f"{args.activities:,} activities (+ group rows), {args.sessions:,} supervision "
                f"sessions, {args.requests:,} requests; built in {built:.1f} s ({size:.0f} MB)"
            )
        rows = asyncio.run(run(path, args.repeat))
    print(f"{'query':38} {'best':>8} {'median':>8} {'SQL':>4}  result")
    for label, best, median, statements, result in rows:
        shown = (
            f"{len(result.stations):,} stations" if hasattr(result, "stations")
            else f"{len(result):,} stations"
        )  # fmt: skip
        print(f"{label:38} {best:7.3f}s {median:7.3f}s {statements:4d}  {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
