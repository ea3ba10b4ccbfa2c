"""How an activity reads: its date and times, its card, hours. Shared by the worker's and the
volunteer's side of `handlers.activities`."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from handlers.kit.i18n import Gettext
from handlers.kit.words import clock_label, day_label, hours_label
from knowledge.stations import StationCatalog
from services.volunteer_activities import ActivityView


def clock_time(moment: datetime, zone: ZoneInfo) -> str:
    """9:00, 14:30 (local wall-clock time)."""
    return clock_label(moment.astimezone(zone))


def when_text(_: Gettext, starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """ "Nov 21 9:00–11:30" / "11月21日 9:00–11:30"."""
    day: date = starts_at.astimezone(zone).date()
    return _("{day} {start}–{end}").format(
        day=day_label(_, day), start=clock_time(starts_at, zone), end=clock_time(ends_at, zone)
    )


def hours_text(minutes: int | None) -> str:
    return hours_label((minutes or 0) / 60)


def station_name(stations: StationCatalog, code: str, lang: str) -> str:
    station = stations.get(code)
    return station.name(lang) if station else code


def card_text(
    _: Gettext,
    activity: ActivityView,
    *,
    zone: ZoneInfo,
    skill_names: dict[str, str],
    station: str,
) -> str:
    """The activity card: what, when, where, places, skills, minors."""
    lines = [
        "📣 <b>" + escape(activity.title) + "</b>",
        _("Station: {station}").format(station=escape(station)),
        _("When: {when}").format(when=when_text(_, activity.starts_at, activity.ends_at, zone)),
        _("Where: {place}").format(place=escape(activity.place)),
        _("Volunteers: {signed} of {needed} signed up, {waiting} waiting").format(
            signed=activity.signed_up, needed=activity.volunteers_needed, waiting=activity.waiting
        ),
    ]
    if activity.skills:
        names = " · ".join(skill_names.get(s, s) for s in activity.skills)
        lines.append(_("Skills wanted: {skills}").format(skills=escape(names)))
    lines.append(_("Minors (14–17) may join.") if activity.minors_allowed else _("Adults only."))
    return "\n".join(lines)
