"""`/log`: a social worker records one activity in the city's record templates, and `/mylogs`
shows their last ten entries with a delete button for the first 24 hours.

The /log journey is a kit `Flow` (diagram: `activity_log.mmd`): its steps are declared once in
`STEPS`, then one confirm (`save`) calls `activities.log_activity`.
(station, only for someone working at several) → category → template → day (today,
yesterday, or another day of the open window) → hours (buttons or typed, 0.25–12) → groups
served (multi-select) → person-times (1–1000) → how many of them in each group (only when
several groups were chosen; the rule is `activities.next_split_question`) → optional note →
confirm. Desk-work templates skip the groups and person-times. After saving, "Log another like
this" opens the same entry again, dated today, at the confirm step.

The states persisted since the first release are the integers 0 to 10 (`persisted=`) and the
draft lives in `context.user_data["log"]` (JSON only), so a worker in the middle of /log when
this version starts goes on where they were. The draft carries a random token so a second Save
press, or a replay after a restart, saves once. `/mylogs` (diagram `mylogs.mmd`) lists, asks
"delete?", and deletes through `services.activities`, which re-checks the owner and the 24
hours and writes the audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.kit.callbacks import Press, encode, pattern
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    END,
    NUMBER,
    TEXT,
    WORK_IDLE,
    Draft,
    Flow,
    Outcome,
    Reask,
    Screen,
    Step,
)
from handlers.kit.i18n import N_, Gettext, ngettext_of
from handlers.kit.keyboards import grid
from handlers.kit.screen import alert, show
from handlers.kit.steps import (
    choice_step,
    count_problem,
    count_step,
    date_refused,
    date_steps,
    hours_problem,
    hours_step,
    local_today,
    phone_checked,
    toggles_step,
    typed_within,
)
from handlers.kit.wiring import command_and_button, persistent_conversation, presses
from handlers.kit.words import (
    day_label,
    hours_label,
    in_sentence,
    ngettext_for,
    only_for,
    person_times_count,
)
from handlers.work import record_steps, work_forms
from knowledge.record_templates import RecordTemplate
from services import activities, records
from services.activities import (
    ActivityEntry,
    AlreadyDeleted,
    DayLimitExceeded,
    DeleteWindowClosed,
)
from services.errors import InvalidValue, NotAllowed, NotFound
from services.numbers import parse_count
from services.people import WORKER
from services.records import last_template

KEY = "log"
# The integer states the first release persisted (see the module docstring).
(STATION, CATEGORY, TEMPLATE, DATE, DAY, DURATION, GROUPS, PERSON_TIMES, SPLIT, NOTE, CONFIRM) = (
    range(11)
)
DURATION_CHOICES = (30, 60, 90, 120, 180, 240)  # minutes
PERSON_TIME_CHOICES = (1, 2, 5, 10, 20, 50)
MIN_HOURS, MAX_HOURS = activities.MIN_MINUTES / 60, activities.MAX_MINUTES / 60


# --- the draft --------------------------------------------------------------------------------
def _template_of(context: Context, draft: Draft) -> RecordTemplate | None:
    code = draft.get("template")
    return context.bot_data.knowledge.record_templates.template(code) if code else None


def _template_name(context: Context, who: Speaker, draft: Draft) -> str:
    template = _template_of(context, draft)
    return escape(template.name(who.lang)) if template else ""


def _counts_people(draft: Draft) -> bool:
    """Whether the template serves residents (groups and person-times asked). Set when the
    template is chosen; a draft of the first release, which lacks it, counts people until
    `_bring_up_to_date` has read its template."""
    return bool(draft.get("counts_people", True))


def _split(draft: Draft) -> activities.SplitQuestion | None:
    if not _counts_people(draft) or draft.get("person_times") is None:
        return None
    return activities.next_split_question(
        groups=list(draft.get("groups", [])),
        person_times=int(draft["person_times"]),
        split=dict(draft.get("split", {})),
    )


def _question(draft: Draft) -> activities.SplitQuestion | None:
    """The split question to show: the next unanswered group, or, when every group has its
    figure (Back from the note), the last group again (its figure is then replaced)."""
    question = _split(draft)
    split = dict(draft.get("split", {}))
    if question is None and split and draft.get("person_times") is not None:
        split.pop(list(split)[-1])
        question = activities.next_split_question(
            groups=list(draft.get("groups", [])),
            person_times=int(draft["person_times"]),
            split=split,
        )
    return question


# --- what the screens say ---------------------------------------------------------------------
def _station_name(context: Context, who: Speaker, code: str | None) -> str:
    return escape(work_forms.station_name(context, who, code))


def _group_names(context: Context, who: Speaker) -> dict[str, str]:
    return {g.code: g.name(who.lang) for g in context.bot_data.knowledge.served_groups}


def _in_catalogue_order(
    context: Context, groups: tuple[tuple[str, int], ...]
) -> list[tuple[str, int]]:
    order = [g.code for g in context.bot_data.knowledge.served_groups]
    return sorted(groups, key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order))


def _groups_text(context: Context, who: Speaker, groups: list[tuple[str, int]]) -> str:
    names = _group_names(context, who)
    separator = "，" if who.lang == "zh" else ", "
    return separator.join(f"{escape(names.get(code, code))} {value}" for code, value in groups)


def summary(context: Context, who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    knowledge = context.bot_data.knowledge
    template = _template_of(context, draft)
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
        groups = list(draft.get("groups", []))
        figures = activities.group_figures(
            groups=groups, person_times=draft.get("person_times"), split=draft.get("split", {})
        )
        lines.append(_("Person-times: {total}").format(total=int(draft["person_times"])))
        lines.append(
            _("By group: {groups}").format(
                groups=_groups_text(context, who, [(g, figures[g]) for g in groups])
            )
        )
    if draft.get("note"):
        lines.append(_("Note: {note}").format(note=escape(draft["note"])))
    lines += record_steps.form_lines(context, who, draft)
    if draft.get("evidence"):
        lines.append(_("Photos and files: {count}").format(count=len(draft["evidence"])))
    return "\n".join(lines)


# --- the steps --------------------------------------------------------------------------------
def _categories(context: Context, who: Speaker, draft: Draft) -> list[tuple[str, str]]:
    return [
        (c.name(who.lang), c.code) for c in context.bot_data.knowledge.record_templates.categories
    ]


def _category_chosen(context: Context, who: Speaker, draft: Draft, code: str) -> Outcome:
    draft.pop("quick", None)  # the long way: the day is asked
    template = _template_of(context, draft)
    if template is not None and template.category_code != code:
        draft.pop("template", None)  # another category: its template is asked again
    return None


def _render_template(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    category = context.bot_data.knowledge.record_templates.category(draft.get("category", ""))
    if category is None:  # the catalogue changed under a persisted draft: choose again
        rows = grid(
            [
                InlineKeyboardButton(label, callback_data=encode(KEY, "cat", code))
                for label, code in _categories(context, who, draft)
            ]
        )
        return Screen(
            _("That record template is no longer in the catalogue; please choose again."), rows
        )
    rows = [
        [InlineKeyboardButton(t.name(who.lang), callback_data=encode(KEY, "tpl", t.code))]
        for t in category.templates
    ]
    text = _("{category}: which record template?").format(category=escape(category.name(who.lang)))
    return Screen(text, rows)


async def on_template(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    template = context.bot_data.knowledge.record_templates.template(press.arg() or "")
    if template is None or template.category_code != draft.get("category"):
        raise Reask(None)  # a template of another category (an old keyboard): this step again
    _use_template(draft, template)
    if not template.counts_people:
        for key in ("groups", "person_times", "split"):
            draft.pop(key, None)
    return None


def _use_template(draft: Draft, template: RecordTemplate) -> None:
    """The template chosen: its form is asked afresh (the codes, so a step knows what applies)."""
    draft["template"] = template.code
    draft["category"] = template.category_code
    draft["counts_people"] = template.counts_people
    draft["form"] = [f.code for f in template.form]
    draft["asked"], draft["fields"] = [], {}
    if not template.counts_people:
        for key in ("groups", "person_times", "split"):
            draft.pop(key, None)


async def on_last_template(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """The quick path: the worker's last template, dated today (the day step is left out;
    « Back comes here, and choosing a category there asks the day again)."""
    template = _template_of(context, {"template": draft.get("last_template")})
    if template is None:
        raise Reask(None)
    _use_template(draft, template)
    draft["quick"] = True
    draft["date"] = local_today(context).isoformat()
    draft.pop("picked", None)
    return "hours"


async def on_category_again(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """A category pressed on the template step (shown when the catalogue lost the old one)."""
    if context.bot_data.knowledge.record_templates.category(press.arg() or "") is None:
        raise Reask(None)
    draft["category"] = press.arg()
    draft.pop("template", None)
    return "template"


def _render_split(context: Context, who: Speaker, draft: Draft, prefix: str = KEY) -> Screen:
    """One group's figure (the step is asked once per group). Its own « Back row: Back here
    takes back the previous group's figure, not the whole split."""
    _ = who.gettext
    question = _question(draft)
    assert question is not None  # the step applies only with several groups
    group = in_sentence(_group_names(context, who).get(question.group, question.group), who.lang)
    ngettext = ngettext_of(_)
    text = ngettext(
        "{total} person-time in all. How many of them were {group}? "
        "Type a number from {low} to {total}.",
        "{total} person-times in all. How many of them were {group}? "
        "Type a number from {low} to {total}.",
        question.high,
    ).format(total=question.high, group=escape(group), low=question.low)
    if question.low > activities.MIN_PERSON_TIMES:
        others = question.high - question.low
        text += "\n" + ngettext(
            "At least {low}: the other groups have {others} between them, and all {total} "
            "person-time must be counted in some group.",
            "At least {low}: the other groups have {others} between them, and all {total} "
            "person-times must be counted in some group.",
            question.high,
        ).format(low=question.low, others=others, total=question.high)
    text += "\n" + _("Someone in two groups (an older person with a disability) counts in both.")
    rows = [
        [
            InlineKeyboardButton(
                _("All {total}").format(total=question.high),
                callback_data=encode(prefix, "split", "all"),
            )
        ],
        [
            InlineKeyboardButton(_("« Back"), callback_data=encode(prefix, "split", "back")),
            InlineKeyboardButton(_("✖ Cancel"), callback_data=encode(prefix, "cancel")),
        ],
    ]
    return Screen(text, rows)


