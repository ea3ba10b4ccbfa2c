"""Labels shared by every journey: roles, phone numbers. (Station, status, hours and month
labels join here as their journeys move onto the kit.)"""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

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
    return escape(display_phone(phone)) if phone else ""


def zone_name(_: Gettext, zone: ZoneInfo) -> str:
    """A time zone in words: "Beijing time" for Asia/Shanghai (WORDING.md), else its name."""
    return _("Beijing time") if zone.key == "Asia/Shanghai" else zone.key
