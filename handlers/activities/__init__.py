"""Volunteer activities and hours in the chat (issue 16): `/activity` (publish, the card, the
roster, confirm and record), `/poster`, the volunteer's offers and reminders, QR check-in and
the poster links (`/start` payloads), `/myhours` with its certificate, and `/verify`.

Two hooks in other packages, both through `bot_data.extras` (no import of this package):
`extras["start_payloads"]` (tried by `handlers.people.start` before invitations) and
`extras["reminder_planners"]` (run by `handlers.delivery.reminders.run_due` every minute).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram.ext import Application

from handlers.delivery import PLANNERS
from handlers.kit.context import BotData

START_PAYLOADS = "start_payloads"  # the key `handlers.people.start` reads


async def plan_day_before(data: BotData, now: datetime) -> int:
    """The minute job's part: the day-before reminders due at `now`, into the ledger."""
    from services import volunteer_activities as va

    return await data.use_case(
        va.plan_day_before,
        rules=data.knowledge.volunteer_hours,
        schedule=data.knowledge.reminders,
        now=now,
        zone=data.clock.zone,
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here, like every package (see handlers/work/__init__.py).
    from handlers.activities import publish, volunteering

    data: BotData = app.bot_data
    data.extras.setdefault(START_PAYLOADS, []).append(volunteering.open_payload)
    data.extras.setdefault(PLANNERS, []).append(plan_day_before)
    publish.register(app)
    volunteering.register(app)
