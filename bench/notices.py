"""Residents keep being served while a big broadcast goes out.

    python -m bench.notices [--recipients 10000] [--residents 200] [--latency 0.05]
                            [--spread 60] [--sequential] [--seed 1]

The real application from `build_application()` (SQLite file brought up by the migrations,
SQL persistence on, Telegram's pace of 30 calls a second), talking to the offline Telegram with
`--latency` seconds per call. A broadcast to `--recipients` people (who all started the bot) is
planned and delivered by the outbox in the background; meanwhile `--residents` residents arrive
at random moments in the first `--spread` seconds, each asks a question (answered from the
knowledge base) and then makes a request (the whole /request conversation) at a station whose
worker is in the bot.

Updates go through the update queue and are processed as `run` processes them (different
people's at the same time, one person's in order: bot/update_order.py), and notifications go
out from the ledger in the background; `--sequential` processes one update at a time with
notifications sent inline (what the bot did before issue 11), to compare.

Printed: p50 / p99 from a resident's message to their reply, and from their Confirm to the
worker's notification; the broadcast's rate (messages a second over its delivery) and the most
calls Telegram saw in any one second. Targets: p99 ≤ 1 s for both, broadcast ≥ 27 msg/s,
never more than 30 calls in any second.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from telegram import Update

from bench import scenario_request
from bench.crowd import Observed
from bot.application import build_application, on_startup
from bot.clock import SystemClock
from bot.offline_telegram import OFFLINE_TOKEN, BotMessage, OfflinePerson, OfflineTelegram
from bot.settings import Settings
from bot.update_order import PerPersonOrder
from db import migrate
from db.models import FirstContact, Person
from db.uow import Database
from services import broadcasts, staff
from services.people import Access

TARGET_P99_S = 1.0
TARGET_RATE = 27.0
LIMIT_PER_SECOND = 30
QUESTION = "老人能申请哪些补贴？"
REF = re.compile(r"\b[A-Z]{2}-\d{4}\b")
RECIPIENT_IDS = 600_000_001
WORKER_IDS = 500_000_001
RESIDENT_IDS = 700_000_001
SENDER_ID = 499_999_999


@dataclass
class Timings:
    replies: list[float] = field(default_factory=list)  # resident's update → its reply sent
    notices: list[float] = field(default_factory=list)  # Confirm → worker's notification
    missing_notices: int = 0


class Fed:
    """What an OfflinePerson feeds: the update queue, as polling fills it (or, `sequential`,
    `process_update` one at a time, as PTB without concurrent updates); each update's time
    from arrival to handled is kept."""

    def __init__(
        self, app: Any, timings: Timings, processor: Observed | None, *, sequential: bool
    ) -> None:
        self.app = app
        self.bot = app.bot
        self.timings = timings
        self.processor = processor
        self.lock: asyncio.Lock | None = asyncio.Lock() if sequential else None
        self.last_arrival: dict[int, float] = {}

    async def process_update(self, update: Update) -> None:
        arrived = time.perf_counter()
        user = update.effective_user
        if user is not None:
            self.last_arrival[user.id] = arrived
        if self.lock is not None:
            async with self.lock:
                await self.app.process_update(update)
        else:
            assert self.processor is not None
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.processor.done[update.update_id] = done
            await self.app.update_queue.put(update)
            await done
        self.timings.replies.append(time.perf_counter() - arrived)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def max_in_any_second(moments: list[float]) -> int:
    ordered = sorted(moments)
    best = 0
    for index, start in enumerate(ordered):
        best = max(best, bisect.bisect_left(ordered, start + 1.0) - index)
    return best


async def seed(database: Database, recipients: int, now: Any) -> None:
    async with database.uow() as uow:
        ids = range(RECIPIENT_IDS, RECIPIENT_IDS + recipients)
        for start in range(0, recipients, 2000):
            chunk = ids[start : start + 2000]
            await uow.session.execute(
                insert(Person),
                [
                    {"tg_id": tg, "language": "zh", "created_at": now, "broadcast_opt_out": False,
                     "last_station_code": "jiangnan"}
                    for tg in chunk
                ],
            )  # fmt: skip
            await uow.session.execute(
                insert(FirstContact), [{"tg_id": tg, "first_at": now} for tg in chunk]
            )
        await uow.commit()


async def run(args: argparse.Namespace) -> str:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="stationbot-notices-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        database = Database(url)
        await migrate.upgrade(database.engine)
        telegram = OfflineTelegram(latency=args.latency)
        clock = SystemClock(settings.zone)
        processor = Observed(None if args.sequential else PerPersonOrder())
        app = build_application(
            settings, database=database, token=OFFLINE_TOKEN, request=telegram, clock=clock,
            persistence=True, notify_in_background=not args.sequential,
            update_processor=processor,
        )  # fmt: skip
        await app.initialize()
        await on_startup(app)
        await app.start()
        try:
            return await _measure(args, rng, app, telegram, database, clock, processor)
        finally:
            await app.stop()
            await app.shutdown()
            await database.dispose()


async def _measure(
    args: argparse.Namespace,
    rng: random.Random,
    app: Any,
    telegram: OfflineTelegram,
    database: Database,
    clock: SystemClock,
    processor: Observed,
) -> str:
    stations = app.bot_data.knowledge.stations.codes
    now = clock.now()
    workers = {}
    for offset, code in enumerate(stations):
        tg = WORKER_IDS + offset
        workers[tg] = code
        async with database.uow() as uow:
            await staff.grant_directly(
                uow, tg_id=tg, role="worker", station_code=code, now=now, display_name="社工"
            )
    await seed(database, args.recipients, now)
    recipient_ids = set(range(RECIPIENT_IDS, RECIPIENT_IDS + args.recipients))
    async with database.uow() as uow:
        planned = await broadcasts.plan_broadcast(
            uow, broadcast_id="bcbench", text="本周六上午社工站有免费体检，欢迎参加。",
            audience_name=broadcasts.EVERYONE, station_code=None,
            sender=Access(person_id=0, tg_id=SENDER_ID, language="zh", is_admin=True), now=now,
        )  # fmt: skip

    texts: dict[int, list[tuple[float, str]]] = {}

    def listen(message: BotMessage, edited: bool) -> None:
        if not edited and message.chat_id in workers:
            texts.setdefault(message.chat_id, []).append((time.perf_counter(), message.text))

    telegram.listeners.append(listen)
    timings = Timings()
    fed = Fed(app, timings, processor, sequential=args.sequential)
    outbox = app.bot_data.outbox

    async def broadcast() -> tuple[float, float]:
        started = time.perf_counter()
        while True:
            report = await outbox.deliver_pending()
            async with database.uow() as uow:
                left = await broadcasts.outcome(uow, broadcast_id="bcbench")
            if left.waiting == 0 or (report.sent == 0 and not report.unknown):
                break
        return started, time.perf_counter()

    confirms: list[tuple[int, str, float]] = []  # (worker chat, ref, Confirm arrival)

    async def resident(i: int) -> None:
        await asyncio.sleep(rng.uniform(0, args.spread))
        person = OfflinePerson(fed, telegram, RESIDENT_IDS + i, first_name="居民")  # type: ignore[arg-type]
        await person.send(QUESTION)
        await scenario_request.run_once(person, i)
        confirmed_at = fed.last_arrival[person.user_id]
        found = REF.search(person.last_text)
        if found is None:
            timings.missing_notices += 1
            return
        ref = found.group(0)
        code = next(c for c in stations if app.bot_data.knowledge.stations.get(c).prefix == ref[:2])  # type: ignore[union-attr]
        worker = next(tg for tg, station in workers.items() if station == code)
        confirms.append((worker, ref, confirmed_at))

    wall = time.perf_counter()
    delivery_task = asyncio.create_task(broadcast())
    await asyncio.gather(*(resident(i) for i in range(args.residents)))
    residents_done = time.perf_counter() - wall
    started, finished = await delivery_task
    for worker, ref, confirmed_at in confirms:
        seen = [at for at, text in texts.get(worker, []) if ref in text and at >= confirmed_at]
        if seen:
            timings.notices.append(min(seen) - confirmed_at)
        else:
            timings.missing_notices += 1

    sends = [c.at for c in telegram.calls if c.method == "sendMessage"]
    broadcast_sends = [
        c.at for c in telegram.calls
        if c.method == "sendMessage" and int(c.params.get("chat_id", 0)) in recipient_ids
    ]  # fmt: skip
    span = (max(broadcast_sends) - min(broadcast_sends)) if len(broadcast_sends) > 1 else 0.0
    rate = (len(broadcast_sends) - 1) / span if span else 0.0
    peak = max_in_any_second(sends)
    lines = [
        f"broadcast: {len(broadcast_sends)} of {len(planned.recipients)} recipients in "
        f"{finished - started:.1f} s; {args.residents} residents arriving over {args.spread:.0f} s "
        f"(done after {residents_done:.1f} s); Telegram latency {args.latency * 1000:.0f} ms; "
        f"updates {'one at a time, notices inline' if args.sequential else 'as run: per person, notices in the background'}",
        "",
        f"{'':34} {'n':>5} {'p50 s':>7} {'p99 s':>7} {'max s':>7}  target p99 ≤ {TARGET_P99_S:g} s",
    ]
    for name, values in (
        ("resident's message → reply", timings.replies),
        ("Confirm → worker's notification", timings.notices),
    ):
        p99 = percentile(values, 0.99)
        verdict = "met" if p99 <= TARGET_P99_S else "MISSED"
        lines.append(
            f"{name:34} {len(values):5d} {statistics.median(values) if values else float('nan'):7.3f}"
            f" {p99:7.3f} {max(values, default=float('nan')):7.3f}  {verdict}"
        )
    if timings.missing_notices:
        lines.append(f"requests whose worker was never told: {timings.missing_notices}")
    lines += [
        "",
        f"broadcast rate {rate:.1f} msg/s (target ≥ {TARGET_RATE:g}: "
        f"{'met' if rate >= TARGET_RATE else 'MISSED'}); most sendMessage calls in any second: "
        f"{peak} (limit {LIMIT_PER_SECOND}: {'kept' if peak <= LIMIT_PER_SECOND else 'BROKEN'})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.notices", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Telegram call")
    parser.add_argument("--spread", type=float, default=60.0, help="residents arrive over this")
    parser.add_argument(
        "--sequential", action="store_true", help="one update at a time, notifications inline"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.recipients < 1 or args.residents < 1:
        parser.error("--recipients and --residents must be at least 1")
    print(asyncio.run(run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
