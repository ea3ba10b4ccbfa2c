"""Monthly and yearly figures per station, for `/report`, the CLI and the yearly evaluation.

`gather_report` reads everything a report needs in nine grouped queries whatever the number of
stations or months (stations, activities, person-times by group, requests, volunteers,
supervision sessions, cases and their signed-off records, confirmed volunteer hours); the quota
per month is the pure rule in `services.quota` applied to the
sessions. Figures only: the words, the chart and the spreadsheet belong to the caller.

Periods are calendar months or years in the configured zone. Dates stored as local dates
(activities, supervision sessions) are compared as dates; moments (requests, volunteer
applications) are compared with the local midnights that bound the period.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select, union_all
from sqlalchemy.orm import InstrumentedAttribute

from db.models import (
    ActivityGroup,
    ActivityLog,
    Case,
    CaseRecord,
    ServiceRequest,
    StaffRole,
    Station,
    SupervisionSession,
    VolunteerApplication,
)
from db.uow import UnitOfWork
from services.errors import InvalidValue, NotAllowed, NotFound
from services.people import Access
from services.quota import MET, QuotaStatus, month_end, month_of, previous_month, quota_status
from services.station_figures import Period as CasePeriod
from services.station_figures import referral_counts
from services.volunteer_activities import HoursRow, hours_figures

MONTH, YEAR = "month", "year"
GROUPS = ("elderly", "disabled", "children", "low_income", "minority", "other")
REQUEST_STATUSES = ("submitted", "accepted", "in_progress", "completed", "declined", "cancelled")
VOLUNTEER_STATUSES = ("approved", "declined", "pending", "withdrawn")  # VolunteerRow order
ACCEPT_WITHIN = timedelta(hours=24)
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Period:
    kind: str  # month | year
    start: date
    end: date  # inclusive

    @property
    def code(self) -> str:
        return f"{self.start:%Y-%m}" if self.kind == MONTH else f"{self.start:%Y}"

    @property
    def months(self) -> tuple[date, ...]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = (month_end(month) + timedelta(days=1)).replace(day=1)
        return tuple(months)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The local midnights around the period: [start, end) as aware datetimes."""
        return (
            datetime.combine(self.start, time(), zone),
            datetime.combine(self.end + timedelta(days=1), time(), zone),
        )


def month_period(year: int, month: int) -> Period:
    if not EARLIEST_YEAR <= year <= 9999 or not 1 <= month <= 12:
        raise InvalidValue("period", "out_of_range")
    start = date(year, month, 1)
    return Period(MONTH, start, month_end(start))


def year_period(year: int) -> Period:
    if not EARLIEST_YEAR <= year <= 9999:
        raise InvalidValue("period", "out_of_range")
    return Period(YEAR, date(year, 1, 1), date(year, 12, 31))


def this_month(now: datetime, zone: ZoneInfo) -> Period:
    month = month_of(now, zone)
    return month_period(month.year, month.month)


def last_month(now: datetime, zone: ZoneInfo) -> Period:
    month = previous_month(month_of(now, zone))
    return month_period(month.year, month.month)


_PERIOD = re.compile(r"^(\d{4})(?:[-/.](\d{1,2}))?$")


def parse_period(text: str) -> Period:
    """`2026-11` (a month) or `2026` (a year); full-width digits are fine."""
    match = _PERIOD.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise InvalidValue("period", "malformed")
    year = int(match.group(1))
    return year_period(year) if match.group(2) is None else month_period(year, int(match.group(2)))


@dataclass(frozen=True)
class ActivityRow:
    station_code: str
    category_code: str
    template_code: str
    activities: int
    minutes: int
    person_times: int


@dataclass(frozen=True)
class GroupRow:
    station_code: str
    category_code: str
    template_code: str
    group_code: str
    person_times: int


