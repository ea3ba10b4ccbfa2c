"""Ready-made steps for a `Flow`: a choice of buttons, the station, typed text, toggles, the
date (with its keyboards and calendar), hours, a count and the confirm, and the sentences that
explain a refused date or number. Each returns a `Step`; the journey gives the texts (a function of gettext, context,
person and draft) and where the answer goes in the draft (`key`).

    choice_step("role", prefix="inv", key="role", kind="role",
                text=lambda _, c, w, d: _("Whom are you inviting?"),
                options=lambda c, w, d: [(role_label(w.gettext, r), r) for r in STAFF_ROLES])

A press whose value is not among the options (forged, or an outdated keyboard) re-asks the step.
One toggle style: "☑️ label" when ticked, "◻️ label" when not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from html import escape as escape_text
from typing import TypeVar

from telegram import (
    InlineKeyboardButton,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    BUTTON,
    DATE,
    NUMBER,
    PHONE,
    TEXT,
    Draft,
    Outcome,
    PressHandler,
    Reask,
    Rows,
    Screen,
    Step,
    TextHandler,
    reask_text,
)
from handlers.kit.i18n import Gettext
from handlers.kit.keyboards import button, grid
from handlers.kit.screen import drop_buttons
from handlers.kit.words import day_label, hours_label, month_label, phone_text
from knowledge.stations import Station
from services.entry_window import (
    FUTURE,
    LATE_ENTRY_DAYS,
    NO_SUCH_DAY,
    TOO_OLD,
    DateRefused,
    check_entry_date,
    days_open,
    entry_window,
    late_entry_closed,
    parse_entry_date,
)
from services.errors import InvalidValue
from services.numbers import hours_to_minutes, parse_count, parse_hours
from services.phones import from_contact, mask_phones, normalise_cn_phone, phones_in

Text = Callable[[Gettext, Context, Speaker, Draft], str]
Options = Callable[[Context, Speaker, Draft], Iterable[tuple[str, str]]]  # (label, value)
Chosen = Callable[[Context, Speaker, Draft, str], Outcome]  # after the value is stored
T = TypeVar("T")
TICKED, UNTICKED = "☑️", "◻️"
NO = "no"  # the value of a choice's No, which a typed "不用了" picks (`Step.typed_no`)
YES = "yes"  # and of its Yes, which a typed "好" picks (`Step.typed_yes`)


def _always(draft: Draft) -> bool:
    return True


def offered(value: T | None, choices: Container[T]) -> T:
    """The pressed value if it is one the step offered; else the step is shown again (a
    forged or outdated button)."""
    if value is None or value not in choices:
        raise Reask(None)
    return value


def number_press(store: Callable[[Speaker, Draft, int | None], None]) -> PressHandler:
    """The press of a button that carries a number: `store` checks it (raising `Reask`) and
    keeps it, as it does when the same number is typed."""

    async def pressed(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        store(who, draft, press.int_arg())
        return None

    return pressed


def choice_step(
    name: str,
    *,
    prefix: str,
    key: str | None = None,
    text: Text,
    options: Options,
    kind: str | None = None,
    per_row: int = 2,
    applies_when: Callable[[Draft], bool] = _always,
    chosen: Chosen | None = None,
    unknown: Callable[[Gettext], str] | None = None,
    persisted: str | int | None = None,
) -> Step:
    """One button per option (`<prefix>:<kind>:<value>`); the value goes to `draft[key]`. An
    option of value "no" is also a typed "no" ("不用了", "不要": `Step.typed_no`), one of value
    "yes" a typed "yes" ("好", "嗯": `Step.typed_yes`)."""
    key = key or name  # the draft key is the step name unless told
    button_kind = kind or name

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        buttons = [
            button(label, encode(prefix, button_kind, value))
            for label, value in options(context, who, draft)
        ]
        return Screen(text(who.gettext, context, who, draft), grid(buttons, per_row))

    async def pressed(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        value = press.arg()
        if value is None or value not in {v for _, v in options(context, who, draft)}:
            raise Reask((unknown or (lambda _: reask_text(_, BUTTON)))(who.gettext))
        draft[key] = value
        return chosen(context, who, draft, value) if chosen is not None else None

    def typed_no(context: Context, who: Speaker, draft: Draft) -> str | None:
        """A yes/no choice: "不用了" typed is its "no"."""
        values = {v for _, v in options(context, who, draft)}
        return encode(prefix, button_kind, NO) if NO in values else None

    def typed_yes(context: Context, who: Speaker, draft: Draft) -> str | None:
        """A yes/no choice: "好" typed is its "yes"."""
        values = {v for _, v in options(context, who, draft)}
        return encode(prefix, button_kind, YES) if YES in values and NO in values else None

    handler: PressHandler = pressed
    return Step(
        name,
        render,
        {button_kind: handler},
        applies_when=applies_when,
        persisted=persisted,
        typed_no=typed_no,
        typed_yes=typed_yes,
    )


def station_draft(stations: Iterable[str], *, several: str = "several_stations") -> Draft:
    """A fresh draft with a client token (so Save saves once): the station preset for a person
    with one, `draft[several]` set (the station step applies) for a person with several."""
    mine = sorted(stations)
    draft: Draft = {"token": uuid.uuid4().hex, several: len(mine) > 1}
    if len(mine) == 1:
        draft["station"] = mine[0]
    return draft


def station_step(
    name: str = "station",
    *,
    prefix: str,
    stations: Callable[[Context, Speaker, Draft], Iterable[Station]],
    text: Text,
    key: str = "station",
    kind: str = "st",
    applies_when: Callable[[Draft], bool] = _always,
    unknown: Callable[[Gettext], str] | None = None,
    persisted: str | int | None = None,
) -> Step:
    """The station: one button per station the person may choose."""
    return choice_step(
        name,
        prefix=prefix,
        key=key,
        kind=kind,
        text=text,
        options=lambda c, w, d: [(s.name(w.lang), s.code) for s in stations(c, w, d)],
        applies_when=applies_when,
        unknown=unknown,
        persisted=persisted,
    )


STATION_PRESET = "station_preset"  # user_data: the station of the poster someone scanned


def preset_station(context: Context) -> str | None:
    """The station a poster's `stn-…` link chose for this person (a known one), if any: the
    station step is then skipped (the summary shows it, Edit changes it)."""
    code = (context.user_data or {}).get(STATION_PRESET)
    return code if isinstance(code, str) and code in context.bot_data.knowledge.stations else None


def forget_preset(context: Context) -> None:
    """After a form went to the poster's station: the next one asks again (last used first)."""
    if context.user_data is not None:
        context.user_data.pop(STATION_PRESET, None)


