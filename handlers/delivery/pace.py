"""The pace every message leaves at: one limiter on the bot, so replies, notifications,
reminders and broadcasts share Telegram's budget.

Telegram allows a bot about 30 messages a second overall and about one a second to the same
chat. `Pace` is PTB's rate-limiter hook (`ApplicationBuilder.rate_limiter`), so every Bot API
call that names a chat passes through it:

- overall: at most `per_second` calls in any window of one second (a sliding window over the
  moments calls start, so no second, however the clock's seconds fall, holds more);
- per chat: calls marked bulk (`rate_limit_args=BULK`, which the outbox uses for reminders and
  batches) keep one second apart in the same chat; a reply to the person who just wrote is
  never held back by that, and goes first when replies and bulk sends wait for the same slot;
  replies, and the notices one person's action just planned (`NOTICE`: a new request to the
  station's workers; at most `NOTICE_BURST` to one chat in any second, a short burst as
  Telegram allows, so a worker told of two requests at once is not made to wait a second),
  take the slots first come, first served, before reminders and broadcasts;
- a person's **first answer** to the update they just sent (the first metered call a handler
  makes while `FIRST_ANSWER` says its update has had none) goes before the other waiting calls:
  before other people's second messages to the same update and before notices. In a crowd every
  person sees the bot answer within the time the first answers alone take (60 people: 2 s),
  instead of waiting behind everyone's follow-ups (bench/crowd.py). The others are not starved:
  after `FIRST_ANSWERS_IN_A_ROW` first answers one waiting ordinary call goes;
- per group (a chat id below zero, or a channel's @name): at most 20 calls in any minute,
  replies included (the bot only points people in a group to a private chat);
- 429 (`RetryAfter`): everybody waits as long as Telegram said, then the same call is made
  again (nothing was delivered, so this cannot duplicate).

Why not PTB's `AIORateLimiter`: its overall limit is a leaky bucket that lets a full bucket
burst on top of the steady rate (up to twice the limit inside one clock second), and it has
no per-private-chat spacing. Its 429 handling is the same idea as here.

The time source is injectable (`Timer`), so tests run the pacing in virtual time.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

BULK: dict[str, Any] = {"bulk": True}
# A notification one person's action just planned (a new request to the station's workers):
# spaced per chat like bulk, but in turn with the replies, before reminders and broadcasts.
NOTICE: dict[str, Any] = {"bulk": True, "notice": True}
TELEGRAM_PER_SECOND = 30
CHAT_INTERVAL = 1.0
# Notices a person's action causes may come to one chat this many within a second: Telegram
# asks for about one a second per chat and allows short bursts; replies are not spaced at all.
NOTICE_BURST = 3
GROUP_PER_MINUTE = 20  # Telegram: a bot sends at most 20 messages a minute to one group
GROUP_WINDOW = 60.0 + 0.005
# Slack for clocks that disagree by a few milliseconds (ours and Telegram's, or a benchmark's).
WINDOW = 1.0 + 0.005
YIELD_TO_REPLIES = 0.01  # how long a bulk send backs off while a reply waits for a slot
# While other calls wait, at most this many first answers go before one of them does: the
# replies' follow-ups and the notices keep a fifth of the slots in a crowd.
FIRST_ANSWERS_IN_A_ROW = 4

# Set by the update processor (bot/update_order.py) around one update's handling: [True] while
# the update has not been answered yet. A list, so the call that answers can mark it in place.
FIRST_ANSWER: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "first_answer", default=None
)


def _is_first_answer() -> bool:
    """True once per update: for its first metered reply (and marks it answered)."""
    pending = FIRST_ANSWER.get()
    if pending is None or not pending[0]:
        return False
    pending[0] = False
    return True


class Timer(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that `retry_after` will become a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _is_group(chat_id: int | str) -> bool:
    """Groups and channels have negative ids (or an @username); people's chats positive."""
    if isinstance(chat_id, int):
        return chat_id < 0
    return chat_id.startswith(("-", "@"))


