"""The person's rights over their data: `/mydata` (a JSON file of everything held about them)
and `/forget` (erase their personal details, after a confirmation).

`/forget` is a one-step Flow of the kit (see `privacy_rights.mmd`, state "confirm" as before)
so that the confirmation buttons work once and expire afterwards. What is erased and what is kept as
anonymous counts is decided in `services/privacy.py`. Both actions are audited there without
personal data. Any conversation draft the person had (`user_data`) is erased as well.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application

from handlers.kit.callbacks import Press
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    END,
    STEPS_KEY,
    TOUCHED_KEY,
    Draft,
    Flow,
    LookCommand,
    Outcome,
    Screen,
    Step,
    no_is,
)
from handlers.kit.i18n import N_, Gettext
from handlers.kit.screen import answer_press, show
from handlers.kit.words import clock_label, day_label, ngettext_for, role_label, zone_name
from services import privacy

CONFIRM = "confirm"
EXPORT_FILE_NAME = "mydata.json"


async def mydata(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    document = await data.use_case(privacy.export, tg_id=who.tg_id, now=data.clock.now())
    # What is only in memory counts too: a draft of a conversation not yet finished.
    drafts = {
        k: v
        for k, v in (context.user_data or {}).items()
        if k not in ("lang", STEPS_KEY, TOUCHED_KEY)
    }
    document["conversation_drafts"] = drafts
    content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await answer_press(update)
    if update.effective_chat is None:
        return
    held = await data.use_case(privacy.summary, tg_id=who.tg_id, zone=data.clock.zone)
    await update.effective_chat.send_message(plain_summary(context, who, held))
    await update.effective_chat.send_document(
        document=InputFile(content, filename=EXPORT_FILE_NAME),
        caption=_(
            "Here is everything this bot holds about you, as a JSON file. "
            "To erase your personal details, send /forget."
        ),
    )


CONSENT_LABELS = {
    "personal_info": N_("your details used to handle your requests"),
    "cross_border": N_("messages passing through Telegram's servers abroad"),
    "question_to_person": N_("your questions passed to a social worker"),
    "question_via_bureau": N_("your questions passed on by the civil affairs bureau"),
}
REQUEST_STATUS = {  # the same words as /myrequests
    "submitted": N_("🆕 Submitted"),
    "accepted": N_("✅ Accepted"),
    "in_progress": N_("🔧 In progress"),
    "completed": N_("✔️ Completed"),
    "declined": N_("✖️ Declined"),
    "cancelled": N_("↩️ Cancelled"),
}
APPLICATION_STATUS = {
    "pending": N_("⏳ Waiting for the station's decision"),
    "approved": N_("✅ Approved"),
    "declined": N_("✖️ Declined"),
    "withdrawn": N_("↩️ Withdrawn"),
}


def _when(_: Gettext, moment: datetime) -> str:
    """A local time as people read it: 12月2日 8:30 / December 2 8:30."""
    return _("{day} {time}").format(day=day_label(_, moment.date()), time=clock_label(moment))


def plain_summary(context: Context, who: Speaker, held: privacy.DataSummary) -> str:
    """What /mydata's file holds, in words, in the person's language, at local times."""
    _ = who.gettext
    knowledge = context.bot_data.knowledge
    zone = zone_name(_, context.bot_data.clock.zone)

    def station(code: str | None) -> str:
        found = knowledge.stations.get(code) if code else None
        return escape(found.name(who.lang)) if found is not None else escape(code or "")

    def coded(table: dict[str, str], code: str) -> str:
        return _(table[code]) if code in table else escape(code)

    lines = ["<b>" + _("What this bot holds about you") + "</b>"]
    lines.append(_("Times are {zone}.").format(zone=zone))
    if held.erased:
        lines.append(_("Your personal details were erased; only anonymous counts are kept."))
    if held.display_name:
        lines.append(_("Name: {name}").format(name=escape(held.display_name)))
    lines.append(_("Language: {language}").format(
        language="中文" if held.language.startswith("zh") else "English"
    ))  # fmt: skip
    if held.first_contact_at is not None:
        lines.append(_("First message to the bot: {time}").format(
            time=_when(_, held.first_contact_at)
        ))  # fmt: skip
    if held.last_station_code:
        lines.append(_("Your station: {station}").format(station=station(held.last_station_code)))
    if held.broadcast_opt_out:
        lines.append(_("You do not receive broadcasts."))

    def consent_line(given: privacy.ConsentLine) -> str:
        if given.withdrawn_at is not None:
            when = _("agreed {time}, withdrawn {withdrawn}").format(
                time=_when(_, given.given_at), withdrawn=_when(_, given.withdrawn_at)
            )
        else:
            when = _("agreed {time}").format(time=_when(_, given.given_at))
        return _("{what}: {when}").format(what=coded(CONSENT_LABELS, given.kind), when=when)

    lines += section(_("Your consents"), [consent_line(given) for given in held.consents])
    lines += section(
        _("Your requests"),
        [
            _("{ref}: {service}, {station}, sent {time}, {status}").format(
                ref=escape(request.ref),
                service=escape(knowledge.services.name(request.service_code, who.lang)),
                station=station(request.station_code),
                time=_when(_, request.created_at),
                status=coded(REQUEST_STATUS, request.status),
            )
            for request in held.requests
        ],
    )
    lines += section(
        _("Your volunteer applications"),
        [
            _("{station}, sent {time}, {status}").format(
                station=station(application.station_code),
                time=_when(_, application.created_at),
                status=coded(APPLICATION_STATUS, application.status),
            )
            for application in held.applications
        ],
    )

    def role_line(role: privacy.RoleLine) -> str:
        where = station(role.station_code) if role.station_code else ""
        text = role_label(_, role.role) + (f", {where}" if where else "")
        if role.revoked_at is not None:
            text += ", " + _("ended {time}").format(time=_when(_, role.revoked_at))
        return text

    lines += section(_("Your staff roles"), [role_line(role) for role in held.roles])
    lines += case_reads_lines(context, who, held.case_reads)
    lines += [
        "",
        _("Questions you asked: {count} ({open} still open).").format(
            count=held.questions_asked, open=held.questions_open
        ),
        _("Messages the bot sent you: {count}.").format(count=held.messages_received),
    ]
    return "\n".join(lines)


CASE_READS_SHOWN = 10


def section(title: str, items: Sequence[str]) -> list[str]:
    """A heading in bold and a bullet an item, after a blank line; nothing without items."""
    return ["", "<b>" + title + "</b>", *("• " + item for item in items)] if items else []


def case_reads_lines(
    context: Context, who: Speaker, reads: Sequence[privacy.CaseReadLine]
) -> list[str]:
    """Who opened the person's case records, newest first, at most `CASE_READS_SHOWN`."""
    if not reads:
        return []
    _ = who.gettext
    ngettext = ngettext_for(context.bot_data.translator, who.lang)
    roles = "、" if who.lang.startswith("zh") else ", "
    lines = section(
        _("Who read your case records"),
        [
            _("{time}: {name} ({roles}) read case {number}").format(
                time=_when(_, read.at),
                name=escape(read.name or _("a member of staff")),
                roles=roles.join(role_label(_, r) for r in read.roles) or _("no staff role"),
                number=escape(read.case_number),
            )
            for read in reads[:CASE_READS_SHOWN]
        ],
    )
    more = len(reads) - CASE_READS_SHOWN
    if more > 0:
        lines.append(ngettext("and one more", "and {count} more", more).format(count=more))
    return lines


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
    report = await data.use_case(privacy.erase, tg_id=who.tg_id, now=data.clock.now())
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
            typed_no=no_is("forget:no"),  # "不要" typed keeps the data
        ),
    ),
    begin=_forget_begin,
    finish=forget_declined_finish,
    command="forget",
    cancelled=_kept,
)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(FORGET.conversation())
    app.add_handler(LookCommand("mydata", mydata))
