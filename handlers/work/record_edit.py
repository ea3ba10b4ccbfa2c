"""One record as its form, and what can be done to it (diagram `record_edit.mmd`):

- `/record <number>` (or a button of /mylogs) shows the record card: the template, the day,
  the hours, each form field with its value, the evidence and what is still missing. Its
  worker sees it, and the station head of its station.
- **Complete it** asks the missing fields (one per screen, as /log does) and, when the template
  wants a photo and has none, the evidence step; **Add photos** only the evidence step;
  **Edit a field** a choice of field and then that field: a form field, or the record's day,
  hours, or groups served with the person-times, asked with /log's own steps
  (`activity_log.day_steps`, `hours_of`, `people_steps`: the same buttons and the same
  refusals), then /log's summary and ✅ Save. One Save:
  `records.correct_record` (one audit row per changed field, old and new value; it checks the
  worker's window and the day limit again) and `records.add_evidence` per file.
  A worker may do it for 7 days (`record_rules.worker_edit_days`), the head at any time.
- **Delete** (the station head only): asks first, then `records.delete_record` (audited).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date, datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.kit.callbacks import Press, encode, pattern
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, WORK_IDLE, Draft, Flow, Outcome, Reask, Screen, Step
from handlers.kit.i18n import N_, ngettext_of
from handlers.kit.keyboards import grid
from handlers.kit.screen import show
from handlers.kit.words import day_label, hours_label, only_for
from handlers.work import activity_log, record_steps, work_forms
from services import activities, records
from services.activities import AlreadyDeleted, DayLimitExceeded
from services.errors import InvalidValue, NotAllowed, NotFound
from services.people import STATION_HEAD, WORKER
from services.records import EditWindowClosed, RecordChanges, RecordView

KEY = "rec"
FILL, PHOTOS, EDIT = "fill", "photos", "edit"
# What Edit offers beside the form's fields (`rec:pb:<what>`): the day, the hours, and (a
# record that serves residents) the groups served with the person-times.
DAY, HOURS, PEOPLE = "date", "hours", "groups"


# --- the card ---------------------------------------------------------------------------------
def card_text(context: Context, who: Speaker, view: RecordView) -> str:
    _ = who.gettext
    entry = view.entry
    template = context.bot_data.knowledge.record_templates.template(entry.template_code)
    name = template.name(who.lang) if template else entry.template_code
    lines = [
        "<b>" + _("Record {number}: {template}").format(number=entry.id, template=escape(name))
        + "</b>",
        _("Day: {day}").format(day=day_label(_, entry.activity_date)),
        _("Hours: {hours}").format(hours=hours_label(entry.hours)),
    ]  # fmt: skip
    if entry.person_times:
        lines.append(_("Person-times: {total}").format(total=entry.person_times))
    if entry.note:
        lines.append(_("Note: {note}").format(note=escape(entry.note)))
    draft = {
        "template": entry.template_code,
        "form": [f.code for f in template.form] if template else [],
        "fields": dict(view.values),
    }
    lines += record_steps.form_lines(context, who, draft)
    lines.append(_("Photos and files: {count}").format(count=len(view.evidence)))
    if view.complete:
        lines.append(_("✅ Complete."))
    else:
        from handlers.work.activity_log import missing_names

        lines.append(
            _("⚠️ Incomplete: {missing} missing.").format(
                missing=escape(missing_names(context, who, view.entry.template_code, view.missing))
            )
        )
    return "\n".join(lines)


def _is_head(who: Speaker, view: RecordView) -> bool:
    return view.entry.station_code in who.access.head_stations


def _may_change(context: Context, who: Speaker, view: RecordView, now: datetime) -> bool:
    rules = context.bot_data.knowledge.record_rules
    return _is_head(who, view) or now < view.editable_by_worker_until(rules)


def card_rows(
    context: Context, who: Speaker, view: RecordView, now: datetime
) -> list[list[InlineKeyboardButton]]:
    _ = who.gettext
    record_id = view.entry.id
    buttons = []
    if _may_change(context, who, view, now):
        if not view.complete:
            buttons.append(
                InlineKeyboardButton(_("✍️ Complete it"), callback_data=encode(KEY, FILL, record_id))
            )
        buttons.append(
            InlineKeyboardButton(_("📷 Add photos"), callback_data=encode(KEY, PHOTOS, record_id))
        )
        buttons.append(
            InlineKeyboardButton(_("✏️ Edit a field"), callback_data=encode(KEY, EDIT, record_id))
        )
    if _is_head(who, view):
        buttons.append(
            InlineKeyboardButton(_("🗑 Delete"), callback_data=encode(KEY, "del", record_id))
        )
    return grid(buttons, 2)


async def _view(context: Context, who: Speaker, record_id: int) -> RecordView:
    async with context.bot_data.uow() as uow:
        return await records.record_view(
            uow,
            actor_tg_id=who.tg_id,
            activity_id=record_id,
            templates=context.bot_data.knowledge.record_templates,
        )


async def show_card(
    update: Update, context: Context, who: Speaker, record_id: int, notice: str | None = None
) -> None:
    _ = who.gettext
    try:
        view = await _view(context, who, record_id)
    except NotFound:
        await show(update, _("I could not find that record."))
        return
    text = card_text(context, who, view)
    if notice:
        text = notice + "\n\n" + text
    rows = card_rows(context, who, view, context.bot_data.clock.now())
    await show(update, text, InlineKeyboardMarkup(rows) if rows else None)


async def record_command(update: Update, context: Context) -> None:
    """`/record <number>`: the record card (its worker, or the head of its station)."""
    who = await context.person(update)
    _ = who.gettext
    if not (who.access.worker_stations or who.access.head_stations):
        await show(
            update,
            only_for(who, WORKER, STATION_HEAD),
        )
        return
    args = context.args or []
    # The record's id, or the 台账's number for it (JN-A000123): its trailing digits.
    found = re.search(r"(\d+)$", args[0]) if args else None
    number = found.group(1) if found else ""
    if not number or not 0 < int(number) < 2**63:
        await show(update, _("Send /record and the record's number, like /record 12."))
        return
    await show_card(update, context, who, int(number))


async def on_open(update: Update, context: Context) -> None:
    who = await context.person(update)
    record_id = context.pressed_id(update)
    if record_id is None:
        await show(update, who.gettext("I could not find that record."))
        return
    await show_card(update, context, who, record_id)


# --- delete (the head) ------------------------------------------------------------------------
def _delete_refused(who: Speaker, error: Exception) -> str:
    """Why `records.deletable_record` / `delete_record` said no: a record that is not there
    and another station's (a forged button) both "could not be found"."""
    _ = who.gettext
    if isinstance(error, AlreadyDeleted):
        return _("That record was already deleted.")
    if isinstance(error, NotAllowed):
        return _("Only the station head deletes a record after its first 24 hours.")
    return _("I could not find that record.")


