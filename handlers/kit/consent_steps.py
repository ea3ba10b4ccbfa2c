"""The two consent states as a journey that collects personal data runs them (/request,
/volunteer): the privacy notice (`<prefix>:cons:yes|no`), then the cross-border transfer
(`<prefix>:xb:yes|no|back`). Declining either drops the draft, stores nothing and shows the
menu; agreeing to both records consent and goes on with the journey's own first step.

The texts and buttons themselves are in `handlers/consent.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ConversationHandler

from handlers.kit import consent
from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.prompts import clear_draft, pressed_code, show

CONSENT_PI, CONSENT_XB = "consent_pi", "consent_xb"
ShowState = Callable[[Update, Context, Speaker, str], Awaitable[str]]
Proceed = Callable[[Update, Context, Speaker], Awaitable[str]]


async def personal_info_answered(
    update: Update, context: Context, draft_key: str, show_step: ShowState
) -> str | int:
    """Yes to the privacy notice: on to the cross-border question; no: declined."""
    who = await speaker(update, context)
    if pressed_code(update) == "yes":
        return await show_step(update, context, who, CONSENT_XB)
    return await declined(update, context, who, draft_key)


async def cross_border_answered(
    update: Update, context: Context, draft_key: str, show_step: ShowState, proceed: Proceed
) -> str | int:
    """Yes: consent is recorded and the journey `proceed`s; no: declined; back: the notice."""
    who = await speaker(update, context)
    answer = pressed_code(update)
    if answer == "back":
        return await show_step(update, context, who, CONSENT_PI)
    if answer == "no":
        return await declined(update, context, who, draft_key)
    await consent.record(context, who)
    return await proceed(update, context, who)


async def declined(update: Update, context: Context, who: Speaker, draft_key: str) -> int:
    """Nothing is kept: the draft goes, the person sees why and the menu."""
    assert context.user_data is not None
    clear_draft(context, draft_key)
    await show(update, consent.declined_text(who.gettext))
    await context.bot_data.show_menu(update, context, who)
    return ConversationHandler.END
