"""`/supervise`: a supervisor logs one session; `/quota`: hours against the monthly quota.

The /supervise journey (diagram: `supervision.mmd`):
station (only when several are assigned) → day (today, yesterday, or another day of the
open window) → hours (0.5 to 8, in half hours: buttons, or typed) → online or offline →
topic (a catalogue button, or typed) → confirm. After saving, the station's standing for
that month is shown at once. The draft lives in `context.user_data["sup"]` (JSON only)
with a token, so a second Save press saves once.

`/quota` (diagram: `quota.mmd`) is a view and ends at once: supervisors see each assigned
station, station heads their station, admins every station in one table, behind ones first
(paged by buttons that re-check the admin role on every press).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.i18n import Gettext
from handlers.kit.keyboards import choices, markup, nav_row, station_buttons
from handlers.work.staff_flow import TEXT, Draft, Handlers, StepFlow, local_today, typed, value
from handlers.work.work_steps import (
    calendar_step,
    date_buttons,
    day_label,
    hours_label,
    hours_problem,
    month_label,
    show,
    staff_only,
)
from services import supervision
from services.errors import InvalidValue, NotAllowed
from services.numbers import hours_to_minutes, parse_hours
from services.quota import BEHIND, MET, MISSED, OFFLINE, ON_TRACK, ONLINE, QuotaStatus

KEY = "sup"
STATION, DATE, DAY, HOURS, MODE, TOPIC, CONFIRM = range(7)
MIN_HOURS = supervision.MIN_MINUTES / 60
MAX_HOURS = supervision.MAX_MINUTES / 60
_hours_problem = partial(hours_problem, minimum=MIN_HOURS, maximum=MAX_HOURS)
PAGE = 25  # stations per page of the admin table


STATUS_ICONS = {MET: "✅", ON_TRACK: "🟢", BEHIND: "🔴", MISSED: "❌"}


def status_label(_: Gettext, status: str) -> str:
    labels = {
        MET: _("✅ met"),
        ON_TRACK: _("🟢 on track"),
        BEHIND: _("🔴 behind"),
        MISSED: _("❌ missed"),
    }
    return labels.get(status, status)


def mode_label(_: Gettext, mode: str) -> str:
    return _("online") if mode == ONLINE else _("offline (in person)")


def quota_block(_: Gettext, station_name: str, quota: QuotaStatus) -> str:
    """One station's standing, as a supervisor or station head reads it."""
    lines = [
        f"<b>{escape(station_name)}</b> · {status_label(_, quota.status)}",
        _("{month}: {done} h of {quota} (online {online}, offline {offline})").format(
            month=month_label(_, quota.month),
            done=hours_label(quota.total_hours),
            quota=hours_label(quota.quota_hours),
            online=hours_label(quota.online_hours),
            offline=hours_label(quota.offline_hours),
        ),
    ]
    if quota.hours_needed == 0:
        lines.append(_("The quota is met."))
    elif quota.days_left == 0:
        lines.append(
            _("{needed} h were missing when the month ended.").format(
                needed=hours_label(quota.hours_needed)
            )
        )
    else:
        lines.append(
            _("Still needed: {needed} h · {days} days left · about {weekly} h a week").format(
                needed=hours_label(quota.hours_needed),
                days=quota.days_left,
                weekly=f"{quota.hours_per_week_needed:.1f}",
            )
        )
    return "\n".join(lines)


# --- /supervise: the draft and the steps ------------------------------------------------------
def _steps(context: Context, draft: Draft) -> list[int]:
    steps = [STATION] if draft.get("several_stations") else []
    steps.append(DATE)
    if draft.get("picked"):
        steps.append(DAY)
    return [*steps, HOURS, MODE, TOPIC, CONFIRM]


def _station_name(context: Context, who: Speaker, code: str | None) -> str:
    station = context.bot_data.knowledge.stations.get(code or "")
    return station.name(who.lang) if station else (code or "")


def _topic_name(context: Context, who: Speaker, draft: Draft) -> str:
    code = draft.get("topic_code")
    if code:
        topic = next(
            (t for t in context.bot_data.knowledge.supervision_topics if t.code == code), None
        )
        return topic.name(who.lang) if topic else code
    return str(draft.get("topic_text") or "")