@dataclass(frozen=True)
class RequestRow:
    ref: str
    station_code: str
    service_code: str
    status: str
    created_at: datetime
    accepted_at: datetime | None
    completed_at: datetime | None
    rating: int | None
    source: str = "telegram"  # walk_in, phone … for requests staff registered

    @property
    def hours_to_accept(self) -> float | None:
        if self.accepted_at is None:
            return None
        return (self.accepted_at - self.created_at).total_seconds() / 3600

    @property
    def hours_to_complete(self) -> float | None:
        """From the resident's request to its completion, as the resident waited."""
        if self.completed_at is None:
            return None
        return (self.completed_at - self.created_at).total_seconds() / 3600

    @property
    def received(self) -> bool:
        """Counted as work for the station: all but those withdrawn before anyone answered."""
        return not (self.status == "cancelled" and self.accepted_at is None)

    @property
    def accepted_in_time(self) -> bool:
        return self.accepted_at is not None and self.accepted_at - self.created_at <= ACCEPT_WITHIN


@dataclass(frozen=True)
class VolunteerRow:
    station_code: str
    applied: int  # applications made in the period
    approved: int  # of those, by their status now
    declined: int
    pending: int
    withdrawn: int
    active: int  # approved (and still so) by the end of the period, whenever they applied


@dataclass(frozen=True)
class SessionRow:
    station_code: str
    session_date: date
    mode: str
    minutes: int
    topic_code: str | None
    topic_text: str | None = None  # typed by the supervisor, beside or instead of the code


@dataclass(frozen=True)
class CaseRow:
    """One case touched in the period (opened, closed, or open during it), for the cases sheet.
    No name or address: the case number stands for the person."""

    number: str
    station_code: str
    stage: str
    status: str
    risk_level: str
    opened_at: datetime
    closed_at: datetime | None
    next_contact_on: date | None
    overdue: bool  # open at the end of the period (now, if sooner) with a missed next contact
    plan_signed_off: bool
    closing_signed_off: bool


@dataclass(frozen=True)
class StationFigures:
    """One station's headline numbers for the period (the evaluation's measured values)."""

    station_code: str
    activities: int
    minutes: int
    person_times: int
    person_times_by_group: dict[str, int]
    requests_received: int
    requests_by_status: dict[str, int]
    accepted_within_24h: int
    completed: int
    ratings: int
    rating_sum: int
    volunteers_applied: int
    volunteers_active: int
    supervision_minutes: int
    # Months of the period that have begun AND in which the station was in the bot (it had a
    # staff role, or records): months before the bot are not "missed", they are not counted.
    months_counted: int
    months_quota_met: int
    requests_by_source: dict[str, int] = field(default_factory=dict)
    cases_opened: int = 0
    cases_closed: int = 0
    cases_open: int = 0  # at the end of the period (now, if sooner)
    cases_overdue: int = 0  # of those, with a missed next contact
    cases_closed_signed_off: int = 0  # closed in the period, plan and closing signed off
    referrals_to_stations: int = 0  # cases referred from the station to another in the period
    referrals_to_agencies: int = 0  # and to an outside agency

    @property
    def case_sign_off_rate(self) -> float | None:
        return self.cases_closed_signed_off / self.cases_closed if self.cases_closed else None

    volunteer_minutes: int = 0  # confirmed volunteer hours of the station's activities
    volunteers_with_hours: int = 0  # distinct volunteers with confirmed hours in the period
    months_begun: int = 0  # months of the period that have begun, counted or not

    @property
    def accepted_within_24h_rate(self) -> float | None:
        return self.accepted_within_24h / self.requests_received if self.requests_received else None

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.requests_received if self.requests_received else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None

    @property
    def supervision_hours(self) -> float:
        return self.supervision_minutes / 60

    @property
    def months_before_bot(self) -> int:
        return max(0, self.months_begun - self.months_counted)

    @property
    def months_quota_met_scaled(self) -> float | None:
        """Months met, scaled to the months begun when the station joined the bot late (met 3
        of the 3 months it was in the bot, out of 11 begun: 11), so a station is not marked
        down for months before it had anyone in the bot. None when no month was counted."""
        if not self.months_counted:
            return None
        return (
            self.months_quota_met
            * max(self.months_begun, self.months_counted)
            / (self.months_counted)
        )

    def measure(self, name: str) -> float | None:
        """The evaluation's measures by name (`knowledge.evaluation.MEASURES`)."""
        values: dict[str, float | None] = {
            "months_quota_met": self.months_quota_met_scaled,
            "accepted_within_24h": self.accepted_within_24h_rate,
            "completion_rate": self.completion_rate,
            "average_rating": self.average_rating,
            "person_times": float(self.person_times),
            "volunteers_active": float(self.volunteers_active),
            "case_sign_off_rate": self.case_sign_off_rate,
            "volunteers_with_hours": float(self.volunteers_with_hours),
        }
        return values[name]


