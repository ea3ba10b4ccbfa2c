"""The pace: 30 a second overall in any window, one a second per chat in bulk, 429 waits."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from telegram.error import RetryAfter

from handlers.delivery.pace import (
    BULK,
    FIRST_ANSWER,
    FIRST_ANSWERS_IN_A_ROW,
    NOTICE,
    Pace,
    _is_first_answer,
)
from tests.virtual_time import VirtualTimer


def _pace() -> tuple[Pace, VirtualTimer, list[tuple[float, Any]]]:
    timer = VirtualTimer()
    return Pace(timer=timer), timer, []


async def _send(pace: Pace, timer: VirtualTimer, log: list[tuple[float, Any]], chat: int, *,
                bulk: bool = True) -> None:  # fmt: skip
    async def call() -> bool:
        log.append((timer.monotonic(), chat))
        return True

    await pace.process_request(
        call, (), {}, "sendMessage", {"chat_id": chat}, BULK if bulk else None
    )


def _max_in_any_window(moments: list[float], window: float = 1.0) -> int:
    moments = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moments[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_never_more_than_30_in_any_second_yet_close_to_it() -> None:
    pace, timer, log = _pace()
    await asyncio.gather(*(_send(pace, timer, log, chat) for chat in range(300)))
    moments = [m for m, _ in log]
    assert len(moments) == 300
    assert _max_in_any_window(moments) == 30
    assert (moments[-1] - moments[0]) == pytest.approx(9 * pace.window, abs=0.01)


async def test_one_second_between_bulk_messages_to_the_same_chat() -> None:
    pace, timer, log = _pace()
    await asyncio.gather(*(_send(pace, timer, log, 42) for _ in range(3)))
    moments = [m for m, _ in log]
    assert [b - a for a, b in itertools.pairwise(moments)] == [1.0, 1.0]


async def test_replies_are_not_spaced_per_chat() -> None:
    pace, timer, log = _pace()
    for _ in range(3):
        await _send(pace, timer, log, 42, bulk=False)
    assert timer.slept == []


async def test_calls_without_a_chat_pass_straight_through() -> None:
    pace = Pace(timer=VirtualTimer(), per_second=1)

    async def call() -> bool:
        return True

    for _ in range(5):
        assert await pace.process_request(call, (), {}, "answerCallbackQuery", {}, None)


async def test_429_makes_everyone_wait_as_told_then_the_call_is_made_again() -> None:
    pace, timer, log = _pace()
    answers: list[Any] = [RetryAfter(7), True]

    async def call() -> bool:
        log.append((timer.monotonic(), 1))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return bool(answer)

    start = timer.monotonic()
    assert await pace.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert log[1][0] - start >= 7
    await _send(pace, timer, log, 2, bulk=False)  # the wait is over for everybody
    assert pace.waited_for_429 == 7


async def test_429_too_many_times_gives_up() -> None:
    pace = Pace(timer=VirtualTimer(), retries_after_429=2)

    async def call() -> bool:
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):
        await pace.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None)


class ManualTimer:
    """Time moves only when the test says; sleepers wake in the order they went to sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [f for at, f in self.sleepers if at <= self.now]
        self.sleepers = [(at, f) for at, f in self.sleepers if at > self.now]
        for future in due:
            future.set_result(None)
        for _ in range(10):
            await asyncio.sleep(0)


async def test_a_reply_goes_before_bulk_sends_waiting_for_the_same_slot() -> None:
    timer = ManualTimer()
    pace = Pace(timer=timer)
    log: list[int] = []

    async def send(chat: int, bulk: bool) -> None:
        async def call() -> bool:
            log.append(chat)
            return True

        await pace.process_request(
            call, (), {}, "sendMessage", {"chat_id": chat}, BULK if bulk else None
        )

    for chat in range(30):  # the window is full
        await send(chat, True)
    waiting = [asyncio.create_task(send(100 + i, True)) for i in range(3)]
    await timer.advance(0)  # the bulk sends go to sleep first
    waiting.append(asyncio.create_task(send(7, False)))
    await timer.advance(0)
    await timer.advance(pace.window)
    assert log[30] == 7
    while not all(task.done() for task in waiting):
        await timer.advance(pace.window)
    assert sorted(log[31:]) == [100, 101, 102]


async def test_a_pause_before_the_request_leaves_does_not_squeeze_the_window() -> None:
    """The process can be descheduled between letting a call go and the request leaving;
    the window is dated by when it left, so 30 a second holds as Telegram sees it."""
    timer = ManualTimer()
    pace = Pace(timer=timer)
    moments: list[float] = []

    async def send(chat: int, pause: float) -> None:
        async def call() -> bool:
            timer.now += pause  # descheduled here: no await, nothing else ran meanwhile
            moments.append(timer.monotonic())
            return True

        await pace.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)

    tasks = [asyncio.create_task(send(chat, 0.3 if chat == 0 else 0.0)) for chat in range(90)]
    while not all(task.done() for task in tasks):
        await timer.advance(0.01)
    assert len(moments) == 90
    assert _max_in_any_window(moments) == 30