async def on_delete(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    try:
        record_id = context.found_id(update, "activity")
        await context.bot_data.use_case(
            records.deletable_record, head_tg_id=who.tg_id, activity_id=record_id
        )
    except (NotFound, NotAllowed, AlreadyDeleted) as refused:
        await show(update, _delete_refused(who, refused))
        return
    rows = [[
        InlineKeyboardButton(_("🗑 Yes, delete it"), callback_data=encode(KEY, "delyes", record_id)),
        InlineKeyboardButton(_("« Keep it"), callback_data=encode(KEY, "open", record_id)),
    ]]  # fmt: skip
    await show(
        update, _("Delete record {number}?").format(number=record_id), InlineKeyboardMarkup(rows)
    )


async def on_delete_confirmed(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    try:
        record_id = context.found_id(update, "activity")
        await data.use_case(
            records.delete_record, head_tg_id=who.tg_id, activity_id=record_id, now=data.clock.now()
        )
    except (NotFound, NotAllowed, AlreadyDeleted) as refused:
        await show(update, _delete_refused(who, refused))
        return
    await show(update, _("🗑 Record {number} deleted.").format(number=record_id))


# --- the flow: complete it, add photos, edit a field ------------------------------------------
def _render_pick(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    template = context.bot_data.knowledge.record_templates.template(draft.get("template", ""))
    rows = [
        [InlineKeyboardButton(f.label(who.lang), callback_data=encode(KEY, "pf", f.code))]
        for f in (template.form if template else ())
    ]
    base = [
        InlineKeyboardButton(_("📅 The day"), callback_data=encode(KEY, "pb", DAY)),
        InlineKeyboardButton(_("⏱ The hours"), callback_data=encode(KEY, "pb", HOURS)),
    ]
    if template is not None and template.counts_people:
        base.append(
            InlineKeyboardButton(
                _("👥 Groups and person-times"), callback_data=encode(KEY, "pb", PEOPLE)
            )
        )
    return Screen(_("Which field do you want to change?"), [base, *rows])


def _start_over(draft: Draft) -> None:
    """A new choice at the pick step: what an earlier choice changed is put back."""
    draft.update(draft.get("was", {}))
    draft.pop("edit", None)
    draft.pop("picked", None)


async def on_pick_base(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """The day, the hours, or the groups and person-times: /log's steps for it, then the
    summary."""
    what = press.arg()
    template = context.bot_data.knowledge.record_templates.template(draft.get("template", ""))
    people = template is not None and template.counts_people
    if what not in (DAY, HOURS) and not (what == PEOPLE and people):
        raise Reask(None)
    _start_over(draft)
    draft["edit"] = what
    draft["form"], draft["asked"], draft["fields"] = [], [], {}
    return what


async def on_pick(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    template = context.bot_data.knowledge.record_templates.template(draft.get("template", ""))
    code = press.arg() or ""
    if template is None or template.form_field(code) is None:
        raise Reask(None)
    _start_over(draft)
    draft["form"], draft["asked"], draft["fields"] = [code], [], {}
    return "field"


def _wants_evidence(draft: Draft) -> bool:
    return draft.get("mode") == PHOTOS or bool(draft.get("mode") == FILL and draft.get("photo"))


def _editing(what: str) -> Any:
    return lambda draft: draft.get("mode") == EDIT and draft.get("edit") == what


DATE_STEP, DAY_STEP = activity_log.day_steps(KEY)
GROUPS_STEP, PERSON_TIMES_STEP, SPLIT_STEP = activity_log.people_steps(KEY)
STEPS: tuple[Step, ...] = (
    Step(
        "pick",
        _render_pick,
        {"pf": on_pick, "pb": on_pick_base},
        applies_when=lambda d: d.get("mode") == EDIT,
    ),
    replace(DATE_STEP, applies_when=_editing(DAY)),
    replace(DAY_STEP, applies_when=lambda d: _editing(DAY)(d) and bool(d.get("picked"))),
    replace(activity_log.hours_of(KEY), applies_when=_editing(HOURS)),
    replace(GROUPS_STEP, applies_when=_editing(PEOPLE)),
    replace(PERSON_TIMES_STEP, applies_when=_editing(PEOPLE)),
    replace(SPLIT_STEP, applies_when=lambda d: _editing(PEOPLE)(d) and activity_log.split_asked(d)),
    record_steps.field_step(
        "field", prefix=KEY, previous=lambda d: "pick" if d.get("mode") == EDIT else "field"
    ),
    record_steps.evidence_step("evidence", prefix=KEY, applies=_wants_evidence),
    replace(
        work_forms.save_step(KEY, activity_log.summary), applies_when=lambda d: bool(d.get("edit"))
    ),
)


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    _ = who.gettext
    press = context.press(update)
    mode = press.kind if press is not None else None
    try:
        record_id = context.found_id(update, "activity")
        view = await _view(context, who, record_id)
    except NotFound:
        await show(update, _("I could not find that record."))
        return None
    if not _may_change(context, who, view, context.bot_data.clock.now()):
        await show(update, _window_closed(who, context))
        return None
    draft: Draft = {
        "id": record_id,
        "mode": mode,
        "template": view.entry.template_code,
        "token": uuid.uuid4().hex,
        "asked": [],
        "fields": {},
        "form": [],
    }
    if mode == EDIT:  # the record as it is: what the day and hours steps and the summary read
        was = activity_log.draft_of(context, view.entry, view.entry.activity_date)
        draft.update(was, form=[])
        draft["was"] = {k: was[k] for k in ("date", "minutes", "groups", "person_times", "split")}
    if mode == FILL:
        draft["form"] = [c for c in view.missing if c != records.PHOTO_KIND]
        draft["photo"] = records.PHOTO_KIND in view.missing
        if not draft["form"] and not draft["photo"]:  # an older card: nothing is missing now
            await show_card(update, context, who, record_id)
            return None
    return draft


def _window_closed(who: Speaker, context: Context) -> str:
    days = context.bot_data.knowledge.record_rules.worker_edit_days
    ngettext = ngettext_of(who.gettext)
    return ngettext(
        "A record can be changed by its worker for {days} day after it was entered; this one "
        "is older. Please ask your station head.",
        "A record can be changed by its worker for {days} days after it was entered; this one "
        "is older. Please ask your station head.",
        days,
    ).format(days=days)


async def finish(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    record_id = int(draft["id"])
    fields = dict(draft.get("fields", {}))
    edit = draft.get("edit")
    changes = RecordChanges(
        fields=fields,
        activity_date=date.fromisoformat(draft["date"]) if edit == DAY else None,
        minutes=int(draft["minutes"]) if edit == HOURS else None,
    )
    if edit == PEOPLE:
        person_times = int(draft["person_times"])
        groups = activities.group_figures(
            groups=list(draft.get("groups", [])),
            person_times=person_times,
            split=dict(draft.get("split", {})),
        )
        changes = replace(changes, person_times=person_times, groups=groups)
    try:
        async with data.uow() as uow:
            view = await records.correct_record(
                uow,
                actor_tg_id=who.tg_id,
                activity_id=record_id,
                changes=changes,
                now=data.clock.now(),
                zone=data.clock.zone,
                templates=data.knowledge.record_templates,
                group_codes=[g.code for g in data.knowledge.served_groups],
                rules=data.knowledge.record_rules,
            )
    except EditWindowClosed:
        await show(update, _window_closed(who, context))
        return END
    except NotFound:
        await show(update, _("I could not find that record."))
        return END
    except DayLimitExceeded as too_much:
        if edit in (DAY, HOURS):  # as /log says it: the step asked again
            return await FLOW.ask(
                update, context, who, edit, work_forms.day_limit_text(_, too_much)
            )
        await show(update, work_forms.day_limit_text(_, too_much))
        return END
    except InvalidValue as problem:
        if edit and problem.field in ("date", "hours", "person_times", "groups"):
            step, reason = activity_log.refusal(_, context, draft, problem)
            return await FLOW.ask(update, context, who, step, reason)  # as /log says it
        raise Reask(_("Please check that answer."), "field") from None
    problems = await record_steps.store_evidence(
        context,
        who,
        activity_id=record_id,
        station_code=view.entry.station_code,
        items=list(draft.get("evidence", [])),
    )
    notice = _("✅ Saved.") + "".join("\n⚠️ " + p for p in problems)
    await show_card(update, context, who, record_id, notice)
    return END


BUSY = N_("You are in the middle of changing a record. Finish it, or send /cancel.")

FLOW = Flow("record", KEY, STEPS, begin, finish,
            entry_patterns=(rf"^{KEY}:({FILL}|{PHOTOS}|{EDIT}):\d+$",), idle=WORK_IDLE, busy=BUSY)  # fmt: skip


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(FLOW.conversation())
    app.add_handler(CommandHandler("record", record_command))
    app.add_handler(CallbackQueryHandler(on_open, pattern=pattern(KEY, "open")))
    app.add_handler(CallbackQueryHandler(on_delete, pattern=pattern(KEY, "del")))
    app.add_handler(CallbackQueryHandler(on_delete_confirmed, pattern=pattern(KEY, "delyes")))
