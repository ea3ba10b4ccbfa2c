"""The pace: 30 a second overall in any window, one a second per chat in bulk, 429 waits."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from telegram.error import RetryAfter

from handlers.pace import BULK, Pace
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
