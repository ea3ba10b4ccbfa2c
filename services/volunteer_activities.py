"""Volunteer activities: publish, match and offer, sign up (or wait), remind, scan, confirm, record.

    publish ──► open ──record──► recorded (an activity record in the city's templates)
                  └──cancel──► cancelled

A worker or the head of a station publishes an activity; the station's approved volunteers who
match it (a skill in common when skills are asked for, free at that time, old enough) are
offered it through the delivery ledger, after the quiet hours. A volunteer signs up; a full
activity puts them on the waiting list only when they ask for it. The day before, everyone
signed up is asked whether they will come; "I can't come" frees the place and the first on the
waiting list gets it (and is told, through the ledger).

At the activity the worker shows two QR codes (`knowledge.deep_links`): volunteers scan theirs
to check in and again to check out, and their hours are the time between, rounded
(`knowledge/volunteer_hours.yaml`); residents scan theirs once each, which is the activity's
person-times. The worker may correct a volunteer's hours, then confirms them (one by one, or
all); only confirmed hours count, for `/myhours`, certificates and the figures. Recording the
activity writes one activity log (`services.activities.log_activity`) with its figures.

Every call takes plain values, checks the actor in the database, commits once and returns
frozen views; notices to other people are ledger rows planned in the same commit (kinds
`activity_offer`, `activity_promoted`, `activity_reminder`, `activity_cancelled`), each
rendered by the handlers from its payload.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db.models import (
    HoursCertificate,
    Person,
    ResidentAttendance,
    VolunteerActivity,
    VolunteerApplication,
    VolunteerSignup,
)
from db.uow import UnitOfWork
from knowledge.deep_links import (
    RESIDENT_SCAN,
    VOLUNTEER_SCAN,
    ScanLink,
    new_scan_token,
    parse_payload,
    scan_payload,
)
from knowledge.record_templates import TemplateCatalog
from knowledge.reminders import ReminderSchedule
from knowledge.volunteer_hours import VolunteerHoursRules
from services import audit, delivery
from services.activities import MAX_MINUTES, MIN_MINUTES, ActivityEntry, log_activity
from services.delivery import PlannedMessage
from services.errors import Conflict, DomainError, InvalidValue, NotAllowed, NotFound
from services.people import STATION_HEAD, WORKER
from services.reminders import is_quiet
from services.station_roles import require_station_role
from services.volunteers import APPROVED, AVAILABILITY, MINOR

OPEN, RECORDED, CANCELLED = "open", "recorded", "cancelled"
SIGNED_UP, WAITING, WITHDRAWN = "signed_up", "waiting", "cancelled"
CHECKED_IN, CHECKED_OUT, ATTENDED = "checked_in", "checked_out", "attended"
# ledger kinds (each rendered by the handlers from its payload)
OFFER = "activity_offer"
PROMOTED = "activity_promoted"
DAY_BEFORE = "activity_reminder"
CANCELLED_NOTICE = "activity_cancelled"
KINDS = (OFFER, PROMOTED, DAY_BEFORE, CANCELLED_NOTICE)
MAX_TITLE, MAX_PLACE, MAX_NEEDED = 64, 128, 200
MAX_EXTRA_PERSON_TIMES = 1000
WEEKDAY_DAYTIME, EVENINGS, WEEKENDS = AVAILABILITY
EVENING_FROM = 18  # a weekday activity starting at 18:00 or later needs "evenings"


# --- errors ----------------------------------------------------------------------------------


class ActivityFull(Conflict):
    """Every place is taken; sign up again with `join_waiting_list=True` to wait for one."""

    def __init__(self, waiting: int) -> None:
        super().__init__(f"full, {waiting} waiting")
        self.waiting = waiting


class ActivityClosed(Conflict):
    """The activity was recorded or cancelled (or has started, for signing up)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class NotAVolunteer(NotAllowed):
    """The person is not an approved volunteer of the activity's station."""


class MinorsNotAllowed(NotAllowed):
    """The activity is for adults only and the volunteer is 14–17."""


class UnknownPayload(DomainError):
    """A QR payload nobody issued (forged, mistyped, or of an activity that does not exist)."""


