"""`/log`: a social worker records one activity in the city's record templates, and `/mylogs`
shows their last ten entries with a delete button for the first 24 hours.

The /log journey (diagram: `activity_log.mmd`):
(station, only for someone working at several) → category → template → day (today,
yesterday, or another day of the open window) → hours (buttons or typed, 0.25–12) → groups
served (multi-select) → person-times (1–1000) → how many of them in each group (only when
several groups were chosen) → optional note → confirm. Desk-work templates skip the groups
and person-times. After saving, "Log another like this" opens the same entry again, dated
today, at the confirm step.

The draft lives in `context.user_data["log"]` (JSON only); it carries a random token so a
second Confirm press, or a replay after a restart, saves once. `/mylogs` (diagram
`mylogs.mmd`) lists, asks "delete?", and deletes through `services.activities`, which
re-checks the owner and the 24 hours and writes the audit entry.
"""

from __future__ import annotations

import uuid
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
    filters,
)

from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.i18n import Gettext
from handlers.kit.keyboards import choices, markup, nav_row, station_buttons
from handlers.kit.work_steps import (
    calendar_step,
    date_buttons,
    day_label,
    hours_label,
    hours_problem,
    number_problem,
    show,
    staff_only,
)
from handlers.work.staff_flow import TEXT, Draft, Handlers, StepFlow, local_today, typed, value
from knowledge.record_templates import RecordTemplate
from services import activities
from services.activities import ActivityEntry, AlreadyDeleted, DeleteWindowClosed
from services.errors import InvalidValue, NotAllowed, NotFound
from services.numbers import hours_to_minutes, parse_count, parse_hours

KEY = "log"
(STATION, CATEGORY, TEMPLATE, DATE, DAY, DURATION, GROUPS, PERSON_TIMES, SPLIT, NOTE, CONFIRM) = (
    range(11)
)
DURATION_CHOICES = (30, 60, 90, 120, 180, 240)  # minutes
PERSON_TIME_CHOICES = (1, 2, 5, 10, 20, 50)
MIN_HOURS, MAX_HOURS = activities.MIN_MINUTES / 60, activities.MAX_MINUTES / 60
_hours_problem = partial(hours_problem, minimum=MIN_HOURS, maximum=MAX_HOURS)


# --- the draft and the order of steps ---------------------------------------------------------
def _template(context: Context, draft: Draft) -> RecordTemplate | None:
    code = draft.get("template")
    return context.bot_data.knowledge.record_templates.template(code) if code else None


def _steps(context: Context, draft: Draft) -> list[int]:
    steps = [STATION] if draft.get("several_stations") else []
    steps += [CATEGORY, TEMPLATE, DATE]
    if draft.get("picked"):
        steps.append(DAY)
    steps.append(DURATION)
    template = _template(context, draft)
    if template is None or template.counts_people:
        steps += [GROUPS, PERSON_TIMES]
        if len(draft.get("groups", [])) > 1:
            steps.append(SPLIT)
    return [*steps, NOTE, CONFIRM]


def _split_remaining(draft: Draft) -> list[str]:
    split = draft.get("split", {})
    return [g for g in draft.get("groups", []) if g not in split]


def _split_bounds(draft: Draft) -> tuple[int, int]:
    """The next group's figure: 1..total, and for the last group enough to cover everyone."""
    total = int(draft["person_times"])
    remaining = _split_remaining(draft)
    low = 1
    if len(remaining) == 1:
        low = max(1, total - sum(draft.get("split", {}).values()))
    return low, total


# --- what each step shows ---------------------------------------------------------------------
def _station_name(context: Context, who: Speaker, code: str | None) -> str:
    station = context.bot_data.knowledge.stations.get(code or "")
    return escape(station.name(who.lang) if station else (code or ""))


def _in_catalogue_order(
    context: Context, groups: tuple[tuple[str, int], ...]
) -> list[tuple[str, int]]:
    order = [g.code for g in context.bot_data.knowledge.served_groups]
    return sorted(groups, key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order))


