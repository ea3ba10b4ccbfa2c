"""/request, /myrequests, the inbox and its request actions, notices, cards."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

# What /volunteer uses: the application's card and labels, and its notices. These modules import
# only the kit and services, so exporting them eagerly closes no cycle.
from handlers.requests.request_labels import (
    AVAILABILITY_LABELS,
    PARTY_LABELS,
    VOLUNTEER_AGE_LABELS,
    VOLUNTEER_STATUS_LABELS,
    application_card,
    excerpt,
    join_list,
    label,
    phone_text,
    station_name,
)
from handlers.requests.request_notices import applicant_told, new_application

__all__ = [
    "AVAILABILITY_LABELS",
    "PARTY_LABELS",
    "VOLUNTEER_AGE_LABELS",
    "VOLUNTEER_STATUS_LABELS",
    "applicant_told",
    "application_card",
    "excerpt",
    "join_list",
    "label",
    "new_application",
    "phone_text",
    "register",
    "station_name",
]


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
