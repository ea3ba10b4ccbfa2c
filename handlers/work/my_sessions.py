"""`/mysessions`: a supervisor's own last sessions (diagram `mysessions.mmd`), each with
✏️ (correct the day, the hours, online/offline or the typed topic: `supervision.correct_session`,
audited with old and new value) and 🗑 (asks first: `supervision.delete_session`). Both within
`record_rules.worker_edit_days` of entering the session."""

from __future__ import annotations

import unicodedata
from datetime import date
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers.kit.callbacks import Press, encode, pattern
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    END,
    TEXT,
    WORK_IDLE,
    Draft,
    Flow,
    LookCommand,
    Outcome,
    Reask,
    Screen,
    Step,
)
from handlers.kit.i18n import ngettext_of
from handlers.kit.screen import show
from handlers.kit.steps import example_day, local_today, unread_date
from handlers.kit.words import day_label, hours_label, only_for
from handlers.work import work_forms
from handlers.work.quota import mode_label
from services import supervision
from services.activities import DayLimitExceeded
from services.dates import read_date
from services.errors import InvalidValue, NotFound
from services.people import SUPERVISOR
from services.quota import OFFLINE, ONLINE
from services.supervision import SessionChanges, SessionEditWindowClosed, SupervisionEntry

KEY = "mss"
FIELDS = ("date", "hours", "mode", "topic")


def _line(context: Context, who: Speaker, number: int, entry: SupervisionEntry) -> str:
    _ = who.gettext
    topic = entry.topic_text or ""
    if entry.topic_code:
        found = next(
            (
                t
                for t in context.bot_data.knowledge.supervision_topics
                if t.code == entry.topic_code
            ),
            None,
        )
        label = found.name(who.lang) if found else entry.topic_code
        topic = f"{label}（{entry.topic_text}）" if entry.topic_text else label
    return " · ".join(
        [
            f"{number}. {day_label(_, entry.session_date)}",
            _("{hours} h").format(hours=hours_label(entry.hours)),
            mode_label(_, entry.mode),
            escape(topic),
        ]
    )


async def _show_list(
    update: Update, context: Context, who: Speaker, notice: str | None = None
) -> None:
    _ = who.gettext
    entries = await context.bot_data.use_case(supervision.my_sessions, supervisor_tg_id=who.tg_id)
    lines = [notice, ""] if notice else []
    if not entries:
        lines.append(_("You have no supervision sessions yet. /supervise records one."))
        await show(update, "\n".join(lines))
        return
    lines.append("<b>" + _("Your last supervision sessions:") + "</b>")
    lines += [_line(context, who, n, e) for n, e in enumerate(entries, start=1)]
    lines += ["", _("✏️ corrects a session and 🗑 deletes it, for 7 days after it was entered.")]
    rows = [
        [
            InlineKeyboardButton(f"✏️ {n}", callback_data=encode(KEY, "fix", e.id)),
            InlineKeyboardButton(f"🗑 {n}", callback_data=encode(KEY, "del", e.id)),
        ]
        for n, e in enumerate(entries, start=1)
    ]
    await show(update, "\n".join(lines), InlineKeyboardMarkup(rows))


async def mysessions(update: Update, context: Context) -> None:
    who = await context.person(update)
    if not who.access.supervisor_stations:
        await show(update, only_for(who, SUPERVISOR))
        return
    await _show_list(update, context, who)


def _window_closed(who: Speaker, context: Context) -> str:
    days = context.bot_data.knowledge.record_rules.worker_edit_days
    ngettext = ngettext_of(who.gettext)
    return ngettext(
        "A session can be changed for {days} day after it was entered; this one is older.",
        "A session can be changed for {days} days after it was entered; this one is older.",
        days,
    ).format(days=days)


