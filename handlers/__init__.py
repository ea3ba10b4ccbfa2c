"""Everything that speaks Telegram to a person. `register(app)` wires every journey in order."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

from handlers import ask, start
from handlers.errors import on_error
from handlers.i18n import Translator
from handlers.menu import COMMANDS, RESIDENT, commands_for

# Order matters: conversations first (they claim their buttons and text while active), then
# stand-alone buttons, and last the fallbacks that answer whatever nobody claimed.
JOURNEYS: tuple[Any, ...] = (ask,)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    start.register(app)
    for journey in JOURNEYS:
        journey.register(app)
    start.register_fallbacks(app)
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
