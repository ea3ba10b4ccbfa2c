"""The plumbing shared by the staff conversations whose steps are answered by buttons and shown
with `start.reply` (/broadcast, /report, /evaluation): Back and Cancel buttons, the Cancel that
sends nothing, and the gentle re-ask when a step that wants a button gets something else.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from handlers.kit.context import Context, speaker
from handlers.kit.prompts import clear_draft
from handlers.people.start import reply


def nav_handlers(prefix: str, back: Any, cancel: Any) -> list[CallbackQueryHandler]:  # type: ignore[type-arg]
    """The `<prefix>:back` and `<prefix>:cancel` buttons of every step."""
    return [
        CallbackQueryHandler(back, pattern=rf"^{prefix}:back$"),
        CallbackQueryHandler(cancel, pattern=rf"^{prefix}:cancel$"),
    ]


async def cancelled(update: Update, context: Context, draft_key: str) -> int:
    """Drop the draft, say nothing was sent, end the conversation."""
    who = await speaker(update, context)
    _ = who.gettext
    clear_draft(context, draft_key)
    await reply(update, _("Cancelled. Nothing was sent."))
    return ConversationHandler.END


async def reask_button(update: Update, context: Context) -> None:
    """Typing, a photo or a sticker where a button is expected: say so, keep the step."""
    who = await speaker(update, context)
    _ = who.gettext
    await reply(update, _("Please choose one of the buttons above, or send /cancel to stop."))


def button_fallback() -> MessageHandler:  # type: ignore[type-arg]
    """Each button step's last handler: anything but a command gets `reask_button`."""
    return MessageHandler(filters.ALL & ~filters.COMMAND, reask_button)
