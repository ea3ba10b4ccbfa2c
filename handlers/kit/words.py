"""Labels shared by every journey: roles, phone numbers, days, months and hours, plural
forms. (Station and status labels join here as their journeys move onto the kit.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from zoneinfo import ZoneInfo

from handlers.kit.i18n import N_, Gettext, Ngettext, Translator
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


# --- days, months, hours (the staff journeys' labels) ---------------------------------------
MONTH_NAMES = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


def day_label(_: Gettext, day: date) -> str:
    return _("{month_name} {day}").format(month_name=_(MONTH_NAMES[day.month - 1]), day=day.day)


def month_label(_: Gettext, month: date) -> str:
    return _(MONTH_NAMES[month.month - 1])


def hours_label(hours: float) -> str:
    """1.5 → "1.5", 2.0 → "2", 0.25 → "0.25"."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def in_sentence(name: str, lang: str) -> str:
    """A catalogue label inside an English sentence starts lower-case ("were elderly people
    (60+)?"); Chinese has no case."""
    return name[:1].lower() + name[1:] if lang == "en" else name


def staff_only(_: Gettext) -> str:
    """What a resident hears for a staff command: that it exists for staff, and nothing more."""
    return _("Sorry, this is only for social work station staff.")


def ngettext_for(translator: Translator, language: str) -> Ngettext:
    """`ngettext(singular, plural, n)` in one language (call it by that name, so the
    catalogue tool extracts both forms)."""

    def ngettext(singular: str, plural: str, n: int) -> str:
        return translator.ngettext(language, singular, plural, n)

    return ngettext


def plural_n(value: float) -> int:
    """The n to pick a plural form for a decimal figure: English says "1 hour" but "0.5 hours"
    and "1.5 hours", so only exactly one is singular."""
    return 1 if value == 1 else 2


def hours_count(
    ngettext: Ngettext, hours: float, label: Callable[[float], str] = hours_label
) -> str:
    """ "1 hour", "1.5 hours", "2 hours" (Chinese "1.5小时"); `label` writes the figure (a
    report rounds to one decimal), and the form follows what is written: "1.0" reads "1"."""
    shown = label(hours)
    return ngettext("{hours} hour", "{hours} hours", 1 if shown == label(1) else 2).format(
        hours=shown
    )


def person_times_count(ngettext: Ngettext, count: int) -> str:
    """ "1 person-time", "12 person-times" (Chinese "12人次")."""
    return ngettext("{count} person-time", "{count} person-times", count).format(count=count)


def volunteers_count(ngettext: Ngettext, count: int) -> str:
    """ "1 volunteer", "2 volunteers" (Chinese "2名志愿者")."""
    return ngettext("{count} volunteer", "{count} volunteers", count).format(count=count)


def activities_count(ngettext: Ngettext, count: int) -> str:
    """ "1 activity", "2 activities" (Chinese "活动2次")."""
    return ngettext("{count} activity", "{count} activities", count).format(count=count)


def zone_name(_: Gettext, zone: ZoneInfo) -> str:
    """A time zone in words: "Beijing time" for Asia/Shanghai (WORDING.md), else its name."""
    return _("Beijing time") if zone.key == "Asia/Shanghai" else zone.key
