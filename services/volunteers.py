"""Volunteer applications: apply, be approved or declined by the station, withdraw.

    pending ──approve──► approved ──withdraw──► withdrawn
       │  └──decline──► declined
       └──withdraw──► withdrawn

Children under 14 are registered by a parent or guardian at the station, so the bot stores
nothing for them (PIPL art. 31: a minor under 14's information needs the guardian's consent).
Applicants of 14–17 give a guardian's name and phone. One active (pending or approved)
application per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from db.models import Person, Station, VolunteerApplication
from db.uow import UnitOfWork
from services import audit, consent
from services.errors import Conflict, InvalidValue, NotAllowed, NotFound
from services.names import looks_like_a_name
from services.people import Access
from services.phones import normalise_cn_phone
from services.requests import StaffContact, handled_stations, may_handle, new_request_recipients

T = TypeVar("T")

PENDING, APPROVED, DECLINED, WITHDRAWN = "pending", "approved", "declined", "withdrawn"
ACTIVE_STATUSES = (PENDING, APPROVED)
AGE_GROUPS = ("under_14", "14_17", "18_59", "60_plus")
MINOR, CHILD = "14_17", "under_14"
AVAILABILITY = ("weekday_daytime", "evenings", "weekends")
SCHOOL_HOLIDAYS = "school_holidays"  # summer and winter holidays: when teenagers can help most
# Every code `apply` accepts; AVAILABILITY stays what the pre-kit /volunteer shows.
AVAILABILITY_ALL = (*AVAILABILITY, SCHOOL_HOLIDAYS)
PARTY_MEMBER = ("yes", "no", "undisclosed")
PARTY_NOT_ASKED = "not_asked"  # minors: party membership starts at 18
MAX_NAME = 64
SAME_AS_OWN = "same_as_own"  # InvalidValue reason: a 14–17-year-old's guardian phone is theirs
MAX_REASON = 1000


class AlreadyDecided(Conflict):
    def __init__(self, status: str, decided_by_name: str | None) -> None:
        super().__init__(status)
        self.status = status
        self.decided_by_name = decided_by_name


class AlreadyApplied(Conflict):
    def __init__(self, application_id: int, status: str) -> None:
        super().__init__(status)
        self.application_id = application_id
        self.status = status


@dataclass(frozen=True)
class ApplicationView:
    id: int
    person_id: int
    tg_id: int
    language: str
    station_code: str
    name: str | None  # None once erased
    phone: str | None
    skills: tuple[str, ...]
    availability: tuple[str, ...]
    age_group: str
    party_member: str
    guardian_name: str | None
    guardian_phone: str | None
    status: str
    created_at: datetime
    decided_by_name: str | None
    decline_reason: str | None
    erased: bool


@dataclass(frozen=True)
class Applied:
    application: ApplicationView
    created: bool
    notify: tuple[StaffContact, ...]  # all reachable (services.reach)
    notify_group: str = ""  # worker | station_head | admin | nobody ("" when resubmitted)

    @property
    def nobody_reachable(self) -> bool:
        return self.created and not self.notify


_Applicant = aliased(Person)
_Decider = aliased(Person)


def _view(
    row: VolunteerApplication,
    tg_id: int,
    language: str | None,
    decider: str | None,
) -> ApplicationView:
    erased = row.erased
    return ApplicationView(
        id=row.id,
        person_id=row.person_id,
        tg_id=tg_id,
        language=language or "zh",
        station_code=row.station_code,
        name=None if erased else row.name,
        phone=None if erased else row.phone,
        skills=tuple(row.skills or ()),
        availability=tuple(row.availability or ()),
        age_group=row.age_group,
        party_member=row.party_member,
        guardian_name=None if erased else row.guardian_name,
        guardian_phone=None if erased else row.guardian_phone,
        status=row.status,
        created_at=row.created_at,
        decided_by_name=decider,
        decline_reason=row.decline_reason,
        erased=erased,
    )


def _query() -> Any:
    return (
        select(VolunteerApplication, _Applicant.tg_id, _Applicant.language, _Decider.display_name)
        .join(_Applicant, _Applicant.id == VolunteerApplication.person_id)
        .outerjoin(_Decider, _Decider.id == VolunteerApplication.decided_by)
    )


async def _fetch(uow: UnitOfWork, application_id: int) -> ApplicationView:
    found = (
        await uow.session.execute(_query().where(VolunteerApplication.id == application_id))
    ).first()
    if found is None:
        raise NotFound()
    return _view(*found)


async def current(uow: UnitOfWork, *, person_id: int) -> ApplicationView | None:
    """The person's latest application (any status), or None."""
    found = (
        await uow.session.execute(
            _query()
            .where(VolunteerApplication.person_id == person_id)
            .order_by(VolunteerApplication.created_at.desc(), VolunteerApplication.id.desc())
            .limit(1)
        )
    ).first()
    return _view(*found) if found else None