def _answer_split(draft: Draft, figure: int) -> Outcome:
    question = _question(draft)
    if question is not None:
        draft.setdefault("split", {})[question.group] = figure
    forced = _split(draft)
    if forced is not None and forced.low == forced.high:  # the last group's figure is forced
        draft["split"][forced.group] = forced.high
    return "split" if _split(draft) is not None else None


async def on_split_press(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    question = _question(draft)
    if press.arg() == "back":
        split = draft.setdefault("split", {})
        if _split(draft) is None and split:  # the last group was on screen again
            split.pop(list(split)[-1])
        if not split:
            return "person_times"
        split.pop(list(split)[-1])  # the previous group's figure, asked again
        return "split"
    if question is None or press.arg() != "all":
        return None if question is None else "split"
    return _answer_split(draft, question.high)


async def on_split_text(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    question = _question(draft)
    if question is None:
        return None
    try:
        figure = parse_count(text, minimum=question.low, maximum=question.high, field="split")
    except InvalidValue as error:
        raise Reask(
            count_problem(who.gettext, error.reason, question.low, question.high)
        ) from error
    return _answer_split(draft, figure)


async def on_note_skip(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    draft.pop("note", None)
    return None


async def on_note(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    _ = who.gettext
    note = typed_within(
        text,
        activities.MAX_NOTE,
        _("That note is {length} characters long; please keep it under 500."),
        required=False,
    )
    draft["note"] = note or None
    return None


def _split_again(context: Context, who: Speaker, draft: Draft) -> Outcome:
    """New groups or a new total: the figures given for the old ones no longer hold. One
    person-time in several groups is forced: that one person counts in each of them."""
    draft["split"] = {}
    if draft.get("person_times") == 1 and _several_groups(draft):
        draft["split"] = {g: 1 for g in draft.get("groups", [])}
    return None


def _several_groups(draft: Draft) -> bool:
    return _counts_people(draft) and activities.split_asked(list(draft.get("groups", [])))


def split_asked(draft: Draft) -> bool:
    """The split step applies: several groups and an answer that is not forced."""
    return _several_groups(draft) and draft.get("person_times") != 1


def _before_form(draft: Draft) -> str:
    """The step before the form's first field (Back from it)."""
    names = [s.name for s in STEPS]
    earlier = [s for s in FLOW.applying(draft) if names.index(s.name) < names.index("field")]
    return earlier[-1].name if earlier else "category"


def _with_last_template(step: Step) -> Step:
    """The category step with the quick path on top: the worker's last template, one press."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        screen = step.render(context, who, draft)
        template = _template_of(context, {"template": draft.get("last_template")})
        if template is None:
            return screen
        _ = who.gettext
        button = InlineKeyboardButton(
            _("⚡ {template}, today").format(template=template.name(who.lang)),
            callback_data=encode(KEY, "last"),
        )
        text = screen.text + "\n" + _("Or the same record as last time, dated today:")
        return Screen(text, [[button], *screen.rows])

    return replace(step, render=render, presses={**step.presses, "last": on_last_template})


def day_steps(
    prefix: str, persisted: tuple[str | int | None, str | int | None] = (None, None)
) -> tuple[Step, Step]:
    """/log's day (Today / Yesterday / Another day, then the calendar), for any flow that asks
    a record's day: the record card's Edit asks it with these very steps."""
    return date_steps(
        prefix=prefix,
        text=lambda _, context, who, draft: _("{template}: which day was it?").format(
            template=_template_name(context, who, draft)
        ),
        persisted=persisted,
    )


def hours_of(prefix: str, persisted: str | int | None = None) -> Step:
    """/log's hours (buttons, or typed from 0.25 to 12), for any flow that asks a record's."""
    return hours_step(
        "hours",
        prefix=prefix,
        kind="dur",
        text=lambda _, context, who, draft: _(
            "How many hours did it take? Choose, or type a number from 0.25 to 12 (like 2.5)."
        ),
        minimum=activities.MIN_MINUTES,
        maximum=activities.MAX_MINUTES,
        step=None,
        offered=DURATION_CHOICES,
        label=lambda _, hours: _("{hours} h").format(hours=hours_label(hours)),
        per_row=3,
        persisted=persisted,
    )


def people_steps(
    prefix: str,
    persisted: tuple[str | int | None, str | int | None, str | int | None] = (None, None, None),
) -> tuple[Step, Step, Step]:
    """/log's groups served, person-times and (several groups) the split, for any flow that
    asks them of a record (the draft's `groups`, `person_times`, `split`)."""
    return (
        toggles_step(
            "groups",
            prefix=prefix,
            kind="grp",
            done_arg="done",
            text=lambda _, context, who, draft: _(
                "Who was served? Choose every group that applies, then press Done."
            ),
            options=lambda context, who, draft: [
                (g.name(who.lang), g.code) for g in context.bot_data.knowledge.served_groups
            ],
            done_label=lambda _: _("Done ✔"),
            too_few=lambda _: _("Please choose at least one group."),
            in_options_order=True,  # the groups' catalogue order, as the split asks them
            chosen=_split_again,
            applies_when=_counts_people,
            persisted=persisted[0],
        ),
        count_step(
            "person_times",
            prefix=prefix,
            kind="pt",
            text=lambda _, context, who, draft: _(
                "How many person-times were served (one person served once is 1)? "
                "Type a number from 1 to 1000, or choose."
            ),
            bounds=lambda draft: (activities.MIN_PERSON_TIMES, activities.MAX_PERSON_TIMES),
            offered=PERSON_TIME_CHOICES,
            chosen=_split_again,
            applies_when=_counts_people,
            persisted=persisted[1],
        ),
        Step(
            "split",
            lambda context, who, draft: _render_split(context, who, draft, prefix),
            {"split": on_split_press},
            on_text=on_split_text,
            expects=NUMBER,
            applies_when=split_asked,
            persisted=persisted[2],
            nav=False,
        ),
    )


DATE_STEP, DAY_STEP = day_steps(KEY, persisted=(DATE, DAY))
STEPS: tuple[Step, ...] = (
    work_forms.your_station_step(
        KEY,
        lambda who: who.access.worker_stations,
        lambda _, context, who, draft: _("Which station is this activity for?"),
        persisted=STATION,
    ),
    _with_last_template(
        choice_step(
            "category",
            prefix=KEY,
            kind="cat",
            text=lambda _, context, who, draft: _(
                "📝 New activity for {station}. What kind of work was it?"
            ).format(station=_station_name(context, who, draft.get("station"))),
            options=_categories,
            chosen=_category_chosen,
            persisted=CATEGORY,
        )
    ),
    Step(
        "template",
        _render_template,
        {"tpl": on_template, "cat": on_category_again},
        persisted=TEMPLATE,
    ),
    replace(DATE_STEP, applies_when=lambda draft: not draft.get("quick")),
    DAY_STEP,
    hours_of(KEY, persisted=DURATION),
    *people_steps(KEY, persisted=(GROUPS, PERSON_TIMES, SPLIT)),
    phone_checked(
        Step(
            "note",
            lambda context, who, draft: Screen(
                who.gettext(
                    "Add a short note if you like (up to 500 characters). Please leave out "
                    "residents' names and phone numbers. Or press Skip."
                ),
                [
                    [
                        InlineKeyboardButton(
                            who.gettext("Skip »"), callback_data=encode(KEY, "note", "skip")
                        )
                    ]
                ],
            ),
            {"note": on_note_skip},
            on_text=on_note,
            expects=TEXT,
            persisted=NOTE,
        ),
        key="note",
        prefix=KEY,
    ),
    record_steps.field_step("field", prefix=KEY, previous=_before_form),
    record_steps.evidence_step("evidence", prefix=KEY),
    work_forms.save_step(KEY, summary, persisted=CONFIRM),
)


# --- the start, the confirm, and "log another like this" --------------------------------------
def _refusal(who: Speaker) -> str:
    return only_for(who, WORKER)


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    """A fresh draft (see `work_forms.fresh_draft`), with the template last logged for ⚡."""
    draft = await work_forms.fresh_draft(update, who, who.access.worker_stations, WORKER)
    if draft is None:
        return None
    last = await context.bot_data.use_case(last_template, worker_tg_id=who.tg_id)
    if last is not None and context.bot_data.knowledge.record_templates.template(last):
        draft["last_template"] = last
    return draft


async def _bring_up_to_date(update: Update, context: Context, who: Speaker) -> bool:
    """Called by the Flow on every update (its `allowed`): a draft of the first release lacks
    `counts_people`; read it from its template, so the steps that apply are the right ones.
    Everyone may go on (roles are checked at the start and again by the service on Save)."""
    draft = (context.user_data or {}).get(KEY)
    if isinstance(draft, dict) and "counts_people" not in draft and draft.get("template"):
        template = _template_of(context, draft)
        draft["counts_people"] = bool(template.counts_people) if template else True
    return True


async def save(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """The confirm: one call of `activities.log_activity`, then "Saved" and its buttons."""
    _ = who.gettext
    data = context.bot_data
    groups = list(draft.get("groups", []))
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
                groups=activities.group_figures(
                    groups=groups, person_times=person_times, split=draft.get("split", {})
                ),
                note=draft.get("note"),
                client_token=draft["token"],
                now=data.clock.now(),
                zone=data.clock.zone,
                templates=data.knowledge.record_templates,
                group_codes=[g.code for g in data.knowledge.served_groups],
                fields=dict(draft.get("fields", {})),
                rules=data.knowledge.record_rules,
            )
    except DayLimitExceeded as too_much:
        return await FLOW.ask(update, context, who, "hours", work_forms.day_limit_text(_, too_much))
    except NotAllowed:
        await show(
            update, _("You are no longer a social worker at this station, so nothing was saved.")
        )
        return END
    except InvalidValue as problem:
        return await _refused(update, context, who, draft, problem)
    items = list(draft.get("evidence", []))
    problems = await record_steps.store_evidence(
        context, who, activity_id=entry.id, station_code=entry.station_code, items=items
    )
    evidence, missing = 0, entry.missing
    if items or missing is None:  # what the record holds now, read back
        async with data.uow() as uow:
            view = await records.record_view(
                uow,
                actor_tg_id=who.tg_id,
                activity_id=entry.id,
                templates=data.knowledge.record_templates,
            )
        evidence, missing = len(view.evidence), view.missing
    text = _("✅ Saved.") + "\n" + _entry_summary(context, who, entry)
    if evidence:
        text += "\n" + _("Photos and files: {count}").format(count=evidence)
    text += "".join("\n⚠️ " + p for p in problems)
    if missing:
        text += "\n" + _(
            "⚠️ This record is incomplete until {missing} is added: /mylogs has Complete it."
        ).format(missing=escape(missing_names(context, who, entry.template_code, missing)))
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("📝 Log another like this"), callback_data=encode(KEY, "again", entry.id)
                )
            ],
            [
                InlineKeyboardButton(_("🗂 My logs"), callback_data="menu:mylogs"),
                InlineKeyboardButton(_("🏠 Menu"), callback_data="menu:menu"),
            ],
        ]
    )
    await show(update, text, buttons)
    return END


async def _refused(
    update: Update, context: Context, who: Speaker, draft: Draft, problem: InvalidValue
) -> str | int:
    """The service refused a value (a day that has left the window overnight, say)."""
    return await FLOW.ask(update, context, who, *refusal(who.gettext, context, draft, problem))


def refusal(_: Gettext, context: Context, draft: Draft, problem: InvalidValue) -> tuple[str, str]:
    """The step to ask again, and the sentence, for a value the service refused (/log's, and
    the record card's Edit, whose steps have the same names)."""
    if problem.field == "date":
        return "date", date_refused(_, context, draft, problem)
    if problem.field == "hours":
        return "hours", hours_problem(_, problem.reason, minimum=MIN_HOURS, maximum=MAX_HOURS)
    if problem.field == "person_times":
        reason = count_problem(
            _, problem.reason, activities.MIN_PERSON_TIMES, activities.MAX_PERSON_TIMES
        )
        return "person_times", reason
    if problem.field == "groups":
        draft["split"] = {}
        return "groups", _("Please choose the groups again.")
    if problem.field == "note":
        return "note", _("Please keep the note under 500 characters.")
    reason = _("That record template is no longer in the catalogue; please choose again.")
    return "category", reason


def missing_names(
    context: Context, who: Speaker, template_code: str, missing: Sequence[str]
) -> str:
    """What a record lacks (`RecordView.missing`), by the form's labels (a photo as "a
    photo")."""
    _ = who.gettext
    template = context.bot_data.knowledge.record_templates.template(template_code)
    names = []
    for code in missing:
        form_field = template.form_field(code) if template else None
        if form_field is not None:
            names.append(form_field.label(who.lang))
        elif code == "photo":
            names.append(_("a photo"))
        else:
            names.append(code)
    return ("、" if who.lang == "zh" else ", ").join(names)


def _entry_summary(context: Context, who: Speaker, entry: ActivityEntry) -> str:
    return summary(context, who, draft_of(context, entry, entry.activity_date))


def draft_of(context: Context, entry: ActivityEntry, day: date) -> Draft:
    groups = _in_catalogue_order(context, entry.groups)
    template = context.bot_data.knowledge.record_templates.template(entry.template_code)
    return {
        "station": entry.station_code,
        "category": entry.category_code,
        "template": entry.template_code,
        "counts_people": bool(template.counts_people) if template else bool(groups),
        "date": day.isoformat(),
        "minutes": entry.minutes,
        "groups": [code for code, _n in groups],
        "person_times": entry.person_times,
        "split": dict(groups) if len(groups) > 1 else {},
        "note": entry.note,
    }


async def again(update: Update, context: Context) -> str | int | None:
    """ "Log another like this": the saved entry's values, dated today, at the confirm step,
    in a new message below the saved entry (which stays as it is)."""
    who = await context.person(update)
    _ = who.gettext
    if not who.access.worker_stations:
        await show(update, _refusal(who), new=True)
        return None
    try:
        activity_id = context.found_id(update, "activity")
        async with context.bot_data.uow() as uow:
            entry = await activities.activity_to_repeat(
                uow, worker_tg_id=who.tg_id, activity_id=activity_id
            )
    except NotFound:
        await alert(update, _("I could not find that entry."))
        return None
    if entry.station_code not in who.access.worker_stations:
        await alert(update, _("You no longer work at that station."))
        return None
    await FLOW.set_aside_others(update, context, who)  # an entry that is not `on_start`
    draft = draft_of(context, entry, local_today(context))
    draft.update(token=uuid.uuid4().hex, several_stations=len(who.access.worker_stations) > 1)
    template = _template_of(context, draft)
    if template is not None:  # the form's values are copied too (not the photos)
        async with context.bot_data.uow() as uow:
            view = await records.record_view(
                uow,
                actor_tg_id=who.tg_id,
                activity_id=entry.id,
                templates=context.bot_data.knowledge.record_templates,
            )
        draft["form"] = [f.code for f in template.form]
        draft["asked"] = list(draft["form"])
        draft["fields"] = {c: v for c, v in view.values if c in draft["form"]}
    assert context.user_data is not None
    context.user_data[KEY] = draft
    step = FLOW.step("confirm")
    screen = step.render(context, who, draft)
    notice = _("A copy of that entry, dated today. Change anything with « Back, or save it.")
    rows = [*screen.rows, FLOW.nav(_, draft, step)]
    await show(update, notice + "\n\n" + screen.text, InlineKeyboardMarkup(rows), new=True)
    return step.state


BUSY = N_("You are in the middle of logging an activity. Finish it, or send /cancel.")

# `draft_key`: the draft has lived in user_data["log"] since the first release
FLOW = Flow("log", KEY, STEPS, begin, save, draft_key=KEY, command="log",
            allowed=_bring_up_to_date, idle=WORK_IDLE, busy=BUSY)  # fmt: skip


# --- /mylogs ----------------------------------------------------------------------------------
# The list is a view: it ends the conversation at once, so a forgotten list never captures
# what the worker types later. Its delete buttons start the one real question ("delete?").
CONFIRM_DELETE = "confirm_delete"
DELETE_KEY = "mylogs_delete"  # the entry the question is about, for asking again


def _log_line(context: Context, who: Speaker, entry: ActivityEntry) -> str:
    """One entry of /mylogs, named by the record's own number (the card's "Record 2", its
    buttons' «📋 2»), not by its place in the list (probe11 item 9: «📋 1» opened record 2)."""
    _ = who.gettext
    template = context.bot_data.knowledge.record_templates.template(entry.template_code)
    name = template.name(who.lang) if template else entry.template_code
    parts = [
        _("No. {number}").format(number=entry.id),
        day_label(_, entry.activity_date),
        escape(name),
        _("{hours} h").format(hours=hours_label(entry.hours)),
    ]
    if entry.person_times:
        parts.append(person_times_count(ngettext_of(_), entry.person_times))
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
        views = await records.my_records(
            uow, worker_tg_id=who.tg_id, templates=data.knowledge.record_templates
        )
    entries = [v.entry for v in views]
    incomplete = {v.entry.id for v in views if not v.complete}
    lines = [notice, ""] if notice else []
    if not entries:
        lines.append(_("You have no activity logs yet. /log records one."))
        await show(update, "\n".join(lines))
        return ConversationHandler.END
    ngettext = ngettext_for(data.translator, who.lang)
    title = ngettext(
        "Your last activity log:", "Your last {count} activity logs:", len(entries)
    ).format(count=len(entries))
    lines.append("<b>" + title + "</b>")
    for e in entries:
        line = _log_line(context, who, e)
        if e.id in incomplete:
            line += "\n    " + _("⚠️ incomplete")
        lines.append(line)
    deletable = [e for e in entries if e.deletable(now)]
    if deletable:
        lines += ["", _("🗑 deletes an entry, for 24 hours after it was entered.")]
    lines.append(_("📋 opens a record: complete it, add photos, or edit a field."))
    buttons = [
        InlineKeyboardButton(
            _("🗑 {number}").format(number=e.id), callback_data=encode("mylogs", "del", e.id)
        )
        for e in deletable
    ]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    first = [
        InlineKeyboardButton(
            _("✍️ Complete No. {number}").format(number=e.id),
            callback_data=encode("rec", "fill", e.id),
        )
        for e in entries[:3]
        if e.id in incomplete
    ]  # the incomplete ones come first: Complete it in one press for the first few
    opens = [
        InlineKeyboardButton(
            _("📋 {number}").format(number=e.id), callback_data=encode("rec", "open", e.id)
        )
        for e in entries
    ]
    rows = [first[i : i + 3] for i in range(0, len(first), 3)] + rows
    rows += [opens[i : i + 5] for i in range(0, len(opens), 5)]
    await show(update, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)
    return ConversationHandler.END


def _mylogs_refusal(who: Speaker) -> str:
    return only_for(who, WORKER)


async def start_mylogs(update: Update, context: Context) -> int:
    who = await context.person(update)
    if not who.access.worker_stations:
        await show(update, _mylogs_refusal(who))
        return ConversationHandler.END
    return await _show_logs(update, context, who)


async def on_delete(update: Update, context: Context) -> str | int:
    """🗑 pressed: ask first. Only the worker's own, still listed entries can be asked about."""
    who = await context.person(update)
    _ = who.gettext
    activity_id = context.pressed_id(update)
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
    found = [e for e in entries if e.id == activity_id]
    if not found:
        return await _show_logs(update, context, who, _("I could not find that entry."))
    entry = found[0]
    assert context.user_data is not None
    context.user_data[DELETE_KEY] = entry.id
    text = _("Delete this entry?") + "\n" + _log_line(context, who, entry)
    if problem:
        text = "⚠️ " + problem + "\n\n" + text
    rows = [[
        InlineKeyboardButton(_("🗑 Yes, delete it"), callback_data=encode("mylogs", "yes", entry.id)),
        InlineKeyboardButton(_("« Keep it"), callback_data="mylogs:back"),
    ]]  # fmt: skip
    await show(update, text, InlineKeyboardMarkup(rows))
    return CONFIRM_DELETE


async def on_delete_confirmed(update: Update, context: Context) -> int:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    try:
        activity_id = context.found_id(update, "activity")
        await data.use_case(
            activities.delete_activity,
            worker_tg_id=who.tg_id,
            activity_id=activity_id,
            now=data.clock.now(),
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
    who = await context.person(update)
    return await _show_logs(update, context, who)


async def delete_reask(update: Update, context: Context) -> str | int:
    who = await context.person(update)
    _ = who.gettext
    activity_id = (context.user_data or {}).get(DELETE_KEY)
    problem = _("Please answer the question above: delete the entry, or keep it. /cancel stops.")
    if not isinstance(activity_id, int):
        return await _show_logs(update, context, who)
    return await _ask_delete(update, context, who, activity_id, problem)


async def delete_cancel(update: Update, context: Context) -> int:
    who = await context.person(update)
    _ = who.gettext
    if context.user_data is not None:
        context.user_data.pop(DELETE_KEY, None)
    await show(update, _("Cancelled. Nothing was deleted."))
    return ConversationHandler.END


# --- wiring -----------------------------------------------------------------------------------
def log_conversation() -> ConversationHandler[Context]:
    conversation = FLOW.conversation()
    # "Log another like this" enters at the confirm step, so it is an entry point of its own
    # (checked before the states, as entry points are while re-entry is allowed).
    conversation.entry_points.append(CallbackQueryHandler(again, pattern=pattern(KEY, "again")))
    return conversation


def mylogs_conversation() -> ConversationHandler[Context]:
    confirming = [
        *presses({r"^mylogs:yes:": on_delete_confirmed, r"^mylogs:back$": on_keep}),
        CommandHandler("cancel", delete_cancel),
        MessageHandler(filters.ALL, delete_reask),
    ]
    entry = [
        *command_and_button("mylogs", start_mylogs),
        CallbackQueryHandler(on_delete, pattern=r"^mylogs:del:"),
    ]
    return persistent_conversation("mylogs", entry, {CONFIRM_DELETE: confirming})


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(log_conversation())
    app.add_handler(mylogs_conversation())
