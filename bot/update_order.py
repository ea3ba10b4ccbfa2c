"""Different people's updates at the same time; one person's updates one after another.

PTB processes updates one at a time unless told otherwise, so one slow update (a Telegram call
retried, a notification to a chat that answers 500) made everybody behind it wait. With
`PerPersonOrder` as the application's update processor, updates run concurrently, except that
updates sharing a person or a chat run in the order they arrived: a person's conversation
(its state, its draft) is never touched by two of their updates at once, and a press is
handled after the message that came before it.

Two limits: `max_waiting` updates may be taken from the queue at once (PTB's own semaphore,
generous: a waiting update costs a task), and `max_running` of them do work at the same time
(ours, taken after the person's turn has come, so one person sending a hundred updates
occupies one running slot, not a hundred).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers.delivery.pace import FIRST_ANSWER

MAX_WAITING = 4096
MAX_RUNNING = 32


class PerPersonOrder(BaseUpdateProcessor):
    def __init__(self, *, max_waiting: int = MAX_WAITING, max_running: int = MAX_RUNNING) -> None:
        super().__init__(max_concurrent_updates=max_waiting)
        self._running = asyncio.BoundedSemaphore(max_running)
        self._turns: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        keys = _keys(update)
        for key in keys:
            self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with contextlib.AsyncExitStack() as stack:
                # Always in the same (sorted) order, so two updates needing the same two turns
                # can never each hold one and wait for the other.
                for key in keys:
                    await stack.enter_async_context(self._turns.setdefault(key, asyncio.Lock()))
                async with self._running:
                    # The pace serves this update's first answer before others' follow-ups.
                    answered = FIRST_ANSWER.set([True])
                    try:
                        await coroutine
                    finally:
                        FIRST_ANSWER.reset(answered)
        finally:
            for key in keys:
                self._holders[key] -= 1
                if self._holders[key] == 0:  # nobody else waits: forget the person
                    del self._holders[key]
                    del self._turns[key]

    @property
    def people_waiting(self) -> int:
        return len(self._holders)


def _keys(update: object) -> list[int]:
    if not isinstance(update, Update):
        return []
    keys = set()
    if update.effective_user is not None:
        keys.add(update.effective_user.id)
    if update.effective_chat is not None:
        keys.add(update.effective_chat.id)  # a private chat's id is its person's id
    return sorted(keys)
