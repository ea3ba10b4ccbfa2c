"""One way to answer: `show` edits the pressed message or sends a new one; `drop_buttons`;
`show_surely` for the answer after a commit (a new message when the edit fails).

Telegram refuses to edit a message into exactly what it shows ("message is not modified", a
double tap on a toggle does that): that refusal is harmless and swallowed here, in one place.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.warnings import PTBUserWarning

from handlers.kit.keyboards import api_markup

log = logging.getLogger(__name__)
# `_call` uses `do_api_request` for these on purpose (see there); PTB suggests otherwise.
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendMessage|editMessageText|answerCallbackQuery)' instead",
    category=PTBUserWarning,
)


def not_modified(error: BadRequest) -> bool:
    return "not modified" in str(error).lower()


async def show(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    new: bool = False,
    answered: bool = False,
) -> None:
    """Edit the pressed message into `text` (or send it anew when `new` or for typed input).

    A pressed button is answered here unless the caller `answered` it already (with an alert):
    Telegram takes one answer per press."""
    query = update.callback_query
    if query is not None and not answered:
        # As `query.answer()` does, without PTB's defaults and wrappers around it.
        await _call(update, "answerCallbackQuery", html=False, callback_query_id=query.id)
    if query is not None and query.message is not None and not new:
        message = query.message
        try:
            await _call(
                update, "editMessageText", chat_id=message.chat.id,
                message_id=message.message_id, text=text, reply_markup=markup,
            )  # fmt: skip
        except BadRequest as error:
            if not not_modified(error):
                raise
        return
    if update.effective_chat is not None:
        await _call(
            update, "sendMessage", chat_id=update.effective_chat.id, text=text, reply_markup=markup
        )


async def send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A new message in the update's chat (`chat.send_message`, without PTB building a
    `Message` from Telegram's answer: see `_call`). A pressed button is not answered here."""
    if update.effective_chat is not None:
        await _call(
            update, "sendMessage", chat_id=update.effective_chat.id, text=text, reply_markup=markup
        )


async def _call(update: Update, endpoint: str, *, html: bool = True, **params: object) -> None:
    """The Bot API call, without turning Telegram's answer into a `Message`: PTB builds one,
    keyboard and all, from every answer, and nobody here reads it (bench/updates.py: about a
    tenth of a step's CPU). The same pace and errors as `edit_message_text`/`send_message`;
    HTML (`html`) as the application's `Defaults` say (which `do_api_request` does not apply).
    The keyboard goes as the API's JSON object, built by `api_markup`."""
    api = {key: value for key, value in params.items() if value is not None}
    markup = api.get("reply_markup")
    if isinstance(markup, TelegramObject):
        api["reply_markup"] = api_markup(markup)
    if html:
        api["parse_mode"] = ParseMode.HTML
    await update.get_bot().do_api_request(endpoint, api_kwargs=api)


async def drop_buttons(
    update: Update, *, keep: Sequence[Sequence[InlineKeyboardButton]] | None = None
) -> None:
    """Take the keyboard off the pressed message (its text stays); `keep`: these rows stay."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(
            reply_markup=InlineKeyboardMarkup(keep) if keep else None
        )
    except BadRequest as error:
        if not not_modified(error):
            raise


async def alert(update: Update, text: str) -> None:
    """A pop-up answer to the press (or a message for typed input)."""
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=True)
    elif update.effective_chat is not None:
        await update.effective_chat.send_message(text)


async def show_surely(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *, new: bool = False
) -> None:
    """`show` for the answer after a commit (the request was sent, accepted): when Telegram
    fails the edit (a 500, a timeout), the answer comes as a new message instead, tried twice,
    so the person is never left without it."""
    try:
        await show(update, text, markup, new=new)
        return
    except TelegramError as error:
        log.warning("could not edit the pressed message, sending anew: %s", error)
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await chat.send_message(text, reply_markup=markup)
    except TelegramError as error:
        log.warning("answer not sent, trying once more: %s", error)
        await chat.send_message(text, reply_markup=markup)


async def answer_press(update: Update) -> None:
    """Stop the pressed button's spinner (nothing to do for a typed command)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