async def test_replies_take_the_slots_in_the_order_they_asked() -> None:
    """First come, first served: with the window full and many replies waiting, none is
    overtaken by a later one (each waits about as long as the others: bench/crowd.py's p95)."""
    timer = ManualTimer()
    pace = Pace(timer=timer)
    log: list[int] = []

    async def send(chat: int) -> None:
        async def call() -> bool:
            log.append(chat)
            return True

        await pace.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)

    for chat in range(30):  # the window is full
        await send(chat)
    waiting = []
    for chat in range(100, 160):  # they ask one after another, a little apart
        waiting.append(asyncio.create_task(send(chat)))
        await timer.advance(0.005)
    while not all(task.done() for task in waiting):
        await timer.advance(0.01)
    assert log[30:] == list(range(100, 160))


async def test_at_most_20_calls_a_minute_to_one_group() -> None:
    """A group gets at most 20 a minute, replies included; a reply waiting for its group's
    minute holds up nobody else's reply."""
    timer = ManualTimer()
    pace = Pace(timer=timer)
    log: list[tuple[float, int]] = []
    group, person = -100_123, 42

    async def send(chat: int) -> None:
        async def call() -> bool:
            log.append((timer.monotonic(), chat))
            return True

        await pace.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)

    tasks = [asyncio.create_task(send(group)) for _ in range(45)]
    await timer.advance(0)
    tasks += [asyncio.create_task(send(person)) for _ in range(5)]
    await timer.advance(0)
    assert [chat for _, chat in log].count(person) == 5  # not queued behind the group
    while not all(task.done() for task in tasks):
        await timer.advance(0.5)
    to_group = [at for at, chat in log if chat == group]
    assert len(to_group) == 45
    assert _max_in_any_window(to_group, window=60.0) == 20
    assert to_group[20] - to_group[0] >= 60.0 and to_group[40] - to_group[0] >= 120.0


async def test_a_notice_goes_before_bulk_sends_in_turn_with_replies() -> None:
    """A new request's notice to a worker is not queued behind a broadcast's thousands, nor
    behind the replies that came after it; a worker told of several requests at once gets a
    short burst (NOTICE_BURST in any second), the next one a second after the first."""
    timer = ManualTimer()
    pace = Pace(timer=timer)
    assert pace.notice_burst == 3
    log: list[str] = []

    sent_at: list[float] = []

    async def send(name: str, chat: int, args: dict[str, Any] | None) -> None:
        async def call() -> bool:
            log.append(name)
            sent_at.append(timer.monotonic())
            return True

        await pace.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, args)

    for chat in range(30):  # the window is full
        await send("before", chat, BULK)
    tasks = [asyncio.create_task(send(f"bulk{i}", 100 + i, BULK)) for i in range(30)]
    await timer.advance(0)
    tasks.append(asyncio.create_task(send("notice", 200, NOTICE)))
    await timer.advance(0)
    tasks.append(asyncio.create_task(send("reply", 8, None)))
    await timer.advance(0)
    for n in ("second", "third", "fourth"):
        tasks.append(asyncio.create_task(send(f"{n} notice", 200, NOTICE)))
        await timer.advance(0)
    while not all(task.done() for task in tasks):
        await timer.advance(0.01)
    assert log[30:34] == ["notice", "reply", "second notice", "third notice"]
    assert "fourth notice" in log[34:]
    moments = {name: at for at, name in zip(sent_at, log, strict=True)}
    assert moments["third notice"] - moments["notice"] < 0.1
    assert moments["fourth notice"] - moments["notice"] >= 1.0
    assert "bulk0" in log[34:] and log.index("fourth notice") > log.index("bulk0")


async def test_a_first_answer_goes_before_others_follow_ups_and_notices() -> None:
    """With the window full, a person's first answer to their update goes before the second
    messages other people's updates are waiting to send, and before notices; the ordinary calls
    still get one turn after every FIRST_ANSWERS_IN_A_ROW first answers, each queue in order."""
    timer = ManualTimer()
    pace = Pace(timer=timer)
    log: list[str] = []

    async def send(name: str, chat: int, args: dict[str, Any] | None, *, first: bool) -> None:
        async def call() -> bool:
            log.append(name)
            return True

        token = FIRST_ANSWER.set([True] if first else [False])
        try:
            await pace.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, args)
        finally:
            FIRST_ANSWER.reset(token)

    for chat in range(30):  # the window is full
        await send("before", chat, None, first=False)
    tasks = [asyncio.create_task(send(f"follow{i}", 100 + i, None, first=False)) for i in range(3)]
    await timer.advance(0)
    tasks.append(asyncio.create_task(send("notice", 300, NOTICE, first=True)))  # never first
    await timer.advance(0)
    tasks += [asyncio.create_task(send(f"first{i}", 200 + i, None, first=True)) for i in range(9)]
    await timer.advance(0)
    while not all(task.done() for task in tasks):
        await timer.advance(0.01)
    assert FIRST_ANSWERS_IN_A_ROW == 4
    assert log[30:] == [
        "follow0",  # it had the turn already, watching the window, when the others came
        *(f"first{i}" for i in range(4)), "follow1",
        *(f"first{i}" for i in range(4, 8)), "follow2",
        "first8", "notice",
    ]  # fmt: skip


async def test_only_the_first_metered_call_of_an_update_is_its_first_answer() -> None:
    """The mark is spent by the first reply: the second message of the same update queues as
    any other call; a call outside any update (a job, the outbox) is never first."""
    pending = [True]
    token = FIRST_ANSWER.set(pending)
    try:
        assert _is_first_answer() is True
        assert pending == [False]
        assert _is_first_answer() is False
    finally:
        FIRST_ANSWER.reset(token)
    assert _is_first_answer() is False