def text_step(
    name: str,
    *,
    key: str | None = None,
    text: Text,
    parse: Callable[[Gettext, str], str] | None = None,
    applies_when: Callable[[Draft], bool] = _always,
) -> Step:
    """Typed text into `draft[key]`; `parse` may raise `Reask(problem)` or return a cleaned value."""
    key = key or name  # the draft key is the step name unless told

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        return Screen(text(who.gettext, context, who, draft))

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, value: str
    ) -> Outcome:
        draft[key] = parse(who.gettext, value) if parse is not None else value.strip()
        return None

    return Step(name, render, on_text=typed, expects=TEXT, applies_when=applies_when)


def typed_within(
    typed: str, limit: int, too_long: str | Callable[[int], str], *, required: bool = True
) -> str:
    """Typed text, stripped: an empty one re-asks (when `required`), one longer than `limit`
    re-asks with `too_long`, a sentence given `{length}` and `{limit}` (or a function of the
    length)."""
    text = typed.strip()
    if required and not text:
        raise Reask(None)
    if len(text) > limit:
        if callable(too_long):
            raise Reask(too_long(len(text)))
        raise Reask(too_long.format(length=len(text), limit=limit))
    return text


def typed_into(key: str, limit: int, too_long: str) -> TextHandler:
    """A step's typed text, kept in `draft[key]` (`typed_within`: stripped, not empty, at most
    `limit` characters; `too_long`, an `N_()` msgid given `{length}` and `{limit}`)."""

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, text: str
    ) -> Outcome:
        draft[key] = typed_within(text, limit, who.gettext(too_long))
        return None

    return typed


def toggle_label(label: str, ticked: bool) -> str:
    return f"{TICKED if ticked else UNTICKED} {label}"


