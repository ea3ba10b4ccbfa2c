"""Messages that leave the bot on their own: the outbox, the pace, the reminder jobs."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers.delivery.outbox import Outbox, OutgoingMessage, Renderer, SendReport
from handlers.delivery.pace import BULK, NOTICE, Pace

PLANNERS = "reminder_planners"  # bot_data.extras: `async (data, now)` run by every minute tick

__all__ = [
    "BULK",
    "NOTICE",
    "PLANNERS",
    "Outbox",
    "OutgoingMessage",
    "Pace",
    "Renderer",
    "SendReport",
    "register",
]


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here so that `from handlers.delivery import Outbox` stays light.
    from handlers.delivery import reminders

    reminders.register(app)