@dataclass(frozen=True)
class Report:
    period: Period
    station_codes: tuple[str, ...]  # the stations covered, in catalogue order
    all_stations: bool
    generated_at: datetime
    activities: tuple[ActivityRow, ...]
    groups: tuple[GroupRow, ...]
    requests: tuple[RequestRow, ...]
    volunteers: tuple[VolunteerRow, ...]
    sessions: tuple[SessionRow, ...]
    quota: tuple[QuotaStatus, ...]  # per station per month begun, month by month
    stations: tuple[StationFigures, ...]
    cases: tuple[CaseRow, ...] = ()
    volunteer_hours: tuple[HoursRow, ...] = ()  # confirmed, per station and month (the sheet)
    # station → the first month it was in the bot (a staff role or a record); absent: never
    in_bot_since: dict[str, date] = field(default_factory=dict)

    def counted(self, status: QuotaStatus) -> bool:
        """Whether this month counts for the station (it was in the bot by then)."""
        since = self.in_bot_since.get(status.station_code)
        return since is not None and status.month >= since

    @property
    def total(self) -> StationFigures:
        """The figures of every covered station added up (rates recomputed from the sums)."""
        return _add_up(self.stations)

    @property
    def is_empty(self) -> bool:
        return not (
            self.activities or self.requests or self.sessions or self.groups or self.cases
        ) and not any(v.applied or v.active for v in self.volunteers)


def report_stations(actor: Access) -> frozenset[str]:
    """The stations whose report the person may see: where they work or are the head (an
    administrator may see any station and all of them; see `may_see_report`)."""
    return actor.worker_stations | actor.head_stations


def may_report(actor: Access) -> bool:
    """Whether the person may see any report (staff of a station as above, or an admin)."""
    return actor.is_admin or bool(report_stations(actor))


def may_see_report(actor: Access, station_code: str | None) -> bool:
    """Whether `actor` may see `station_code`'s report (None: every station at once, which
    only administrators may)."""
    if actor.is_admin:
        return True
    return station_code is not None and station_code in report_stations(actor)