def toggles_step(
    name: str,
    *,
    prefix: str,
    key: str | None = None,
    text: Text,
    options: Options,
    done_label: Callable[[Gettext], str],
    at_least: int = 1,
    applies_when: Callable[[Draft], bool] = _always,
    kind: str = "tog",
    done_arg: str | None = None,
    too_few: Callable[[Gettext], str] | None = None,
    persisted: str | int | None = None,
    in_options_order: bool = False,
    chosen: Callable[[Context, Speaker, Draft], Outcome] | None = None,
) -> Step:
    """Tick any of the options (`<prefix>:<kind>:<value>`), then `<prefix>:done` (or, with
    `done_arg`, `<prefix>:<kind>:<done_arg>`, the button older releases showed). The ticked
    values go to `draft[key]` in the order ticked (`in_options_order`: the options' order);
    fewer than `at_least` re-asks with `too_few`."""
    key = key or name  # the draft key is the step name unless told

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        ticked = set(draft.get(key, []))
        buttons = [
            InlineKeyboardButton(
                toggle_label(label, value in ticked), callback_data=encode(prefix, kind, value)
            )
            for label, value in options(context, who, draft)
        ]
        done_data = encode(prefix, kind, done_arg) if done_arg else encode(prefix, "done")
        done = InlineKeyboardButton(done_label(who.gettext), callback_data=done_data)
        return Screen(text(who.gettext, context, who, draft), [*grid(buttons), [done]])

    async def done(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if len(draft.get(key, [])) < at_least:
            raise Reask((too_few or (lambda _: reask_text(_, BUTTON)))(who.gettext))
        return chosen(context, who, draft) if chosen is not None else None

    async def toggle(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        value = press.arg()
        if done_arg is not None and value == done_arg:
            return await done(update, context, who, draft, press)
        values = [v for _, v in options(context, who, draft)]
        if value is None or value not in values:
            raise Reask(reask_text(who.gettext, BUTTON))
        ticked = list(draft.get(key, []))
        ticked = [v for v in ticked if v != value] if value in ticked else [*ticked, value]
        draft[key] = [v for v in values if v in ticked] if in_options_order else ticked
        return name

    presses: dict[str, PressHandler] = {kind: toggle, "done": done}
    return Step(name, render, presses, applies_when=applies_when, persisted=persisted)


def confirm_step(
    name: str = "confirm",
    *,
    prefix: str,
    text: Text,
    save_label: Callable[[Gettext], str],
    edits: Callable[[Gettext, Draft], Iterable[tuple[str, str]]] = lambda _, d: (),
    kind: str = "save",
    persisted: str | int | None = None,
) -> Step:
    """The summary: Save (`<prefix>:<kind>`, then `Flow.finish`) and one Edit button per step
    (`<prefix>:edit:<step>`, which returns here). Name it as the Flow's `summary`."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows = [[InlineKeyboardButton(save_label(_), callback_data=encode(prefix, kind))]]
        edit_buttons = [
            InlineKeyboardButton(label, callback_data=encode(prefix, "edit", step))
            for label, step in edits(_, draft)
        ]
        return Screen(text(_, context, who, draft), [*rows, *grid(edit_buttons)])

    async def save(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        return None

    return Step(name, render, {kind: save}, back=True, persisted=persisted)


def local_today(context: Context) -> date:
    data = context.bot_data
    return data.clock.now().astimezone(data.clock.zone).date()


def date_steps(
    *,
    prefix: str,
    text: Text,
    key: str = "date",
    names: tuple[str, str] = ("date", "day"),
    persisted: tuple[str | int | None, str | int | None] = (None, None),
) -> tuple[Step, Step]:
    """The date of the open entry window: Today / Yesterday / 📅 Another day (`<prefix>:date:…`)
    or a typed date; then, only after "Another day", the calendar (`<prefix>:day:<iso>`,
    `<prefix>:cal:<month>`). The day goes to `draft[key]` as an ISO string; `draft["picked"]`
    says whether the calendar step applies."""
    date_name, day_name = names

    def problem(_: Gettext, error: InvalidValue, today: date, with_range: bool = True) -> Reask:
        return Reask(date_problem(_, error, today, with_range=with_range))

    def render_date(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        return Screen(text(_, context, who, draft), date_buttons(_, prefix, local_today(context)))

    def render_day(context: Context, who: Speaker, draft: Draft) -> Screen:
        body, rows = calendar_step(who.gettext, prefix, local_today(context), draft.get("calendar"))
        return Screen(body, rows)

    async def on_date(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        today = local_today(context)
        choice = press.arg()
        if choice == "pick":
            draft["picked"] = True
            draft.pop("calendar", None)
            return day_name
        if choice not in ("today", "yesterday"):
            raise Reask(None)
        draft["picked"] = False
        day = today if choice == "today" else today - timedelta(days=1)
        try:
            check_entry_date(day, today)
        except InvalidValue as error:
            raise problem(who.gettext, error, today) from error
        draft[key] = day.isoformat()
        return None

    async def on_day(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        today = local_today(context)
        try:
            day = check_entry_date(date.fromisoformat(press.arg() or ""), today)
        except ValueError as error:
            raise Reask(None) from error
        except InvalidValue as error:
            raise problem(who.gettext, error, today, with_range=False) from error
        draft[key] = day.isoformat()
        return None

    async def on_calendar(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        draft["calendar"] = press.arg()
        return day_name

    def typed(picked: bool | None) -> TextHandler:
        async def on_text(
            update: Update, context: Context, who: Speaker, draft: Draft, value: str
        ) -> Outcome:
            today = local_today(context)
            try:
                day = parse_entry_date(value, today)
            except InvalidValue as error:
                # On the calendar (picked is None) the step's own text gives the range.
                raise problem(who.gettext, error, today, picked is not None) from error
            if picked is not None:
                draft["picked"] = picked
            draft[key] = day.isoformat()
            return None

        return on_text

    date_step = Step(
        date_name,
        render_date,
        {"date": on_date},
        on_text=typed(False),
        expects=DATE,
        persisted=persisted[0],
    )
    day_step = Step(
        day_name,
        render_day,
        {"day": on_day, "cal": on_calendar},
        on_text=typed(None),
        expects=DATE,
        applies_when=lambda draft: bool(draft.get("picked")),
        persisted=persisted[1],
    )
    return date_step, day_step


def date_refused(_: Gettext, context: Context, draft: Draft, error: InvalidValue) -> str:
    """The service refused the day (it left the window overnight): the sentence, and the
    calendar no longer applies. Use as `await flow.ask(..., date_name, date_refused(...))`."""
    draft["picked"] = False
    return date_problem(_, error, local_today(context))


def hours_step(
    name: str = "hours",
    *,
    prefix: str,
    text: Text,
    minimum: int,
    maximum: int,
    step: int | None = 30,
    key: str = "minutes",
    kind: str = "hrs",
    per_row: int = 4,
    persisted: str | int | None = None,
    offered: Sequence[int] | None = None,
    label: Callable[[Gettext, float], str] | None = None,
) -> Step:
    """Hours as buttons (`<prefix>:<kind>:<minutes>`: `offered`, else `minimum` to `maximum`
    minutes in `step`s) or typed ("2.5", "２,５", "90分钟", "两小时"); minutes go to
    `draft[key]`. `step=None`: any whole minute. `label(_, hours)` words a button."""
    buttons_minutes = list(offered or range(minimum, maximum + 1, step or 30))

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        buttons = [
            InlineKeyboardButton(
                label(_, m / 60) if label else hours_label(m / 60),
                callback_data=encode(prefix, kind, m),
            )
            for m in buttons_minutes
        ]
        return Screen(text(_, context, who, draft), grid(buttons, per_row))

    async def pressed(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        minutes = press.int_arg() or 0
        if not minimum <= minutes <= maximum or (step and minutes % step):
            raise Reask(None)
        draft[key] = minutes
        return None

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, value: str
    ) -> Outcome:
        low, high = minimum / 60, maximum / 60
        try:
            hours = parse_hours(value, minimum=low, maximum=high, step=step / 60 if step else None)
        except InvalidValue as error:
            raise Reask(
                hours_problem(who.gettext, error.reason, minimum=low, maximum=high)
            ) from error
        draft[key] = hours_to_minutes(hours)
        return None

    return Step(name, render, {kind: pressed}, on_text=typed, expects=NUMBER, persisted=persisted)


Bounds = Callable[[Draft], tuple[int, int]]


def count_step(
    name: str,
    *,
    prefix: str,
    key: str | None = None,
    text: Text,
    bounds: Bounds,
    offered: Sequence[int] = (),
    kind: str | None = None,
    per_row: int = 6,
    applies_when: Callable[[Draft], bool] = _always,
    persisted: str | int | None = None,
    chosen: Callable[[Context, Speaker, Draft], Outcome] | None = None,
) -> Step:
    """A whole number: buttons (`<prefix>:<kind>:<n>`, those of `offered` within the bounds)
    or typed ("12", "十二人次", "1,000"); `bounds(draft)` gives (lowest, highest), both
    allowed. The number goes to `draft[key]` (then `chosen`, if given); out of bounds re-asks
    with the reason."""
    key = key or name  # the draft key is the step name unless told
    button_kind = kind or name

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        low, high = bounds(draft)
        buttons = [
            InlineKeyboardButton(str(n), callback_data=encode(prefix, button_kind, n))
            for n in offered
            if low <= n <= high
        ]
        return Screen(text(who.gettext, context, who, draft), grid(buttons, per_row))

    async def pressed(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        low, high = bounds(draft)
        number = press.int_arg()
        if number is None or not low <= number <= high:
            raise Reask(None)
        draft[key] = number
        return chosen(context, who, draft) if chosen is not None else None

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, value: str
    ) -> Outcome:
        low, high = bounds(draft)
        try:
            draft[key] = parse_count(value, minimum=low, maximum=high, field=key)
        except InvalidValue as error:
            raise Reask(count_problem(who.gettext, error.reason, low, high)) from error
        return chosen(context, who, draft) if chosen is not None else None

    return Step(
        name,
        render,
        {button_kind: pressed},
        on_text=typed,
        expects=NUMBER,
        applies_when=applies_when,
        persisted=persisted,
    )


# --- the date keyboards and the calendar ------------------------------------------------------
def date_buttons(_: Gettext, prefix: str, today: date) -> list[list[InlineKeyboardButton]]:
    """Today / Yesterday / 📅 Another day (`<prefix>:date:today|yesterday|pick`)."""
    yesterday = today - timedelta(days=1)
    return [
        [
            InlineKeyboardButton(
                _("Today ({day})").format(day=day_label(_, today)),
                callback_data=encode(prefix, "date", "today"),
            ),
            InlineKeyboardButton(
                _("Yesterday ({day})").format(day=day_label(_, yesterday)),
                callback_data=encode(prefix, "date", "yesterday"),
            ),
        ],
        [InlineKeyboardButton(_("📅 Another day"), callback_data=encode(prefix, "date", "pick"))],
    ]


def window_hint(_: Gettext, today: date) -> str:
    first, last = entry_window(today)
    return _("You can enter any day from {first} to {last}.").format(
        first=day_label(_, first), last=day_label(_, last)
    )


def calendar_buttons(
    _: Gettext, prefix: str, today: date, month: date
) -> list[list[InlineKeyboardButton]]:
    """The open days of `month` (7 a row), and a button to the other open month, if any."""
    open_days = days_open(today)
    shown = [d for d in open_days if (d.year, d.month) == (month.year, month.month)]
    buttons = [
        InlineKeyboardButton(str(d.day), callback_data=encode(prefix, "day", d.isoformat()))
        for d in shown
    ]
    rows = grid(buttons, 7)
    months = sorted({d.replace(day=1) for d in open_days})
    if len(months) > 1:
        other = months[0] if month.replace(day=1) == months[-1] else months[-1]
        arrow = "« {month}" if other < month else "{month} »"
        rows.append(
            [
                InlineKeyboardButton(
                    arrow.format(month=month_label(_, other)),
                    callback_data=encode(prefix, "cal", other.isoformat()),
                )
            ]
        )
    return rows


def calendar_month(today: date, wanted: str | None) -> date:
    """The month the calendar shows: the one asked for if it is open, else this one."""
    months = sorted({d.replace(day=1) for d in days_open(today)})
    if wanted:
        try:
            chosen = date.fromisoformat(wanted).replace(day=1)
        except ValueError:
            chosen = months[-1]
        if chosen in months:
            return chosen
    return months[-1]


def calendar_step(
    _: Gettext, prefix: str, today: date, wanted: str | None
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The calendar step's text and buttons: the month asked for (if open, else this one)."""
    month = calendar_month(today, wanted)
    text = _("Choose the day, or type it (like 11-3).") + "\n" + window_hint(_, today)
    return text, calendar_buttons(_, prefix, today, month)


# --- refused dates and numbers, in words ------------------------------------------------------
def example_day(today: date, *, ahead: bool = False) -> date:
    """A day to show as an example of a typed date that the step accepts (probe11 item 11:
    a fixed "12月5日" was refused in /log once past): for a step of past days, the day before
    yesterday; for a step of days to come, the day after tomorrow."""
    return today + timedelta(days=2 if ahead else -2)


def unread_date(_: Gettext, error: InvalidValue, today: date, *, ahead: bool = False) -> str:
    """The one sentence, in every date step, for typed text `services.dates.read_date` could
    not take: a day its month does not have ("November has no day 31."), or no date at all,
    with an example the step accepts (`example_day`: `ahead` for a step of days to come)."""
    if error.reason == NO_SUCH_DAY and isinstance(error, DateRefused):
        month = date(2000, error.month or 1, 1)
        return _("{month} has no day {day}.").format(
            month=month_label(_, month), day=error.day_number
        )
    day = day_label(_, example_day(today, ahead=ahead))
    if ahead:
        return _("I could not read that date. Please type it like {day} or tomorrow.").format(
            day=day
        )
    return _("I could not read that date. Please type it like {day} or yesterday.").format(day=day)


def date_problem(_: Gettext, error: InvalidValue, today: date, *, with_range: bool = True) -> str:
    """Why a date was refused: the one rule that applies, then (unless the step shows it
    already) the open range, once."""
    if error.reason not in (FUTURE, TOO_OLD):
        return unread_date(_, error, today)
    first, last = entry_window(today)
    asked = error.asked if isinstance(error, DateRefused) else None
    span = {"first": day_label(_, first), "last": day_label(_, last)}
    if error.reason == FUTURE:
        if with_range:
            return _(
                "That day has not come yet. You can enter any day from {first} to {last}."
            ).format(**span)
        return _("That day has not come yet.")
    if asked is not None and late_entry_closed(asked, today):
        deadline = day_label(_, today.replace(day=LATE_ENTRY_DAYS))
        if with_range:
            return _(
                "That day is too long ago: last month could be entered until {deadline}. "
                "You can enter any day from {first} to {last}."
            ).format(deadline=deadline, **span)
        return _("That day is too long ago: last month could be entered until {deadline}.").format(
            deadline=deadline
        )
    if with_range:
        return _("That day is too long ago. You can enter any day from {first} to {last}.").format(
            **span
        )
    return _("That day is too long ago.")


def number_problem(
    _: Gettext, reason: str, *, minimum: str, maximum: str, example: str, unit: str
) -> str:
    """A sentence for a `services.numbers` reason code. `unit`: "hours" or "count"."""
    if reason == "too_small":
        if unit == "hours":
            return _("That is too little: the shortest is {minimum} hours.").format(minimum=minimum)
        return _("That is too few: at least {minimum}.").format(minimum=minimum)
    if reason == "too_large":
        if unit == "hours":
            return _("That is too much: the longest is {maximum} hours.").format(maximum=maximum)
        return _("That is too many: at most {maximum}.").format(maximum=maximum)
    if reason == "not_whole":
        return _("Please type a whole number, like {example}.").format(example=example)
    if reason == "wrong_step":
        return _("Please use half hours, like {example}.").format(example=example)
    if unit == "hours":
        return _("Please type the hours as a number, like {example}.").format(example=example)
    return _("Please type a number, like {example}.").format(example=example)


def hours_problem(_: Gettext, reason: str, *, minimum: float, maximum: float) -> str:
    """A sentence for a `services.numbers` reason code about typed hours."""
    return number_problem(
        _,
        reason,
        minimum=hours_label(minimum),
        maximum=hours_label(maximum),
        example="1.5",
        unit="hours",
    )


def count_problem(_: Gettext, reason: str, low: int, high: int) -> str:
    """A sentence for a `services.numbers` reason code about a typed count."""
    return number_problem(
        _, reason, minimum=str(low), maximum=str(high), example=str(min(high, 12)), unit="count"
    )


# --- the phone step (added with /request and /volunteer) -------------------------------------
def contact_keyboard(
    _: Gettext, rows: Sequence[Sequence[InlineKeyboardButton]] = ()
) -> ReplyKeyboardMarkup:
    """The share-contact button ("📱 Share my phone number") and under it the step's buttons as
    typed buttons (Keep, « Back, ✖ Cancel): a message carries a reply keyboard or inline
    buttons, never both, so one message shows the prompt and all of them. The Flow reads their
    labels back (`Step.typed_buttons`)."""
    share = [KeyboardButton(_("📱 Share my phone number"), request_contact=True)]
    typed = [[KeyboardButton(button.text) for button in row] for row in rows if row]
    return ReplyKeyboardMarkup([share, *typed], resize_keyboard=True, one_time_keyboard=True)


async def leave_phone(update: Update, context: Context, who: Speaker, text: str) -> None:
    """Say `text` and take the share-contact keyboard away; what follows is a new message."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        await drop_buttons(update)
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=ReplyKeyboardRemove())
    context.anew = True


def phone_problem(_: Gettext, reason: str, *, share: bool = True) -> str:
    """Why a number was not accepted, with an example of one that would be. `share=False` at
    a step without the "📱 Share my phone number" button (a guardian's number, typed), which
    is then not pointed to."""
    if reason == "not_mainland":
        first = _("Sorry, I can only take a mainland China mobile or landline number.")
    elif reason == "kind":
        first = _("Sorry, I need a phone number here.")
    else:
        first = _("Sorry, that does not look like a phone number I can use.")
    if not share:
        return (
            first
            + "\n"
            + _(
                "Please type it like 138 0013 8000 (mobile) or 0579-8712 3456 (landline with "
                "area code)."
            )
        )
    return (
        first
        + "\n"
        + _(
            "Please press “📱 Share my phone number” below, or type it like 138 0013 8000 "
            "(mobile) or 0579-8712 3456 (landline with area code)."
        )
    )


def phone_step(
    name: str = "phone",
    *,
    prefix: str,
    text: Text,
    key: str = "phone",
    applies_when: Callable[[Draft], bool] = _always,
    persisted: str | int | None = None,
) -> Step:
    """A mainland phone number, shared with Telegram's share-contact button or typed; E.164 goes
    to `draft[key]`. One message: the prompt with a reply keyboard of "📱 Share my phone
    number" and, as typed buttons, "Keep: <number>" (`<prefix>:keep`, when the draft has one),
    « Back and ✖ Cancel, which the Flow reads back as those presses (`typed_buttons`). An
    inline Back / Cancel / Keep of the release that showed them in a second message still
    works. Leaving the step, by any of them, a contact or a typed number, says so in a message
    that takes the keyboard away."""

    async def present(
        update: Update, context: Context, who: Speaker, body: str, rows: Rows, reask: bool
    ) -> None:
        query = update.callback_query
        if query is not None:
            if not context.anew:
                await query.answer()
            await drop_buttons(update)
        chat = update.effective_chat
        if chat is not None:
            await chat.send_message(body, reply_markup=contact_keyboard(who.gettext, rows))

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows: Rows = []
        if draft.get(key):
            keep = _("Keep: {phone}").format(phone=phone_text(draft[key]))
            rows.append([InlineKeyboardButton(keep, callback_data=encode(prefix, "keep"))])
        return Screen(text(_, context, who, draft), rows)

    async def noted(
        update: Update, context: Context, who: Speaker, draft: Draft, phone: str
    ) -> Outcome:
        draft[key] = phone
        note = who.gettext("📞 Thank you, noted: {phone}").format(phone=phone_text(phone))
        await leave_phone(update, context, who, note)
        return None

    def reading(read: Callable[[str], str]) -> TextHandler:
        async def given(
            update: Update, context: Context, who: Speaker, draft: Draft, value: str
        ) -> Outcome:
            try:
                phone = read(value)
            except InvalidValue as error:
                raise Reask(phone_problem(who.gettext, error.reason)) from error
            return await noted(update, context, who, draft, phone)

        return given

    async def kept(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if not draft.get(key):
            raise Reask(None)
        said = who.gettext("Phone: {phone}").format(phone=phone_text(draft[key]))
        await leave_phone(update, context, who, said)
        return None

    return Step(
        name,
        render,
        {"keep": kept},
        on_text=reading(normalise_cn_phone),
        expects=PHONE,
        applies_when=applies_when,
        persisted=persisted,
        present=present,
        leave=leave_phone,
        on_contact=reading(from_contact),
        typed_buttons=True,
    )


# --- phone numbers in a free-text note (a /log note, a case's note) --------------------------
def before_presses(
    step: Step, effect: Callable[[Draft], object], *, leave: tuple[str, ...] = ()
) -> dict[str, PressHandler]:
    """The step's press handlers, each doing `effect(draft)` first (a held note or a renewed
    consent is let go once another button is pressed); the kinds in `leave` unchanged."""

    def first(handler: PressHandler) -> PressHandler:
        async def run(
            update: Update, context: Context, who: Speaker, draft: Draft, press: Press
        ) -> Outcome:
            effect(draft)
            return await handler(update, context, who, draft, press)

        return run

    return {
        kind: handler if kind in leave else first(handler) for kind, handler in step.presses.items()
    }


PHONES_HELD = "_phones_held"  # draft: the key of the note held back until the worker chooses


def phone_warning(who: Speaker, note: str, prefix: str) -> Screen:
    """The one warning for a phone number typed in a note (`phone_checked`'s, and the inbox's
    completion note and decline reason, a small conversation of its own): the numbers found,
    «Remove the number» (`<prefix>:phmask`) and «Keep as typed» (`<prefix>:phkeep`)."""
    _ = who.gettext
    found = phones_in(note)
    text = _(
        "⚠️ This note has a phone number in it: {phones}. Records should not keep "
        "residents' phone numbers. Remove it, or keep the note as typed?"
    ).format(
        phones=escape_text("、".join(found) if who.lang.startswith("zh") else ", ".join(found))
    )
    rows = [
        [InlineKeyboardButton(_("Remove the number"), callback_data=encode(prefix, "phmask"))],
        [InlineKeyboardButton(_("Keep as typed"), callback_data=encode(prefix, "phkeep"))],
    ]
    return Screen(text, rows)


def _note_at_key(key: str) -> Callable[[Draft], str | None]:
    def read(draft: Draft) -> str | None:
        value = draft.get(key)
        return value if isinstance(value, str) else None

    return read


def phone_checked(
    step: Step,
    *,
    key: str,
    prefix: str,
    read: Callable[[Draft], str | None] | None = None,
    write: Callable[[Draft, str], None] | None = None,
    then: Callable[[Draft], Outcome] | None = None,
    below: Callable[[Gettext], Rows] | None = None,
) -> Step:
    """`step` (typed text into `draft[key]`), warning when the text holds what looks like a
    phone number (`services.phones.phones_in`): the records should not quietly collect
    residents' numbers. The same step then shows the warning with «Remove the number»
    (`<prefix>:phmask`: its digits become `*`) and «Keep as typed» (`<prefix>:phkeep`); either
    goes on as the step would have. Typing the note again checks it again; the step's own
    buttons (Skip, on its earlier message) leave the warning behind; after Back the note is
    still held, and the step shows the warning again when it comes back.

    A step whose text does not land in `draft[key]` (the record form's one field step, asked
    once per field) says where it is: `read(draft)` the text just typed (None: nothing to
    check, a choice or a number), `write(draft, masked)` puts the masked text back, and
    `then(draft)` is where the step goes on (the next field, or None); `key` then only names
    the held note. `below`: rows under the warning, for a step with its own Back and Cancel
    (`nav=False`)."""
    read_note = read or _note_at_key(key)

    def write_note(draft: Draft, value: str) -> None:
        if write is None:
            draft[key] = value
        else:
            write(draft, value)

    def going_on(draft: Draft) -> Outcome:
        return None if then is None else then(draft)

    inner_typed = step.on_text
    assert inner_typed is not None, "phone_checked wraps a step that takes typed text"

    def held(draft: Draft) -> bool:
        return draft.get(PHONES_HELD) == key and bool(read_note(draft))

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        if not held(draft):
            return step.render(context, who, draft)
        screen = phone_warning(who, read_note(draft) or "", prefix)
        return Screen(screen.text, [*screen.rows, *(below(who.gettext) if below else [])])

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, text: str
    ) -> Outcome:
        draft.pop(PHONES_HELD, None)
        outcome = await inner_typed(update, context, who, draft, text)
        value = read_note(draft)
        if value and phones_in(value):
            draft[PHONES_HELD] = key
            return step.name  # the same step, now the warning
        return outcome

    async def masked(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if not held(draft):
            raise Reask(None)  # an old warning's button: the step as it is now
        draft.pop(PHONES_HELD)
        write_note(draft, mask_phones(read_note(draft) or ""))
        return going_on(draft)

    async def kept(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if not held(draft):
            raise Reask(None)
        draft.pop(PHONES_HELD)
        return going_on(draft)

    presses = dict(before_presses(step, lambda draft: draft.pop(PHONES_HELD, None)))
    presses.update(phmask=masked, phkeep=kept)

    def applies(draft: Draft) -> bool:
        return held(draft) or step.applies_when(draft)

    return replace(step, render=render, presses=presses, on_text=typed, applies_when=applies)
