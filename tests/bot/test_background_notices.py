"""A notification sent in the background (as `run` sends them) is committed to the delivery
ledger before its send is attempted, so a kill -9 loses none and a restart sends each once
(issue 11); /forget then blanks the ledger's copies of notices about the person.

The harness is built as `run` builds the bot (`notify_in_background`). The kill is played at
its two moments: right after the handler committed (the task that would send never runs) and
in the middle of the send (the offline Telegram's fault hook ends the task there).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.offline_telegram import OfflinePerson
from db.models import Delivery
from db.uow import Database
from handlers.delivery.reminders import run_due
from services import delivery
from tests.bot.test_requests import make_request
from tests.harness import BotHarness

CANCELLED = "cancelled request"


@pytest.fixture
async def running(database: Database, clock: FixedClock) -> AsyncIterator[BotHarness]:
    harness = BotHarness(database, clock, notify_in_background=True)
    await harness.start()
    yield harness
    await harness.stop()


async def _settled(bot: BotHarness) -> None:
    """Let the background sends run (no real time passes: the pace's timer is virtual)."""
    for _ in range(200):
        await asyncio.sleep(0)


async def _messages(bot: BotHarness) -> list[tuple[int, str, dict[str, Any]]]:
    async with bot.database.uow() as uow:
        rows = (
            await uow.session.execute(
                select(Delivery.recipient_tg_id, Delivery.status, Delivery.payload).where(
                    # the cancel notice is a ledger notice (planned by the handler's unit of
                    # work); other background sends are `message` rows written before the send
                    (Delivery.kind == delivery.MESSAGE)
                    | ((Delivery.kind == delivery.NOTICE) & (Delivery.occasion == "cancelled"))
                )
            )
        ).all()
    return [(int(r), str(s), dict(p)) for r, s, p in rows]


async def _accepted_request(bot: BotHarness) -> tuple[OfflinePerson, OfflinePerson, str]:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    ref = await make_request(resident)
    await _settled(bot)
    await worker.press("ib:acc:1")
    await _settled(bot)
    return worker, resident, ref


async def _cancel(resident: OfflinePerson, ref: str) -> None:
    await resident.send("/myrequests")
    await resident.press(f"✖ Cancel {ref}")
    await resident.press("Yes, cancel it")
    assert f"Request {ref} is cancelled" in resident.last_text


def _told(worker: OfflinePerson) -> int:
    return sum(CANCELLED in m.text for m in worker.messages)


async def test_the_notice_is_in_the_ledger_before_its_send(running: BotHarness) -> None:
    bot = running
    worker, resident, ref = await _accepted_request(bot)
    seen_at_send: list[list[tuple[int, str, dict[str, Any]]]] = []

    async def look(method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and CANCELLED in str(params.get("text")):
            seen_at_send.append(await _messages(bot))

    bot.telegram.fault_hook = look  # type: ignore[assignment]
    await _cancel(resident, ref)
    await _settled(bot)
    assert _told(worker) == 1
    # When Telegram was called, the row was committed and claimed (in flight).
    [rows] = seen_at_send
    assert [(to, status) for to, status, _ in rows] == [(worker.user_id, "unknown")]
    assert CANCELLED in rows[0][2]["text"]
    assert [(to, status) for to, status, _ in await _messages(bot)] == [(worker.user_id, "sent")]


async def test_a_kill_right_after_the_commit_loses_nothing(running: BotHarness) -> None:
    bot = running
    worker, resident, ref = await _accepted_request(bot)
    assert bot.app is not None
    # kill -9 right after the handler: the task that would send the notice never runs.
    bot.app.bot_data.outbox.spawn = lambda work: work.close()  # type: ignore[attr-defined]
    await _cancel(resident, ref)
    assert _told(worker) == 0
    await bot.restart(lose_conversations=True)
    assert bot.app is not None
    await run_due(bot.app.bot_data)  # the minute tick after the start
    await _settled(bot)
    assert _told(worker) == 1
    await run_due(bot.app.bot_data)
    bot.clock.advance(timedelta(hours=1))
    await run_due(bot.app.bot_data)
    assert _told(worker) == 1  # once, and only once
    assert [status for _, status, _ in await _messages(bot)] == ["sent"]


async def test_a_kill_in_the_middle_of_the_send_resends_it_once(running: BotHarness) -> None:
    bot = running
    worker, resident, ref = await _accepted_request(bot)

    async def die(method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and CANCELLED in str(params.get("text")):
            raise asyncio.CancelledError  # the process ends here: nothing reaches Telegram

    bot.telegram.fault_hook = die  # type: ignore[assignment]
    await _cancel(resident, ref)
    await _settled(bot)
    bot.telegram.fault_hook = None
    assert _told(worker) == 0
    await bot.restart(lose_conversations=True)
    assert bot.app is not None
    await run_due(bot.app.bot_data)
    assert _told(worker) == 0  # in flight at the kill: it may have arrived, so not at once
    bot.clock.advance(delivery.UNKNOWN_RETRY_AFTER)
    await run_due(bot.app.bot_data)
    await _settled(bot)
    assert _told(worker) == 1  # the one retry
    bot.clock.advance(timedelta(hours=1))
    await run_due(bot.app.bot_data)
    assert _told(worker) == 1


async def test_forget_blanks_the_ledgers_notices_about_the_resident(running: BotHarness) -> None:
    bot = running
    worker, resident, ref = await _accepted_request(bot)
    await _cancel(resident, ref)
    await _settled(bot)
    assert _told(worker) == 1
    async with bot.database.uow() as uow:
        texts = [str(p) for p in (await uow.session.scalars(select(Delivery.payload))).all()]
    assert sum("My mother is 82" in t for t in texts) == 1  # the station's new-request notice
    await resident.send("/forget")
    await resident.press("🗑 Yes, erase my data")
    async with bot.database.uow() as uow:
        rows = (await uow.session.execute(select(Delivery.kind, Delivery.payload))).all()
    composed = [p for kind, p in rows if kind in delivery.COMPOSED_KINDS]
    # The new request to the worker, the acceptance to the resident, the cancellation.
    assert len(composed) == 3
    assert all(p == {delivery.ERASED: True} for p in composed)
    assert all(ref not in str(p) and "82" not in str(p) for _, p in rows)


async def test_a_handed_off_question_survives_a_kill_before_its_send(running: BotHarness) -> None:
    """The hand-off's notice to the station is an outbox `message` (not a planned notice): in
    background mode its row is committed before the send, so a kill -9 loses nothing."""
    bot = running
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(name="王阿姨")
    assert bot.app is not None
    bot.app.bot_data.outbox.spawn = lambda work: work.close()  # type: ignore[attr-defined]
    await resident.send("明天天气怎么样")
    await resident.press("好的，转给社工")
    await resident.press("✅ 同意")
    await resident.press("江南街道社工站")
    assert "已转给江南街道社工站" in resident.last_text
    assert not any(m.text.startswith("❓") for m in worker.messages)
    queued = [(to, status) for to, status, _ in await _messages(bot)]
    assert queued == [(worker.user_id, "planned")]  # in the ledger before any send
    await bot.restart(lose_conversations=True)
    assert bot.app is not None
    await run_due(bot.app.bot_data)
    await _settled(bot)
    bot.clock.advance(timedelta(hours=1))
    await run_due(bot.app.bot_data)
    assert sum(m.text.startswith("❓ New question #") for m in worker.messages) == 1
