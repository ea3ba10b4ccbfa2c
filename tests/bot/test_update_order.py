"""Nobody waits behind somebody else: updates from the queue run concurrently across people,
in order for one person; notifications in the background never hold up the handler.

The real application, fed through its update queue as polling feeds it, on the offline
Telegram. A chat that "hangs" (its sendMessage never answers until released) stands for a
chat answering 500 with retries, without the test waiting for real retry delays.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bench import scenario_request
from bot.application import StationApp, build_application, on_startup
from bot.clock import FixedClock
from bot.offline_telegram import OFFLINE_TOKEN, OfflinePerson, OfflineTelegram
from bot.settings import Settings
from db.uow import Database
from services import people, staff

A, B, WORKER = 610_001, 610_002, 610_003
WAIT = 20  # seconds; generous for a loaded machine, and never reached when the code is right


class Hang:
    """sendMessage to the chats in `chats` waits until `release` is set."""

    def __init__(self) -> None:
        self.chats: set[int] = set()
        self.release = asyncio.Event()
        self.waiting = 0
        self.changed = asyncio.Event()  # something was sent, or began to hang

    async def __call__(self, method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and int(params.get("chat_id", 0)) in self.chats:
            self.waiting += 1
            self.changed.set()
            await self.release.wait()


class Queued:
    """What an OfflinePerson feeds: the application's update queue, as polling fills it."""

    def __init__(self, app: StationApp) -> None:
        self.app = app
        self.bot = app.bot

    async def process_update(self, update: Update) -> None:
        await self.app.update_queue.put(update)


async def _until(hang: Hang, check: Any, what: str) -> None:
    async def watch() -> None:
        while not check():
            hang.changed.clear()
            await hang.changed.wait()

    try:
        await asyncio.wait_for(watch(), WAIT)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


@pytest.fixture
async def running(
    database: Database, clock: FixedClock, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[StationApp, OfflineTelegram, Hang]]:
    telegram = OfflineTelegram()
    hang = Hang()
    telegram.fault_hook = hang
    telegram.listeners.append(lambda message, edited: hang.changed.set())
    settings = Settings(_env_file=None, database_url="sqlite+aiosqlite:///:memory:")  # type: ignore[call-arg]
    app = build_application(
        settings, database=database, token=OFFLINE_TOKEN, request=telegram, clock=clock,
        notify_in_background=getattr(request, "param", True),
    )  # fmt: skip
    await app.initialize()
    await on_startup(app)
    await app.start()
    try:
        yield app, telegram, hang
    finally:
        hang.release.set()
        await app.stop()
        await app.shutdown()


async def test_one_persons_stuck_reply_does_not_hold_up_another_person(
    running: tuple[StationApp, OfflineTelegram, Hang],
) -> None:
    app, telegram, hang = running
    a = OfflinePerson(Queued(app), telegram, A)  # type: ignore[arg-type]
    b = OfflinePerson(Queued(app), telegram, B)  # type: ignore[arg-type]
    hang.chats.add(A)
    await a.send("/help")
    await _until(hang, lambda: hang.waiting == 1, "A's reply to be on its way")
    await a.send("/start")  # A's second update must wait for A's first
    await b.send("/help")
    await _until(hang, lambda: bool(telegram.messages(B)), "B's answer while A's hangs")
    assert hang.waiting == 1  # A's /start has not started: one person's updates keep order
    hang.release.set()
    await _until(hang, lambda: len(telegram.messages(A)) == 2, "both of A's answers")
    first, second = telegram.messages(A)
    assert first.text.startswith("我可以帮您做这些事")  # /help, then /start: as sent
    assert second.text.startswith("测试，您好！")


async def test_a_hanging_workers_chat_does_not_hold_up_the_residents_confirmation(
    running: tuple[StationApp, OfflineTelegram, Hang], database: Database, clock: FixedClock
) -> None:
    app, telegram, hang = running
    # scenario_request's resident 0 chooses the first station in code order.
    station = sorted(s.code for s in app.bot_data.knowledge.stations.stations)[0]
    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=WORKER, role="worker", station_code=station, now=clock.now()
        )
    async with database.uow() as uow:
        await people.set_language(uow, tg_id=WORKER, language="zh", now=clock.now())
    hang.chats.add(WORKER)
    resident = OfflinePerson(app, telegram, A)
    await asyncio.wait_for(scenario_request.run_once(resident, 0), WAIT)
    assert "申请编号：" in resident.last_text  # the confirmation, with the reference
    assert hang.waiting == 1 and not telegram.messages(WORKER)  # the notice is still going
    hang.release.set()
    await _until(hang, lambda: bool(telegram.messages(WORKER)), "the worker's notice")
