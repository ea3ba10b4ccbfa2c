"""The person's rights over their data: `/mydata` (a JSON file of everything held about them)
and `/forget` (erase their personal details, after a confirmation).

`/forget` is a one-step persistent conversation (see `privacy_rights.mmd`) so that the
confirmation buttons work once and expire afterwards. What is erased and what is kept as
anonymous counts is decided in `services/privacy.py`. Both actions are audited there without
personal data. Any conversation draft the person had (`user_data`) is erased as well.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.flow import STEPS_KEY
from handlers.people.start import reply
from services import privacy

CONFIRM = "confirm"
EXPORT_FILE_NAME = "mydata.json"


async def mydata(update: Update, context: Context) -> None:
    who = await speaker(update, context)
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


def confirm_keyboard(_: Any) -> InlineKeyboardMarkup:
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


async def forget_start(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    await reply(update, forget_question(who), confirm_keyboard(who.gettext))
    return CONFIRM


async def forget_confirmed(update: Update, context: Context) -> int:
    who = await speaker(update, context)
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
    await reply(update, "\n".join(lines))
    return ConversationHandler.END


async def forget_declined(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    await reply(update, _("Nothing was erased. Your data stays as it was."))
    return ConversationHandler.END


async def forget_reask(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    text = _("Please answer with one of the buttons.") + "\n\n" + forget_question(who)
    await reply(update, text, confirm_keyboard(_))
    return CONFIRM


def forget_conversation() -> ConversationHandler[Context]:
    return ConversationHandler(
        name="forget",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("forget", forget_start),
            CallbackQueryHandler(forget_start, pattern=r"^menu:forget$"),
        ],
        states={
            CONFIRM: [
                CallbackQueryHandler(forget_confirmed, pattern=r"^forget:yes$"),
                CallbackQueryHandler(forget_declined, pattern=r"^forget:no$"),
                MessageHandler(filters.ALL & ~filters.COMMAND, forget_reask),
            ],
        },
        fallbacks=[CommandHandler("cancel", forget_declined)],
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(forget_conversation())
    app.add_handler(CommandHandler("mydata", mydata))
    app.add_handler(CallbackQueryHandler(mydata, pattern=r"^menu:mydata$"))
