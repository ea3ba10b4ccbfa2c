"""How much a conversation step of ours costs next to a bare PTB echo bot, in the same run.

    python -m bench.updates [--updates N] [--scenario NAME ...] [--profile] [--database-url URL]

Ours: the real application from `build_application()` (offline Telegram, a SQLite FILE database
in a temporary folder brought up by the migrations, SQL persistence on and written after every
update, notifications sent in the background as `run` sends them).
Echo: a bare PTB `Application` (offline Telegram, no persistence) with one MessageHandler that
echoes the text. Both are fed real `Update` objects by `OfflinePerson`, and every
`process_update` is timed on its own.

Scenarios are modules `bench/scenario_<name>.py` listed in `SCENARIOS`, each exposing
  NAME: str
  ROLE: tuple[str, tuple[str, ...]] | None   # ("worker", ("jiangnan",)); None for a resident
  async def run_once(person: OfflinePerson, i: int) -> int   # one whole conversation;
                                                             # returns the updates it sent
Every `run_once` gets a NEW person (already granted ROLE, the grant not timed), so state never
piles up between iterations (open-request limits, say); `i` counts from 0. Each scenario runs
until it has sent at least N updates, after one untimed warm-up conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import io
import itertools
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import text
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.application import build_application, on_startup
from bot.clock import SystemClock
from bot.offline_telegram import OFFLINE_TOKEN, OfflinePerson, OfflineTelegram
from bot.settings import Settings
from db import migrate
from db.uow import Database
from handlers.delivery.pace import Pace
from services import people, staff

SCENARIOS: tuple[str, ...] = (
    "bench.scenario_start",
    "bench.scenario_invite",
    "bench.scenario_request",
    "bench.scenario_log",
)
DEFAULT_UPDATES = 2000
UNPACED = 1_000_000  # messages a second: no update ever waits for the pacer
PERSON_NAME = "测试"
TARGET_RATIO = 10.0
STATION_WORKERS = 790_000_001


class TimedApp:
    """Stands in for the Application an OfflinePerson feeds, timing each `process_update`."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.app = app
        self.bot = app.bot
        self.samples: list[float] = []
        self.cpu: list[float] = []

    async def process_update(self, update: Update) -> None:
        cpu, started = time.process_time(), time.perf_counter()
        await self.app.process_update(update)
        self.samples.append(time.perf_counter() - started)
        self.cpu.append(time.process_time() - cpu)

    def clear(self) -> None:
        self.samples.clear()
        self.cpu.clear()


@dataclass(frozen=True)
class Figures:
    name: str
    updates: int
    seconds: float  # wall time of the timed loop (grants excluded)
    p50_ms: float
    p99_ms: float
    mean_ms: float
    cpu_ms: float  # mean CPU time of the whole process per update (all its threads)

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


def figures(name: str, timed: TimedApp, seconds: float) -> Figures:
    ordered = sorted(timed.samples)
    return Figures(
        name=name,
        updates=len(ordered),
        seconds=seconds,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        mean_ms=statistics.fmean(ordered) * 1000,
        cpu_ms=statistics.fmean(timed.cpu) * 1000,
    )


