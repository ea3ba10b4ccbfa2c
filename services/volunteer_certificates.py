"""Certificates of a volunteer's confirmed hours, and checking one by its verification code.

Whoever kept the record issues the certificate (民政部令第67号): one station, the hours its
workers confirmed, for a year or for all time. The figures and the holder's name (and, for a
volunteer of 14–17, the guardian on file) are copied into `hours_certificates` when it is
issued, so a code checks against exactly what was printed. Asking again for the same figures
returns the same certificate (and code) instead of a new one.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import HoursCertificate, Person, VolunteerApplication
from db.uow import UnitOfWork
from services import audit
from services.errors import DomainError, InvalidValue, NotFound
from services.volunteer_activities import confirmed_hours
from services.volunteers import APPROVED, MINOR, WITHDRAWN

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back
CODE_LENGTH = 12  # 60 bits


class NoConfirmedHours(DomainError):
    """Nothing to certify: no confirmed hours at that station (in that year)."""


@dataclass(frozen=True)
class CertifiedActivity:
    title: str
    local_date: date
    minutes: int


@dataclass(frozen=True)
class Certificate:
    code: str  # as stored: 12 characters
    holder_name: str | None  # None once erased
    guardian_name: str | None  # for a volunteer of 14–17
    minor: bool
    station_code: str
    year: int | None  # None: all their hours at the station
    minutes: int
    activities: tuple[CertifiedActivity, ...]  # newest first
    first_date: date | None
    last_date: date | None
    issued_at: datetime
    revoked: bool

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed: ABCD-EFGH-JKLM."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def valid(self) -> bool:
        return not self.revoked


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed (`abcd-efgh-jklm`, full-width, spaces) as a stored code."""
    plain = unicodedata.normalize("NFKC", text).upper()
    return "".join(c for c in plain if c.isalnum())


def _view(row: HoursCertificate) -> Certificate:
    return Certificate(
        code=row.code,
        holder_name=row.holder_name,
        guardian_name=row.guardian_name,
        minor=row.guardian_name is not None,
        station_code=row.station_code,
        year=row.year,
        minutes=row.minutes,
        activities=tuple(
            CertifiedActivity(str(title), date.fromisoformat(str(day)), int(minutes))
            for title, day, minutes in row.detail or ()
        ),
        first_date=row.first_date,
        last_date=row.last_date,
        issued_at=row.issued_at,
        revoked=row.revoked_at is not None,
    )


async def _application(
    uow: UnitOfWork, *, person_id: int, station_code: str | None
) -> VolunteerApplication | None:
    """The application whose name the certificate carries: approved first, else withdrawn
    (someone who stopped volunteering keeps the hours they served)."""
    query = (
        select(VolunteerApplication)
        .where(
            VolunteerApplication.person_id == person_id,
            VolunteerApplication.status.in_((APPROVED, WITHDRAWN)),
            VolunteerApplication.erased.is_(False),
        )
        .order_by((VolunteerApplication.status == APPROVED).desc(), VolunteerApplication.id.desc())
        .limit(1)
    )
    if station_code is not None:
        query = query.where(VolunteerApplication.station_code == station_code)
    return await uow.session.scalar(query)


async def issue_certificate(
    uow: UnitOfWork,
    *,
    volunteer_tg_id: int,
    year: int | None,
    station_code: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> Certificate:
    """A certificate of the volunteer's confirmed hours at a station (None: the station of
    their application), for `year` or (None) all time. Same figures again: the same one."""
    person = await uow.session.scalar(select(Person).where(Person.tg_id == volunteer_tg_id))
    if person is None:  # erased once, applied again: the new application names them
        raise NotFound("person")
    application = await _application(uow, person_id=person.id, station_code=station_code)
    if application is None:
        raise NotFound("application")
    station = application.station_code
    if year is not None and not 2000 <= year <= now.astimezone(zone).year:
        raise InvalidValue("year", "out_of_range")
    hours = [
        a
        for a in await confirmed_hours(uow, person_id=person.id, station_code=station)
        if a.minutes > 0 and (year is None or a.local_date.year == year)
    ]
    if not hours:
        raise NoConfirmedHours()
    minutes = sum(a.minutes for a in hours)
    guardian = application.guardian_name if application.age_group == MINOR else None
    existing = await uow.session.scalar(
        select(HoursCertificate)
        .where(
            HoursCertificate.person_id == person.id,
            HoursCertificate.station_code == station,
            HoursCertificate.year.is_(None) if year is None else HoursCertificate.year == year,
            HoursCertificate.minutes == minutes,
            HoursCertificate.activities == len(hours),
            HoursCertificate.holder_name == application.name,
            HoursCertificate.revoked_at.is_(None),
        )
        .order_by(HoursCertificate.id.desc())
        .limit(1)
    )
    if existing is not None and existing.guardian_name == guardian:
        return _view(existing)
    code = new_code()
    while await uow.session.scalar(
        select(HoursCertificate.id).where(HoursCertificate.code == code)
    ):
        code = new_code()  # 60 bits: practically never
    row = HoursCertificate(
        code=code,
        person_id=person.id,
        station_code=station,
        year=year,
        holder_name=application.name,
        guardian_name=guardian,
        minutes=minutes,
        activities=len(hours),
        first_date=min(a.local_date for a in hours),
        last_date=max(a.local_date for a in hours),
        detail=[[a.title, a.local_date.isoformat(), a.minutes] for a in hours],
        issued_at=now,
    )
    uow.session.add(row)
    await uow.session.flush()
    audit.record(
        uow,
        actor_id=person.id,
        action="volunteer_certificate.issue",
        subject=f"certificate:{row.id}",
        now=now,
        detail={"station": station, "year": year, "minutes": minutes},
    )
    await uow.commit()
    return _view(row)


async def verify_certificate(uow: UnitOfWork, *, code: str) -> Certificate:
    """The certificate with this code (typed in any form); NotFound when none was issued."""
    wanted = normalise_code(code)
    if len(wanted) != CODE_LENGTH:
        raise NotFound("certificate")
    row = await uow.session.scalar(select(HoursCertificate).where(HoursCertificate.code == wanted))
    if row is None:
        raise NotFound("certificate")
    return _view(row)


async def erase_for_person(uow: UnitOfWork, *, person_id: int) -> int:
    """Blank the names on a person's certificates (for `/forget`); the caller commits.
    The codes still verify, as certificates of hours whose holder's name was erased."""
    rows = (
        await uow.session.scalars(
            select(HoursCertificate).where(HoursCertificate.person_id == person_id)
        )
    ).all()
    for row in rows:
        row.holder_name = None
        row.guardian_name = None
    return len(rows)