def _name(value: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, "empty")
    if len(value) > MAX_NAME:
        raise InvalidValue(field, "too_long")
    if not looks_like_a_name(value):
        raise InvalidValue(field, "not_a_name")
    return value


def check_name(value: str) -> str:
    """A name as typed: 1–64 characters with a letter, no digits, not a question
    (`services.names`). Raises InvalidValue."""
    return _name(value, "name")


async def apply(
    uow: UnitOfWork,
    *,
    person_id: int,
    station_code: str,
    name: str,
    phone: str,
    skills: Iterable[str],
    availability: Iterable[str],
    age_group: str,
    party_member: str,
    guardian_name: str | None,
    guardian_phone: str | None,
    known_skills: Iterable[str],
    client_token: str,
    now: datetime,
    adults_only_skills: Iterable[str] = (),
    admin_tg_ids: Iterable[int] = (),
) -> Applied:
    """A pending application for the station's workers to review."""
    if age_group not in AGE_GROUPS:
        raise InvalidValue("age_group", "unknown")
    if age_group == CHILD:
        raise InvalidValue("age_group", "too_young")
    existing = (
        await uow.session.scalars(
            select(VolunteerApplication).where(
                VolunteerApplication.person_id == person_id,
                VolunteerApplication.status.in_(ACTIVE_STATUSES),
            )
        )
    ).first()
    if existing is not None:
        if (existing.extra or {}).get("client_token") == client_token:
            return Applied(await _fetch(uow, existing.id), created=False, notify=())
        raise AlreadyApplied(existing.id, existing.status)
    await consent.require(uow, person_id=person_id)
    station = await uow.session.get(Station, station_code)
    if station is None or not station.active:
        raise InvalidValue("station", "unknown")
    known = set(known_skills)
    chosen_skills = list(dict.fromkeys(skills))
    if not chosen_skills or any(s not in known for s in chosen_skills):
        raise InvalidValue("skills", "unknown" if chosen_skills else "empty")
    if age_group == MINOR and set(chosen_skills) & set(adults_only_skills):
        raise InvalidValue("skills", "adults_only")
    chosen_times = list(dict.fromkeys(availability))
    if not chosen_times or any(a not in AVAILABILITY_ALL for a in chosen_times):
        raise InvalidValue("availability", "unknown" if chosen_times else "empty")
    if age_group == MINOR:
        party_member = PARTY_NOT_ASKED
        if not guardian_name or not guardian_phone:
            raise InvalidValue("guardian", "required")
        guardian_name = _name(guardian_name, "guardian_name")
        guardian_phone = normalise_cn_phone(guardian_phone)
        if guardian_phone == normalise_cn_phone(phone):  # no guardian could be reached on it
            raise InvalidValue("guardian_phone", SAME_AS_OWN)
    else:
        guardian_name = guardian_phone = None
        if party_member not in PARTY_MEMBER:
            raise InvalidValue("party_member", "unknown")
    row = VolunteerApplication(
        person_id=person_id,
        station_code=station_code,
        name=_name(name, "name"),
        phone=normalise_cn_phone(phone),
        skills=chosen_skills,
        availability=chosen_times,
        age_group=age_group,
        party_member=party_member,
        guardian_name=guardian_name,
        guardian_phone=guardian_phone,
        status=PENDING,
        created_at=now,
        extra={"client_token": client_token},
    )
    uow.session.add(row)
    person = await uow.session.get(Person, person_id)
    if person is not None:
        person.last_station_code = station_code
    await uow.session.flush()
    audit.record(
        uow,
        actor_id=person_id,
        action="volunteer.apply",
        subject=f"volunteer:{row.id}",
        now=now,
        detail={"station": station_code},
    )
    await uow.commit()
    notify, group = await new_request_recipients(uow, station_code, admin_tg_ids=admin_tg_ids)
    return Applied(
        await _fetch(uow, row.id), created=True, notify=tuple(notify), notify_group=group
    )


