"""Showing a conversation step, and the phone step with Telegram's share-contact button.

A step answered with a button edits the pressed message into the next step; a step answered
with typed text gets the next step as a new message. Editing a message into exactly what it
already shows is refused by Telegram ("message is not modified"), which a double tap on a
toggle can cause: that refusal is harmless and swallowed here, every other error is not.
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest

from handlers.i18n import Gettext
from services.errors import InvalidValue
from services.phones import from_contact, normalise_cn_phone


async def show(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    new: bool = False,
    answered: bool = False,
) -> None:
    """Edit the pressed message into `text` (or send it anew when `new` or typed input).

    A pressed button is answered here unless the caller `answered` it already (with an alert):
    Telegram takes one answer per press."""
    query = update.callback_query
    if query is not None and not answered:
        await query.answer()
    if query is not None and query.message is not None and not new:
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
        return
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=markup)


async def drop_buttons(update: Update) -> None:
    """Take the buttons off the pressed message (it stays readable)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


def contact_keyboard(_: Gettext) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask_phone(
    update: Update, _: Gettext, prompt: str, nav: InlineKeyboardMarkup | None
) -> None:
    """The prompt with the share-contact keyboard, then Back / Cancel as inline buttons (one
    message cannot carry both kinds of keyboard)."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        await drop_buttons(update)
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(prompt, reply_markup=contact_keyboard(_))
    if nav is not None:
        await chat.send_message(_("Or go back, or cancel:"), reply_markup=nav)


async def leave_phone_step(update: Update, text: str) -> None:
    """Say `text` and take the share-contact keyboard away."""
    if update.callback_query is not None:
        await update.callback_query.answer()
        await drop_buttons(update)
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=ReplyKeyboardRemove())


def read_phone(message: Message | None) -> str:
    """A shared contact or a typed number → E.164. Raises InvalidValue("phone", …)."""
    if message is None:
        raise InvalidValue("phone", "kind")
    if message.contact is not None:
        return from_contact(message.contact.phone_number)
    if message.text:
        return normalise_cn_phone(message.text)
    raise InvalidValue("phone", "kind")


def phone_problem(_: Gettext, error: InvalidValue) -> str:
    """Why a number was not accepted, with an example of one that would be."""
    if error.reason == "not_mainland":
        first = _("Sorry, I can only take a mainland China mobile or landline number.")
    elif error.reason == "kind":
        first = _("Sorry, I need a phone number here.")
    else:
        first = _("Sorry, that does not look like a phone number I can use.")
    return (
        first
        + "\n"
        + _(
            "Please press «📱 Share my phone number» below, or type it like 138 0013 8000 "
            "(mobile) or 0579-8000 0001 (landline with area code)."
        )
    )
