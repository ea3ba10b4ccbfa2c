"""Everything that speaks Telegram to a person. `register(app)` wires every journey in order."""

from __future__ import annotations

import warnings
from typing import Any

from telegram import BotCommand
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from handlers import (
    activities,
    cases,
    delivery,
    management,
    people,
    questions,
    requests,
    volunteers,
    work,
)
from handlers.kit.errors import on_error
from handlers.kit.i18n import Translator
from handlers.people.menu import COMMANDS, RESIDENT, commands_for

# Every journey is a per-chat conversation with inline buttons (per_message=False), on purpose:
# PTB warns about that combination for each one, which only clutters the console and the logs.
warnings.filterwarnings(
    "ignore", message=r"If 'per_message=False'", category=PTBUserWarning, module="handlers"
)

# Order matters: conversations first (they claim their buttons and text while active), then
# stand-alone buttons, and last the fallbacks that answer whatever nobody claimed. Each package
# registers its own journeys in its own order (`<package>.register(app)`).
PACKAGES: tuple[Any, ...] = (
    people,
    requests,
    volunteers,
    work,
    management,
    activities,
    cases,
    delivery,
    questions,
)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    for package in PACKAGES:
        package.register(app)
    people.register_fallbacks(app)
    app.add_error_handler(on_error)
    app.bot_data.available_commands = registered_commands(app)


def registered_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> set[str]:
    found: set[str] = set()

    def visit(handler: BaseHandler[Any, Any, Any]) -> None:
        if isinstance(handler, CommandHandler):
            found.update(handler.commands)
        elif isinstance(handler, ConversationHandler):
            for inner in (*handler.entry_points, *handler.fallbacks):
                visit(inner)
            for state_handlers in handler.states.values():
                for inner in state_handlers:
                    visit(inner)

    for group in app.handlers.values():
        for handler in group:
            visit(handler)
    return found


def bot_commands(translator: Translator, language: str, available: set[str]) -> list[BotCommand]:
    """Telegram's command menu: what a resident can use (staff see theirs in /help)."""
    _ = translator.for_language(language)
    keys = {"everyone", RESIDENT}
    return [
        BotCommand(c.name, _(c.description))
        for c in commands_for(keys, available)
        if c.name != "start"
    ]


__all__ = ["COMMANDS", "bot_commands", "register"]
