"""Showing a conversation step, and the phone step with Telegram's share-contact button.

A step answered with a button edits the pressed message into the next step; a step answered
with typed text gets the next step as a new message. Editing a message into exactly what it
already shows is refused by Telegram ("message is not modified"), which a double tap on a
toggle can cause: `show` and `drop_buttons` now live in `kit.screen`, re-exported here.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from handlers.kit.context import Context
from handlers.kit.i18n import Gettext
from handlers.kit.screen import drop_buttons as drop_buttons  # the one of each, re-exported
from handlers.kit.screen import show as show
from handlers.kit.words import phone_text
from services.errors import InvalidValue
from services.phones import from_contact, normalise_cn_phone


def draft_in(context: Context, key: str) -> dict[str, Any]:
    """The conversation's JSON draft in `user_data[key]`, created empty when missing."""
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(key, {})
    return draft


def clear_draft(context: Context, key: str) -> None:
    """Forget the conversation's draft in `user_data[key]`."""
    if context.user_data is not None:
        context.user_data.pop(key, None)


def pressed_code(update: Update) -> str:
    """The last part of the pressed button's callback_data (`req:st:jiangnan` → `jiangnan`)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    return query.data.rsplit(":", 1)[1]


def typed_a_command(update: Update) -> bool:
    """The person typed a /command the current step cannot use."""
    message = update.effective_message
    return message is not None and message.text is not None and message.text.startswith("/")


async def show_prompt(
    update: Update,
    _: Gettext,
    text: str,
    buttons: InlineKeyboardMarkup,
    *,
    phone_step: bool,
    note: str | None = None,
    new: bool = False,
    answered: bool = False,
) -> None:
    """Show a step's `text` (after `note`, when there is one); a phone step with the
    share-contact keyboard."""
    if note:
        text = note + "\n\n" + text
    if phone_step:
        # A re-ask repeats the prompt and keyboard only: the Back / Cancel message above stays.
        await ask_phone(
            update, _, text, None if note and update.callback_query is None else buttons
        )
    else:
        await show(update, text, buttons, new=new, answered=answered)


async def say_cancelled(update: Update, _: Gettext, *, phone_step: bool) -> None:
    """Confirm a Cancel (taking the share-contact keyboard away on the phone step)."""
    text = _("Cancelled. Nothing has been sent or saved.")
    if phone_step:
        await leave_phone_step(update, text)
    else:
        await show(update, text, new=update.callback_query is None)


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


async def phone_noted(update: Update, _: Gettext, phone: str) -> None:
    """Leave the phone step after a number was given."""
    await leave_phone_step(
        update, _("📞 Thank you, noted: {phone}").format(phone=phone_text(phone))
    )


async def phone_kept(update: Update, _: Gettext, phone: str) -> None:
    """Leave the phone step keeping the number the draft already holds."""
    await leave_phone_step(update, _("Phone: {phone}").format(phone=phone_text(phone)))


async def back_from_phone(update: Update, _: Gettext) -> None:
    """Leave the phone step by Back."""
    await leave_phone_step(update, _("« Back"))


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
