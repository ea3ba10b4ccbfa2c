"""The person's rights over their data: `/mydata` (a JSON file of everything held about them)
and `/forget` (erase their personal details, after a confirmation).

`/forget` is a one-step Flow of the kit (see `privacy_rights.mmd`, state "confirm" as before)
so that the confirmation buttons work once and expire afterwards. What is erased and what is kept as
anonymous counts is decided in `services/privacy.py`. Both actions are audited there without
personal data. Any conversation draft the person had (`user_data`) is erased as well.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CommandHandler

from handlers.kit.callbacks import Press
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, STEPS_KEY, Draft, Flow, Outcome, Screen, Step
from handlers.kit.i18n import Gettext
from handlers.kit.screen import show
from services import privacy

CONFIRM = "confirm"
EXPORT_FILE_NAME = "mydata.json"


async def mydata(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        document = await privacy.export(uow, tg_id=who.tg_id, now=data.clock.now())
    # What is only in memory counts too: a draft of a conversation not yet finished.
    drafts = {k: v for k, v in (context.user_data or {}).items() if k not in ("lang", STEPS_KEY)}
    document["conversation_drafts"] = drafts
    content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    if update.callback_query is not None:
        await update.callback_query.answer()
    if update.effective_chat is None:
        return
    await update.effective_chat.send_document(
        document=InputFile(content, filename=EXPORT_FILE_NAME),
        caption=_(
            "Here is everything this bot holds about you, as a JSON file. "
            "To erase your personal details, send /forget."
        ),
    )


def confirm_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("🗑 Yes, erase my data"), callback_data="forget:yes")],
            [InlineKeyboardButton(_("« No, keep my data"), callback_data="forget:no")],
        ]
    )


def forget_question(who: Speaker) -> str:
    _ = who.gettext
    return "\n\n".join(
        [
            "<b>" + _("Erase your personal data?") + "</b>",
            _(
                "This erases your name, phone numbers, what you wrote in your requests and "
                "volunteer sign-ups, your guardian's details and any form you have not finished, "
                "and withdraws your consent."
            ),
            _(
                "The station keeps only anonymous counts (which service, when, the status). "
                "Staff will see your records as “erased”, so they can no longer call you about "
                "an open request."
            ),
            _("This cannot be undone."),
        ]
    )


async def _forget_begin(update: Update, context: Context, who: Speaker) -> Draft:
    return {}


def _render_confirm(context: Context, who: Speaker, draft: Draft) -> Screen:
    return Screen(
        forget_question(who), [list(row) for row in confirm_keyboard(who.gettext).inline_keyboard]
    )


async def forget_declined_finish(
    update: Update, context: Context, who: Speaker, draft: Draft
) -> Outcome:
    """Never reached (the one step ends the flow either way); erases nothing."""
    await show(update, _kept(who.gettext))
    return END


async def forget_confirmed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        report = await privacy.erase(uow, tg_id=who.tg_id, now=data.clock.now())
    if context.user_data is not None:
        context.user_data.clear()
        context.user_data["lang"] = who.lang
    lines = [_("Done. Your personal details have been erased.")]
    if report.requests or report.applications:
        lines.append(
            _(
                "Records cleared: service requests {requests}, volunteer sign-ups {applications}."
            ).format(requests=report.requests, applications=report.applications)
        )
    lines.append(_("You can keep using the bot; we will ask for your consent again if needed."))
    await show(update, "\n".join(lines))
    return END


def _kept(_: Gettext) -> str:
    """/forget's "cancelled": what matters here is that nothing was erased."""
    return _("Nothing was erased. Your data stays as it was.")


async def forget_declined(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    await show(update, _kept(who.gettext))
    return END


FORGET = Flow(
    name="forget",
    prefix="forget",
    steps=(
        Step(
            CONFIRM,
            _render_confirm,
            presses={"yes": forget_confirmed, "no": forget_declined},
            nav=False,  # its own "No, keep my data" button
        ),
    ),
    begin=_forget_begin,
    finish=forget_declined_finish,
    commands=("forget",),
    entry_patterns=(r"^menu:forget$",),
    cancelled=_kept,
)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(FORGET.conversation())
    app.add_handler(CommandHandler("mydata", mydata))
