"""Small conversations registered in group -1, so they see an update before every other handler.

What such a conversation handles must stop there (or the update would also reach the handler
it was not meant for): wrap its callbacks in `consuming`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.kit.context import Context

Callback = Callable[[Update, Context], Awaitable[object]]


def consuming(callback: Callback) -> Callback:
    """`callback`, then stop: no later handler group sees the update."""

    async def run(update: Update, context: Context) -> object:
        raise ApplicationHandlerStop(await callback(update, context))

    return run
