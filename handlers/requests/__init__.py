"""/request, /myrequests, the inbox and its request actions, notices, cards."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers.kit.context import Context
from handlers.requests.request_labels import AGE_LABELS, TIME_LABELS

__all__ = ["AGE_LABELS", "TIME_LABELS", "notify_new_request", "register"]


async def notify_new_request(context: Context, submitted: Any) -> None:
    """Tell the station's staff of a new request (`submitted.request`, `.notify`): the one
    notice of /request, also used by /register (handlers.cases)."""
    from handlers.requests import request_notices

    await request_notices.new_request(context, submitted)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here, not at the top: the journeys still import each other's modules, and a
    # package that imported them eagerly would close an import cycle (people -> questions ->
    # requests -> people).
    from handlers.requests import inbox, my_requests, service_request

    service_request.register(app)
    my_requests.register(app)
    inbox.register(app)
