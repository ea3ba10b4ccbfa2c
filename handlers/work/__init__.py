"""/log, /mylogs, /supervise, /quota, /stats."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here, not at the top: the journeys still import each other's modules, and a
    # package that imported them eagerly would close an import cycle (people -> questions ->
    # requests -> people).
    from handlers.work import (
        activity_log,
        my_sessions,
        quota,
        record_edit,
        station_figures,
        supervision,
    )

    activity_log.register(app)
    record_edit.register(app)
    supervision.register(app)
    my_sessions.register(app)
    quota.register(app)
    station_figures.register(app)
