"""The global error handler: log without personal data, reassure the person in their language.

The apology is sent whatever happened to the press: the failed handler may already have
answered the callback query (Telegram then refuses a second answer, "query is too old"), so
the query is answered only if it may still be open, and a refused answer never skips the
apology (issue 11 item 4)."""

from __future__ import annotations

import logging

from telegram import Update

from handlers.kit.context import Context

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    # The exception type and traceback only: messages and user data stay out of the log.
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    data = context.bot_data
    user = update.effective_user
    language = (context.user_data or {}).get("lang") if context.user_data is not None else None
    if language is None:
        language = "zh" if user and (user.language_code or "").startswith("zh") else "en"
    _ = data.translator.for_language(language)
    query = update.callback_query
    if query is not None:
        try:
            await query.answer()
        except Exception:  # noqa: BLE001 - already answered or too old: the apology still goes
            log.info("update %s: the press was already answered", update_id)
    try:
        await context.bot.send_message(
            chat_id=update.effective_chat.id,
            text=_(
                "Sorry, something went wrong on our side. Nothing you entered has been lost; "
                "please try again in a moment."
            ),
        )
    except Exception:  # noqa: BLE001 - the error handler must never raise
        log.warning("could not tell update %s about the failure", update_id)
