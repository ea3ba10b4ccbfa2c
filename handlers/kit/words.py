"""Labels shared by every journey: roles, phone numbers. (Station, status, hours and month
labels join here as their journeys move onto the kit.)"""

from __future__ import annotations

from html import escape

from handlers.kit.i18n import Gettext
from services.phones import display_phone


def role_label(_: Gettext, role: str) -> str:
    labels = {
        "worker": _("social worker"),
        "supervisor": _("supervisor"),
        "station_head": _("station head"),
        "admin": _("administrator"),
    }
    return labels.get(role, role)


def phone_text(phone: str | None) -> str:
    """A stored number as people write it: 138 0013 8000, or a landline with a hyphen after
    its area code, 0579-8712 3456."""
    if not phone:
        return ""
    shown = display_phone(phone)
    if shown.startswith("0") and " " in shown:
        area, rest = shown.split(" ", 1)
        shown = f"{area}-{rest}"
    return escape(shown)
