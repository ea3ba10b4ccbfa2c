"""Benchmark: a full-year, all-stations report over 1,000,000 activity rows on SQLite.

    python -m bench.reports [--rows 1000000] [--db PATH] [--keep]

Builds a database file with the real schema (Alembic migrations) and Yongkang's 14 stations,
fills it with synthetic rows for 2026 (activities with their served groups, requests, volunteer
applications, supervision sessions), then times `services.reports.build_report` for the year
and all stations, counting the SQL statements it sends, and times drawing the chart and
writing the workbook. The rows are loaded with the stdlib `sqlite3` module, which is much
faster than the ORM and not what is being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event

from db import migrate
from db.uow import Database
from handlers.documents import report_files
from handlers.kit.i18n import Translator
from knowledge.bundle import load_knowledge
from services import reports
from services.stations import sync_stations

ZONE = ZoneInfo("Asia/Shanghai")
YEAR = 2026
TEMPLATES = {
    "case_work": ("intake", "assessment", "case_record", "closing"),
    "group_work": ("group_plan", "group_record"),
    "community": ("community_activity", "resource_linking"),
    "research": ("needs_survey",),
}
GROUPS = ("elderly", "disabled", "children", "low_income", "minority", "other")
STATUSES = ("submitted", "accepted", "in_progress", "completed", "declined", "cancelled")


def _naive_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def fill(path: Path, rows: int, stations: list[str], seed: int = 7) -> None:
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA journal_mode=MEMORY")
    created = _naive_utc(datetime(YEAR, 1, 1, tzinfo=ZONE))
    people = [(i, 10_000 + i, "zh", created, 0) for i in range(1, 5_001)]
    connection.executemany(
        "INSERT INTO people (id, tg_id, language, created_at, broadcast_opt_out) VALUES (?, ?, ?, ?, ?)",
        people,
    )
    categories = list(TEMPLATES)
    first_day = date(YEAR, 1, 1)

    def activities() -> object:
        for i in range(1, rows + 1):
            category = rng.choice(categories)
            yield (
                i, rng.randint(1, 41), rng.choice(stations), category,
                rng.choice(TEMPLATES[category]),
                (first_day + timedelta(days=rng.randrange(365))).isoformat(),
                rng.choice((30, 45, 60, 90, 120)), rng.randint(1, 30), created,
            )  # fmt: skip

    connection.executemany(
        "INSERT INTO activity_logs (id, worker_id, station_code, category_code, template_code, "
        "activity_date, minutes, person_times, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        activities(),  # type: ignore[arg-type]
    )

    def groups() -> object:
        for i in range(1, rows + 1):
            for group in rng.sample(GROUPS, rng.choice((1, 1, 2))):
                yield (i, group, rng.randint(1, 20))

    connection.executemany(
        "INSERT INTO activity_groups (activity_id, group_code, person_times) VALUES (?, ?, ?)",
        groups(),  # type: ignore[arg-type]
    )
    requests = []
    for i in range(1, 20_001):
        made = datetime(YEAR, 1, 1, tzinfo=ZONE) + timedelta(minutes=rng.randrange(365 * 24 * 60))
        status = rng.choice(STATUSES)
        accepted = (
            made + timedelta(hours=rng.uniform(0.2, 60))
            if status in ("accepted", "in_progress", "completed")
            else None
        )
        completed = made + timedelta(hours=rng.uniform(61, 200)) if status == "completed" else None
        requests.append(
            (i, f"B-{i:06d}", f"bench-{i}", rng.choice(stations), rng.randint(1, 5000),
             "daily_care", "self", "60_plus", "any", 0, status, _naive_utc(made),
             accepted and _naive_utc(accepted), completed and _naive_utc(completed),
             rng.randint(1, 5) if completed else None, 0)
        )  # fmt: skip
    connection.executemany(
        "INSERT INTO service_requests (id, ref, client_token, station_code, resident_id, "
        "service_code, for_whom, age_group, preferred_time, urgent, status, created_at, "
        "accepted_at, completed_at, rating, erased) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        requests,
    )
    volunteers = []
    for i in range(1, 2_001):
        made = datetime(YEAR, 1, 1, tzinfo=ZONE) + timedelta(minutes=rng.randrange(300 * 24 * 60))
        status = rng.choice(("pending", "approved", "approved", "declined", "withdrawn"))
        decided = _naive_utc(made + timedelta(days=2)) if status != "pending" else None
        volunteers.append(
            (i, rng.randint(1, 5000), rng.choice(stations), "[]", "[]", "adult", "no", status,
             _naive_utc(made), decided, 0, "{}")
        )  # fmt: skip
    connection.executemany(
        "INSERT INTO volunteer_applications (id, person_id, station_code, skills, availability, "
        "age_group, party_member, status, created_at, decided_at, erased, extra) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        volunteers,
    )
    sessions = [
        (rng.randint(1, 41), station, (first_day + timedelta(days=rng.randrange(365))).isoformat(),
         rng.choice((60, 90, 120, 180)), rng.choice(("online", "offline")), created)
        for station in stations
        for _ in range(100)
    ]  # fmt: skip
    connection.executemany(
        "INSERT INTO supervision_sessions (supervisor_id, station_code, session_date, minutes, "
        "mode, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        sessions,
    )
    connection.commit()
    connection.close()


async def run(rows: int, path: Path) -> None:
    knowledge = load_knowledge()
    url = f"sqlite+aiosqlite:///{path}"
    database = Database(url)
    await migrate.upgrade(database.engine)
    async with database.uow() as uow:
        await sync_stations(uow, knowledge.stations)
    await database.dispose()

    started = time.perf_counter()
    fill(path, rows, list(knowledge.stations.codes))
    print(f"filled {rows:,} activity rows in {time.perf_counter() - started:.1f} s ({path})")

    database = Database(url)
    statements: list[str] = []
    event.listen(
        database.engine.sync_engine,
        "before_cursor_execute",
        lambda *args: statements.append(str(args[2])),
    )
    now = datetime(YEAR + 1, 1, 5, 9, 0, tzinfo=ZONE)
    try:
        for attempt in ("cold", "warm"):
            statements.clear()
            started, cpu = time.perf_counter(), time.process_time()
            async with database.uow() as uow:
                report = await reports.gather_report(
                    uow, period=reports.year_period(YEAR), station_code=None, now=now, zone=ZONE
                )
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"build_report({YEAR}, all stations), {attempt}: {seconds:.2f} s "
                f"({cpu:.2f} s CPU), {len(statements)} SQL statements"
            )
    finally:
        await database.dispose()
    total = report.total
    print(
        f"  {total.activities:,} activities, {total.person_times:,} person-times, "
        f"{len(report.requests):,} requests, {len(report.quota)} station-months"
    )
    _ = Translator().for_language("zh")
    names = report_files.names_for(knowledge, "zh")
    started, cpu = time.perf_counter(), time.process_time()
    png = report_files.report_chart(report, _, names)
    print(
        f"chart: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU), "
        f"{len(png) // 1024} KiB PNG"
    )
    started, cpu = time.perf_counter(), time.process_time()
    xlsx = report_files.report_workbook(report, _, names, ZONE)
    print(
        f"workbook: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU), "
        f"{len(xlsx) // 1024} KiB XLSX"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args()
    directory = tempfile.TemporaryDirectory()
    path = args.db or Path(directory.name) / "bench-reports.db"
    if path.exists():
        path.unlink()
    try:
        asyncio.run(run(args.rows, path))
    finally:
        if args.keep and args.db is None:
            kept = Path.cwd() / path.name
            path.replace(kept)
            print(f"kept {kept}")
        directory.cleanup()


if __name__ == "__main__":
    main()
