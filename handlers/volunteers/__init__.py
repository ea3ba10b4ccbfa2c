"""/volunteer and its review section of the inbox."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here, not at the top: the journeys still import each other's modules, and a
    # package that imported them eagerly would close an import cycle (people -> questions ->
    # requests -> people).
    from handlers.volunteers import volunteer

    volunteer.register(app)
