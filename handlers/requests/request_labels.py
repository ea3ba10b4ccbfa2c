"""How requests and volunteer applications are shown: codes → translated labels, and cards.

Everything a person typed, and every catalogue name, is escaped here for the HTML parse mode;
erased records show "erased" in place of their personal fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from handlers.kit.i18n import N_, Gettext
from handlers.kit.words import day_label, moment_label
from handlers.kit.words import phone_text as phone_text  # re-exported for the cards' users
from knowledge.bundle import Knowledge
from services import requests as rq
from services import volunteers as vol
from services.requests import RequestView
from services.volunteers import ApplicationView

STATUS_LABELS = {
    rq.SUBMITTED: N_("🆕 Submitted"),
    rq.ACCEPTED: N_("✅ Accepted"),
    rq.IN_PROGRESS: N_("🔧 In progress"),
    rq.COMPLETED: N_("✔️ Completed"),
    rq.DECLINED: N_("✖️ Declined"),
    rq.CANCELLED: N_("↩️ Cancelled"),
}
FOR_WHOM_LABELS = {
    "myself": N_("Myself"),
    "family": N_("A family member"),
    "child": N_("A child"),
}
# The request card as the station's staff read it: "myself" is the resident who asked.
STAFF_FOR_WHOM_LABELS = {**FOR_WHOM_LABELS, "myself": N_("The applicant")}
AGE_LABELS = {
    "0_5": N_("0–5 years"),
    "6_13": N_("6–13 years"),
    "14_17": N_("14–17 years"),
    "18_59": N_("18–59 years"),
    "60_79": N_("60–79 years"),
    "80_plus": N_("80 or older"),
}
TIME_LABELS = {
    "weekday_morning": N_("Weekday mornings"),
    "weekday_afternoon": N_("Weekday afternoons"),
    "weekday_evening": N_("Weekday evenings"),
    "weekend": N_("Weekends"),
    "any": N_("Any time"),
}
VOLUNTEER_STATUS_LABELS = {
    vol.PENDING: N_("⏳ Waiting for the station's decision"),
    vol.APPROVED: N_("✅ Approved"),
    vol.DECLINED: N_("✖️ Declined"),
    vol.WITHDRAWN: N_("↩️ Withdrawn"),
}
VOLUNTEER_AGE_LABELS = {
    "under_14": N_("Under 14"),
    "14_17": N_("14–17"),
    "18_59": N_("18–59"),
    "60_plus": N_("60 or older"),
}
AVAILABILITY_LABELS = {
    "weekday_daytime": N_("Weekday daytime"),
    "evenings": N_("Evenings"),
    "weekends": N_("Weekends"),
}
PARTY_LABELS = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "undisclosed": N_("Prefer not to say"),
    vol.PARTY_NOT_ASKED: N_("Not asked (under 18)"),
}


def label(_: Gettext, table: dict[str, str], code: str) -> str:
    """A code's translated label; an unknown (old) code is shown as itself."""
    return _(table[code]) if code in table else code


def for_whom_label(
    _: Gettext, knowledge: Knowledge, lang: str, code: str, *, for_staff: bool
) -> str:
    """Whom the request is for, from the catalogue (`knowledge/requests.yaml`: every option,
    also a walk-in's 邻居 / 其他人), as the resident or the staff read it; an old code the
    catalogue no longer has, by the built-in labels."""
    option = knowledge.request_rules.for_whom_option(code)
    if option is not None:
        return option.staff_name(lang) if for_staff else option.name(lang)
    return label(_, STAFF_FOR_WHOM_LABELS if for_staff else FOR_WHOM_LABELS, code)


def join_list(lang: str, items: Iterable[str]) -> str:
    """「甲、乙」 in Chinese, "a, b" in English."""
    return ("、" if lang.startswith("zh") else ", ").join(items)


def local_time(_: Gettext, moment: datetime, zone: ZoneInfo) -> str:
    """The kit's one moment format (12月2日 8:30 / Dec 2 8:30), on staff's and residents'
    cards alike."""
    return moment_label(_, moment, zone)


