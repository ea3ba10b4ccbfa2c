"""Ready-made steps for a `Flow`: a choice of buttons, the station, typed text, toggles and the
confirm. Each returns a `Step`; the journey gives the texts (a function of gettext, context,
person and draft) and where the answer goes in the draft (`key`).

    choice_step("role", prefix="inv", key="role", kind="role",
                text=lambda _, c, w, d: _("Whom are you inviting?"),
                options=lambda c, w, d: [(role_label(w.gettext, r), r) for r in STAFF_ROLES])

A press whose value is not among the options (forged, or an outdated keyboard) re-asks the step.
One toggle style: "☑️ label" when ticked, "◻️ label" when not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
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
from handlers.kit.keyboards import grid
from handlers.kit.screen import drop_buttons
from handlers.kit.words import phone_text
from handlers.kit.work_steps import (
    calendar_step,
    date_buttons,
    date_problem,
    hours_label,
    hours_problem,
)
from knowledge.stations import Station
from services.entry_window import check_entry_date, parse_entry_date
from services.errors import InvalidValue
from services.numbers import hours_to_minutes, parse_hours
from services.phones import from_contact, normalise_cn_phone

Text = Callable[[Gettext, Context, Speaker, Draft], str]
Options = Callable[[Context, Speaker, Draft], Iterable[tuple[str, str]]]  # (label, value)
Chosen = Callable[[Context, Speaker, Draft, str], Outcome]  # after the value is stored
TICKED, UNTICKED = "☑️", "◻️"


def _always(draft: Draft) -> bool:
    return True


def choice_step(
    name: str,
    *,
    prefix: str,
    key: str,
    text: Text,
    options: Options,
    kind: str | None = None,
    per_row: int = 2,
    applies_when: Callable[[Draft], bool] = _always,
    chosen: Chosen | None = None,
    unknown: Callable[[Gettext], str] | None = None,
    persisted: str | int | None = None,
) -> Step:
    """One button per option (`<prefix>:<kind>:<value>`); the value goes to `draft[key]`."""
    button_kind = kind or name

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        buttons = [
            InlineKeyboardButton(label, callback_data=encode(prefix, button_kind, value))
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

    handler: PressHandler = pressed
    return Step(
        name, render, {button_kind: handler}, applies_when=applies_when, persisted=persisted
    )


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


def text_step(
    name: str,
    *,
    key: str,
    text: Text,
    parse: Callable[[Gettext, str], str] | None = None,
    applies_when: Callable[[Draft], bool] = _always,
) -> Step:
    """Typed text into `draft[key]`; `parse` may raise `Reask(problem)` or return a cleaned value."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        return Screen(text(who.gettext, context, who, draft))

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, value: str
    ) -> Outcome:
        draft[key] = parse(who.gettext, value) if parse is not None else value.strip()
        return None

    return Step(name, render, on_text=typed, expects=TEXT, applies_when=applies_when)


def toggle_label(label: str, ticked: bool) -> str:
    return f"{TICKED if ticked else UNTICKED} {label}"


