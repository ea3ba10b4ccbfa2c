"""Keyboard builders shared by the journeys. Buttons carry codes, never labels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.kit.i18n import Gettext
from knowledge.stations import Station


def grid(
    buttons: Sequence[InlineKeyboardButton], per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def choices(
    options: Iterable[tuple[str, str]], *, per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    """(label, callback_data) pairs laid out in rows."""
    return grid(
        [InlineKeyboardButton(label, callback_data=data) for label, data in options], per_row
    )


def nav_row(_: Gettext, prefix: str, *, back: bool = True) -> list[InlineKeyboardButton]:
    """The Back / Cancel row every conversation step carries (`<prefix>:back`, `<prefix>:cancel`)."""
    row = []
    if back:
        row.append(InlineKeyboardButton(_("« Back"), callback_data=f"{prefix}:back"))
    row.append(InlineKeyboardButton(_("✖ Cancel"), callback_data=f"{prefix}:cancel"))
    return row


def markup(
    rows: list[list[InlineKeyboardButton]], *extra_rows: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([*rows, *[r for r in extra_rows if r]])


def station_buttons(
    stations: Iterable[Station],
    lang: str,
    prefix: str,
    *,
    first: str | None = None,
    per_row: int = 2,
) -> list[list[InlineKeyboardButton]]:
    """One button per station (`<prefix>:<code>`); `first` (e.g. the last one used) leads."""
    ordered = list(stations)
    if first is not None:
        ordered.sort(key=lambda s: s.code != first)
    return choices(((s.name(lang), f"{prefix}:{s.code}") for s in ordered), per_row=per_row)
