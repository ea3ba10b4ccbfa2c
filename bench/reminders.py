"""Benchmark: quota warnings to N supervisors (10,000 by default) below quota, through the
offline Telegram with simulated latency and injected 429 and 5xx faults.

    python -m bench.reminders [--supervisors 10000] [--latency 0.05] [--p429 0.001] [--p5xx 0.01]

Runs the bot's own minute-job work (`handlers.delivery.reminders.run_due`) at 2026-12-20 09:00 in
Shanghai (a Sunday, so only the 20th's warnings are due: one message per supervisor), on a
temporary SQLite file. Prints the pace (messages per second; API calls per clock second from
`telegram.calls`, which must never pass 30), duplicates and lost messages (both must be 0).
At 30 a second, 10,000 messages take about six minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.application import build_application
from bot.clock import FixedClock
from bot.offline_telegram import OFFLINE_TOKEN, OfflineTelegram, TelegramRefusal
from bot.settings import Settings
from db import models  # noqa: F401 - every table on the metadata
from db.base import Base
from db.models import Person, StaffRole
from db.uow import Database
from handlers.delivery import reminders
from knowledge.bundle import Knowledge
from knowledge.reminders import load_reminders
from knowledge.stations import Station, StationCatalog
from services import delivery
from services.stations import sync_stations

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENT = datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI)
FIRST_TG_ID = 1_000_000


def stations(count: int) -> StationCatalog:
    return StationCatalog(
        tuple(
            Station(
                code=f"s{i:05d}", prefix=f"B{i:05d}", name_zh=f"第{i}社工站",
                name_en=f"Station {i}", kind="town", quota_hours=13.0, address_zh="",
                address_en="", phone="", hours_zh="", hours_en="",
            )
            for i in range(count)
        )
    )  # fmt: skip


async def seed(database: Database, count: int, catalog: StationCatalog) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with database.uow() as uow:
        await sync_stations(uow, catalog)
    async with database.uow() as uow:
        people = [
            Person(
                tg_id=FIRST_TG_ID + i,
                language="zh" if i % 3 else "en",
                display_name=f"督导{i}",
                created_at=MOMENT,
            )
            for i in range(count)
        ]
        uow.session.add_all(people)
        await uow.session.flush()
        uow.session.add_all(
            StaffRole(
                person_id=person.id, role="supervisor", station_code=f"s{i:05d}", granted_at=MOMENT
            )
            for i, person in enumerate(people)
        )
        await uow.commit()


def faults(p429: float, p5xx: float, seed: int) -> Any:
    rng = random.Random(seed)
    injected: Counter[str] = Counter()

    def hook(method: str, params: dict[str, Any]) -> TelegramRefusal | None:
        if method != "sendMessage":
            return None
        roll = rng.random()
        if roll < p429:
            injected["429"] += 1
            return TelegramRefusal(429, "Too Many Requests: retry after 1", retry_after=1)
        if roll < p429 + p5xx:
            status = rng.choice((500, 502, 503))
            injected[str(status)] += 1
            return TelegramRefusal(status, "Internal Server Error")
        return None

    return hook, injected


def busiest_window(moments: list[float], width: float = 1.0) -> int:
    """The most calls in any `width`-second window, wherever it starts."""
    best = start = 0
    for end, moment in enumerate(moments):
        while moments[start] <= moment - width:
            start += 1
        best = max(best, end - start + 1)
    return best


async def bench(args: argparse.Namespace) -> int:
    count = args.supervisors
    catalog = stations(count)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        database = Database(url)
        await seed(database, count, catalog)
        telegram = OfflineTelegram(latency=args.latency)
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        app = build_application(
            settings,
            database=database,
            token=OFFLINE_TOKEN,
            request=telegram,
            clock=FixedClock(MOMENT, SHANGHAI),
            knowledge=Knowledge(stations=catalog, reminders=load_reminders()),
            persistence=False,
        )
        await app.initialize()
        hook, injected = faults(args.p429, args.p5xx, args.seed)
        telegram.fault_hook = hook
        data = app.bot_data
        data.outbox.concurrency = args.concurrency
        started = time.monotonic()
        planned, report = await reminders.run_due(data)
        finished = time.monotonic()
        async with database.uow() as uow:
            statuses = await delivery.status_counts(uow)
        await app.shutdown()
        await database.dispose()

    calls = sorted(c.at for c in telegram.calls_to("sendMessage"))
    first, last = calls[0], calls[-1]
    per_second = Counter(int(moment - first) for moment in calls)
    received = Counter({chat: len(messages) for chat, messages in telegram.chats.items()})
    supervisors = range(FIRST_TG_ID, FIRST_TG_ID + count)
    delivered = sum(1 for tg in supervisors if received[tg] >= 1)
    duplicates = sum(received[tg] - 1 for tg in supervisors if received[tg] > 1)
    lost = sum(1 for tg in supervisors if received[tg] == 0)
    sending = last - first
    limiter = app.bot.rate_limiter
    waited = getattr(limiter, "waited_for_429", 0.0)
    full_seconds = [n for second, n in per_second.items() if second < int(sending)]

    print(f"supervisors below quota     {count}")
    print(f"latency per API call        {args.latency * 1000:.0f} ms, {args.concurrency} in flight")
    print(f"injected faults             {dict(sorted(injected.items()))}")
    print(f"planned (ledger rows)       {planned.planned} in {planned_time(started, calls):.1f} s")
    print(f"ledger after the run        {dict(sorted(statuses.items()))}")
    print(f"sendMessage calls           {len(calls)} (retries included)")
    print(f"sending time                {sending:.1f} s (whole run {finished - started:.1f} s)")
    print(f"messages per second         {delivered / sending:.2f}")
    print(f"calls per second, busiest   {max(per_second.values())} (clock seconds)")
    print(f"  any 1-second window       {busiest_window(calls)}")
    print(f"  quietest full second      {min(full_seconds) if full_seconds else '-'}")
    print(f"waited for 429s             {waited:.0f} s")
    print(f"delivered                   {delivered}")
    print(f"duplicates                  {duplicates}")
    print(f"lost                        {lost}")
    print(f"report                      sent {report.sent}, failed {len(report.failed)}, "
          f"unknown {len(report.unknown)}, unreachable {len(report.unreachable)}")  # fmt: skip
    ok = duplicates == 0 and lost == 0 and max(per_second.values()) <= 30
    return 0 if ok else 1


def planned_time(started: float, calls: list[float]) -> float:
    """Planning runs from the start until the first message leaves."""
    return (calls[0] if calls else time.monotonic()) - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__)
    parser.add_argument("--supervisors", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per API call")
    parser.add_argument("--p429", type=float, default=0.001, help="share of calls answered 429")
    parser.add_argument("--p5xx", type=float, default=0.01, help="share answered 500/502/503")
    parser.add_argument("--concurrency", type=int, default=8, help="sends in flight")
    parser.add_argument("--seed", type=int, default=6)
    return asyncio.run(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