def toggles_step(
    name: str,
    *,
    prefix: str,
    key: str,
    text: Text,
    options: Options,
    done_label: Callable[[Gettext], str],
    at_least: int = 1,
    applies_when: Callable[[Draft], bool] = _always,
) -> Step:
    """Tick any of the options (`<prefix>:tog:<value>`), then `<prefix>:done`."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        ticked = set(draft.get(key, []))
        buttons = [
            InlineKeyboardButton(
                toggle_label(label, value in ticked), callback_data=encode(prefix, "tog", value)
            )
            for label, value in options(context, who, draft)
        ]
        done = InlineKeyboardButton(done_label(who.gettext), callback_data=encode(prefix, "done"))
        return Screen(text(who.gettext, context, who, draft), [*grid(buttons), [done]])

    async def toggle(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        value = press.arg()
        if value is None or value not in {v for _, v in options(context, who, draft)}:
            raise Reask(reask_text(who.gettext, BUTTON))
        ticked = list(draft.get(key, []))
        draft[key] = [v for v in ticked if v != value] if value in ticked else [*ticked, value]
        return name

    async def done(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if len(draft.get(key, [])) < at_least:
            raise Reask(reask_text(who.gettext, BUTTON))
        return None

    return Step(name, render, {"tog": toggle, "done": done}, applies_when=applies_when)


def confirm_step(
    name: str = "confirm",
    *,
    prefix: str,
    text: Text,
    save_label: Callable[[Gettext], str],
    edits: Callable[[Gettext, Draft], Iterable[tuple[str, str]]] = lambda _, d: (),
) -> Step:
    """The summary: Save (`<prefix>:save`, then `Flow.finish`) and one Edit button per step
    (`<prefix>:edit:<step>`, which returns here). Name it as the Flow's `summary`."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows = [[InlineKeyboardButton(save_label(_), callback_data=encode(prefix, "save"))]]
        edit_buttons = [
            InlineKeyboardButton(label, callback_data=encode(prefix, "edit", step))
            for label, step in edits(_, draft)
        ]
        return Screen(text(_, context, who, draft), [*rows, *grid(edit_buttons)])

    async def save(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        return None

    return Step(name, render, {"save": save}, back=True)


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

    def problem(_: Gettext, error: InvalidValue, today: date) -> Reask:
        return Reask(date_problem(_, error.reason, today))

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
            raise problem(who.gettext, error, today) from error
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
                raise problem(who.gettext, error, today) from error
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
    return date_problem(_, error.reason, local_today(context))


def hours_step(
    name: str = "hours",
    *,
    prefix: str,
    text: Text,
    minimum: int,
    maximum: int,
    step: int = 30,
    key: str = "minutes",
    kind: str = "hrs",
    per_row: int = 4,
    persisted: str | int | None = None,
) -> Step:
    """Hours as buttons (`<prefix>:hrs:<minutes>`, `minimum` to `maximum` minutes in `step`s)
    or typed ("2.5", "２,５"); minutes go to `draft[key]`."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        buttons = [
            InlineKeyboardButton(hours_label(m / 60), callback_data=encode(prefix, kind, m))
            for m in range(minimum, maximum + 1, step)
        ]
        return Screen(text(who.gettext, context, who, draft), grid(buttons, per_row))

    async def pressed(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        minutes = press.int_arg() or 0
        if not minimum <= minutes <= maximum or minutes % step:
            raise Reask(None)
        draft[key] = minutes
        return None

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, value: str
    ) -> Outcome:
        low, high = minimum / 60, maximum / 60
        try:
            hours = parse_hours(value, minimum=low, maximum=high, step=step / 60)
        except InvalidValue as error:
            raise Reask(
                hours_problem(who.gettext, error.reason, minimum=low, maximum=high)
            ) from error
        draft[key] = hours_to_minutes(hours)
        return None

    return Step(name, render, {kind: pressed}, on_text=typed, expects=NUMBER, persisted=persisted)


# --- the phone step (added with /request and /volunteer) -------------------------------------
def contact_keyboard(_: Gettext) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def leave_phone(update: Update, context: Context, who: Speaker, text: str) -> None:
    """Say `text` and take the share-contact keyboard away; what follows is a new message."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        await drop_buttons(update)
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=ReplyKeyboardRemove())
    context.anew = True


def phone_problem(_: Gettext, reason: str) -> str:
    """Why a number was not accepted, with an example of one that would be."""
    if reason == "not_mainland":
        first = _("Sorry, I can only take a mainland China mobile or landline number.")
    elif reason == "kind":
        first = _("Sorry, I need a phone number here.")
    else:
        first = _("Sorry, that does not look like a phone number I can use.")
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
    to `draft[key]`. The prompt carries the share-contact keyboard, so Back / Cancel (and
    "Keep: <number>", `<prefix>:keep`, when the draft has one) follow in a second message;
    leaving the step takes the share-contact keyboard away."""

    async def present(
        update: Update, context: Context, who: Speaker, body: str, rows: Rows, reask: bool
    ) -> None:
        _ = who.gettext
        query = update.callback_query
        if query is not None:
            if not context.anew:
                await query.answer()
            await drop_buttons(update)
        chat = update.effective_chat
        if chat is None:
            return
        await chat.send_message(body, reply_markup=contact_keyboard(_))
        if not reask or query is not None:  # a re-ask of typed input: the buttons stay above
            await chat.send_message(
                _("Or go back, or cancel:"), reply_markup=InlineKeyboardMarkup(rows)
            )

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
    )
