"""/request, /myrequests, the inbox and its request actions, notices, cards."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

# What /volunteer uses: the application's card and labels, and its notices (and what
# questions uses for "my request": the status labels). These modules import
# only the kit and services, so exporting them eagerly closes no cycle.
from handlers.kit.context import Context
from handlers.requests.request_labels import (
    AGE_LABELS,
    AVAILABILITY_LABELS,
    PARTY_LABELS,
    STATUS_LABELS,
    TIME_LABELS,
    VOLUNTEER_AGE_LABELS,
    VOLUNTEER_STATUS_LABELS,
    application_card,
    excerpt,
    join_list,
    label,
    phone_text,
    station_name,
)
from handlers.requests.request_notices import (
    applicant_notices,
    deliver,
    new_application_notices,
    record,
    withdrawn_notices,
)

__all__ = [
    "AGE_LABELS",
    "AVAILABILITY_LABELS",
    "PARTY_LABELS",
    "STATUS_LABELS",
    "TIME_LABELS",
    "VOLUNTEER_AGE_LABELS",
    "VOLUNTEER_STATUS_LABELS",
    "applicant_notices",
    "application_card",
    "deliver",
    "excerpt",
    "join_list",
    "label",
    "new_application_notices",
    "notify_new_request",
    "phone_text",
    "record",
    "register",
    "station_name",
    "withdrawn_notices",
]


async def notify_new_request(context: Context, submitted: Any) -> None:
    """Tell the station's staff of a new request (`submitted.request`, `.notify`) through the
    ledger and the outbox: the one notice of /request, also used by /register (handlers.cases)."""
    from handlers.requests import request_notices

    keys = await request_notices.record(
        context, request_notices.new_request_notices(context, submitted)
    )
    await request_notices.deliver(context, keys)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here, not at the top: the journeys still import each other's modules, and a
    # package that imported them eagerly would close an import cycle (people -> questions ->
    # requests -> people).
    from handlers.requests import inbox, my_requests, request_notices, service_request

    # The notices a committed request change implies, rendered from their ledger rows.
    app.bot_data.outbox.register_renderer(request_notices.NOTICE, request_notices.render_notice)
    service_request.register(app)
    my_requests.register(app)
    inbox.register(app)