async def build_report(
    uow: UnitOfWork,
    *,
    actor: Access,
    period: Period,
    station_code: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> Report:
    """The report `actor` asked for: a worker or the head of the station, or an administrator
    (who alone may ask for every station at once, `station_code=None`); NotAllowed otherwise."""
    if not may_see_report(actor, station_code):
        raise NotAllowed(f"report of {station_code or 'every station'}")
    return await gather_report(uow, period=period, station_code=station_code, now=now, zone=zone)


async def gather_report(
    uow: UnitOfWork,
    *,
    period: Period,
    station_code: str | None,
    now: datetime,
    zone: ZoneInfo,
) -> Report:
    """One station's (or, with None, every active station's) figures for `period`, unchecked:
    for the operator's CLI at the machine and the yearly evaluation; people go through
    `build_report`."""
    stations_query = select(Station.code, Station.quota_hours).where(Station.active.is_(True))
    if station_code is not None:
        stations_query = select(Station.code, Station.quota_hours).where(
            Station.code == station_code
        )
    stations = list((await uow.session.execute(stations_query)).all())
    if not stations:
        raise NotFound()
    codes = [code for code, _ in stations]
    quotas = {code: float(quota) for code, quota in stations}
    begin, end = period.bounds(zone)

    activity_rows = (
        await uow.session.execute(
            select(
                ActivityLog.station_code,
                ActivityLog.category_code,
                ActivityLog.template_code,
                func.count(),
                func.coalesce(func.sum(ActivityLog.minutes), 0),
                func.coalesce(func.sum(ActivityLog.person_times), 0),
            )
            .where(
                *_only(station_code, ActivityLog.station_code),
                ActivityLog.activity_date >= period.start,
                ActivityLog.activity_date <= period.end,
                ActivityLog.deleted_at.is_(None),
            )
            # Station last: grouping by it first makes SQLite walk the (station, date) index
            # and visit the rows in random order, several times slower than one scan.
            .group_by(
                ActivityLog.template_code, ActivityLog.category_code, ActivityLog.station_code
            )
        )
    ).all()
    group_rows = (
        await uow.session.execute(
            select(
                ActivityLog.station_code,
                ActivityLog.category_code,
                ActivityLog.template_code,
                ActivityGroup.group_code,
                func.coalesce(func.sum(ActivityGroup.person_times), 0),
            )
            .join(ActivityLog, ActivityLog.id == ActivityGroup.activity_id)
            .where(
                *_only(station_code, ActivityLog.station_code),
                ActivityLog.activity_date >= period.start,
                ActivityLog.activity_date <= period.end,
                ActivityLog.deleted_at.is_(None),
            )
            .group_by(
                ActivityGroup.group_code,
                ActivityLog.template_code,
                ActivityLog.category_code,
                ActivityLog.station_code,
            )
        )
    ).all()
    request_rows = (
        await uow.session.execute(
            select(
                ServiceRequest.ref,
                ServiceRequest.station_code,
                ServiceRequest.service_code,
                ServiceRequest.status,
                ServiceRequest.created_at,
                ServiceRequest.accepted_at,
                ServiceRequest.completed_at,
                ServiceRequest.rating,
                ServiceRequest.source,
            )
            .where(
                *_only(station_code, ServiceRequest.station_code),
                ServiceRequest.created_at >= begin,
                ServiceRequest.created_at < end,
            )
            .order_by(ServiceRequest.created_at, ServiceRequest.id)
        )
    ).all()
    in_period = and_(
        VolunteerApplication.created_at >= begin, VolunteerApplication.created_at < end
    )

    def applied_with(status: str | None) -> ColumnElement[Any]:
        condition = (
            in_period if status is None else and_(in_period, VolunteerApplication.status == status)
        )
        return func.sum(case((condition, 1), else_=0))

    volunteer_rows = (
        await uow.session.execute(
            select(
                VolunteerApplication.station_code,
                applied_with(None),
                *(applied_with(status) for status in VOLUNTEER_STATUSES),
                func.sum(
                    case(
                        (
                            and_(
                                VolunteerApplication.status == "approved",
                                VolunteerApplication.decided_at < end,
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ),
            )
            .where(
                *_only(station_code, VolunteerApplication.station_code),
                VolunteerApplication.created_at < end,
            )
            .group_by(VolunteerApplication.station_code)
        )
    ).all()
    session_rows = (
        await uow.session.execute(
            select(
                SupervisionSession.station_code,
                SupervisionSession.session_date,
                SupervisionSession.mode,
                SupervisionSession.minutes,
                SupervisionSession.topic_code,
                SupervisionSession.topic_text,
            )
            .where(
                *_only(station_code, SupervisionSession.station_code),
                SupervisionSession.session_date >= period.start,
                SupervisionSession.session_date <= period.end,
                SupervisionSession.deleted_at.is_(None),
            )
            .order_by(SupervisionSession.session_date, SupervisionSession.id)
        )
    ).all()

    moment = min(now, end)
    today = min(now.astimezone(zone).date(), period.end + timedelta(days=1))
    case_rows = (
        await uow.session.execute(
            select(
                Case.id,
                Case.number,
                Case.station_code,
                Case.stage,
                Case.status,
                Case.risk_level,
                Case.opened_at,
                Case.closed_at,
                Case.next_contact_on,
            )
            .where(
                *_only(station_code, Case.station_code),
                Case.opened_at < end,
                or_(Case.closed_at.is_(None), Case.closed_at >= begin),
            )
            .order_by(Case.opened_at, Case.id)
        )
    ).all()
    signed: dict[int, set[str]] = defaultdict(set)
    if case_rows:
        for case_id, stage in await uow.session.execute(
            select(CaseRecord.case_id, CaseRecord.stage).where(
                CaseRecord.case_id.in_([r[0] for r in case_rows]),
                CaseRecord.signed_off_at.is_not(None),
            )
        ):
            signed[case_id].add(stage)

    # Without a station filter every row is read; rows of inactive stations are dropped here.
    order = {code: index for index, code in enumerate(codes)}
    activity_rows = [r for r in activity_rows if r[0] in order]
    group_rows = [r for r in group_rows if r[0] in order]
    request_rows = [r for r in request_rows if r[1] in order]
    volunteer_rows = [r for r in volunteer_rows if r[0] in order]
    session_rows = [r for r in session_rows if r[0] in order]
    cases = tuple(
        CaseRow(
            number=number,
            station_code=code,
            stage=stage,
            status=status,
            risk_level=risk,
            opened_at=opened,
            closed_at=closed,
            next_contact_on=next_on,
            overdue=_open_at(opened, closed, moment) and next_on is not None and next_on < today,
            plan_signed_off="plan" in signed[case_id],
            closing_signed_off="closing" in signed[case_id],
        )
        for case_id, number, code, stage, status, risk, opened, closed, next_on in case_rows
        if code in order
    )
    activities = tuple(
        sorted(
            (ActivityRow(s, c, t, int(n), int(m), int(p)) for s, c, t, n, m, p in activity_rows),
            key=lambda r: (order[r.station_code], r.category_code, r.template_code),
        )
    )
    groups = tuple(
        sorted(
            (GroupRow(s, c, t, g, int(p)) for s, c, t, g, p in group_rows),
            key=lambda r: (
                order[r.station_code],
                r.category_code,
                r.template_code,
                _group_order(r.group_code),
            ),
        )
    )
    requests = tuple(RequestRow(*row) for row in request_rows)
    volunteers_by_station = {
        row[0]: VolunteerRow(row[0], *(int(v or 0) for v in row[1:])) for row in volunteer_rows
    }
    volunteers = tuple(
        volunteers_by_station.get(code, VolunteerRow(code, 0, 0, 0, 0, 0, 0)) for code in codes
    )
    sessions = tuple(
        sorted(
            (SessionRow(s, d, m, int(n), t, x) for s, d, m, n, t, x in session_rows),
            key=lambda r: (order[r.station_code], r.session_date),
        )
    )
    quota = _quota_by_month(period, codes, quotas, sessions, now=now, zone=zone)
    only = None if station_code is None else [station_code]
    hours = await hours_figures(uow, start=period.start, end=period.end, station_codes=only)
    hours_rows = tuple(r for r in hours.rows if r.station_code in order)
    with_hours = hours.volunteers
    since = await in_bot_since(uow, station_codes=codes, zone=zone)
    referrals = {
        code: pairs[0]
        for code, pairs in (
            await referral_counts(uow, only, [CasePeriod(begin, end, moment, today)])
        ).items()
    }
    figures = tuple(
        _station_figures(
            code,
            since=since.get(code),
            activities=[a for a in activities if a.station_code == code],
            groups=[g for g in groups if g.station_code == code],
            requests=[r for r in requests if r.station_code == code],
            volunteer=volunteers_by_station.get(code),
            sessions=[s for s in sessions if s.station_code == code],
            quota=[q for q in quota if q.station_code == code],
            cases=[c for c in cases if c.station_code == code],
            period=(begin, end, moment),
            volunteer_minutes=sum(r.minutes for r in hours_rows if r.station_code == code),
            volunteers_with_hours=with_hours.get(code, 0),
            referrals=referrals.get(code, (0, 0)),
        )
        for code in codes
    )
    return Report(
        period=period,
        station_codes=tuple(codes),
        all_stations=station_code is None,
        generated_at=now,
        activities=activities,
        groups=groups,
        requests=requests,
        volunteers=volunteers,
        sessions=sessions,
        quota=quota,
        stations=figures,
        cases=cases,
        volunteer_hours=hours_rows,
        in_bot_since=since,
    )


def _open_at(opened: datetime, closed: datetime | None, moment: datetime) -> bool:
    return opened < moment and (closed is None or closed >= moment)


async def in_bot_since(
    uow: UnitOfWork, *, station_codes: Iterable[str], zone: ZoneInfo
) -> dict[str, date]:
    """Each station's first month in the bot: its first staff role, or its first activity or
    supervision record (records imported from before the roles still count as in use)."""
    codes = list(station_codes)
    firsts: dict[str, date] = {}

    def keep(code: str, day: date) -> None:
        month = day.replace(day=1)
        if code not in firsts or month < firsts[code]:
            firsts[code] = month

    for code, granted in (
        await uow.session.execute(
            select(StaffRole.station_code, func.min(StaffRole.granted_at))
            .where(StaffRole.station_code.in_(codes))
            .group_by(StaffRole.station_code)
        )
    ).all():
        if code is not None and granted is not None:
            keep(code, granted.astimezone(zone).date())
    records = union_all(
        select(
            ActivityLog.station_code.label("code"), func.min(ActivityLog.activity_date).label("day")
        )
        .where(ActivityLog.station_code.in_(codes))
        .group_by(ActivityLog.station_code),
        select(SupervisionSession.station_code, func.min(SupervisionSession.session_date))
        .where(SupervisionSession.station_code.in_(codes))
        .group_by(SupervisionSession.station_code),
    )
    for code, day in (await uow.session.execute(select(records.subquery()))).all():
        if day is not None:
            keep(code, day if isinstance(day, date) else date.fromisoformat(str(day)[:10]))
    return firsts


def _only(
    station_code: str | None, column: InstrumentedAttribute[str]
) -> list[ColumnElement[bool]]:
    """The station filter, or none for every station: a whole-network report reads the whole
    period, and SQLite scans a table faster than it walks the (station, date) index for it."""
    return [] if station_code is None else [column == station_code]


def _group_order(code: str) -> int:
    return GROUPS.index(code) if code in GROUPS else len(GROUPS)


def _quota_by_month(
    period: Period,
    codes: list[str],
    quotas: dict[str, float],
    sessions: Iterable[SessionRow],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[QuotaStatus, ...]:
    """The quota rule for each month of the period that has begun (months ahead say nothing)."""
    minutes: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in sessions:
        minutes[(row.station_code, row.session_date.replace(day=1))][row.mode] += row.minutes
    current = month_of(now, zone)
    return tuple(
        quota_status(
            station_code=code,
            month=month,
            minutes_by_mode=minutes.get((code, month), {}),
            quota_hours=quotas[code],
            now=now,
            zone=zone,
        )
        for month in period.months
        if month <= current
        for code in codes
    )


def _station_figures(
    code: str,
    *,
    activities: list[ActivityRow],
    groups: list[GroupRow],
    requests: list[RequestRow],
    volunteer: VolunteerRow | None,
    sessions: list[SessionRow],
    quota: list[QuotaStatus],
    cases: list[CaseRow],
    period: tuple[datetime, datetime, datetime],
    volunteer_minutes: int = 0,
    volunteers_with_hours: int = 0,
    since: date | None = None,
    referrals: tuple[int, int] = (0, 0),
) -> StationFigures:
    counted = [q for q in quota if since is not None and q.month >= since]
    received = [r for r in requests if r.received]
    rated = [r.rating for r in requests if r.rating is not None]
    by_group: dict[str, int] = defaultdict(int)
    for g in groups:
        by_group[g.group_code] += g.person_times
    by_status: dict[str, int] = defaultdict(int)
    by_source: dict[str, int] = defaultdict(int)
    for r in requests:
        by_status[r.status] += 1
        by_source[r.source] += 1
    begin, end, moment = period
    closed = [c for c in cases if c.closed_at is not None and begin <= c.closed_at < end]
    open_cases = [c for c in cases if _open_at(c.opened_at, c.closed_at, moment)]
    return StationFigures(
        station_code=code,
        activities=sum(a.activities for a in activities),
        minutes=sum(a.minutes for a in activities),
        person_times=sum(a.person_times for a in activities),
        person_times_by_group=dict(by_group),
        requests_received=len(received),
        requests_by_status=dict(by_status),
        accepted_within_24h=sum(1 for r in received if r.accepted_in_time),
        completed=sum(1 for r in received if r.status == "completed"),
        ratings=len(rated),
        rating_sum=sum(rated),
        volunteers_applied=volunteer.applied if volunteer else 0,
        volunteers_active=volunteer.active if volunteer else 0,
        supervision_minutes=sum(s.minutes for s in sessions),
        volunteer_minutes=volunteer_minutes,
        volunteers_with_hours=volunteers_with_hours,
        months_counted=len(counted),
        months_quota_met=sum(1 for q in counted if q.status == MET),
        months_begun=len(quota),
        requests_by_source=dict(by_source),
        cases_opened=sum(1 for c in cases if begin <= c.opened_at < end),
        cases_closed=len(closed),
        cases_open=len(open_cases),
        cases_overdue=sum(1 for c in open_cases if c.overdue),
        cases_closed_signed_off=sum(
            1 for c in closed if c.plan_signed_off and c.closing_signed_off
        ),
        referrals_to_stations=referrals[0],
        referrals_to_agencies=referrals[1],
    )


def _add_up(stations: Iterable[StationFigures]) -> StationFigures:
    rows = list(stations)
    by_group: dict[str, int] = defaultdict(int)
    by_status: dict[str, int] = defaultdict(int)
    by_source: dict[str, int] = defaultdict(int)
    for row in rows:
        for key, value in row.person_times_by_group.items():
            by_group[key] += value
        for key, value in row.requests_by_status.items():
            by_status[key] += value
        for key, value in row.requests_by_source.items():
            by_source[key] += value
    return StationFigures(
        station_code="*",
        activities=sum(r.activities for r in rows),
        minutes=sum(r.minutes for r in rows),
        person_times=sum(r.person_times for r in rows),
        person_times_by_group=dict(by_group),
        requests_received=sum(r.requests_received for r in rows),
        requests_by_status=dict(by_status),
        accepted_within_24h=sum(r.accepted_within_24h for r in rows),
        completed=sum(r.completed for r in rows),
        ratings=sum(r.ratings for r in rows),
        rating_sum=sum(r.rating_sum for r in rows),
        volunteers_applied=sum(r.volunteers_applied for r in rows),
        volunteers_active=sum(r.volunteers_active for r in rows),
        supervision_minutes=sum(r.supervision_minutes for r in rows),
        volunteer_minutes=sum(r.volunteer_minutes for r in rows),
        volunteers_with_hours=sum(r.volunteers_with_hours for r in rows),
        months_counted=max((r.months_counted for r in rows), default=0),
        months_quota_met=sum(r.months_quota_met for r in rows),
        requests_by_source=dict(by_source),
        cases_opened=sum(r.cases_opened for r in rows),
        cases_closed=sum(r.cases_closed for r in rows),
        cases_open=sum(r.cases_open for r in rows),
        cases_overdue=sum(r.cases_overdue for r in rows),
        cases_closed_signed_off=sum(r.cases_closed_signed_off for r in rows),
        referrals_to_stations=sum(r.referrals_to_stations for r in rows),
        referrals_to_agencies=sum(r.referrals_to_agencies for r in rows),
        months_begun=max((r.months_begun for r in rows), default=0),
    )