def _groups_text(context: Context, who: Speaker, groups: list[tuple[str, int]]) -> str:
    names = {g.code: g.name(who.lang) for g in context.bot_data.knowledge.served_groups}
    separator = "，" if who.lang == "zh" else ", "
    return separator.join(f"{escape(names.get(code, code))} {value}" for code, value in groups)


def _summary(context: Context, who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    knowledge = context.bot_data.knowledge
    template = _template(context, draft)
    category = knowledge.record_templates.category(draft.get("category", ""))
    lines = [
        _("Station: {station}").format(station=_station_name(context, who, draft.get("station"))),
        _("Record: {category} · {template}").format(
            category=escape(category.name(who.lang) if category else ""),
            template=escape(template.name(who.lang) if template else ""),
        ),
        _("Day: {day}").format(day=day_label(_, date.fromisoformat(draft["date"]))),
        _("Hours: {hours}").format(hours=hours_label(draft["minutes"] / 60)),
    ]
    if template is not None and template.counts_people:
        groups = draft.get("groups", [])
        split = draft.get("split", {})
        total = int(draft["person_times"])
        pairs = [(g, total if len(groups) == 1 else int(split.get(g, 0))) for g in groups]
        lines.append(_("Person-times: {total}").format(total=total))
        lines.append(_("By group: {groups}").format(groups=_groups_text(context, who, pairs)))
    if draft.get("note"):
        lines.append(_("Note: {note}").format(note=escape(draft["note"])))
    return "\n".join(lines)


async def _ask(
    update: Update,
    context: Context,
    who: Speaker,
    step: int,
    problem: str | None = None,
    *,
    new: bool = False,
    intro: str | None = None,
) -> int:
    """Show `step` (with `problem`, or a neutral `intro`, on top) and return it as the state."""
    _ = who.gettext
    data = context.bot_data
    knowledge = data.knowledge
    draft = FLOW.draft(context)
    if step == TEMPLATE and knowledge.record_templates.category(draft.get("category", "")) is None:
        step = CATEGORY  # the catalogue changed under a persisted draft: choose again
    draft["step"] = step
    first = _steps(context, draft)[0] == step
    nav = nav_row(_, KEY, back=not first)
    rows: list[list[InlineKeyboardButton]] = []
    today = local_today(context)
    if step == STATION:
        text = _("Which station is this activity for?")
        rows = station_buttons(
            [s for s in knowledge.stations.stations if s.code in who.access.worker_stations],
            who.lang,
            "log:st",
        )
    elif step == CATEGORY:
        text = _("📝 New activity for {station}. What kind of work was it?").format(
            station=_station_name(context, who, draft.get("station"))
        )
        rows = choices(
            (c.name(who.lang), f"log:cat:{c.code}") for c in knowledge.record_templates.categories
        )
    elif step == TEMPLATE:
        category = knowledge.record_templates.category(draft.get("category", ""))
        assert category is not None
        text = _("{category}: which record template?").format(
            category=escape(category.name(who.lang))
        )
        rows = choices(
            ((t.name(who.lang), f"log:tpl:{t.code}") for t in category.templates), per_row=1
        )
    elif step == DATE:
        template = _template(context, draft)
        text = _("{template}: which day was it?").format(
            template=escape(template.name(who.lang) if template else "")
        )
        rows = date_buttons(_, KEY, today)
    elif step == DAY:
        text, rows = calendar_step(_, KEY, today, draft.get("calendar"))
    elif step == DURATION:
        text = _("How many hours did it take? Choose, or type a number from 0.25 to 12 (like 2.5).")
        rows = choices(
            (
                (_("{hours} h").format(hours=hours_label(m / 60)), f"log:dur:{m}")
                for m in DURATION_CHOICES
            ),
            per_row=3,
        )
    elif step == GROUPS:
        chosen = draft.get("groups", [])
        text = _("Who was served? Choose every group that applies, then press Done.")
        rows = choices(
            (("✅ " if g.code in chosen else "") + g.name(who.lang), f"log:grp:{g.code}")
            for g in knowledge.served_groups
        )
        rows.append([InlineKeyboardButton(_("Done ✔"), callback_data="log:grp:done")])
    elif step == PERSON_TIMES:
        text = _(
            "How many person-times were served (one person served once is 1)? "
            "Type a number from 1 to 1000, or choose."
        )
        rows = choices(((str(n), f"log:pt:{n}") for n in PERSON_TIME_CHOICES), per_row=6)
    elif step == SPLIT:
        group_code = _split_remaining(draft)[0]
        names = {g.code: g.name(who.lang) for g in knowledge.served_groups}
        low, total = _split_bounds(draft)
        text = _(
            "{total} person-times in all. How many of them were {group}? "
            "Type a number from {low} to {total}."
        ).format(total=total, group=escape(names.get(group_code, group_code)), low=low)
        text += "\n" + _(
            "Someone in two groups (an older person with a disability) counts in both."
        )
        rows = [
            [
                InlineKeyboardButton(
                    _("All {total}").format(total=total), callback_data="log:split:all"
                )
            ]
        ]
    elif step == NOTE:
        text = _(
            "Add a short note if you like (up to 500 characters). Please leave out residents' "
            "names and phone numbers. Or press Skip."
        )
        rows = [[InlineKeyboardButton(_("Skip »"), callback_data="log:note:skip")]]
    else:
        text = _("<b>Please check, then save:</b>") + "\n" + _summary(context, who, draft)
        rows = [[InlineKeyboardButton(_("✅ Save"), callback_data="log:ok")]]
    if problem:
        text = "⚠️ " + problem + "\n\n" + text
    elif intro:
        text = intro + "\n\n" + text
    await show(update, text, markup(rows, nav), new=new)
    return step


FLOW = StepFlow(
    key=KEY,
    ask=_ask,
    steps=_steps,
    station_step=STATION,
    date_step=DATE,
    stations=lambda who: who.access.worker_stations,
    day_step=DAY,
    typed_steps=frozenset({DATE, DAY, DURATION, PERSON_TIMES, SPLIT, NOTE}),
    default_step=CATEGORY,
    busy=lambda _: _("You are in the middle of logging an activity. Finish it, or send /cancel."),
)


# --- entry ------------------------------------------------------------------------------------
def _refusal(who: Speaker) -> str:
    _ = who.gettext
    if not who.access.is_staff:
        return staff_only(_)
    return _("Only social workers log activities.")


async def start_log(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    return await FLOW.start(update, context, who, _refusal(who))


async def again(update: Update, context: Context) -> int | None:
    """ "Log another like this": the saved entry's values, dated today, at the confirm step."""
    who = await speaker(update, context)
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    if not who.access.worker_stations:
        await show(update, _refusal(who), new=True)
        return None
    data = context.bot_data
    try:
        activity_id = int(query.data.rsplit(":", 1)[1])
        async with data.uow() as uow:
            entry = await activities.activity_to_repeat(
                uow, worker_tg_id=who.tg_id, activity_id=activity_id
            )
    except (ValueError, NotFound):
        await query.answer(_("I could not find that entry."), show_alert=True)
        return None
    if entry.station_code not in who.access.worker_stations:
        await query.answer(_("You no longer work at that station."), show_alert=True)
        return None
    groups = _in_catalogue_order(context, entry.groups)
    assert context.user_data is not None
    context.user_data[KEY] = {
        "token": uuid.uuid4().hex,
        "several_stations": len(who.access.worker_stations) > 1,
        "station": entry.station_code,
        "category": entry.category_code,
        "template": entry.template_code,
        "date": local_today(context).isoformat(),
        "minutes": entry.minutes,
        "groups": [code for code, _n in groups],
        "person_times": entry.person_times,
        "split": dict(groups) if len(groups) > 1 else {},
        "note": entry.note,
    }
    # The copy goes below the saved entry, which stays as it is.
    notice = _("A copy of that entry, dated today. Change anything with « Back, or save it.")
    return await _ask(update, context, who, CONFIRM, new=True, intro=notice)


# --- steps ------------------------------------------------------------------------------------
async def on_category(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    code = value(update)
    if context.bot_data.knowledge.record_templates.category(code) is None:
        return await _ask(update, context, who, CATEGORY)
    draft = FLOW.draft(context)
    if draft.get("category") != code:
        draft.pop("template", None)
    draft["category"] = code
    return await _ask(update, context, who, TEMPLATE)


async def on_template(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    draft = FLOW.draft(context)
    template = context.bot_data.knowledge.record_templates.template(value(update))
    if template is None or template.category_code != draft.get("category"):
        return await _ask(update, context, who, TEMPLATE)
    draft["template"] = template.code
    if not template.counts_people:
        for key in ("groups", "person_times", "split"):
            draft.pop(key, None)
    return await _ask(update, context, who, DATE)


async def _set_minutes(update: Update, context: Context, who: Speaker, minutes: int) -> int:
    draft = FLOW.draft(context)
    draft["minutes"] = minutes
    return await _ask(update, context, who, FLOW.next_step(context, draft, DURATION))


async def on_duration(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    try:
        minutes = int(value(update))
    except ValueError:
        minutes = 0
    if not activities.MIN_MINUTES <= minutes <= activities.MAX_MINUTES:
        return await _ask(update, context, who, DURATION)
    return await _set_minutes(update, context, who, minutes)


async def on_typed_duration(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    text = typed(update)
    try:
        hours = parse_hours(text, minimum=MIN_HOURS, maximum=MAX_HOURS)
    except InvalidValue as problem:
        return await _ask(
            update, context, who, DURATION, _hours_problem(who.gettext, problem.reason)
        )
    return await _set_minutes(update, context, who, hours_to_minutes(hours))


async def on_group(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    draft = FLOW.draft(context)
    code = value(update)
    known = [g.code for g in context.bot_data.knowledge.served_groups]
    if code == "done":
        if not draft.get("groups"):
            return await _ask(update, context, who, GROUPS, _("Please choose at least one group."))
        draft["split"] = {}
        return await _ask(update, context, who, PERSON_TIMES)
    if code in known:
        chosen = set(draft.get("groups", []))
        chosen ^= {code}
        draft["groups"] = [g for g in known if g in chosen]  # catalogue order, JSON list
    return await _ask(update, context, who, GROUPS)


async def _set_person_times(update: Update, context: Context, who: Speaker, count: int) -> int:
    draft = FLOW.draft(context)
    draft["person_times"] = count
    draft["split"] = {}
    return await _ask(update, context, who, FLOW.next_step(context, draft, PERSON_TIMES))


def _count_problem(_: Gettext, reason: str, low: int, high: int) -> str:
    return number_problem(
        _, reason, minimum=str(low), maximum=str(high), example=str(min(high, 12)), unit="count"
    )


async def on_person_times(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    try:
        count = int(value(update))
    except ValueError:
        count = 0
    if not activities.MIN_PERSON_TIMES <= count <= activities.MAX_PERSON_TIMES:
        return await _ask(update, context, who, PERSON_TIMES)
    return await _set_person_times(update, context, who, count)


async def on_typed_person_times(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    text = typed(update)
    low, high = activities.MIN_PERSON_TIMES, activities.MAX_PERSON_TIMES
    try:
        count = parse_count(text, minimum=low, maximum=high, field="person_times")
    except InvalidValue as problem:
        return await _ask(
            update,
            context,
            who,
            PERSON_TIMES,
            _count_problem(who.gettext, problem.reason, low, high),
        )
    return await _set_person_times(update, context, who, count)


async def _set_split(update: Update, context: Context, who: Speaker, count: int) -> int:
    draft = FLOW.draft(context)
    group = _split_remaining(draft)[0]
    draft.setdefault("split", {})[group] = count
    if _split_remaining(draft):
        return await _ask(update, context, who, SPLIT)
    return await _ask(update, context, who, NOTE)


async def on_split_all(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    draft = FLOW.draft(context)
    if not _split_remaining(draft):
        return await _ask(update, context, who, NOTE)
    return await _set_split(update, context, who, int(draft["person_times"]))


async def on_typed_split(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    draft = FLOW.draft(context)
    if not _split_remaining(draft):
        return await _ask(update, context, who, NOTE)
    low, high = _split_bounds(draft)
    text = typed(update)
    try:
        count = parse_count(text, minimum=low, maximum=high, field="person_times")
    except InvalidValue as problem:
        return await _ask(
            update, context, who, SPLIT, _count_problem(who.gettext, problem.reason, low, high)
        )
    return await _set_split(update, context, who, count)


async def on_note_skip(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    FLOW.draft(context).pop("note", None)
    return await _ask(update, context, who, CONFIRM)


async def on_typed_note(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    text = typed(update)
    if len(text.strip()) > activities.MAX_NOTE:
        problem = _("That note is {length} characters long; please keep it under 500.")
        return await _ask(update, context, who, NOTE, problem.format(length=len(text.strip())))
    FLOW.draft(context)["note"] = text.strip() or None
    return await _ask(update, context, who, CONFIRM)


async def on_confirm(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    draft = FLOW.draft(context)
    template = _template(context, draft)
    groups = draft.get("groups", [])
    split = draft.get("split", {})
    person_times = draft.get("person_times")
    try:
        async with data.uow() as uow:
            entry = await activities.log_activity(
                uow,
                worker_tg_id=who.tg_id,
                station_code=draft.get("station", ""),
                template_code=draft.get("template", ""),
                activity_date=date.fromisoformat(draft["date"]),
                minutes=int(draft["minutes"]),
                person_times=int(person_times) if person_times is not None else None,
                groups=(
                    {g: int(split.get(g, 0)) for g in groups}
                    if len(groups) > 1
                    else {g: int(person_times or 0) for g in groups}
                ),
                note=draft.get("note"),
                client_token=draft["token"],
                now=data.clock.now(),
                zone=data.clock.zone,
                templates=data.knowledge.record_templates,
                group_codes=[g.code for g in data.knowledge.served_groups],
            )
    except NotAllowed:
        FLOW.drop(context)
        await show(
            update, _("You are no longer a social worker at this station, so nothing was saved.")
        )
        return ConversationHandler.END
    except InvalidValue as problem:
        return await _reask_invalid(update, context, who, problem, template)
    FLOW.drop(context)
    text = _("✅ Saved.") + "\n" + _entry_summary(context, who, entry)
    another = _("📝 Log another like this")
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(another, callback_data=f"log:again:{entry.id}")],
            [
                InlineKeyboardButton(_("🗂 My logs"), callback_data="menu:mylogs"),
                InlineKeyboardButton(_("🏠 Menu"), callback_data="menu:menu"),
            ],
        ]
    )
    await show(update, text, buttons)
    return ConversationHandler.END


async def _reask_invalid(
    update: Update,
    context: Context,
    who: Speaker,
    problem: InvalidValue,
    template: RecordTemplate | None,
) -> int:
    """The service refused a value (a day that has left the window overnight, say)."""
    _ = who.gettext
    if problem.field == "date":
        return await FLOW.date_refused(update, context, who, problem)
    if problem.field == "hours":
        return await _ask(update, context, who, DURATION, _hours_problem(_, problem.reason))
    if problem.field == "person_times":
        return await _ask(
            update, context, who, PERSON_TIMES, _count_problem(_, problem.reason, 1, 1000)
        )
    if problem.field == "groups":
        return await _ask(update, context, who, GROUPS, _("Please choose the groups again."))
    if problem.field == "note":
        return await _ask(
            update, context, who, NOTE, _("Please keep the note under 500 characters.")
        )
    return await _ask(
        update,
        context,
        who,
        CATEGORY,
        _("That record template is no longer in the catalogue; please choose again."),
    )


def _entry_summary(context: Context, who: Speaker, entry: ActivityEntry) -> str:
    groups = _in_catalogue_order(context, entry.groups)
    draft: Draft = {
        "station": entry.station_code,
        "category": entry.category_code,
        "template": entry.template_code,
        "date": entry.activity_date.isoformat(),
        "minutes": entry.minutes,
        "groups": [g for g, _n in groups],
        "person_times": entry.person_times,
        "split": dict(groups),
        "note": entry.note,
    }
    return _summary(context, who, draft)


# --- back (cancel and the re-ask are FLOW's) ---------------------------------------------
async def on_back(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    draft = FLOW.draft(context)
    step = draft.get("step", CATEGORY)
    if step == SPLIT and draft.get("split"):
        split = draft["split"]
        split.pop(list(split)[-1])  # the previous group's figure, asked again
        return await _ask(update, context, who, SPLIT)
    previous = FLOW.previous_step(context, draft)
    if previous == SPLIT and draft.get("split"):
        split = draft["split"]
        split.pop(list(split)[-1])
    return await _ask(update, context, who, previous)


# --- /mylogs ----------------------------------------------------------------------------------
# The list is a view: it ends the conversation at once, so a forgotten list never captures
# what the worker types later. Its delete buttons start the one real question ("delete?").
CONFIRM_DELETE = "confirm_delete"
DELETE_KEY = "mylogs_delete"  # the entry the question is about, for asking again


def _log_line(context: Context, who: Speaker, number: int, entry: ActivityEntry) -> str:
    _ = who.gettext
    template = context.bot_data.knowledge.record_templates.template(entry.template_code)
    name = template.name(who.lang) if template else entry.template_code
    parts = [
        f"{number}. {day_label(_, entry.activity_date)}",
        escape(name),
        _("{hours} h").format(hours=hours_label(entry.hours)),
    ]
    if entry.person_times:
        parts.append(_("{count} person-times").format(count=entry.person_times))
    line = " · ".join(parts)
    if entry.note:
        note = entry.note if len(entry.note) <= 60 else entry.note[:59] + "…"
        line += "\n    " + escape(note)
    return line


async def _show_logs(
    update: Update, context: Context, who: Speaker, notice: str | None = None
) -> int:
    _ = who.gettext
    data = context.bot_data
    now = data.clock.now()
    if context.user_data is not None:
        context.user_data.pop(DELETE_KEY, None)
    async with data.uow() as uow:
        entries = await activities.recent_activities(uow, worker_tg_id=who.tg_id)
    lines = [notice, ""] if notice else []
    if not entries:
        lines.append(_("You have no activity logs yet. /log records one."))
        await show(update, "\n".join(lines))
        return ConversationHandler.END
    title = _("Your last {count} activity logs:").format(count=len(entries))
    lines.append("<b>" + title + "</b>")
    lines += [_log_line(context, who, n, e) for n, e in enumerate(entries, start=1)]
    deletable = [(n, e) for n, e in enumerate(entries, start=1) if e.deletable(now)]
    if deletable:
        lines += ["", _("🗑 deletes an entry, for 24 hours after it was entered.")]
    buttons = [
        InlineKeyboardButton(_("🗑 {number}").format(number=n), callback_data=f"mylogs:del:{e.id}")
        for n, e in deletable
    ]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    await show(update, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)
    return ConversationHandler.END


async def start_mylogs(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    if not who.access.worker_stations:
        await show(update, _refusal(who))
        return ConversationHandler.END
    return await _show_logs(update, context, who)


def _activity_id(update: Update) -> int | None:
    try:
        return int(value(update))
    except ValueError:
        return None


async def on_delete(update: Update, context: Context) -> str | int:
    """🗑 pressed: ask first. Only the worker's own, still listed entries can be asked about."""
    who = await speaker(update, context)
    _ = who.gettext
    activity_id = _activity_id(update)
    if activity_id is None:
        return await _show_logs(update, context, who, _("I could not find that entry."))
    return await _ask_delete(update, context, who, activity_id)


async def _ask_delete(
    update: Update, context: Context, who: Speaker, activity_id: int, problem: str | None = None
) -> str | int:
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        entries = await activities.recent_activities(uow, worker_tg_id=who.tg_id)
    found = [(n, e) for n, e in enumerate(entries, start=1) if e.id == activity_id]
    if not found:
        return await _show_logs(update, context, who, _("I could not find that entry."))
    number, entry = found[0]
    assert context.user_data is not None
    context.user_data[DELETE_KEY] = entry.id
    text = _("Delete this entry?") + "\n" + _log_line(context, who, number, entry)
    if problem:
        text = "⚠️ " + problem + "\n\n" + text
    rows = [[
        InlineKeyboardButton(_("🗑 Yes, delete it"), callback_data=f"mylogs:yes:{entry.id}"),
        InlineKeyboardButton(_("« Keep it"), callback_data="mylogs:back"),
    ]]  # fmt: skip
    await show(update, text, InlineKeyboardMarkup(rows))
    return CONFIRM_DELETE


async def on_delete_confirmed(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    activity_id = _activity_id(update)
    try:
        async with data.uow() as uow:
            await activities.delete_activity(
                uow, worker_tg_id=who.tg_id, activity_id=activity_id or 0, now=data.clock.now()
            )
    except NotFound:
        return await _show_logs(update, context, who, _("I could not find that entry."))
    except AlreadyDeleted:
        return await _show_logs(update, context, who, _("That entry was already deleted."))
    except DeleteWindowClosed:
        closed = _(
            "That entry was made more than 24 hours ago and can no longer be deleted. "
            "Please ask your station head."
        )
        return await _show_logs(update, context, who, closed)
    return await _show_logs(update, context, who, _("🗑 Deleted."))


async def on_keep(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    return await _show_logs(update, context, who)


async def delete_reask(update: Update, context: Context) -> str | int:
    who = await speaker(update, context)
    _ = who.gettext
    activity_id = (context.user_data or {}).get(DELETE_KEY)
    problem = _("Please answer the question above: delete the entry, or keep it. /cancel stops.")
    if not isinstance(activity_id, int):
        return await _show_logs(update, context, who)
    return await _ask_delete(update, context, who, activity_id, problem)


async def delete_cancel(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    if context.user_data is not None:
        context.user_data.pop(DELETE_KEY, None)
    await show(update, _("Cancelled. Nothing was deleted."))
    return ConversationHandler.END


# --- wiring -----------------------------------------------------------------------------------
def log_conversation() -> ConversationHandler[Context]:
    def state(*handlers: BaseHandler[Update, Context, Any]) -> Handlers:
        return FLOW.state(on_back, *handlers)

    return ConversationHandler(
        name="log",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("log", start_log),
            CallbackQueryHandler(start_log, pattern=r"^menu:log$"),
            CallbackQueryHandler(again, pattern=r"^log:again:\d+$"),
        ],
        states={
            STATION: state(CallbackQueryHandler(FLOW.on_station, pattern=r"^log:st:")),
            CATEGORY: state(CallbackQueryHandler(on_category, pattern=r"^log:cat:")),
            TEMPLATE: state(CallbackQueryHandler(on_template, pattern=r"^log:tpl:")),
            **FLOW.date_states(on_back),
            DURATION: state(
                CallbackQueryHandler(on_duration, pattern=r"^log:dur:"),
                MessageHandler(TEXT, on_typed_duration),
            ),
            GROUPS: state(CallbackQueryHandler(on_group, pattern=r"^log:grp:")),
            PERSON_TIMES: state(
                CallbackQueryHandler(on_person_times, pattern=r"^log:pt:"),
                MessageHandler(TEXT, on_typed_person_times),
            ),
            SPLIT: state(
                CallbackQueryHandler(on_split_all, pattern=r"^log:split:all$"),
                MessageHandler(TEXT, on_typed_split),
            ),
            NOTE: state(
                CallbackQueryHandler(on_note_skip, pattern=r"^log:note:skip$"),
                MessageHandler(TEXT, on_typed_note),
            ),
            CONFIRM: state(CallbackQueryHandler(on_confirm, pattern=r"^log:ok$")),
        },
        fallbacks=[CallbackQueryHandler(FLOW.stale_step, pattern=r"^log:")],
    )


def mylogs_conversation() -> ConversationHandler[Context]:
    return ConversationHandler(
        name="mylogs",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("mylogs", start_mylogs),
            CallbackQueryHandler(start_mylogs, pattern=r"^menu:mylogs$"),
            CallbackQueryHandler(on_delete, pattern=r"^mylogs:del:"),
        ],
        states={
            CONFIRM_DELETE: [
                CallbackQueryHandler(on_delete_confirmed, pattern=r"^mylogs:yes:"),
                CallbackQueryHandler(on_keep, pattern=r"^mylogs:back$"),
                CommandHandler("cancel", delete_cancel),
                MessageHandler(filters.ALL, delete_reask),
            ],
        },
        fallbacks=[],
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(log_conversation())
    app.add_handler(mylogs_conversation())
