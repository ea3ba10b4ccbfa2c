"""`/activity`: a worker or the head of a station publishes a volunteer activity, then runs it
from its card (diagram: `activity.mmd`).

The Flow (prefix `vact`): station (only with several) → menu (a new activity, one of the
upcoming ones, the station's poster for heads) → title → day (the next 14 days as buttons, or
typed) → start (8:00 to 20:00 in half hours, or typed "14:00-16:30", which fills the end too)
→ end → place → volunteers needed → skills wanted (toggles, none = anyone) → minors yes/no →
summary with Edit → `services.volunteer_activities.publish`.

After publishing (or opening an upcoming one) the card is shown: the two QR codes as photos
(segno PNG in memory) with their deep links, then the card with its buttons (prefix `vam`,
outside the Flow, every press re-checked by the service): roster, confirm all, record, cancel.
The roster has one row per volunteer: ✅ confirm their hours, −0.5 / +0.5 h to correct them.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.activities.words import card_text, clock_time, hours_text, station_name
from handlers.documents.station_poster import poster_for, poster_pdf, poster_png
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, NUMBER, TEXT, Draft, Flow, Outcome, Reask, Screen, Step
from handlers.kit.i18n import N_, Gettext, ngettext_of
from handlers.kit.keyboards import grid
from handlers.kit.screen import alert, answer_press, show
from handlers.kit.steps import (
    choice_step,
    confirm_step,
    local_today,
    number_press,
    offered,
    toggles_step,
    typed_into,
    unread_date,
)
from handlers.kit.words import (
    day_label,
    hours_count,
    only_for,
    person_times_count,
    volunteers_count,
)
from knowledge.deep_links import deep_link
from services import volunteer_activities as va
from services.dates import read_date
from services.errors import InvalidValue, NotAllowed, NotFound
from services.numbers import parse_count
from services.people import ADMIN, STATION_HEAD, WORKER

KEY = "vact"  # the Flow's prefix and draft key
CARD = "vam"  # the card's buttons (outside the Flow)
DAYS_AHEAD = 14
FIRST_SLOT, LAST_SLOT = 8 * 60, 20 * 60  # start buttons: 8:00 … 20:00 in half hours
LAST_END = 22 * 60
NEEDED_BUTTONS = (1, 2, 3, 4, 5, 6, 8, 10, 15, 20)
EXTRA_BUTTONS = (0, 5, 10, 20, 30, 50)  # residents who came without scanning, when recording
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?"
_RANGE = re.compile(rf"^{_TIME}\s*[-~到至]\s*{_TIME}$")
_ONE = re.compile(rf"^{_TIME}$")


# --- who may -----------------------------------------------------------------------------------
def my_stations(who: Speaker) -> list[str]:
    return sorted(who.access.worker_stations | who.access.head_stations)


def can_poster(who: Speaker, station_code: str) -> bool:
    return who.access.is_admin or station_code in who.access.head_stations


# --- parsing typed values ----------------------------------------------------------------------
def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace("：", ":").replace(" ", "")


def _minutes(hours: str, minutes: str | None) -> int | None:
    h, m = int(hours), int(minutes or 0)
    if h > 23 or m > 59:
        return None
    return h * 60 + m


def parse_times(text: str) -> tuple[int | None, int | None] | None:
    """ "14:00-16:30" → (840, 990); "9" or "9:30" → (570, None); nonsense → None."""
    cleaned = _clean(text).replace("—", "-").replace("–", "-")
    if match := _RANGE.match(cleaned):
        start, end = _minutes(match[1], match[2]), _minutes(match[3], match[4])
        return None if start is None or end is None else (start, end)
    if match := _ONE.match(cleaned):
        start = _minutes(match[1], match[2])
        return None if start is None else (start, None)
    return None


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


# --- the steps ---------------------------------------------------------------------------------
def _station(context: Context, who: Speaker, draft: Draft) -> str:
    return station_name(context.bot_data.knowledge.stations, draft.get("station", ""), who.lang)


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    stations = my_stations(who)
    if not stations:
        await show(update, only_for(who, WORKER, STATION_HEAD))
        return None
    draft: Draft = {"token": uuid.uuid4().hex, "several": len(stations) > 1, "skills": []}
    if len(stations) == 1:
        draft["station"] = stations[0]
    return draft


def render_menu(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    rows = [[InlineKeyboardButton(_("➕ New activity"), callback_data=encode(KEY, "new"))]]
    zone = context.bot_data.clock.zone
    for activity_id, starts_at, title in draft.get("upcoming", []):
        start = datetime.fromisoformat(starts_at)
        label = f"{day_label(_, start.astimezone(zone).date())} {clock_time(start, zone)} {title}"
        rows.append([InlineKeyboardButton(label, callback_data=encode(KEY, "open", activity_id))])
    if can_poster(who, draft.get("station", "")):
        rows.append([InlineKeyboardButton(_("🖼 Poster"), callback_data=encode(KEY, "poster"))])
    return Screen(
        _(
            "📣 Volunteer activities of {station}. Publish a new one, or open an upcoming one."
        ).format(station=escape(_station(context, who, draft))),
        rows,
    )


async def on_station(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = offered(press.arg(), my_stations(who))
    draft["station"] = code
    await _fill_upcoming(context, draft)
    return None


async def on_new(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    return None


async def on_open(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    activity_id = press.int_arg()
    if activity_id is None:
        raise Reask(None)
    await show_card(update, context, who, activity_id)
    return END


async def on_poster(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    if not can_poster(who, draft.get("station", "")):
        raise Reask(None)
    await send_poster(update, context, who, draft["station"])
    return END


def render_day(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    today = local_today(context)
    buttons = [
        InlineKeyboardButton(
            day_label(_, today + timedelta(days=n)),
            callback_data=encode(KEY, "day", (today + timedelta(days=n)).isoformat()),
        )
        for n in range(DAYS_AHEAD)
    ]
    example = today + timedelta(days=DAYS_AHEAD)  # past the buttons, within the year
    return Screen(
        _("Which day? Choose, or type the date (for example {day} or {iso}).").format(
            day=day_label(_, example), iso=example.isoformat()
        ),
        grid(buttons, 4),
    )


def _set_day(who: Speaker, draft: Draft, day: date | None, today: date) -> None:
    _ = who.gettext
    if day is None:
        example = day_label(_, today + timedelta(days=DAYS_AHEAD))
        raise Reask(_("Please choose a day, or type a date such as {day}.").format(day=example))
    if day < today or day > today + timedelta(days=366):
        raise Reask(_("Please choose a day from today to a year from now."))
    draft["date"] = day.isoformat()


async def on_day(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    try:
        day = date.fromisoformat(press.arg() or "")
    except ValueError:
        day = None
    _set_day(who, draft, day, local_today(context))
    return None


async def on_typed_day(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    today = local_today(context)
    try:
        day = read_date(text, today, direction="future")
    except InvalidValue as error:
        raise Reask(unread_date(who.gettext, error, today, ahead=True)) from error
    _set_day(who, draft, day, today)
    return None


def _passed(context: Context, draft: Draft, minutes: int) -> bool:
    """Whether `minutes` past midnight of the draft's day is now or earlier: the service's
    rule at Publish, said at the time step instead of after six more steps."""
    data = context.bot_data
    day = date.fromisoformat(draft["date"])
    return datetime.combine(day, time(minutes // 60, minutes % 60), data.clock.zone) <= (
        data.clock.now()
    )


def _not_passed(who: Speaker, context: Context, draft: Draft, minutes: int) -> None:
    if _passed(context, draft, minutes):
        raise Reask(who.gettext("That time has passed; please choose a later one."))


def render_start(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    buttons = [
        InlineKeyboardButton(_hm(m), callback_data=encode(KEY, "start", m))
        for m in range(FIRST_SLOT, LAST_SLOT + 1, 30)
        if not _passed(context, draft, m)
    ]
    return Screen(
        _("When does it start? Choose, or type the times, for example 14:00-16:30."),
        grid(buttons, 5),
    )


def _typed_times(who: Speaker, text: str) -> tuple[int | None, int | None]:
    """The start and (if typed) the end, in minutes; anything else re-asks."""
    parsed = parse_times(text)
    if parsed is None:
        raise Reask(who.gettext("Please type the times like 14:00-16:30, or choose a button."))
    return parsed


async def on_start_button(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    minutes = press.int_arg()
    if minutes is None or not FIRST_SLOT <= minutes <= LAST_SLOT or minutes % 30:
        raise Reask(None)
    _not_passed(who, context, draft, minutes)  # a button of an earlier screen
    draft["start"], draft["typed_end"] = minutes, False
    draft.pop("end", None)
    return None


async def on_typed_times(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    start, end = _typed_times(who, text)
    assert start is not None
    if end is not None and end <= start:
        raise Reask(who.gettext("The end must be after the start."))
    _not_passed(who, context, draft, start)
    draft["start"] = start
    draft["typed_end"] = end is not None
    if end is not None:
        draft["end"] = end
    else:
        draft.pop("end", None)
    return None


def render_end(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    start = int(draft.get("start", FIRST_SLOT))
    buttons = [
        InlineKeyboardButton(_hm(m), callback_data=encode(KEY, "end", m))
        for m in range(start + 30, min(start + 8 * 60, LAST_END) + 1, 30)
    ]
    return Screen(
        _("Starts at {start}. When does it end? Choose, or type the time.").format(
            start=_hm(start)
        ),
        grid(buttons, 5),
    )


def _set_end(who: Speaker, draft: Draft, end: int | None) -> None:
    if end is None or end <= int(draft.get("start", 0)):
        raise Reask(who.gettext("The end must be after the start."))
    draft["end"] = end


async def on_typed_end(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    start, end = _typed_times(who, text)
    if end is not None:  # a whole range typed here: take both
        assert start is not None
        _not_passed(who, context, draft, start)
        draft["start"] = start
        _set_end(who, draft, end)
    else:
        _set_end(who, draft, start)
    return None


def render_needed(context: Context, who: Speaker, draft: Draft) -> Screen:
    buttons = [
        InlineKeyboardButton(str(n), callback_data=encode(KEY, "need", n)) for n in NEEDED_BUTTONS
    ]
    return Screen(
        who.gettext("How many volunteers are needed? Choose, or type a number (1 to 200)."),
        grid(buttons, 5),
    )


def _set_needed(who: Speaker, draft: Draft, value: int | None) -> None:
    if value is None or not 1 <= value <= va.MAX_NEEDED:
        raise Reask(who.gettext("Please give a number from 1 to 200."))
    draft["needed"] = value


async def on_typed_needed(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix("名")
    try:  # the one reader of counts: "-5" is refused, not read as 5; "十二人" is 12
        needed: int | None = parse_count(cleaned, minimum=1, maximum=va.MAX_NEEDED)
    except InvalidValue:
        needed = None
    _set_needed(who, draft, needed)
    return None


def _skill_names(context: Context, who: Speaker) -> dict[str, str]:
    return {s.code: s.name(who.lang) for s in context.bot_data.knowledge.volunteer_skills.skills}


def _summary(context: Context, who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    day = date.fromisoformat(draft["date"])
    skills = _skill_names(context, who)
    wanted = [skills.get(s, s) for s in draft.get("skills", [])]
    return "\n".join(
        [
            _("<b>Please check, then publish:</b>"),
            _("Station: {station}").format(station=escape(_station(context, who, draft))),
            _("Title: {title}").format(title=escape(draft["title"])),
            _("When: {day} {start}–{end}").format(
                day=day_label(_, day), start=_hm(draft["start"]), end=_hm(draft["end"])
            ),
            _("Where: {place}").format(place=escape(draft["place"])),
            _("Volunteers needed: {count}").format(count=draft["needed"]),
            _("Skills wanted: {skills}").format(
                skills=escape(" · ".join(wanted)) if wanted else _("any")
            ),
            _("Minors (14–17) may join.") if draft.get("minors") == "yes" else _("Adults only."),
            _("Serves: {group}").format(group=escape(_group_name(context, who, draft))),
            *_too_late_line(context, who, draft),
        ]
    )


def _quiet_warning(_: Gettext, due_at: datetime, zone: ZoneInfo) -> str:
    return _(
        "⚠️ In the quiet hours volunteers are told only at {time}, after the activity has "
        "started, so no volunteer will be offered it. Volunteers who come can still check in "
        "with the volunteers' QR code."
    ).format(time=clock_time(due_at, zone))


def _too_late_line(context: Context, who: Speaker, draft: Draft) -> list[str]:
    """The summary's warning when offers could only go out once the activity has started."""
    data = context.bot_data
    if "start" not in draft or "date" not in draft:
        return []
    day = date.fromisoformat(draft["date"])
    start = int(draft["start"])
    starts_at = datetime.combine(day, time(start // 60, start % 60), data.clock.zone)
    now = data.clock.now()
    schedule = data.knowledge.reminders
    if starts_at <= now or not va.offers_too_late(
        schedule, starts_at=starts_at, now=now, zone=data.clock.zone
    ):
        return []
    due_at = va.after_quiet_hours(schedule, now=now, zone=data.clock.zone)
    return ["", _quiet_warning(who.gettext, due_at, data.clock.zone)]


def _group_name(context: Context, who: Speaker, draft: Draft) -> str:
    code = draft.get("group", "other")
    group = next((g for g in context.bot_data.knowledge.served_groups if g.code == code), None)
    return group.name(who.lang) if group else code


def _edits(_: Gettext, draft: Draft) -> list[tuple[str, str]]:
    return [
        (_("✏️ Title"), "title"),
        (_("✏️ Day"), "day"),
        (_("✏️ Time"), "start"),
        (_("✏️ Place"), "place"),
        (_("✏️ Volunteers"), "needed"),
        (_("✏️ Skills"), "skills"),
        (_("✏️ Minors"), "minors"),
        (_("✏️ Served"), "group"),
    ]


STEPS = (
    Step(
        "station",
        lambda c, w, d: Screen(
            w.gettext("📣 Which station is the activity for?"),
            grid(
                [
                    InlineKeyboardButton(s.name(w.lang), callback_data=encode(KEY, "st", s.code))
                    for s in c.bot_data.knowledge.stations.stations
                    if s.code in set(my_stations(w))
                ]
            ),
        ),
        {"st": on_station},
        applies_when=lambda d: bool(d.get("several")),
    ),
    Step("menu", render_menu, {"new": on_new, "open": on_open, "poster": on_poster}),
    Step(
        "title",
        lambda c, w, d: Screen(
            w.gettext("What is the activity called? Type a short title (for example 重阳敬老义剪).")
        ),
        on_text=typed_into(
            "title", va.MAX_TITLE, N_("Please keep the title under {limit} characters.")
        ),
        expects=TEXT,
    ),
    Step("day", render_day, {"day": on_day}, on_text=on_typed_day, expects=TEXT),
    Step("start", render_start, {"start": on_start_button}, on_text=on_typed_times, expects=TEXT),
    Step(
        "end",
        render_end,
        {"end": number_press(_set_end)},
        on_text=on_typed_end,
        expects=TEXT,
        applies_when=lambda d: not d.get("typed_end"),
    ),
    Step(
        "place",
        lambda c, w, d: Screen(w.gettext("Where is it? Type the place.")),
        on_text=typed_into(
            "place", va.MAX_PLACE, N_("Please keep the place under {limit} characters.")
        ),
        expects=TEXT,
    ),
    Step(
        "needed",
        render_needed,
        {"need": number_press(_set_needed)},
        on_text=on_typed_needed,
        expects=NUMBER,
    ),
    toggles_step(
        "skills",
        prefix=KEY,
        text=lambda _, c, w, d: _(
            "Which skills are wanted? Tick any; with none ticked, every volunteer is asked."
        ),
        options=lambda c, w, d: [(name, code) for code, name in _skill_names(c, w).items()],
        done_label=lambda _: _("Done ➡️"),
        at_least=0,
    ),
    choice_step(
        "minors",
        prefix=KEY,
        text=lambda _, c, w, d: _("May volunteers of 14 to 17 join?"),
        options=lambda c, w, d: [
            (w.gettext("Yes, minors may join"), "yes"),
            (w.gettext("No, adults only"), "no"),
        ],
    ),
    choice_step(
        "group",
        prefix=KEY,
        text=lambda _, c, w, d: _(
            "Whom does it serve? The record counts the residents who scan under this group."
        ),
        options=lambda c, w, d: [
            (g.name(w.lang), g.code) for g in c.bot_data.knowledge.served_groups
        ],
        per_row=1,
    ),
    confirm_step(
        "confirm",
        prefix=KEY,
        text=lambda _, c, w, d: _summary(c, w, d),
        save_label=lambda _: _("📣 Publish"),
        edits=_edits,
    ),
)


async def _fill_upcoming(context: Context, draft: Draft) -> None:
    data = context.bot_data
    found = await data.use_case(
        va.upcoming, station_code=draft["station"], now=data.clock.now(), limit=8
    )
    zone = data.clock.zone
    draft["upcoming"] = [[a.id, a.starts_at.astimezone(zone).isoformat(), a.title] for a in found]


async def begin_with_upcoming(update: Update, context: Context, who: Speaker) -> Draft | None:
    draft = await begin(update, context, who)
    if draft is not None and "station" in draft:
        await _fill_upcoming(context, draft)
    return draft


async def publish(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    zone = data.clock.zone
    day = date.fromisoformat(draft["date"])

    def at(minutes: int) -> datetime:
        return datetime.combine(day, time(minutes // 60, minutes % 60), zone)

    try:
        published = await data.use_case(
            va.publish,
            actor_tg_id=who.tg_id,
            station_code=draft["station"],
            title=draft["title"],
            place=draft["place"],
            starts_at=at(int(draft["start"])),
            ends_at=at(int(draft["end"])),
            volunteers_needed=int(draft["needed"]),
            skills=list(draft.get("skills", [])),
            minors_allowed=draft.get("minors") == "yes",
            known_skills=data.knowledge.volunteer_skills.codes,
            client_token=draft["token"],
            rules=data.knowledge.volunteer_hours,
            schedule=data.knowledge.reminders,
            now=data.clock.now(),
            zone=zone,
            served_groups=[draft.get("group", "other")],
            group_codes=[g.code for g in data.knowledge.served_groups],
        )
    except NotAllowed:
        await show(update, _("You are no longer staff of this station, so nothing was published."))
        return END
    except InvalidValue as problem:
        if problem.field == "starts_at":
            return await FLOW.ask(
                update, context, who, "start", _("That time has passed; please choose a later one.")
            )
        if problem.field == "ends_at":
            return await FLOW.ask(
                update,
                context,
                who,
                "start",
                _(
                    "An activity lasts from half an hour to 12 hours; please choose the times again."
                ),
            )
        return await FLOW.ask(update, context, who, "confirm", _("Please check the details again."))
    text = ngettext_of(_)(
        "✅ Published. {count} matching volunteer will be told.",
        "✅ Published. {count} matching volunteers will be told.",
        len(published.offered),
    ).format(count=len(published.offered))
    if published.too_late:
        text = _("✅ Published.") + "\n" + _quiet_warning(_, published.offers_due_at, zone)
    elif published.offered and published.offers_due_at > data.clock.now():
        text += "\n" + _("They will be told at {time}, after the quiet hours.").format(
            time=clock_time(published.offers_due_at, zone)
        )
    await show(update, text)
    await show_card(update, context, who, published.activity.id, qr=True)
    return END


BUSY = N_("You are in the middle of publishing an activity. Finish it, or send /cancel.")

FLOW = Flow("activity", KEY, STEPS, begin_with_upcoming, publish, command="activity",
            summary="confirm", busy=BUSY)  # fmt: skip


# --- the card ----------------------------------------------------------------------------------
def card_buttons(_: Gettext, activity: va.ActivityView) -> InlineKeyboardMarkup:
    i = activity.id
    rows = [
        [
            InlineKeyboardButton(_("👥 Roster"), callback_data=encode(CARD, "ros", i)),
            InlineKeyboardButton(_("🔳 QR codes"), callback_data=encode(CARD, "qr", i)),
        ],
        [
            InlineKeyboardButton(_("✅ Confirm all hours"), callback_data=encode(CARD, "all", i)),
            InlineKeyboardButton(_("📝 Record it"), callback_data=encode(CARD, "rec", i)),
        ],
        [InlineKeyboardButton(_("🚫 Cancel the activity"), callback_data=encode(CARD, "cx", i))],
    ]
    return InlineKeyboardMarkup(rows)


def qr_png(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


async def _send_qr_codes(update: Update, context: Context, who: Speaker, activity_id: int) -> None:
    _ = who.gettext
    data = context.bot_data
    links = await data.use_case(va.scan_links, actor_tg_id=who.tg_id, activity_id=activity_id)
    chat = update.effective_chat
    if chat is None:
        return
    for payload, caption in (
        (
            links.volunteer_payload,
            _(
                "🔳 Volunteers' QR: scan at the start to check in, and again at the end to check out."
            ),
        ),
        (
            links.resident_payload,
            _("🔳 Residents' QR: each resident who scans it counts as one participant."),
        ),
    ):
        url = deep_link(data.bot_username, payload)
        await chat.send_photo(
            InputFile(qr_png(url), filename=f"qr-{payload[:5]}.png"),
            caption=f"{caption}\n{url}",
        )


async def _card(context: Context, who: Speaker, activity: va.ActivityView) -> str:
    data = context.bot_data
    return card_text(
        who.gettext,
        activity,
        zone=data.clock.zone,
        skill_names=_skill_names(context, who),
        station=station_name(data.knowledge.stations, activity.station_code, who.lang),
    )


async def show_card(
    update: Update, context: Context, who: Speaker, activity_id: int, *, qr: bool = False
) -> None:
    _ = who.gettext
    data = context.bot_data
    try:
        roster = await data.use_case(va.roster, actor_tg_id=who.tg_id, activity_id=activity_id)
    except (NotAllowed, NotFound):
        await show(update, _("This activity is not one of your station's."), new=True, answered=qr)
        return
    if qr and roster.activity.status == va.OPEN:
        await _send_qr_codes(update, context, who, activity_id)
    text = await _card(context, who, roster.activity)
    markup = card_buttons(_, roster.activity) if roster.activity.status == va.OPEN else None
    if roster.activity.status != va.OPEN:
        text += "\n" + status_text(_, roster.activity.status)
    # With the QR codes the caller has just shown its own line, which answered the press.
    await show(update, text, markup, new=qr, answered=qr)


def status_text(_: Gettext, status: str) -> str:
    return (
        _("This activity has been recorded.")
        if status == va.RECORDED
        else _("This activity was cancelled.")
    )


def roster_screen(
    _: Gettext, roster: va.Roster, rules_max: int, step: int
) -> tuple[str, InlineKeyboardMarkup]:
    activity = roster.activity
    lines = [
        "👥 <b>" + escape(activity.title) + "</b>",
        _("Residents who scanned: {count}").format(count=roster.person_times),
        "",
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for n, v in enumerate(roster.volunteers, 1):
        name = escape(v.name or _("(name erased)"))
        if v.minutes is None and v.checked_in_at is not None:
            state = _("checked in, not yet out")
        elif v.minutes is None:
            state = _("no scan yet")
        else:
            state = _("{hours} h").format(hours=hours_text(v.minutes))
        mark = "✅" if v.confirmed else "·"
        lines.append(f"{n}. {mark} " + _("{label}: {value}").format(label=name, value=state))
        current = v.minutes or 0
        row = [
            InlineKeyboardButton(
                f"{n}. −0.5", callback_data=encode(CARD, "set", v.signup_id, max(0, current - step))
            ),
            InlineKeyboardButton(
                f"{n}. +0.5",
                callback_data=encode(CARD, "set", v.signup_id, min(rules_max, current + step)),
            ),
        ]
        if not v.confirmed and v.minutes is not None:
            row.insert(
                0,
                InlineKeyboardButton(
                    f"{n}. ✅", callback_data=encode(CARD, "ok", activity.id, v.signup_id)
                ),
            )
        rows.append(row)
    if not roster.volunteers:
        lines.append(_("Nobody has signed up yet."))
    if roster.waiting:
        lines.append(
            _("Waiting list: {names}").format(
                names=escape(" · ".join(w.name or "?" for w in roster.waiting))
            )
        )
    lines.append(_("Confirmed: {hours} h").format(hours=hours_text(roster.confirmed_minutes)))
    rows.append(
        [
            InlineKeyboardButton(
                _("✅ Confirm all hours"), callback_data=encode(CARD, "all", activity.id)
            ),
            InlineKeyboardButton(_("« Card"), callback_data=encode(CARD, "card", activity.id)),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _show_roster(update: Update, context: Context, who: Speaker, roster: va.Roster) -> None:
    rules = context.bot_data.knowledge.volunteer_hours
    text, markup = roster_screen(who.gettext, roster, rules.max_minutes, rules.rounding_minutes)
    await show(update, text, markup)


async def on_card_press(update: Update, context: Context) -> None:
    """Every card and roster button; the service checks the station's staff on each press."""
    who = await context.person(update)
    _ = who.gettext
    ngettext = ngettext_of(_)
    data = context.bot_data
    press = context.press(update)
    if press is None:
        return
    first = press.int_arg(0)
    if first is None:
        await alert(update, _("This button has expired. Please start again from the menu."))
        return
    now = data.clock.now()
    zone = data.clock.zone
    if press.kind == "card":
        await show_card(update, context, who, first)
        return
    if press.kind == "qr":
        await show(update, _("Here are the QR codes again."))
        await show_card(update, context, who, first, qr=True)
        return
    try:
        async with data.uow() as uow:
            if press.kind == "ros":
                await _show_roster(
                    update,
                    context,
                    who,
                    await va.roster(uow, actor_tg_id=who.tg_id, activity_id=first),
                )
            elif press.kind == "all":
                roster = await va.confirm_hours(
                    uow, actor_tg_id=who.tg_id, activity_id=first, signup_ids=None, now=now
                )
                await _show_roster(update, context, who, roster)
            elif press.kind == "ok":
                signup = press.int_arg(1)
                roster = await va.confirm_hours(
                    uow,
                    actor_tg_id=who.tg_id,
                    activity_id=first,
                    signup_ids=[signup or 0],
                    now=now,
                )
                await _show_roster(update, context, who, roster)
            elif press.kind == "set":
                roster = await va.correct_hours(
                    uow,
                    actor_tg_id=who.tg_id,
                    signup_id=first,
                    minutes=press.int_arg(1) or 0,
                    rules=data.knowledge.volunteer_hours,
                    now=now,
                )
                await _show_roster(update, context, who, roster)
                if roster.revoked_certificates:
                    await show(
                        update,
                        _(
                            "⚠️ These hours were on a certificate already issued to the "
                            "volunteer. That certificate is now withdrawn (checking its code "
                            "says so); they can issue a new one with /myhours."
                        ),
                        new=True,
                        answered=True,
                    )
            elif press.kind == "rec":
                roster = await va.roster(uow, actor_tg_id=who.tg_id, activity_id=first)
                extras = [
                    InlineKeyboardButton(
                        _("None") if n == 0 else f"+{n}",
                        callback_data=encode(CARD, "recx", first, n),
                    )
                    for n in EXTRA_BUTTONS
                ]
                await show(
                    update,
                    ngettext(
                        "{count} resident scanned the QR code. Did others come without "
                        "scanning? They are added to the person-times.",
                        "{count} residents scanned the QR code. Did others come without "
                        "scanning? They are added to the person-times.",
                        roster.person_times,
                    ).format(count=roster.person_times),
                    InlineKeyboardMarkup(
                        [
                            *grid(extras, 6),
                            [
                                InlineKeyboardButton(
                                    _("« Card"), callback_data=encode(CARD, "card", first)
                                )
                            ],
                        ]
                    ),
                )
            elif press.kind == "recx":
                extra = press.int_arg(1) or 0
                if extra not in EXTRA_BUTTONS:
                    raise InvalidValue("person_times", "out_of_range")
                recorded = await va.record_activity(
                    uow,
                    actor_tg_id=who.tg_id,
                    activity_id=first,
                    extra_person_times=extra,
                    groups=None,
                    note=None,
                    templates=data.knowledge.record_templates,
                    group_codes=[g.code for g in data.knowledge.served_groups],
                    now=now,
                    zone=zone,
                )
                await show(
                    update,
                    _(
                        "📝 Recorded as an activity log: {person_times}; {volunteers}, "
                        "{hours} confirmed."
                    ).format(
                        person_times=person_times_count(ngettext, recorded.person_times),
                        volunteers=volunteers_count(ngettext, recorded.volunteers),
                        hours=hours_count(ngettext, recorded.confirmed_minutes / 60),
                    ),
                )
            elif press.kind == "cx":
                await show(
                    update,
                    _("Cancel this activity? Everyone signed up or waiting will be told."),
                    InlineKeyboardMarkup(
                        [
                            [
                                InlineKeyboardButton(
                                    _("Yes, cancel it"), callback_data=encode(CARD, "cxy", first)
                                ),
                                InlineKeyboardButton(
                                    _("No, keep it"), callback_data=encode(CARD, "card", first)
                                ),
                            ]
                        ]
                    ),
                )
            elif press.kind == "cxy":
                _cancelled, told = await va.cancel_activity(
                    uow,
                    actor_tg_id=who.tg_id,
                    activity_id=first,
                    schedule=data.knowledge.reminders,
                    now=now,
                    zone=zone,
                )
                await show(
                    update,
                    ngettext(
                        "🚫 Cancelled. {count} volunteer will be told.",
                        "🚫 Cancelled. {count} volunteers will be told.",
                        len(told),
                    ).format(count=len(told)),
                )
    except NotAllowed:
        await alert(update, _("Only the station's workers and its head can do this."))
    except NotFound:
        await alert(update, _("This activity or volunteer is no longer there."))
    except va.ActivityClosed as closed:
        await alert(update, status_text(_, closed.status))
    except InvalidValue as problem:
        if problem.field == "activity_date":
            await alert(update, _("You can record the activity once it has started."))
        elif problem.reason == "not_started":
            await alert(update, _("You can confirm hours once the activity has started."))
        elif problem.reason == "missing":
            await alert(update, _("This volunteer has no hours yet; correct them first."))
        else:
            await alert(update, _("That is not possible for these hours."))


# --- the poster --------------------------------------------------------------------------------
async def send_poster(update: Update, context: Context, who: Speaker, station_code: str) -> None:
    _ = who.gettext
    data = context.bot_data
    name = station_name(data.knowledge.stations, station_code, who.lang)
    poster = poster_for(station_code, name, bot_username=data.bot_username, _=_)
    chat = update.effective_chat
    await answer_press(update)
    if chat is None:
        return
    await chat.send_document(
        InputFile(poster_png(poster), filename=f"poster-{station_code}.png"),
        caption=_("🖼 The poster of {station} (A4, to print).").format(station=escape(name)),
    )
    await chat.send_document(InputFile(poster_pdf(poster), filename=f"poster-{station_code}.pdf"))


async def poster_command(update: Update, context: Context) -> None:
    """`/poster` (heads: their station) and `/poster CODE` (admins, or a head's other station)."""
    who = await context.person(update)
    _ = who.gettext
    stations = context.bot_data.knowledge.stations
    wanted = context.args[0] if context.args else None
    mine = sorted(who.access.head_stations)
    code = wanted or (mine[0] if len(mine) == 1 else None)
    if not (who.access.is_admin or mine):
        await show(update, only_for(who, STATION_HEAD, ADMIN))
        return
    if code is None or stations.get(code) is None or not can_poster(who, code):
        await show(
            update,
            _(
                "Posters are for station heads and administrators: send /poster and the station's code."
            ),
        )
        return
    await send_poster(update, context, who, code)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(FLOW.conversation())
    app.add_handler(CallbackQueryHandler(on_card_press, pattern=rf"^{CARD}:"))
    app.add_handler(CommandHandler("poster", poster_command))