def _summary(context: Context, who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    return "\n".join(
        [
            _("Station: {station}").format(
                station=escape(_station_name(context, who, draft.get("station")))
            ),
            _("Day: {day}").format(day=day_label(_, date.fromisoformat(draft["date"]))),
            _("Hours: {hours}").format(hours=hours_label(draft["minutes"] / 60)),
            _("Form: {mode}").format(mode=mode_label(_, draft["mode"])),
            _("Topic: {topic}").format(topic=escape(_topic_name(context, who, draft))),
        ]
    )


async def _ask(
    update: Update, context: Context, who: Speaker, step: int, problem: str | None = None
) -> int:
    _ = who.gettext
    knowledge = context.bot_data.knowledge
    draft = FLOW.draft(context)
    draft["step"] = step
    today = local_today(context)
    nav = nav_row(_, KEY, back=_steps(context, draft)[0] != step)
    rows: list[list[InlineKeyboardButton]] = []
    if step == STATION:
        text = _("🧭 Which station was the supervision for?")
        rows = station_buttons(
            [s for s in knowledge.stations.stations if s.code in who.access.supervisor_stations],
            who.lang,
            "sup:st",
        )
    elif step == DATE:
        text = _("🧭 Supervision for {station}. Which day was it?").format(
            station=escape(_station_name(context, who, draft.get("station")))
        )
        rows = date_buttons(_, KEY, today)
    elif step == DAY:
        text, rows = calendar_step(_, KEY, today, draft.get("calendar"))
    elif step == HOURS:
        text = _("How long was it? Choose, or type the hours (0.5 to 8, in half hours).")
        rows = choices(
            (
                (hours_label(m / 60), f"sup:hrs:{m}")
                for m in range(supervision.MIN_MINUTES, supervision.MAX_MINUTES + 1, 30)
            ),
            per_row=4,
        )
    elif step == MODE:
        text = _("Was it online or offline (in person)?")
        rows = [
            [
                InlineKeyboardButton(_("💻 Online"), callback_data=f"sup:mode:{ONLINE}"),
                InlineKeyboardButton(_("🤝 Offline"), callback_data=f"sup:mode:{OFFLINE}"),
            ]
        ]
    elif step == TOPIC:
        text = _("What was it about? Choose a topic, or type your own (up to 200 characters).")
        rows = choices(
            (t.name(who.lang), f"sup:topic:{t.code}") for t in knowledge.supervision_topics
        )
    else:
        text = _("<b>Please check, then save:</b>") + "\n" + _summary(context, who, draft)
        rows = [[InlineKeyboardButton(_("✅ Save"), callback_data="sup:ok")]]
    if problem:
        text = "⚠️ " + problem + "\n\n" + text
    await show(update, text, markup(rows, nav))
    return step


FLOW = StepFlow(
    key=KEY,
    ask=_ask,
    steps=_steps,
    station_step=STATION,
    date_step=DATE,
    stations=lambda who: who.access.supervisor_stations,
    day_step=DAY,
    typed_steps=frozenset({DATE, DAY, HOURS, TOPIC}),
    default_step=DATE,
    busy=lambda _: _("You are in the middle of logging supervision. Finish it, or send /cancel."),
)


def _refusal(who: Speaker) -> str:
    _ = who.gettext
    if not who.access.is_staff:
        return staff_only(_)
    return _("Only supervisors log supervision sessions.")


async def start_supervise(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    return await FLOW.start(update, context, who, _refusal(who))


async def _set_minutes(update: Update, context: Context, who: Speaker, minutes: int) -> int:
    FLOW.draft(context)["minutes"] = minutes
    return await _ask(update, context, who, MODE)


async def on_hours(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    try:
        minutes = int(value(update))
    except ValueError:
        minutes = 0
    valid = supervision.MIN_MINUTES <= minutes <= supervision.MAX_MINUTES
    if not valid or minutes % supervision.STEP_MINUTES:
        return await _ask(update, context, who, HOURS)
    return await _set_minutes(update, context, who, minutes)


async def on_typed_hours(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    try:
        hours = parse_hours(typed(update), minimum=MIN_HOURS, maximum=MAX_HOURS, step=0.5)
    except InvalidValue as problem:
        return await _ask(update, context, who, HOURS, _hours_problem(who.gettext, problem.reason))
    return await _set_minutes(update, context, who, hours_to_minutes(hours))


async def on_mode(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    mode = value(update)
    if mode not in supervision.MODES:
        return await _ask(update, context, who, MODE)
    FLOW.draft(context)["mode"] = mode
    return await _ask(update, context, who, TOPIC)


async def on_topic(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    code = value(update)
    if code not in {t.code for t in context.bot_data.knowledge.supervision_topics}:
        return await _ask(update, context, who, TOPIC)
    draft = FLOW.draft(context)
    draft["topic_code"], draft["topic_text"] = code, None
    return await _ask(update, context, who, CONFIRM)


async def on_typed_topic(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    text = typed(update).strip()
    if len(text) > supervision.MAX_TOPIC:
        problem = _("That is {length} characters long; please keep the topic under 200.")
        return await _ask(update, context, who, TOPIC, problem.format(length=len(text)))
    if not text:
        return await _ask(update, context, who, TOPIC)
    draft = FLOW.draft(context)
    draft["topic_code"], draft["topic_text"] = None, text
    return await _ask(update, context, who, CONFIRM)


async def on_confirm(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    draft = FLOW.draft(context)
    try:
        async with data.uow() as uow:
            saved = await supervision.log_session(
                uow,
                supervisor_tg_id=who.tg_id,
                station_code=draft.get("station", ""),
                session_date=date.fromisoformat(draft["date"]),
                minutes=int(draft["minutes"]),
                mode=draft["mode"],
                topic_code=draft.get("topic_code"),
                topic_text=draft.get("topic_text"),
                client_token=draft["token"],
                now=data.clock.now(),
                zone=data.clock.zone,
                topic_codes=[t.code for t in data.knowledge.supervision_topics],
            )
    except NotAllowed:
        FLOW.drop(context)
        await show(update, _("This station is no longer assigned to you, so nothing was saved."))
        return ConversationHandler.END
    except InvalidValue as problem:
        if problem.field == "date":
            return await FLOW.date_refused(update, context, who, problem)
        if problem.field == "hours":
            return await _ask(update, context, who, HOURS, _hours_problem(_, problem.reason))
        if problem.field == "mode":
            return await _ask(update, context, who, MODE)
        return await _ask(update, context, who, TOPIC, _("Please choose the topic again."))
    summary = _summary(context, who, draft)
    FLOW.drop(context)
    parts = [_("✅ Saved."), summary]
    if saved.quota is not None:
        name = _station_name(context, who, saved.session.station_code)
        parts += ["", quota_block(_, name, saved.quota)]
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("⏱ Quota"), callback_data="menu:quota"),
                InlineKeyboardButton(_("🏠 Menu"), callback_data="menu:menu"),
            ]
        ]
    )
    await show(update, "\n".join(parts), buttons)
    return ConversationHandler.END


# --- /quota -----------------------------------------------------------------------------------
def _quota_stations(who: Speaker) -> set[str] | None:
    """The stations this person may see the quota of; None means all (admins)."""
    if who.access.is_admin:
        return None
    return set(who.access.supervisor_stations | who.access.head_stations)


_ORDER = {BEHIND: 0, MISSED: 1, ON_TRACK: 2, MET: 3}


def quota_table(
    _: Gettext, lang: str, names: dict[str, str], statuses: list[QuotaStatus], page: int
) -> tuple[str, int]:
    """Every station in one table, behind ones first (most hours missing first, then in
    catalogue order, the order of `names`); one page of it and the number of pages. Lines stay
    short so a page fits a phone and 4096 characters."""
    position = {code: index for index, code in enumerate(names)}  # catalogue order
    ordered = sorted(
        statuses,
        key=lambda q: (
            _ORDER.get(q.status, 9),
            -q.hours_needed,
            position.get(q.station_code, len(position)),
        ),
    )
    pages = max(1, -(-len(ordered) // PAGE))
    page = min(max(page, 0), pages - 1)
    counts = {s: sum(1 for q in statuses if q.status == s) for s in (BEHIND, ON_TRACK, MET, MISSED)}
    month = ordered[0].month if ordered else None
    lines = [
        "<b>"
        + _("Supervision hours, {month}: all stations").format(
            month=month_label(_, month) if month else ""
        )
        + "</b>",
        _("behind {behind} · on track {on_track} · met {met}").format(
            behind=counts[BEHIND] + counts[MISSED], on_track=counts[ON_TRACK], met=counts[MET]
        ),
        "",
    ]
    for quota in ordered[page * PAGE : (page + 1) * PAGE]:
        icon = STATUS_ICONS.get(quota.status, "")
        line = (
            icon
            + " "
            + escape(names.get(quota.station_code, quota.station_code))
            + " "
            + _("{done}/{quota} h").format(
                done=hours_label(quota.total_hours), quota=hours_label(quota.quota_hours)
            )
        )
        if quota.hours_needed:
            line += " · " + _("needs {needed}").format(needed=hours_label(quota.hours_needed))
        lines.append(line)
    if pages > 1:
        lines += ["", _("Page {page} of {pages}").format(page=page + 1, pages=pages)]
    return "\n".join(lines), pages


async def show_quota(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    allowed = _quota_stations(who)
    if allowed is not None and not allowed:
        text = (
            staff_only(_)
            if not who.access.is_staff
            else _("The supervision quota is for supervisors, station heads and administrators.")
        )
        await show(update, text)
        return ConversationHandler.END
    page = 0
    query = update.callback_query
    if query is not None and query.data and query.data.startswith("quota:pg:"):
        try:
            page = int(query.data.rsplit(":", 1)[1])
        except ValueError:
            page = 0
    async with data.uow() as uow:
        statuses = await supervision.quota_overview(
            uow,
            station_codes=sorted(allowed) if allowed is not None else None,
            now=data.clock.now(),
            zone=data.clock.zone,
        )
    names = {s.code: s.name(who.lang) for s in data.knowledge.stations.stations}
    if allowed is None:
        text, pages = quota_table(_, who.lang, names, statuses, page)
        page = min(max(page, 0), pages - 1)
        nav = []
        if page > 0:
            nav.append(InlineKeyboardButton("‹", callback_data=f"quota:pg:{page - 1}"))
        if page < pages - 1:
            nav.append(InlineKeyboardButton("›", callback_data=f"quota:pg:{page + 1}"))
        await show(update, text, InlineKeyboardMarkup([nav]) if nav else None)
        return ConversationHandler.END
    blocks = [quota_block(_, names.get(q.station_code, q.station_code), q) for q in statuses]
    header = "<b>" + _("⏱ Supervision quota this month") + "</b>"
    await show(update, "\n\n".join([header, *blocks]))
    return ConversationHandler.END


# --- wiring -----------------------------------------------------------------------------------
def supervise_conversation() -> ConversationHandler[Context]:
    def state(*handlers: BaseHandler[Update, Context, Any]) -> Handlers:
        return FLOW.state(FLOW.on_back, *handlers)

    return ConversationHandler(
        name="supervise",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("supervise", start_supervise),
            CallbackQueryHandler(start_supervise, pattern=r"^menu:supervise$"),
        ],
        states={
            STATION: state(CallbackQueryHandler(FLOW.on_station, pattern=r"^sup:st:")),
            **FLOW.date_states(FLOW.on_back),
            HOURS: state(
                CallbackQueryHandler(on_hours, pattern=r"^sup:hrs:"),
                MessageHandler(TEXT, on_typed_hours),
            ),
            MODE: state(CallbackQueryHandler(on_mode, pattern=r"^sup:mode:")),
            TOPIC: state(
                CallbackQueryHandler(on_topic, pattern=r"^sup:topic:"),
                MessageHandler(TEXT, on_typed_topic),
            ),
            CONFIRM: state(CallbackQueryHandler(on_confirm, pattern=r"^sup:ok$")),
        },
        fallbacks=[CallbackQueryHandler(FLOW.stale_step, pattern=r"^sup:")],
    )


def quota_conversation() -> ConversationHandler[Context]:
    """A view: every entry shows and ends, so it never holds on to what is typed later."""
    return ConversationHandler(
        name="quota",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("quota", show_quota),
            CallbackQueryHandler(show_quota, pattern=r"^menu:quota$"),
            CallbackQueryHandler(show_quota, pattern=r"^quota:pg:\d+$"),
        ],
        states={},
        fallbacks=[],
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(supervise_conversation())
    app.add_handler(quota_conversation())