class _Slot:
    """When a call started. Re-stamped at the first turn of the event loop after it was let
    go: no other task runs before the call's synchronous path reaches the network, so that
    moment bounds when the request really left, even if the process was descheduled between
    (which on a busy machine let 31 calls into one second while slots were dated by grant)."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class Pace(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        per_second: int = TELEGRAM_PER_SECOND,
        chat_interval: float = CHAT_INTERVAL,
        window: float = WINDOW,
        retries_after_429: int = 5,
        timer: Timer | None = None,
        group_per_minute: int = GROUP_PER_MINUTE,
        notice_burst: int = NOTICE_BURST,
    ) -> None:
        self.per_second = per_second
        self.chat_interval = chat_interval
        self.window = window
        self.retries_after_429 = retries_after_429
        self.timer: Timer = timer or RealTimer()
        self._started: deque[_Slot] = deque()
        self._last_in_chat: dict[int | str, float] = {}
        self.notice_burst = notice_burst
        self._notices_in_chat: dict[int | str, deque[float]] = {}  # notices, last second
        self._resume_at = 0.0
        self._replies: deque[asyncio.Future[None]] = deque()  # replies waiting, in order
        self._first: deque[asyncio.Future[None]] = deque()  # first answers waiting, in order
        self._head: asyncio.Future[None] | None = None  # the call whose turn it is
        self._firsts_in_a_row = 0
        self.group_per_minute = group_per_minute
        self._in_group: dict[int | str, deque[float]] = {}  # calls to each group, last minute
        self.waited_for_429 = 0.0  # seconds spent waiting as Telegram told (for the benchmark)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def hold(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        self._resume_at = max(self._resume_at, self.timer.monotonic() + seconds)
        self.waited_for_429 += seconds

    def _ready_at(self, now: float, chat_id: int | str, bulk: bool) -> float:
        while self._started and self._started[0].at <= now - self.window:
            self._started.popleft()
        ready = self._resume_at
        if len(self._started) >= self.per_second:
            # Re-stamping can leave the slots a few milliseconds out of order: sort them.
            latest = sorted(slot.at for slot in self._started)
            ready = max(ready, latest[-self.per_second] + self.window)
        if bulk and chat_id in self._last_in_chat:
            ready = max(ready, self._last_in_chat[chat_id] + self.chat_interval)
        return max(ready, self._group_ready_at(now, chat_id))

    def _group_ready_at(self, now: float, chat_id: int | str) -> float:
        sent = self._in_group.get(chat_id)
        if not sent:
            return 0.0
        while sent and sent[0] <= now - GROUP_WINDOW:
            sent.popleft()
        if len(sent) < self.group_per_minute:
            return 0.0
        return sent[-self.group_per_minute] + GROUP_WINDOW

    async def acquire(
        self, chat_id: int | str, *, bulk: bool, notice: bool = False, first: bool = False
    ) -> None:
        """Wait for a slot; between the check and the record there is no await, so the loop's
        single thread makes the pair atomic. Replies take the slots first come, first served
        (a queue: only its head watches the window), so with many people waiting each waits
        about as long as the others; bulk sends step aside while a reply waits, so a person
        chatting during a long reminder run is not queued behind it. A notice (what one
        person's action planned for someone else: a new request to the station's workers)
        queues with the replies, unless its chat already had `notice_burst` calls in the last
        second: it is as urgent as a reply, and would otherwise wait for the replies of a
        whole crowd to end."""
        if bulk and not notice:
            await self._acquire_bulk(chat_id)
            return
        while not await self._turn(chat_id, spaced=notice, first=first):
            pass  # its group's minute (or chat's second) was full when its turn came

    def _held_until(self, now: float, chat_id: int | str, spaced: bool) -> float:
        held = self._group_ready_at(now, chat_id)
        if spaced:  # a notice: at most `notice_burst` in any second to its chat, bulk included
            recent = [
                at for at in self._notices_in_chat.get(chat_id, ()) if at > now - self.chat_interval
            ]
            last = self._last_in_chat.get(chat_id)
            if last is not None and last > now - self.chat_interval and last not in recent:
                recent.append(last)
            if len(recent) >= self.notice_burst:
                held = max(held, sorted(recent)[-self.notice_burst] + self.chat_interval)
        return held

    def _noted(self, now: float, chat_id: int | str) -> None:
        sent = self._notices_in_chat.setdefault(chat_id, deque(maxlen=self.notice_burst))
        sent.append(now)
        self._last_in_chat[chat_id] = now
        if len(self._notices_in_chat) > 10_000:
            self._notices_in_chat = {
                chat: at for chat, at in self._notices_in_chat.items()
                if at and at[-1] > now - self.chat_interval
            }  # fmt: skip

    def _next_turn(self) -> None:
        """Give the turn to the first answer waiting longest, unless `FIRST_ANSWERS_IN_A_ROW`
        went while other calls waited: then to the call waiting longest among those."""
        if self._first and (not self._replies or self._firsts_in_a_row < FIRST_ANSWERS_IN_A_ROW):
            head = self._first[0]
            self._firsts_in_a_row += 1
        elif self._replies:
            head = self._replies[0]
            self._firsts_in_a_row = 0
        else:
            self._head = None
            return
        self._head = head
        if not head.done():
            head.set_result(None)

    async def _turn(self, chat_id: int | str, *, spaced: bool, first: bool = False) -> bool:
        # A call held by its own chat's limits (a group's 20 a minute, a notice's one a second
        # per chat) waits outside the queue, so it never holds up the calls behind it.
        while (at := self._held_until(self.timer.monotonic(), chat_id, spaced)) > (
            now := self.timer.monotonic()
        ):
            await self.timer.sleep(at - now)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._first if first else self._replies
        queue.append(turn)
        if self._head is None:
            self._next_turn()
        try:
            await turn  # the calls before this one have gone
            while True:
                now = self.timer.monotonic()
                if self._held_until(now, chat_id, spaced) > now:
                    return False
                ready = self._ready_at(now, chat_id, False)
                if ready <= now:
                    self._take(now, chat_id)
                    if spaced:
                        self._noted(now, chat_id)
                    return True
                await self.timer.sleep(ready - now)
        finally:
            queue.remove(turn)
            if self._head is turn:
                self._next_turn()  # the next call's turn

    @property
    def _replies_waiting(self) -> int:
        return len(self._replies) + len(self._first)

    async def _acquire_bulk(self, chat_id: int | str) -> None:
        while True:
            now = self.timer.monotonic()
            ready = self._ready_at(now, chat_id, True)
            if self._replies_waiting:
                ready = max(ready, now + YIELD_TO_REPLIES)
            if ready <= now:
                self._take(now, chat_id)
                self._last_in_chat[chat_id] = now
                if len(self._last_in_chat) > 50_000:
                    self._forget_quiet_chats(now)
                return
            await self.timer.sleep(ready - now)

    def _take(self, now: float, chat_id: int | str) -> None:
        if _is_group(chat_id):
            self._in_group.setdefault(chat_id, deque()).append(now)
            if len(self._in_group) > 10_000:
                self._in_group = {
                    chat: sent
                    for chat, sent in self._in_group.items()
                    if sent and sent[-1] > now - GROUP_WINDOW
                }
        slot = _Slot(now)
        self._started.append(slot)
        asyncio.get_running_loop().call_soon(self._restamp, slot)

    def _restamp(self, slot: _Slot) -> None:
        slot.at = max(slot.at, self.timer.monotonic())

    def _forget_quiet_chats(self, now: float) -> None:
        for chat, at in list(self._last_in_chat.items()):
            if at <= now - self.chat_interval:
                del self._last_in_chat[chat]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if chat_id is None:  # answering callbacks, getMe, commands: not messages in a chat
            return await callback(*args, **kwargs)
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        notice = bool(rate_limit_args and rate_limit_args.get("notice"))
        first = not bulk and _is_first_answer()
        attempt = 0
        while True:
            await self.acquire(chat_id, bulk=bulk, notice=notice, first=first)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                attempt += 1
                if attempt > self.retries_after_429:
                    raise
                self.hold(retry_after_seconds(error))
