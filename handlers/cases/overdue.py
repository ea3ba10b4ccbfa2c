"""How an overdue-case reminder (`services.reminders.CASE_OVERDUE`) reads, with a button that
opens the case. Registered in `handlers/delivery/reminders.py`'s `Renderers.by_kind`.

Payload: `id`, `number`, `station`, `due` (ISO date of the missed contact), `days`,
`audience` (`worker` | `station_head`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.kit.callbacks import encode
from handlers.kit.i18n import Gettext, ngettext_of
from handlers.kit.words import day_label


def render_case_overdue(
    station: Callable[[str | None, str], str], item: Any, _: Gettext, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    p = item.payload
    values = {
        "number": escape(str(p.get("number") or "")),
        "station": station(p.get("station"), lang),
        "due": day_label(_, date.fromisoformat(p["due"])),
        "days": p.get("days", 1),
    }
    if p.get("audience") == "station_head":
        ngettext = ngettext_of(_)
        text = ngettext(
            "⏰ <b>A case is overdue</b>\n"
            "Case {number} at {station} was due for a contact on {due}, {days} day ago. "
            "Please check with its worker.",
            "⏰ <b>A case is overdue</b>\n"
            "Case {number} at {station} was due for a contact on {due}, {days} days ago. "
            "Please check with its worker.",
            int(values["days"]),
        ).format(**values)
    else:
        text = _(
            "⏰ <b>A case is overdue</b>\n"
            "Your case {number} at {station} was due for a contact on {due}. Please visit or "
            "call, then file the record."
        ).format(**values)
    button = InlineKeyboardButton(
        _("📁 Open the case"), callback_data=encode("cs", "open", p["id"])
    )
    return text, InlineKeyboardMarkup([[button]])