# --- the bare echo bot ---------------------------------------------------------------------
async def run_echo(updates: int) -> Figures:
    telegram = OfflineTelegram()
    app = (
        ApplicationBuilder()
        .token(OFFLINE_TOKEN)
        .request(telegram)
        .get_updates_request(telegram)
        .updater(None)
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await update.effective_message.reply_text(update.effective_message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    timed = TimedApp(app)
    person = OfflinePerson(timed, telegram, 1)  # type: ignore[arg-type]
    for i in range(50):  # warm-up, untimed
        await person.send(f"warm {i}")
    timed.clear()
    started = time.perf_counter()
    for i in range(updates):
        await person.send(f"echo {i}")
    seconds = time.perf_counter() - started
    await app.stop()
    await app.shutdown()
    return figures("echo (bare PTB)", timed, seconds)


# --- ours ----------------------------------------------------------------------------------
@dataclass
class Ours:
    app: Any
    telegram: OfflineTelegram
    database: Database
    ids: itertools.count[int]
    schema: str | None = None

    async def new_person(
        self, role: tuple[str, tuple[str, ...]] | None, timed: TimedApp
    ) -> OfflinePerson:
        tg_id = next(self.ids)
        now = self.app.bot_data.clock.now()
        if role is not None:
            name, stations = role
            for station in stations or (None,):
                async with self.database.uow() as uow:
                    await staff.grant_directly(
                        uow, tg_id=tg_id, role=name, station_code=station, now=now,
                        display_name=PERSON_NAME,  # staff have written before: no first-contact write
                    )  # fmt: skip
            async with self.database.uow() as uow:
                await people.set_language(uow, tg_id=tg_id, language="zh", now=now)
        return OfflinePerson(timed, self.telegram, tg_id, first_name=PERSON_NAME)  # type: ignore[arg-type]


async def start_ours(folder: Path, database_url: str | None = None) -> Ours:
    """SQLite file in `folder`, or PostgreSQL at `database_url` in a throw-away schema."""
    url = database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    schema = None
    if url.startswith("postgresql"):
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = Database(url)
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
    database = Database(url, schema=schema)
    await migrate.upgrade(database.engine)
    telegram = OfflineTelegram()
    app = build_application(
        settings,
        database=database,
        token=OFFLINE_TOKEN,
        request=telegram,
        clock=SystemClock(settings.zone),
        persistence=True,
        # The pacer's code runs (and its cost counts), but not its deliberate wait: at 30
        # messages a second it would make this a measure of Telegram's limit, not of our work.
        pace=Pace(per_second=UNPACED),
        # As `run` does: the notices a step implies go out from the ledger in the background,
        # so a Confirm never waits for the worker's chat (paced one a second per chat).
        notify_in_background=True,
    )
    await app.initialize()
    await on_startup(app)
    await app.start()
    ours = Ours(app, telegram, database, itertools.count(800_000_001), schema)
    # One social worker per station, as in the field: a new request tells that worker (else it
    # would fall back to every administrator the invite scenario has made by then).
    now = app.bot_data.clock.now()
    for n, code in enumerate(sorted(s.code for s in app.bot_data.knowledge.stations.stations)):
        async with database.uow() as uow:
            await staff.grant_directly(
                uow, tg_id=STATION_WORKERS + n, role="worker", station_code=code, now=now,
                display_name=PERSON_NAME,
            )  # fmt: skip
    return ours


async def stop_ours(ours: Ours) -> None:
    await ours.app.stop()
    await ours.app.shutdown()
    await ours.database.dispose()
    if ours.schema is not None:
        admin = Database(ours.database.url)
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{ours.schema}" CASCADE'))
        await admin.dispose()


async def run_scenario(ours: Ours, module: ModuleType, updates: int) -> Figures:
    run_once: Callable[[OfflinePerson, int], Awaitable[int]] = module.run_once
    timed = TimedApp(ours.app)
    await run_once(await ours.new_person(module.ROLE, timed), 0)  # warm-up, untimed
    timed.clear()
    sent, seconds, i = 0, 0.0, 0
    while sent < updates:
        person = await ours.new_person(module.ROLE, timed)
        started = time.perf_counter()
        sent += await run_once(person, i)
        seconds += time.perf_counter() - started
        i += 1
    if len(timed.samples) != sent:
        raise AssertionError(
            f"scenario {module.NAME}: run_once reported {sent} updates, fed {len(timed.samples)}"
        )
    return figures(module.NAME, timed, seconds)


# --- report ---------------------------------------------------------------------------------
def report(echo: Figures, ours: list[Figures]) -> str:
    lines = [
        f"{'':22} {'updates':>7} {'upd/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'mean ms':>7}"
        f" {'cpu ms':>7} {'×p50':>6} {'×mean':>6} {'×cpu':>6}"
    ]

    def row(f: Figures, ratios: bool) -> str:
        tail = (
            f" {f.p50_ms / echo.p50_ms:6.1f} {f.mean_ms / echo.mean_ms:6.1f}"
            f" {f.cpu_ms / echo.cpu_ms:6.1f}"
            if ratios
            else ""
        )
        return (
            f"{f.name:22} {f.updates:7d} {f.per_second:6.0f} {f.p50_ms:7.2f} {f.p99_ms:7.2f}"
            f" {f.mean_ms:7.2f} {f.cpu_ms:7.2f}{tail}"
        )

    lines.append(row(echo, False))
    for f in ours:
        lines.append(row(f, True))
    worst = max(f.p50_ms / echo.p50_ms for f in ours)
    worst_cpu = max(f.cpu_ms / echo.cpu_ms for f in ours)
    lines.append("")
    lines.append(
        f"ours / echo per update (×p50 wall clock, ×mean wall clock, ×cpu mean CPU time). "
        f"Target ≤ {TARGET_RATIO:.0f}×: p50 {_verdict(worst)} (worst {worst:.1f}×), "
        f"cpu {_verdict(worst_cpu)} (worst {worst_cpu:.1f}×)."
    )
    lines.append(
        "Wall-clock figures swing with the machine's load; CPU time per update is the steadier."
    )
    return "\n".join(lines)


def _verdict(ratio: float) -> str:
    return "within" if ratio <= TARGET_RATIO else "OVER"


async def run(
    updates: int, names: list[str] | None, profile: bool, database_url: str | None = None
) -> str:
    modules = [importlib.import_module(m) for m in SCENARIOS]
    if names:
        unknown = set(names) - {m.NAME for m in modules}
        if unknown:
            raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
        modules = [m for m in modules if m.NAME in names]
    echo = await run_echo(updates)
    results = []
    profiler = cProfile.Profile() if profile else None
    with tempfile.TemporaryDirectory(prefix="stationbot-bench-") as folder:
        ours = await start_ours(Path(folder), database_url)
        try:
            for module in modules:
                if profiler is not None:
                    profiler.enable()
                results.append(await run_scenario(ours, module, updates))
                if profiler is not None:
                    profiler.disable()
        finally:
            await stop_ours(ours)
    text = report(echo, results)
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        text += "\n\n" + out.getvalue()
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.updates", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--updates", type=int, default=DEFAULT_UPDATES, help="per scenario and for echo"
    )
    parser.add_argument("--scenario", action="append", help="run only this scenario (repeatable)")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile our side, top 40 by cumulative time"
    )
    parser.add_argument(
        "--database-url",
        help="run ours on this database instead of a temporary SQLite file "
        "(postgresql+asyncpg://…: in a throw-away schema)",
    )
    args = parser.parse_args(argv)
    if args.updates < 1:
        parser.error("--updates must be at least 1")
    print(asyncio.run(run(args.updates, args.scenario, args.profile, args.database_url)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