async def on_delete(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    session_id = context.pressed_id(update)
    if session_id is None:
        await _show_list(update, context, who, _("I could not find that session."))
        return
    rows = [[
        InlineKeyboardButton(_("🗑 Yes, delete it"), callback_data=encode(KEY, "delyes", session_id)),
        InlineKeyboardButton(_("« Keep it"), callback_data=encode(KEY, "list")),
    ]]  # fmt: skip
    await show(update, _("Delete this session?"), InlineKeyboardMarkup(rows))


async def on_delete_confirmed(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    try:
        session_id = context.found_id(update, "session")
        await data.use_case(
            supervision.delete_session, supervisor_tg_id=who.tg_id, session_id=session_id, now=data.clock.now(),
            rules=data.knowledge.record_rules,
        )  # fmt: skip
    except NotFound:
        await _show_list(update, context, who, _("I could not find that session."))
        return
    except SessionEditWindowClosed:
        await _show_list(update, context, who, _window_closed(who, context))
        return
    await _show_list(update, context, who, _("🗑 Deleted."))


async def on_list(update: Update, context: Context) -> None:
    await _show_list(update, context, await context.person(update))


# --- correcting one session -------------------------------------------------------------------
def _render_what(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    labels = {
        "date": _("Day"),
        "hours": _("Hours"),
        "mode": _("Online or offline"),
        "topic": _("Topic text"),
    }
    rows = [[InlineKeyboardButton(labels[f], callback_data=encode(KEY, "what", f))] for f in FIELDS]
    return Screen(_("What do you want to correct?"), rows)


async def on_what(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    if press.arg() not in FIELDS:
        raise Reask(None)
    draft["what"] = press.arg()
    return None


def _render_value(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    what = draft.get("what")
    if what == "mode":
        rows = [[
            InlineKeyboardButton(_("💻 Online"), callback_data=encode(KEY, "mode", ONLINE)),
            InlineKeyboardButton(_("🤝 Offline"), callback_data=encode(KEY, "mode", OFFLINE)),
        ]]  # fmt: skip
        return Screen(_("Was it online or offline (in person)?"), rows)
    if what == "date":
        example = day_label(_, example_day(local_today(context)))
        return Screen(_("Type the day, like {day} or yesterday.").format(day=example))
    if what == "hours":
        return Screen(_("Type the hours (0.5 to 8, in half hours)."))
    return Screen(_("Type the topic (up to 200 characters)."))


async def on_mode(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    if press.arg() not in (ONLINE, OFFLINE):
        raise Reask(None)
    draft["value"] = press.arg()
    return None


async def on_value(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    _ = who.gettext
    what = draft.get("what")
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if what == "date":
        try:
            cleaned = read_date(cleaned, local_today(context), direction="past").isoformat()
        except InvalidValue as error:
            raise Reask(unread_date(_, error, local_today(context))) from error
    elif what == "hours":
        try:
            minutes = round(float(cleaned.replace(",", ".")) * 60)
        except ValueError:
            raise Reask(_("Please type the hours as a number, like 1.5.")) from None
        cleaned = str(minutes)
    elif what == "topic":
        if not text.strip() or len(text.strip()) > supervision.MAX_TOPIC:
            raise Reask(_("Please keep the topic between 1 and 200 characters."))
        cleaned = text.strip()
    else:
        raise Reask(None)
    draft["value"] = cleaned
    return None


STEPS = (
    Step("what", _render_what, {"what": on_what}),
    Step("value", _render_value, {"mode": on_mode}, on_text=on_value, expects=TEXT),
)


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    session_id = context.pressed_id(update)
    if session_id is None or not who.access.supervisor_stations:
        await show(update, who.gettext("I could not find that session."))
        return None
    return {"id": session_id}


async def finish(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    what, value = draft.get("what"), str(draft.get("value", ""))
    changes = SessionChanges(
        session_date=date.fromisoformat(value) if what == "date" else None,
        minutes=int(value) if what == "hours" else None,
        mode=value if what == "mode" else None,
        topic_text=value if what == "topic" else None,
    )
    try:
        await data.use_case(
            supervision.correct_session, supervisor_tg_id=who.tg_id, session_id=int(draft["id"]), changes=changes,
            now=data.clock.now(), zone=data.clock.zone,
            topic_codes=[t.code for t in data.knowledge.supervision_topics],
            rules=data.knowledge.record_rules,
        )  # fmt: skip
    except NotFound:
        await _show_list(update, context, who, _("I could not find that session."))
        return END
    except SessionEditWindowClosed:
        await _show_list(update, context, who, _window_closed(who, context))
        return END
    except DayLimitExceeded as too_much:
        raise Reask(work_forms.day_limit_text(_, too_much), "value") from None
    except InvalidValue:
        raise Reask(_("That value cannot be used; please check it."), "value") from None
    await _show_list(update, context, who, _("✅ Corrected."))
    return END


FLOW = Flow("mysessions_fix", KEY, STEPS, begin, finish, entry_patterns=(rf"^{KEY}:fix:\d+$",),
            idle=WORK_IDLE)  # fmt: skip


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(FLOW.conversation())
    app.add_handler(LookCommand("mysessions", mysessions))
    app.add_handler(CallbackQueryHandler(on_delete, pattern=pattern(KEY, "del")))
    app.add_handler(CallbackQueryHandler(on_delete_confirmed, pattern=pattern(KEY, "delyes")))
    app.add_handler(CallbackQueryHandler(on_list, pattern=pattern(KEY, "list")))
