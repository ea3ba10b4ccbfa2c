"""/start, the menu, /language, /privacy (consent withdrawal), /mydata, /forget."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Imported here, not at the top: the journeys still import each other's modules, and a
    # package that imported them eagerly would close an import cycle (people -> questions ->
    # requests -> people).
    from handlers.kit import consent
    from handlers.people import privacy_rights, start

    app.bot_data.show_menu = start.send_menu  # what a declined consent shows (kit)
    start.register(app)
    consent.register(app)
    privacy_rights.register(app)


def register_fallbacks(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """What answers whatever nobody claimed: registered after every other package."""
    from handlers.people import start

    start.register_fallbacks(app)
