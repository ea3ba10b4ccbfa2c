"""What the journeys' `register(app)` repeats: a command and its menu button, a table of
presses, and the persistent conversations that are not Flows (views, group -1 prompts)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
)

from handlers.kit.context import Context
from handlers.kit.flow import LookCommand

Callback = Callable[[Update, Context], Coroutine[Any, Any, Any]]
Handlers = list[BaseHandler[Update, Context, Any]]


def command_and_button(command: str, callback: Callback, *, look: bool = False) -> Handlers:
    """`/<command>` and its menu button `menu:<command>`, both answered by `callback`. `look`:
    the command only shows something, so it is answered in the middle of a form too, the
    form's step shown again below it (`flow.LookCommand`)."""
    typed = LookCommand(command, callback) if look else CommandHandler(command, callback)
    return [typed, CallbackQueryHandler(callback, pattern=rf"^menu:{command}$")]


def presses(table: Mapping[str, Callback]) -> Handlers:
    """One `CallbackQueryHandler` per callback-data regex of `table`, in its order."""
    return [CallbackQueryHandler(callback, pattern=regex) for regex, callback in table.items()]


def add_all(app: Application[Any, Any, Any, Any, Any, Any], handlers: Iterable[Any]) -> None:
    for handler in handlers:
        app.add_handler(handler)


def persistent_conversation(
    name: str,
    entry_points: Sequence[BaseHandler[Update, Context, Any]],
    states: Mapping[object, Sequence[BaseHandler[Update, Context, Any]]] | None = None,
) -> ConversationHandler[Context]:
    """A named conversation kept across restarts that a new entry restarts; no fallbacks
    (each state lists its own /cancel, so nothing outside it is swallowed)."""
    return ConversationHandler(
        name=name,
        persistent=True,
        allow_reentry=True,
        entry_points=list(entry_points),
        states={state: list(handlers) for state, handlers in (states or {}).items()},
        fallbacks=[],
    )


def add_presses(
    app: Application[Any, Any, Any, Any, Any, Any], table: Mapping[str, Callback]
) -> None:
    """Register `presses(table)`."""
    add_all(app, presses(table))
