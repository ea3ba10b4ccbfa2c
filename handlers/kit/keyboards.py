"""Keyboard builders shared by the journeys. Buttons carry codes, never labels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject

from handlers.kit.i18n import Gettext
from knowledge.stations import Station


@lru_cache(maxsize=4096)
def button(label: str, data: str) -> InlineKeyboardButton:
    """The button `label` → `data`, made once: a button is immutable, and the same labels and
    codes come back on every step (a new one cost more than the rest of a row: PTB sets each
    of its thirteen attributes through a guarded `__setattr__`; bench/updates.py)."""
    return InlineKeyboardButton(label, callback_data=data)


def grid(
    buttons: Sequence[InlineKeyboardButton], per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def choices(
    options: Iterable[tuple[str, str]], *, per_row: int = 2
) -> list[list[InlineKeyboardButton]]:
    """(label, callback_data) pairs laid out in rows."""
    return grid([button(label, data) for label, data in options], per_row)


def nav_row(_: Gettext, prefix: str, *, back: bool = True) -> list[InlineKeyboardButton]:
    """The Back / Cancel row every conversation step carries (`<prefix>:back`, `<prefix>:cancel`)."""
    row = []
    if back:
        row.append(button(_("« Back"), f"{prefix}:back"))
    row.append(button(_("✖ Cancel"), f"{prefix}:cancel"))
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


# Every attribute of a button but its label and data: a button with none of them set is the
# plain {"text", "callback_data"} pair.
_NOT_PLAIN = tuple(
    name for name in InlineKeyboardButton.__slots__ if name not in ("text", "callback_data")
)


def api_markup(markup: TelegramObject) -> Any:
    """`markup` as the Bot API's JSON object (what PTB's `to_dict` gives), built directly for
    an inline keyboard of plain buttons: PTB's generic `to_dict` walks every attribute of
    every button and cost about a twentieth of a step (bench/updates.py). Any other markup,
    or a button with more than a label and callback data, goes through `to_dict`."""
    if type(markup) is not InlineKeyboardMarkup or markup.api_kwargs or not markup.inline_keyboard:
        return markup.to_dict()  # (an empty keyboard: PTB leaves the empty list out)
    return {
        "inline_keyboard": [
            [_api_button(button) for button in row] for row in markup.inline_keyboard
        ]
    }


def _api_button(button: InlineKeyboardButton) -> dict[str, Any]:
    data = button.callback_data
    if (
        type(button) is InlineKeyboardButton
        and isinstance(data, str)
        and not button.api_kwargs
        and all(getattr(button, name) is None for name in _NOT_PLAIN)
    ):
        return {"text": button.text, "callback_data": data}
    return button.to_dict()
