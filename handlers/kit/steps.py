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

from telegram import InlineKeyboardButton, Update

from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    BUTTON,
    TEXT,
    Draft,
    Outcome,
    PressHandler,
    Reask,
    Screen,
    Step,
    reask_text,
)
from handlers.kit.i18n import Gettext
from handlers.kit.keyboards import grid
from knowledge.stations import Station

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
            raise Reask(reask_text(who.gettext, BUTTON))
        draft[key] = value
        return chosen(context, who, draft, value) if chosen is not None else None

    handler: PressHandler = pressed
    return Step(name, render, {button_kind: handler}, applies_when=applies_when)


def station_step(
    name: str = "station",
    *,
    prefix: str,
    stations: Callable[[Context, Speaker, Draft], Iterable[Station]],
    text: Text,
    key: str = "station",
    kind: str = "st",
    applies_when: Callable[[Draft], bool] = _always,
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