def skills_for(skills: Iterable[T], *, age_group: str, adults_only: Iterable[str]) -> list[T]:
    """The skills to offer: for a 14–17-year-old, without those that need an adult. `skills`
    are codes or objects with a `.code` (knowledge's Skill)."""
    if age_group != MINOR:
        return list(skills)
    barred = set(adults_only)
    return [s for s in skills if (s if isinstance(s, str) else getattr(s, "code", s)) not in barred]


async def decide(
    uow: UnitOfWork,
    *,
    application_id: int,
    actor: Access,
    approve: bool,
    reason: str | None,
    now: datetime,
) -> ApplicationView:
    """A worker or the head of the application's station approves or declines it, once."""
    row = await uow.session.scalar(
        select(VolunteerApplication)
        .where(VolunteerApplication.id == application_id)
        .with_for_update()
    )
    if row is None:
        raise NotFound()
    if not may_handle(actor, row.station_code):
        raise NotAllowed()
    if row.status != PENDING:
        name = None
        if row.decided_by is not None:
            name = await uow.session.scalar(
                select(Person.display_name).where(Person.id == row.decided_by)
            )
        raise AlreadyDecided(row.status, name)
    if reason is not None:
        if not reason.strip():
            reason = None
        elif len(reason) > MAX_REASON:
            raise InvalidValue("reason", "too_long")
    row.status = APPROVED if approve else DECLINED
    row.decided_at = now
    row.decided_by = actor.person_id
    row.decline_reason = None if approve else reason
    audit.record(
        uow,
        actor_id=actor.person_id,
        action="volunteer.approve" if approve else "volunteer.decline",
        subject=f"volunteer:{row.id}",
        now=now,
        detail={"station": row.station_code},
    )
    await uow.commit()
    return await _fetch(uow, application_id)


async def withdraw(
    uow: UnitOfWork, *, application_id: int, person_id: int, now: datetime
) -> ApplicationView:
    row = await uow.session.scalar(
        select(VolunteerApplication)
        .where(VolunteerApplication.id == application_id)
        .with_for_update()
    )
    if row is None or row.person_id != person_id:
        raise NotFound()
    if row.status not in ACTIVE_STATUSES:
        raise AlreadyDecided(row.status, None)
    row.status = WITHDRAWN
    row.decided_at = now
    audit.record(
        uow,
        actor_id=person_id,
        action="volunteer.withdraw",
        subject=f"volunteer:{row.id}",
        now=now,
        detail={"station": row.station_code},
    )
    await uow.commit()
    return await _fetch(uow, application_id)


async def detail(uow: UnitOfWork, *, application_id: int, actor: Access) -> ApplicationView:
    view = await _fetch(uow, application_id)
    if not may_handle(actor, view.station_code):
        raise NotAllowed()
    return view


async def pending_for_staff(
    uow: UnitOfWork, *, actor: Access, offset: int = 0, limit: int = 8
) -> tuple[list[ApplicationView], int]:
    stations = handled_stations(actor)
    if not stations:
        return [], 0
    where = (
        VolunteerApplication.station_code.in_(stations),
        VolunteerApplication.status == PENDING,
    )
    total = int(
        await uow.session.scalar(
            select(func.count()).select_from(VolunteerApplication).where(*where)
        )
        or 0
    )
    rows = (
        await uow.session.execute(
            _query()
            .where(*where)
            .order_by(VolunteerApplication.created_at, VolunteerApplication.id)
            .offset(max(0, offset))
            .limit(limit)
        )
    ).all()
    return [_view(*row) for row in rows], total