class PayloadUsed(Conflict):
    """The scan was used already: `what` is `checked_out` (volunteer) or `counted` (resident)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class ScanOutsideWindow(Conflict):
    """Too early (`opens_at` is when check-in opens) or too late (`opens_at` is None)."""

    def __init__(self, opens_at: datetime | None) -> None:
        super().__init__("too early" if opens_at else "too late")
        self.opens_at = opens_at


class AlreadyCheckedIn(Conflict):
    """A second scan right after the first: not taken as a check-out."""

    def __init__(self, checked_in_at: datetime) -> None:
        super().__init__("already checked in")
        self.checked_in_at = checked_in_at


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityView:
    id: int
    station_code: str
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    local_date: date
    volunteers_needed: int
    skills: tuple[str, ...]
    minors_allowed: bool
    template_code: str
    served_groups: tuple[str, ...]
    status: str
    signed_up: int
    waiting: int

    @property
    def full(self) -> bool:
        return self.signed_up >= self.volunteers_needed

    @property
    def places_left(self) -> int:
        return max(0, self.volunteers_needed - self.signed_up)


@dataclass(frozen=True)
class VolunteerContact:
    person_id: int
    tg_id: int
    name: str | None
    language: str


@dataclass(frozen=True)
class Published:
    activity: ActivityView
    created: bool
    offered: tuple[VolunteerContact, ...]  # matched volunteers, each offered it via the ledger
    offers_due_at: datetime  # now, or the end of the quiet hours
    too_late: bool = False  # the quiet hours end after it starts: nobody was offered it


@dataclass(frozen=True)
class ScanLinks:
    """The two QR payloads of an activity (for `knowledge.deep_links.deep_link`)."""

    activity_id: int
    volunteer_payload: str
    resident_payload: str


@dataclass(frozen=True)
class SignUpResult:
    activity: ActivityView
    status: str  # signed_up | waiting
    position: int | None  # on the waiting list, 1 = next
    created: bool  # False: they were already signed up (or waiting)


@dataclass(frozen=True)
class ReplyResult:
    activity: ActivityView
    coming: bool
    promoted: VolunteerContact | None  # who got the freed place (told through the ledger)


@dataclass(frozen=True)
class ScanResult:
    activity: ActivityView
    kind: str  # checked_in | checked_out | attended
    at: datetime
    minutes: int | None  # checked_out: the rounded time between the scans
    person_times: int  # residents counted so far
    walk_in: bool = False  # checked in without having signed up


@dataclass(frozen=True)
class VolunteerHours:
    signup_id: int
    person_id: int
    tg_id: int
    name: str | None
    status: str
    walk_in: bool
    coming: bool | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int | None
    corrected: bool
    confirmed: bool


@dataclass(frozen=True)
class Roster:
    activity: ActivityView
    volunteers: tuple[VolunteerHours, ...]  # signed up (walk-ins too), in sign-up order
    waiting: tuple[VolunteerContact, ...]  # the waiting list, in order
    person_times: int  # residents who scanned
    revoked_certificates: int = 0  # withdrawn by this change (see correct_hours)

    @property
    def confirmed_minutes(self) -> int:
        return sum(v.minutes or 0 for v in self.volunteers if v.confirmed)


@dataclass(frozen=True)
class Recorded:
    activity: ActivityView
    entry: ActivityEntry  # the activity log it became
    volunteers: int  # with confirmed hours
    confirmed_minutes: int
    person_times: int


@dataclass(frozen=True)
class ActivityHours:
    activity_id: int
    station_code: str
    title: str
    local_date: date
    minutes: int


@dataclass(frozen=True)
class MyHours:
    year: int
    year_minutes: int
    total_minutes: int
    activities: tuple[ActivityHours, ...]  # confirmed, newest first
    unconfirmed_minutes: int  # checked out, waiting for the worker

    @property
    def year_hours(self) -> float:
        return self.year_minutes / 60

    @property
    def total_hours(self) -> float:
        return self.total_minutes / 60


@dataclass(frozen=True)
class HoursRow:
    """Confirmed volunteer hours of one station in one month (for figures and sheets)."""

    station_code: str
    month: date  # first day
    volunteers: int  # distinct people with confirmed hours
    activities: int  # activities with confirmed hours
    minutes: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


# --- pure rules ------------------------------------------------------------------------------


def availability_slot(starts_at: datetime, zone: ZoneInfo) -> str:
    """Which of the volunteers' availability choices an activity's start falls in."""
    local = starts_at.astimezone(zone)
    if local.weekday() >= 5:
        return WEEKENDS
    return EVENINGS if local.hour >= EVENING_FROM else WEEKDAY_DAYTIME


def matches(
    *,
    skills: Iterable[str],
    availability: Iterable[str],
    age_group: str,
    wanted_skills: Iterable[str],
    slot: str,
    minors_allowed: bool,
) -> bool:
    """Whether a volunteer fits an activity: a skill in common (when any is asked for), free
    at that time, and adult unless minors may join."""
    wanted = set(wanted_skills)
    if wanted and not wanted & set(skills):
        return False
    if slot not in set(availability):
        return False
    return minors_allowed or age_group != MINOR


def after_quiet_hours(schedule: ReminderSchedule, *, now: datetime, zone: ZoneInfo) -> datetime:
    """`now`, or when the quiet hours around it end."""
    quiet = schedule.quiet_hours
    if quiet is None or not is_quiet(schedule, now=now, zone=zone):
        return now
    local = now.astimezone(zone)
    end = datetime.combine(local.date(), quiet.end, zone)
    if end <= local:
        end += timedelta(days=1)
    return end


def offers_too_late(
    schedule: ReminderSchedule, *, starts_at: datetime, now: datetime, zone: ZoneInfo
) -> bool:
    """Whether offers planned now would go out (after the quiet hours) only once the activity
    has started, when signing up is closed: then none is sent (see `publish`)."""
    return after_quiet_hours(schedule, now=now, zone=zone) >= starts_at


# --- reading ---------------------------------------------------------------------------------


async def _counts(uow: UnitOfWork, activity_id: int) -> tuple[int, int]:
    rows = (
        await uow.session.execute(
            select(VolunteerSignup.status, func.count())
            .where(VolunteerSignup.activity_id == activity_id)
            .group_by(VolunteerSignup.status)
        )
    ).all()
    found = {status: int(n) for status, n in rows}
    return found.get(SIGNED_UP, 0), found.get(WAITING, 0)


async def _view(uow: UnitOfWork, row: VolunteerActivity) -> ActivityView:
    signed_up, waiting = await _counts(uow, row.id)
    return ActivityView(
        id=row.id,
        station_code=row.station_code,
        title=row.title,
        place=row.place,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        local_date=row.local_date,
        volunteers_needed=row.volunteers_needed,
        skills=tuple(row.skills or ()),
        minors_allowed=row.minors_allowed,
        template_code=row.template_code,
        served_groups=tuple(row.served_groups or ()),
        status=row.status,
        signed_up=signed_up,
        waiting=waiting,
    )


async def _activity(uow: UnitOfWork, activity_id: int, *, lock: bool = False) -> VolunteerActivity:
    query = select(VolunteerActivity).where(VolunteerActivity.id == activity_id)
    if lock:
        query = query.with_for_update()
    row = await uow.session.scalar(query)
    if row is None:
        raise NotFound(f"activity {activity_id}")
    return row


async def _staff_at(uow: UnitOfWork, *, tg_id: int, station_code: str) -> int:
    """A worker or the head of the station (checked in the database); NotAllowed otherwise."""
    try:
        return await require_station_role(uow, tg_id=tg_id, role=WORKER, station_code=station_code)
    except NotAllowed:
        return await require_station_role(
            uow, tg_id=tg_id, role=STATION_HEAD, station_code=station_code
        )


async def _person(uow: UnitOfWork, tg_id: int) -> Person:
    """The person by Telegram id. One who used /forget is still this person (`erased_at`
    says when their details were erased, not that they are gone): their hours stay as counts,
    "I can't come" still frees their place, and after applying again they volunteer again."""
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    if person is None:
        raise NotFound("person")
    return person


async def _approved(
    uow: UnitOfWork, *, person_id: int, station_code: str
) -> VolunteerApplication | None:
    return await uow.session.scalar(
        select(VolunteerApplication)
        .where(
            VolunteerApplication.person_id == person_id,
            VolunteerApplication.station_code == station_code,
            VolunteerApplication.status == APPROVED,
            VolunteerApplication.erased.is_(False),
        )
        .order_by(VolunteerApplication.id.desc())
        .limit(1)
    )


async def _volunteer_for(
    uow: UnitOfWork, *, tg_id: int, activity: VolunteerActivity
) -> tuple[Person, VolunteerApplication]:
    person = await _person(uow, tg_id)
    application = await _approved(uow, person_id=person.id, station_code=activity.station_code)
    if application is None:
        raise NotAVolunteer(activity.station_code)
    if application.age_group == MINOR and not activity.minors_allowed:
        raise MinorsNotAllowed()
    return person, application


def _offer_payload(row: VolunteerActivity) -> dict[str, Any]:
    return {
        "activity_id": row.id,
        "station": row.station_code,
        "title": row.title,
        "place": row.place,
        "starts_at": row.starts_at.isoformat(),
        "ends_at": row.ends_at.isoformat(),
    }


def _message(kind: str, occasion: str, row: VolunteerActivity, tg_id: int) -> PlannedMessage:
    return PlannedMessage(
        kind=kind,
        period=f"va{row.id}",
        occasion=occasion,
        recipient_tg_id=tg_id,
        station_code=row.station_code,
        payload=_offer_payload(row),
    )


# --- publishing and matching -----------------------------------------------------------------


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidValue(field, "empty")
    if len(value) > limit:
        raise InvalidValue(field, "too_long")
    return value


async def matching_volunteers(
    uow: UnitOfWork, *, activity_id: int, zone: ZoneInfo
) -> tuple[VolunteerContact, ...]:
    """The station's approved volunteers who fit the activity and can be reached (not blocked,
    not erased, not opted out of unsolicited messages), in application order."""
    row = await _activity(uow, activity_id)
    return await _matching(uow, row, zone)


async def _matching(
    uow: UnitOfWork, row: VolunteerActivity, zone: ZoneInfo
) -> tuple[VolunteerContact, ...]:
    slot = availability_slot(row.starts_at, zone)
    candidates = (
        await uow.session.execute(
            select(VolunteerApplication, Person.tg_id, Person.language)
            .join(Person, Person.id == VolunteerApplication.person_id)
            .where(
                VolunteerApplication.station_code == row.station_code,
                VolunteerApplication.status == APPROVED,
                VolunteerApplication.erased.is_(False),
                Person.erased_at.is_(None),
                Person.unreachable_at.is_(None),
                Person.broadcast_opt_out.is_(False),
            )
            .order_by(VolunteerApplication.id)
        )
    ).all()
    return tuple(
        VolunteerContact(app.person_id, int(tg_id), app.name, language or "zh")
        for app, tg_id, language in candidates
        if matches(
            skills=app.skills or (),
            availability=app.availability or (),
            age_group=app.age_group,
            wanted_skills=row.skills or (),
            slot=slot,
            minors_allowed=row.minors_allowed,
        )
    )


async def publish(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    station_code: str,
    title: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    volunteers_needed: int,
    skills: Iterable[str],
    minors_allowed: bool,
    known_skills: Iterable[str],
    client_token: str,
    rules: VolunteerHoursRules,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
    template_code: str | None = None,
    served_groups: Iterable[str] = ("other",),
    group_codes: Iterable[str] = (
        "elderly",
        "disabled",
        "children",
        "low_income",
        "minority",
        "other",
    ),
) -> Published:
    """Publish an activity and offer it to the matching volunteers (planned in the ledger, after
    the quiet hours). The same `client_token` twice returns the first, offering nothing more."""
    actor_id = await _staff_at(uow, tg_id=actor_tg_id, station_code=station_code)
    existing = await uow.session.scalar(
        select(VolunteerActivity).where(VolunteerActivity.client_token == client_token)
    )
    if existing is not None:
        if existing.station_code != station_code:
            raise Conflict("client_token")
        return Published(
            await _view(uow, existing),
            created=False,
            offered=(),
            offers_due_at=after_quiet_hours(schedule, now=now, zone=zone),
        )
    title = _text(title, "title", MAX_TITLE)
    place = _text(place, "place", MAX_PLACE)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidValue("starts_at", "naive")
    if starts_at <= now:
        raise InvalidValue("starts_at", "past")
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes < MIN_MINUTES:
        raise InvalidValue("ends_at", "too_short")
    if minutes > MAX_MINUTES:
        raise InvalidValue("ends_at", "too_long")
    if isinstance(volunteers_needed, bool) or not 1 <= volunteers_needed <= MAX_NEEDED:
        raise InvalidValue("volunteers_needed", "out_of_range")
    known = set(known_skills)
    wanted = list(dict.fromkeys(skills))
    if any(s not in known for s in wanted):
        raise InvalidValue("skills", "unknown")
    template = template_code or rules.default_template
    if template not in rules.record_templates:
        raise InvalidValue("template", "unknown")
    groups = list(dict.fromkeys(served_groups))
    if not groups or any(g not in set(group_codes) for g in groups):
        raise InvalidValue("groups", "unknown" if groups else "empty")
    row = VolunteerActivity(
        station_code=station_code,
        title=title,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        local_date=starts_at.astimezone(zone).date(),
        volunteers_needed=volunteers_needed,
        skills=wanted,
        minors_allowed=bool(minors_allowed),
        template_code=template,
        served_groups=groups,
        status=OPEN,
        volunteer_token=new_scan_token(),
        resident_token=new_scan_token(),
        created_by=actor_id,
        created_at=now,
        client_token=client_token,
    )
    uow.session.add(row)
    await uow.session.flush()
    offered = await _matching(uow, row, zone)
    due_at = after_quiet_hours(schedule, now=now, zone=zone)
    # An offer that arrives after the start (a 23:00 activity published at 22:20, told at
    # 8:00) is a Sign-me-up button sign_up refuses, for something maybe already over: none is
    # planned. Volunteers who come anyway check in as walk-ins by the QR code.
    too_late = due_at >= starts_at
    if too_late:
        offered = ()
    await delivery.add(
        uow,
        messages=[_message(OFFER, "offer", row, c.tg_id) for c in offered],
        now=now,
        due_at=due_at,
    )
    audit.record(
        uow,
        actor_id=actor_id,
        action="volunteer_activity.publish",
        subject=f"volunteer_activity:{row.id}",
        now=now,
        detail={"station": station_code, "offered": len(offered), "too_late": too_late},
    )
    await uow.commit()
    return Published(
        await _view(uow, row),
        created=True,
        offered=offered,
        offers_due_at=due_at,
        too_late=too_late,
    )


async def activity(uow: UnitOfWork, *, activity_id: int) -> ActivityView:
    """An activity as a volunteer may see it (what the offer's Sign-me-up button opens)."""
    return await _view(uow, await _activity(uow, activity_id))


async def upcoming(
    uow: UnitOfWork, *, station_code: str, now: datetime, limit: int = 20
) -> list[ActivityView]:
    """A station's open activities that have not ended, soonest first."""
    rows = (
        await uow.session.scalars(
            select(VolunteerActivity)
            .where(
                VolunteerActivity.station_code == station_code,
                VolunteerActivity.status == OPEN,
                VolunteerActivity.ends_at > now,
            )
            .order_by(VolunteerActivity.starts_at, VolunteerActivity.id)
            .limit(limit)
        )
    ).all()
    return [await _view(uow, r) for r in rows]


async def scan_links(uow: UnitOfWork, *, actor_tg_id: int, activity_id: int) -> ScanLinks:
    """The activity's two QR payloads, for the station's staff only."""
    row = await _activity(uow, activity_id)
    await _staff_at(uow, tg_id=actor_tg_id, station_code=row.station_code)
    return ScanLinks(
        activity_id=row.id,
        volunteer_payload=scan_payload(VOLUNTEER_SCAN, row.volunteer_token),
        resident_payload=scan_payload(RESIDENT_SCAN, row.resident_token),
    )


async def cancel_activity(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    activity_id: int,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[ActivityView, tuple[VolunteerContact, ...]]:
    """Cancel an open activity; everyone signed up or waiting is told (through the ledger)."""
    row = await _activity(uow, activity_id, lock=True)
    actor_id = await _staff_at(uow, tg_id=actor_tg_id, station_code=row.station_code)
    if row.status != OPEN:
        raise ActivityClosed(row.status)
    row.status = CANCELLED
    row.cancelled_at = now
    told = await _contacts_of(uow, row.id, (SIGNED_UP, WAITING))
    await delivery.add(
        uow,
        messages=[_message(CANCELLED_NOTICE, "cancelled", row, c.tg_id) for c in told],
        now=now,
        due_at=after_quiet_hours(schedule, now=now, zone=zone),
    )
    audit.record(
        uow,
        actor_id=actor_id,
        action="volunteer_activity.cancel",
        subject=f"volunteer_activity:{row.id}",
        now=now,
        detail={"station": row.station_code},
    )
    await uow.commit()
    return await _view(uow, row), told


async def _contacts_of(
    uow: UnitOfWork, activity_id: int, statuses: Sequence[str]
) -> tuple[VolunteerContact, ...]:
    rows = (
        await uow.session.execute(
            select(
                VolunteerSignup.person_id, Person.tg_id, VolunteerApplication.name, Person.language
            )
            .join(Person, Person.id == VolunteerSignup.person_id)
            .join(VolunteerApplication, VolunteerApplication.id == VolunteerSignup.application_id)
            .where(
                VolunteerSignup.activity_id == activity_id,
                VolunteerSignup.status.in_(statuses),
                Person.erased_at.is_(None),
            )
            .order_by(VolunteerSignup.created_at, VolunteerSignup.id)
        )
    ).all()
    return tuple(
        VolunteerContact(int(pid), int(tg), None if name is None else str(name), lang or "zh")
        for pid, tg, name, lang in rows
    )


# --- signing up, the waiting list, the day before --------------------------------------------


async def _signup(uow: UnitOfWork, activity_id: int, person_id: int) -> VolunteerSignup | None:
    return await uow.session.scalar(
        select(VolunteerSignup).where(
            VolunteerSignup.activity_id == activity_id, VolunteerSignup.person_id == person_id
        )
    )


async def _waiting_position(uow: UnitOfWork, signup: VolunteerSignup) -> int:
    ahead = await uow.session.scalar(
        select(func.count())
        .select_from(VolunteerSignup)
        .where(
            VolunteerSignup.activity_id == signup.activity_id,
            VolunteerSignup.status == WAITING,
            (VolunteerSignup.created_at < signup.created_at)
            | (
                (VolunteerSignup.created_at == signup.created_at) & (VolunteerSignup.id < signup.id)
            ),
        )
    )
    return int(ahead or 0) + 1


async def sign_up(
    uow: UnitOfWork,
    *,
    activity_id: int,
    volunteer_tg_id: int,
    now: datetime,
    join_waiting_list: bool = False,
) -> SignUpResult:
    """Take a place (or, when full and asked for, a place on the waiting list). Signing up
    again while signed up or waiting changes nothing; after "I can't come" it is a new try."""
    row = await _activity(uow, activity_id, lock=True)
    if row.status != OPEN:
        raise ActivityClosed(row.status)
    if now >= row.starts_at:
        raise ActivityClosed("started")
    person, application = await _volunteer_for(uow, tg_id=volunteer_tg_id, activity=row)
    signup = await _signup(uow, row.id, person.id)
    if signup is not None and signup.status in (SIGNED_UP, WAITING):
        position = await _waiting_position(uow, signup) if signup.status == WAITING else None
        return SignUpResult(await _view(uow, row), signup.status, position, created=False)
    signed_up, waiting = await _counts(uow, row.id)
    status = SIGNED_UP
    if signed_up >= row.volunteers_needed:
        if not join_waiting_list:
            raise ActivityFull(waiting)
        status = WAITING
    if signup is None:
        signup = VolunteerSignup(
            activity_id=row.id,
            person_id=person.id,
            application_id=application.id,
            status=status,
            created_at=now,
            changed_at=now,
        )
        uow.session.add(signup)
    else:
        signup.status, signup.created_at, signup.changed_at = status, now, now
        signup.application_id, signup.coming = application.id, None
    await uow.session.flush()
    position = await _waiting_position(uow, signup) if status == WAITING else None
    audit.record(
        uow,
        actor_id=person.id,
        action="volunteer_activity.sign_up" if status == SIGNED_UP else "volunteer_activity.wait",
        subject=f"volunteer_activity:{row.id}",
        now=now,
        detail={"station": row.station_code},
    )
    await uow.commit()
    return SignUpResult(await _view(uow, row), status, position, created=True)


async def reply_to_reminder(
    uow: UnitOfWork,
    *,
    activity_id: int,
    volunteer_tg_id: int,
    coming: bool,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
) -> ReplyResult:
    """ "I'll come" is noted; "I can't come" (also: cancelling a sign-up, or leaving the waiting
    list) frees the place, and the first on the waiting list gets it and is told (ledger)."""
    row = await _activity(uow, activity_id, lock=True)
    person = await _person(uow, volunteer_tg_id)
    signup = await _signup(uow, row.id, person.id)
    if signup is None or signup.status == WITHDRAWN:
        raise NotFound("signup")
    if row.status != OPEN:
        raise ActivityClosed(row.status)
    if coming:
        if signup.status != SIGNED_UP:
            raise Conflict(signup.status)  # waiting: nothing to confirm yet
        signup.coming = True
        signup.changed_at = now
        await uow.commit()
        return ReplyResult(await _view(uow, row), True, None)
    was_signed_up = signup.status == SIGNED_UP
    signup.status, signup.coming, signup.changed_at = WITHDRAWN, False, now
    promoted: VolunteerContact | None = None
    if was_signed_up and now < row.starts_at:
        promoted = await _promote_next(uow, row, schedule=schedule, now=now, zone=zone)
    audit.record(
        uow,
        actor_id=person.id,
        action="volunteer_activity.cannot_come",
        subject=f"volunteer_activity:{row.id}",
        now=now,
        detail={"station": row.station_code, "promoted": promoted is not None},
    )
    await uow.commit()
    return ReplyResult(await _view(uow, row), False, promoted)


async def _promote_next(
    uow: UnitOfWork,
    row: VolunteerActivity,
    *,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
) -> VolunteerContact | None:
    await uow.session.flush()
    signed_up, _ = await _counts(uow, row.id)
    if signed_up >= row.volunteers_needed:
        return None
    found = (
        await uow.session.execute(
            select(VolunteerSignup, Person.tg_id, Person.language, VolunteerApplication.name)
            .join(Person, Person.id == VolunteerSignup.person_id)
            .join(VolunteerApplication, VolunteerApplication.id == VolunteerSignup.application_id)
            .where(
                VolunteerSignup.activity_id == row.id,
                VolunteerSignup.status == WAITING,
                Person.erased_at.is_(None),
            )
            .order_by(VolunteerSignup.created_at, VolunteerSignup.id)
            .limit(1)
        )
    ).first()
    if found is None:
        return None
    nxt, tg_id, language, name = found
    nxt.status, nxt.changed_at = SIGNED_UP, now
    contact = VolunteerContact(nxt.person_id, int(tg_id), name, language or "zh")
    await delivery.add(
        uow,
        messages=[_message(PROMOTED, f"p{nxt.id}", row, contact.tg_id)],
        now=now,
        due_at=after_quiet_hours(schedule, now=now, zone=zone),
    )
    return contact


def day_before_at(local_date: date, rules: VolunteerHoursRules, zone: ZoneInfo) -> datetime:
    """When the day-before reminder of an activity on `local_date` is due."""
    return datetime.combine(local_date - timedelta(days=1), rules.day_before_reminder_time, zone)


async def plan_day_before(
    uow: UnitOfWork,
    *,
    rules: VolunteerHoursRules,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
) -> int:
    """Plan the day-before reminders due at `now` (from the reminder time the day before until
    the activity starts, outside the quiet hours). Once per person and activity: the ledger's
    key is `activity_reminder:va<id>:daybefore:<tg id>:<station>`. Returns how many are new."""
    if is_quiet(schedule, now=now, zone=zone):
        return 0
    rows = (
        await uow.session.scalars(
            select(VolunteerActivity).where(
                VolunteerActivity.status == OPEN,
                VolunteerActivity.starts_at > now,
                VolunteerActivity.starts_at <= now + timedelta(days=2),
            )
        )
    ).all()
    messages = []
    for row in rows:
        if day_before_at(row.local_date, rules, zone) > now:
            continue
        for contact in await _contacts_of(uow, row.id, (SIGNED_UP,)):
            messages.append(_message(DAY_BEFORE, "daybefore", row, contact.tg_id))
    blocked = await delivery.unreachable_among(uow, (m.recipient_tg_id for m in messages))
    added = await delivery.add(
        uow, messages=[m for m in messages if m.recipient_tg_id not in blocked], now=now
    )
    await uow.commit()
    return added


# --- scans -----------------------------------------------------------------------------------


async def scan(
    uow: UnitOfWork,
    *,
    payload: str,
    person_tg_id: int,
    rules: VolunteerHoursRules,
    now: datetime,
) -> ScanResult:
    """A `/start` payload from one of an activity's QR codes.

    Volunteer QR: the first scan checks in (an approved volunteer of the station who did not
    sign up is taken as a walk-in), a later one checks out with the hours rounded; after that
    the payload is used (PayloadUsed). Resident QR: one person-time per person, once.
    A payload nobody issued raises UnknownPayload.
    """
    link = parse_payload(payload)
    if not isinstance(link, ScanLink):
        raise UnknownPayload()
    column = (
        VolunteerActivity.volunteer_token
        if link.role == VOLUNTEER_SCAN
        else VolunteerActivity.resident_token
    )
    row = await uow.session.scalar(select(VolunteerActivity).where(column == link.token))
    if row is None:
        raise UnknownPayload()
    if row.status != OPEN:
        raise ActivityClosed(row.status)
    if link.role == VOLUNTEER_SCAN:
        # Who may use this code first: someone who is not a volunteer of the station is told
        # that, not sent back at check-in time to be refused then.
        person, application = await _volunteer_for(uow, tg_id=person_tg_id, activity=row)
    opens_at = row.starts_at - rules.check_in_opens_before
    if now < opens_at:
        raise ScanOutsideWindow(opens_at)
    if now > row.ends_at + rules.scans_close_after:
        raise ScanOutsideWindow(None)
    if link.role == RESIDENT_SCAN:
        return await _resident_scan(uow, row, person_tg_id=person_tg_id, now=now)
    signup = await _signup(uow, row.id, person.id)
    walk_in = False
    if signup is None:
        walk_in = True
        signup = VolunteerSignup(
            activity_id=row.id,
            person_id=person.id,
            application_id=application.id,
            status=SIGNED_UP,
            walk_in=True,
            created_at=now,
            changed_at=now,
        )
        uow.session.add(signup)
    elif signup.status != SIGNED_UP:
        walk_in = True
        signup.status, signup.walk_in, signup.changed_at = SIGNED_UP, True, now
    if signup.checked_out_at is not None:
        raise PayloadUsed(CHECKED_OUT)
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        kind, minutes, action = CHECKED_IN, None, "volunteer_activity.check_in"
    else:
        if now - signup.checked_in_at < rules.checkout_after:
            raise AlreadyCheckedIn(signup.checked_in_at)
        signup.checked_out_at = now
        minutes = rules.rounded((now - signup.checked_in_at).total_seconds() / 60)
        signup.minutes = minutes
        kind, action = CHECKED_OUT, "volunteer_activity.check_out"
    signup.changed_at = now
    audit.record(
        uow,
        actor_id=person.id,
        action=action,
        subject=f"volunteer_activity:{row.id}",
        now=now,
        detail={"station": row.station_code, "minutes": minutes, "walk_in": walk_in},
    )
    await uow.commit()
    person_times = await _person_times(uow, row.id)
    return ScanResult(await _view(uow, row), kind, now, minutes, person_times, walk_in)


async def _person_times(uow: UnitOfWork, activity_id: int) -> int:
    return int(
        await uow.session.scalar(
            select(func.count())
            .select_from(ResidentAttendance)
            .where(ResidentAttendance.activity_id == activity_id)
        )
        or 0
    )


async def _resident_scan(
    uow: UnitOfWork, row: VolunteerActivity, *, person_tg_id: int, now: datetime
) -> ScanResult:
    person = await _person(uow, person_tg_id)
    seen = await uow.session.scalar(
        select(ResidentAttendance.id).where(
            ResidentAttendance.activity_id == row.id, ResidentAttendance.person_id == person.id
        )
    )
    if seen is not None:
        raise PayloadUsed("counted")
    uow.session.add(ResidentAttendance(activity_id=row.id, person_id=person.id, scanned_at=now))
    try:
        await uow.commit()
    except IntegrityError:  # the same person's second scan, at the same moment
        raise PayloadUsed("counted") from None
    return ScanResult(await _view(uow, row), ATTENDED, now, None, await _person_times(uow, row.id))


# --- the worker's side: roster, corrections, confirmation, the record ------------------------


async def _roster(uow: UnitOfWork, row: VolunteerActivity) -> Roster:
    rows = (
        await uow.session.execute(
            select(VolunteerSignup, Person.tg_id, VolunteerApplication.name)
            .join(Person, Person.id == VolunteerSignup.person_id)
            .join(VolunteerApplication, VolunteerApplication.id == VolunteerSignup.application_id)
            .where(VolunteerSignup.activity_id == row.id, VolunteerSignup.status == SIGNED_UP)
            .order_by(VolunteerSignup.created_at, VolunteerSignup.id)
        )
    ).all()
    volunteers = tuple(
        VolunteerHours(
            signup_id=s.id,
            person_id=s.person_id,
            tg_id=int(tg),
            name=name,
            status=s.status,
            walk_in=s.walk_in,
            coming=s.coming,
            checked_in_at=s.checked_in_at,
            checked_out_at=s.checked_out_at,
            minutes=s.minutes,
            corrected=s.corrected_by is not None,
            confirmed=s.confirmed_at is not None,
        )
        for s, tg, name in rows
    )
    return Roster(
        activity=await _view(uow, row),
        volunteers=volunteers,
        waiting=await _contacts_of(uow, row.id, (WAITING,)),
        person_times=await _person_times(uow, row.id),
    )


async def roster(uow: UnitOfWork, *, actor_tg_id: int, activity_id: int) -> Roster:
    """Who signed up, their scans and hours, the waiting list, the residents counted."""
    row = await _activity(uow, activity_id)
    await _staff_at(uow, tg_id=actor_tg_id, station_code=row.station_code)
    return await _roster(uow, row)


async def correct_hours(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    signup_id: int,
    minutes: int,
    rules: VolunteerHoursRules,
    now: datetime,
) -> Roster:
    """A worker (or the head) sets a volunteer's hours, in the rounding steps, 0 to the most.
    Works for someone who forgot to scan too; a confirmed figure stays confirmed. Not before
    the activity has started (InvalidValue('hours', 'not_started')): there are no hours yet.

    Changing a confirmed figure withdraws the volunteer's certificates that counted it
    (`Roster.revoked_certificates`). A certificate is relied on by schools and party branches
    and `stationbot verify` checks it against what was printed; leaving it valid would have
    us vouch for a figure we have just said is wrong, and refusing the correction would keep a
    wrong record. So the record is corrected, the old certificate verifies as revoked, and the
    volunteer issues a new one from /myhours."""
    signup = await uow.session.get(VolunteerSignup, signup_id)
    if signup is None:
        raise NotFound(f"signup {signup_id}")
    row = await _activity(uow, signup.activity_id)
    actor_id = await _staff_at(uow, tg_id=actor_tg_id, station_code=row.station_code)
    if signup.status != SIGNED_UP:
        raise Conflict(signup.status)
    if now < row.starts_at:
        raise InvalidValue("hours", "not_started")
    if isinstance(minutes, bool) or not 0 <= minutes <= rules.max_minutes:
        raise InvalidValue("hours", "out_of_range")
    if minutes % rules.rounding_minutes:
        raise InvalidValue("hours", "step")
    before = signup.minutes
    revoked: list[HoursCertificate] = []
    if signup.confirmed_at is not None and before != minutes:
        revoked = await _certificates_counting(uow, signup, row)
        for certificate in revoked:
            certificate.revoked_at = now
    signup.minutes, signup.corrected_by, signup.changed_at = minutes, actor_id, now
    if signup.confirmed_at is not None:
        signup.confirmed_by = actor_id
    audit.record(
        uow,
        actor_id=actor_id,
        action="volunteer_activity.correct_hours",
        subject=f"volunteer_signup:{signup.id}",
        now=now,
        detail={
            "station": row.station_code,
            "from": before,
            "to": minutes,
            "revoked_certificates": [c.id for c in revoked],
        },
    )
    await uow.commit()
    return replace(await _roster(uow, row), revoked_certificates=len(revoked))


async def _certificates_counting(
    uow: UnitOfWork, signup: VolunteerSignup, row: VolunteerActivity
) -> list[HoursCertificate]:
    """The volunteer's valid certificates at the station issued since these hours were
    confirmed, for all time or for the activity's year: the ones that counted them."""
    return list(
        (
            await uow.session.scalars(
                select(HoursCertificate).where(
                    HoursCertificate.person_id == signup.person_id,
                    HoursCertificate.station_code == row.station_code,
                    HoursCertificate.revoked_at.is_(None),
                    HoursCertificate.issued_at >= signup.confirmed_at,
                    (HoursCertificate.year.is_(None))
                    | (HoursCertificate.year == row.local_date.year),
                )
            )
        ).all()
    )


async def confirm_hours(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    activity_id: int,
    signup_ids: Iterable[int] | None,
    now: datetime,
) -> Roster:
    """Confirm the listed volunteers' hours, or (None) everyone's that has hours. Listing one
    without hours (checked in, never out, not corrected) raises InvalidValue('hours',
    'missing'); confirming again changes nothing. Not before the activity has started
    (InvalidValue('hours', 'not_started')), like recording it."""
    row = await _activity(uow, activity_id, lock=True)
    actor_id = await _staff_at(uow, tg_id=actor_tg_id, station_code=row.station_code)
    if row.status == CANCELLED:
        raise ActivityClosed(row.status)
    if now < row.starts_at:  # the rule of record_activity: hours of something not yet begun
        raise InvalidValue("hours", "not_started")
    signups = (
        await uow.session.scalars(
            select(VolunteerSignup).where(
                VolunteerSignup.activity_id == row.id, VolunteerSignup.status == SIGNED_UP
            )
        )
    ).all()
    by_id = {s.id: s for s in signups}
    if signup_ids is None:
        chosen = [s for s in signups if s.minutes is not None]
    else:
        wanted = list(dict.fromkeys(signup_ids))
        if any(i not in by_id for i in wanted):
            raise NotFound("signup")
        chosen = [by_id[i] for i in wanted]
        if any(s.minutes is None for s in chosen):
            raise InvalidValue("hours", "missing")
    newly = [s for s in chosen if s.confirmed_at is None]
    for s in newly:
        s.confirmed_at, s.confirmed_by = now, actor_id
    if newly:
        audit.record(
            uow,
            actor_id=actor_id,
            action="volunteer_activity.confirm_hours",
            subject=f"volunteer_activity:{row.id}",
            now=now,
            detail={
                "station": row.station_code,
                "volunteers": len(newly),
                "minutes": sum(s.minutes or 0 for s in newly),
            },
        )
    await uow.commit()
    return await _roster(uow, row)


def record_client_token(activity_id: int) -> str:
    """The activity log's client token: recording twice finds the first record."""
    return f"volunteer-activity:{activity_id}"


async def record_activity(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    activity_id: int,
    extra_person_times: int,
    groups: Mapping[str, int] | None,
    note: str | None,
    templates: TemplateCatalog,
    group_codes: Iterable[str],
    now: datetime,
    zone: ZoneInfo,
) -> Recorded:
    """Turn the activity into one activity log of its template (志愿服务记录表 or 社区活动记录表):
    its date, its scheduled length, person-times = residents who scanned + `extra_person_times`
    (residents the worker counted without a scan), split by group as `/log` does (`groups`
    may be None when the activity serves one group). A worker of the station only (the rule
    of `/log`); the note is the caller's (services write no text). Scans end here."""
    row = await _activity(uow, activity_id, lock=True)
    if row.status != OPEN:
        raise ActivityClosed(row.status)
    if now < row.starts_at:
        raise InvalidValue("activity_date", "future")
    if (
        isinstance(extra_person_times, bool)
        or not 0 <= extra_person_times <= MAX_EXTRA_PERSON_TIMES
    ):
        raise InvalidValue("person_times", "out_of_range")
    person_times = await _person_times(uow, row.id) + extra_person_times
    served = list(row.served_groups or ())
    if groups is None:
        if len(served) != 1:
            raise InvalidValue("groups", "required")
        groups = {served[0]: person_times}
    roster_before = await _roster(uow, row)
    worker_id = await require_station_role(
        uow, tg_id=actor_tg_id, role=WORKER, station_code=row.station_code
    )
    row.status, row.recorded_at, row.recorded_by = RECORDED, now, worker_id
    minutes = min(MAX_MINUTES, int((row.ends_at - row.starts_at).total_seconds() // 60))
    audit.record(
        uow,
        actor_id=worker_id,
        action="volunteer_activity.record",
        subject=f"volunteer_activity:{row.id}",
        now=now,
        detail={"station": row.station_code, "person_times": person_times},
    )
    entry = await log_activity(  # commits this activity's change together with the log
        uow,
        worker_tg_id=actor_tg_id,
        station_code=row.station_code,
        template_code=row.template_code,
        activity_date=row.local_date,
        minutes=minutes,
        person_times=person_times,
        groups=groups,
        note=note,
        client_token=record_client_token(row.id),
        now=now,
        zone=zone,
        templates=templates,
        group_codes=group_codes,
    )
    confirmed = [v for v in roster_before.volunteers if v.confirmed]
    return Recorded(
        activity=await _view(uow, row),
        entry=entry,
        volunteers=len(confirmed),
        confirmed_minutes=sum(v.minutes or 0 for v in confirmed),
        person_times=person_times,
    )


# --- a volunteer's own hours, and the figures ------------------------------------------------


async def confirmed_hours(
    uow: UnitOfWork, *, person_id: int, station_code: str | None = None
) -> list[ActivityHours]:
    """A person's confirmed hours, one entry per activity, newest first (cancelled activities
    left out)."""
    query = (
        select(
            VolunteerActivity.id,
            VolunteerActivity.station_code,
            VolunteerActivity.title,
            VolunteerActivity.local_date,
            VolunteerSignup.minutes,
        )
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
        .where(
            VolunteerSignup.person_id == person_id,
            VolunteerSignup.status == SIGNED_UP,
            VolunteerSignup.confirmed_at.is_not(None),
            VolunteerActivity.status != CANCELLED,
        )
        .order_by(VolunteerActivity.local_date.desc(), VolunteerActivity.id.desc())
    )
    if station_code is not None:
        query = query.where(VolunteerActivity.station_code == station_code)
    return [
        ActivityHours(int(i), code, title, day, int(minutes or 0))
        for i, code, title, day, minutes in (await uow.session.execute(query)).all()
    ]


async def my_hours(
    uow: UnitOfWork, *, volunteer_tg_id: int, now: datetime, zone: ZoneInfo
) -> MyHours:
    """What `/myhours` shows: confirmed hours this (local) year and in all, by activity."""
    person = await _person(uow, volunteer_tg_id)
    year = now.astimezone(zone).year
    confirmed = await confirmed_hours(uow, person_id=person.id)
    unconfirmed = await uow.session.scalar(
        select(func.coalesce(func.sum(VolunteerSignup.minutes), 0))
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
        .where(
            VolunteerSignup.person_id == person.id,
            VolunteerSignup.status == SIGNED_UP,
            VolunteerSignup.confirmed_at.is_(None),
            VolunteerActivity.status != CANCELLED,
        )
    )
    return MyHours(
        year=year,
        year_minutes=sum(a.minutes for a in confirmed if a.local_date.year == year),
        total_minutes=sum(a.minutes for a in confirmed),
        activities=tuple(confirmed),
        unconfirmed_minutes=int(unconfirmed or 0),
    )


def _confirmed_between(start: date, end: date) -> tuple[Any, ...]:
    """The one rule for hours that count: confirmed, more than nothing, of an activity not
    cancelled and dated (its local start date) in [start, end]."""
    return (
        VolunteerSignup.status == SIGNED_UP,
        VolunteerSignup.confirmed_at.is_not(None),
        VolunteerSignup.minutes > 0,
        VolunteerActivity.status != CANCELLED,
        VolunteerActivity.local_date >= start,
        VolunteerActivity.local_date <= end,
    )


@dataclass(frozen=True)
class ActivityTotal:
    """One activity's confirmed volunteer hours (a row of the 台账's volunteer-hours sheet)."""

    activity_id: int
    local_date: date
    title: str
    place: str
    volunteers: int  # volunteers with confirmed hours
    minutes: int

    @property
    def hours(self) -> float:
        return self.minutes / 60


async def hours_by_activity(
    uow: UnitOfWork, *, station_code: str, start: date, end: date
) -> tuple[ActivityTotal, ...]:
    """The station's activities dated in [start, end] with confirmed hours, by date: the same
    rule as `hours_figures`, so their sums are its figures."""
    query = (
        select(
            VolunteerActivity.id,
            VolunteerActivity.local_date,
            VolunteerActivity.title,
            VolunteerActivity.place,
            func.count(func.distinct(VolunteerSignup.person_id)),
            func.sum(VolunteerSignup.minutes),
        )
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
        .where(VolunteerActivity.station_code == station_code, *_confirmed_between(start, end))
        .group_by(
            VolunteerActivity.id,
            VolunteerActivity.local_date,
            VolunteerActivity.title,
            VolunteerActivity.place,
        )
        .order_by(VolunteerActivity.local_date, VolunteerActivity.id)
    )
    return tuple(
        ActivityTotal(int(i), day, title, place, int(people), int(minutes or 0))
        for i, day, title, place, people, minutes in await uow.session.execute(query)
    )


@dataclass(frozen=True)
class HoursFigures:
    rows: tuple[HoursRow, ...]  # per station and month
    volunteers: dict[str, int]  # per station: distinct volunteers over the whole span


async def hours_figures(
    uow: UnitOfWork, *, start: date, end: date, station_codes: Sequence[str] | None
) -> HoursFigures:
    """Confirmed hours per station and month for activities dated in [start, end] (local
    dates), and per station the distinct volunteers with confirmed hours in the span (the
    evaluation's "active volunteers": counted once however many months). One grouped query;
    months without hours are left out."""
    query = (
        select(
            VolunteerActivity.station_code,
            VolunteerActivity.local_date,
            VolunteerActivity.id,
            VolunteerSignup.person_id,
            func.sum(VolunteerSignup.minutes),
        )
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
        .where(*_confirmed_between(start, end))
        .group_by(
            VolunteerActivity.station_code,
            VolunteerActivity.local_date,
            VolunteerActivity.id,
            VolunteerSignup.person_id,
        )
    )
    if station_codes is not None:
        query = query.where(VolunteerActivity.station_code.in_(list(station_codes)))
    people: dict[tuple[str, date], set[int]] = defaultdict(set)
    activities: dict[tuple[str, date], set[int]] = defaultdict(set)
    minutes: dict[tuple[str, date], int] = defaultdict(int)
    per_station: dict[str, set[int]] = defaultdict(set)
    for code, day, activity_id, person_id, total in (await uow.session.execute(query)).all():
        key = (code, day.replace(day=1))
        people[key].add(int(person_id))
        activities[key].add(int(activity_id))
        minutes[key] += int(total or 0)
        per_station[code].add(int(person_id))
    return HoursFigures(
        rows=tuple(
            HoursRow(code, month, len(people[(code, month)]), len(activities[(code, month)]), m)
            for (code, month), m in sorted(minutes.items())
        ),
        volunteers={code: len(ids) for code, ids in per_station.items()},
    )


async def hours_by_station_month(
    uow: UnitOfWork, *, start: date, end: date, station_codes: Sequence[str] | None
) -> list[HoursRow]:
    """`hours_figures`' rows: confirmed hours per station and month."""
    found = await hours_figures(uow, start=start, end=end, station_codes=station_codes)
    return list(found.rows)