def excerpt(text: str, limit: int) -> str:
    """At most `limit` characters of someone's text (escape the result, not the input)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def station_name(knowledge: Knowledge, code: str, lang: str) -> str:
    station = knowledge.stations.get(code)
    return station.name(lang) if station else code


def request_button(
    _: Gettext, knowledge: Knowledge, lang: str, zone: ZoneInfo, view: RequestView
) -> str:
    """One line for a list button (plain text: buttons are not parsed as HTML)."""
    urgent = "🔴 " if view.urgent and view.is_open else ""
    service = excerpt(knowledge.services.name(view.service_code, lang), 20)
    day = day_label(_, view.created_at.astimezone(zone).date())
    return f"{urgent}{view.ref} · {service} · {day}"


def request_card(
    _: Gettext,
    knowledge: Knowledge,
    lang: str,
    zone: ZoneInfo,
    view: RequestView,
    *,
    for_staff: bool,
) -> str:
    """The whole request, as its resident or the station's staff see it."""
    lines = [
        "<b>" + _("Request {ref}").format(ref=escape(view.ref)) + "</b>"
        + (" 🔴 " + _("URGENT") if view.urgent else ""),
        _("Status: {status}").format(status=label(_, STATUS_LABELS, view.status)),
        _("Station: {station}").format(
            station=escape(station_name(knowledge, view.station_code, lang))
        ),
        _("Service: {service}").format(
            service=escape(knowledge.services.name(view.service_code, lang))
        ),
        _("For: {who}, {age}").format(
            who=escape(for_whom_label(_, knowledge, lang, view.for_whom, for_staff=for_staff)),
            age=label(_, AGE_LABELS, view.age_group),
        ),
        _("Preferred time: {time}").format(time=label(_, TIME_LABELS, view.preferred_time)),
        _("Sent: {when}").format(when=local_time(_, view.created_at, zone)),
    ]  # fmt: skip
    if view.erased:
        lines.append(_("🗑 Personal details erased at the resident's request."))
    else:
        if for_staff and view.resident_name:  # a walk-in's, as given at /register
            lines.append(_("Resident: {name}").format(name=escape(view.resident_name)))
        if for_staff and view.village:
            lines.append(_("Village or community: {village}").format(village=escape(view.village)))
        if for_staff and view.address:  # where a home visit goes
            lines.append(_("Address: {address}").format(address=escape(view.address)))
        if for_staff and view.phone:
            lines.append(_("Phone: {phone}").format(phone=phone_text(view.phone)))
        elif for_staff:  # registered at /register without one: say so, not nothing
            lines.append(_("Phone: not given"))
        if view.description:
            lines.append(
                _("Description: {text}").format(text=escape(excerpt(view.description, 1000)))
            )
    if for_staff and view.assignee_id is not None:
        lines.append(
            _("Handled by: {name}").format(name=escape(view.assignee_name or _("a colleague")))
        )
    if view.completion_note:
        lines.append(
            _("What was done: {note}").format(note=escape(excerpt(view.completion_note, 500)))
        )
    if view.decline_reason:
        lines.append(_("Reason: {reason}").format(reason=escape(excerpt(view.decline_reason, 500))))
    if view.rating is not None:
        lines.append(_("Rating: {stars}").format(stars="⭐" * view.rating))
    if for_staff and view.rating_comment:
        lines.append(_("Comment: {text}").format(text=escape(excerpt(view.rating_comment, 500))))
    if for_staff and view.events:
        lines.append("")
        lines.append(_("History:"))
        for event in view.events[-6:]:
            who = escape(event.actor_name or "—")
            when = local_time(_, event.at, zone)
            if event.from_status == event.to_status:
                lines.append(
                    _("{when} · {who} handed it to {name}").format(
                        when=when, who=who, name=escape(event.note or "—")
                    )
                )
            else:
                lines.append(f"{when} · {label(_, STATUS_LABELS, event.to_status)} · {who}")
    return "\n".join(lines)


def application_card(
    _: Gettext,
    knowledge: Knowledge,
    lang: str,
    zone: ZoneInfo,
    view: ApplicationView,
    *,
    for_staff: bool,
) -> str:
    skills = join_list(lang, (knowledge.volunteer_skills.name(s, lang) for s in view.skills))
    times = join_list(lang, (label(_, AVAILABILITY_LABELS, a) for a in view.availability))
    lines = ["<b>" + _("Volunteer application") + "</b>"]
    if view.erased:
        lines.append(_("🗑 Personal details erased at the volunteer's request."))
    else:
        lines.append(_("Name: {name}").format(name=escape(view.name or "")))
        if for_staff:
            lines.append(_("Phone: {phone}").format(phone=phone_text(view.phone)))
    lines += [
        _("Station: {station}").format(
            station=escape(station_name(knowledge, view.station_code, lang))
        ),
        _("Skills: {skills}").format(skills=escape(skills)),
        _("Available: {times}").format(times=times),
        _("Age group: {age}").format(age=label(_, VOLUNTEER_AGE_LABELS, view.age_group)),
        _("Party member: {answer}").format(answer=label(_, PARTY_LABELS, view.party_member)),
    ]
    if view.guardian_name and not view.erased:
        lines.append(
            _("Guardian: {name}, {phone}").format(
                name=escape(view.guardian_name), phone=phone_text(view.guardian_phone)
            )
        )
    lines.append(
        _("Status: {status}").format(status=label(_, VOLUNTEER_STATUS_LABELS, view.status))
    )
    if view.decline_reason:
        lines.append(_("Reason: {reason}").format(reason=escape(excerpt(view.decline_reason, 500))))
    if for_staff:
        lines.append(_("Sent: {when}").format(when=local_time(_, view.created_at, zone)))
    return "\n".join(lines)
