"""Labels shared by every journey: roles, phone numbers, days, months and hours, plural
forms. (Station and status labels join here as their journeys move onto the kit.)"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from handlers.kit.i18n import N_, Gettext, Ngettext, Translator
from handlers.kit.i18n import activities_count as activities_count
from handlers.kit.i18n import hours_count as hours_count
from handlers.kit.i18n import hours_label as hours_label
from handlers.kit.i18n import person_times_count as person_times_count
from handlers.kit.i18n import plural_n as plural_n
from handlers.kit.i18n import volunteers_count as volunteers_count
from services.people import ADMIN, STATION_HEAD, SUPERVISOR, WORKER
from services.phones import display_phone

if TYPE_CHECKING:
    from handlers.kit.context import Speaker


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


def day_label(_: Gettext, day: date, *, today: date | None = None) -> str:
    """The one way a day is shown, on every card and in every sentence: 12月2日 / Dec 2
    (WORDING.md); with its year (2025年12月2日 / Dec 2, 2025) when `today` is given and the
    day lies in another year."""
    shown = _("{month_name} {day}").format(month_name=_(MONTH_NAMES[day.month - 1]), day=day.day)
    if today is not None and day.year != today.year:
        return _("{day}, {year}").format(day=shown, year=day.year)
    return shown


def clock_label(moment: datetime) -> str:
    """8:30, 14:05 (a wall-clock time, no leading zero on the hour, as WORDING.md says)."""
    return f"{moment.hour}:{moment.minute:02d}"


def moment_label(
    _: Gettext, moment: datetime, zone: ZoneInfo, *, now: datetime | None = None
) -> str:
    """The one way a moment is shown: 12月2日 8:30 / Dec 2 8:30, in the deployment's zone
    (with the year when `now` is given and it differs)."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date() if now is not None else None
    return _("{day} {time}").format(
        day=day_label(_, local.date(), today=today), time=clock_label(local)
    )


def month_label(_: Gettext, month: date) -> str:
    return _(MONTH_NAMES[month.month - 1])


def in_sentence(name: str, lang: str) -> str:
    """A catalogue label inside an English sentence starts lower-case ("were elderly people
    (60+)?"); Chinese has no case."""
    return name[:1].lower() + name[1:] if lang == "en" else name


# The roles as a group of people, for "this is only for ..." (in the order the menu lists them).
ROLE_GROUPS = (
    (WORKER, N_("social workers")),
    (STATION_HEAD, N_("station heads")),
    (SUPERVISOR, N_("supervisors")),
    (ADMIN, N_("administrators")),
)


def listed(_: Gettext, items: list[str]) -> str:
    """ "a, b and c" / "a、b和c": a short list inside a sentence."""
    if len(items) < 2:
        return "".join(items)
    return _("{items} and {last}").format(items=_(", ").join(items[:-1]), last=items[-1])


def only_for(who: Speaker, *roles: str) -> str:
    """The one refusal for a command, button or list that is not this person's: a resident
    hears that it is for the station's staff and nothing more (not which role, nor that
    anything exists); staff in another role hear which roles it is for. Every journey's
    "not for you" goes through here, so it reads the same everywhere."""
    _ = who.gettext
    if not who.access.is_staff or not roles:
        group = _("social work station staff")
    else:
        group = listed(_, [_(label) for role, label in ROLE_GROUPS if role in roles])
    # What to do instead (WORDING.md: a refusal says what the person can do instead).
    return _("Sorry, this is only for {group}. Send /menu to see what you can use.").format(
        group=group
    )


def ngettext_for(translator: Translator, language: str) -> Ngettext:
    """`ngettext(singular, plural, n)` in one language (call it by that name, so the
    catalogue tool extracts both forms)."""

    def ngettext(singular: str, plural: str, n: int) -> str:
        return translator.ngettext(language, singular, plural, n)

    return ngettext


def zone_name(_: Gettext, zone: ZoneInfo) -> str:
    """A time zone in words: "Beijing time" for Asia/Shanghai (WORDING.md), else its name."""
    return _("Beijing time") if zone.key == "Asia/Shanghai" else zone.key
