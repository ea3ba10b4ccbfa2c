"""A station's figures for this month and last month: what `/stats` shows.

Person-times by group, activities by category, hours logged, and residents' requests by
status. Three grouped queries cover any number of stations (one, or all 40,000 of a
province): no query per station. Months are calendar months in the configured zone.

- person-times: the total counts each activity once; by group, a person in two groups counts
  in both (see `services.activities`), so the groups may add up to more than the total;
- requests: those made during the month, by their status now, and by their source;
- cases: opened and closed during the month; open at the month's end (now, for this month);
  overdue: open then with a next contact before that day (by the next contact as set now);
  referrals: made from the station during the month, to another station or to an agency;
- volunteer hours: confirmed hours of the station's volunteer activities dated in the month,
  and in the calendar year of this month (with the distinct volunteers who earned them).

Every month boundary is midnight in the configured zone (Asia/Shanghai by default), so the
figures are the report's and the 台账's for the same month.

Who sees what is decided here, on the actor (`figures_stations`): a station's workers, head
and supervisor see it, admins every station and the network table; anyone else (a resident),
or a station not theirs, gets `NotAllowed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select

from db.models import ActivityGroup, ActivityLog, Case, CaseEvent, ServiceRequest, Station
from db.uow import UnitOfWork
from services.cases import AGENCY_REFERRAL, REFERRED
from services.errors import NotAllowed
from services.people import Access
from services.quota import month_end, month_of, previous_month
from services.volunteer_activities import hours_figures


def figures_stations(actor: Access) -> frozenset[str] | None:
    """The stations whose figures `actor` may see: None means every station (admins); a
    resident gets none."""
    if actor.is_admin:
        return None
    return actor.worker_stations | actor.head_stations | actor.supervisor_stations


def _require(actor: Access, station_codes: Sequence[str] | None) -> list[str] | None:
    allowed = figures_stations(actor)
    if allowed is None:
        return list(station_codes) if station_codes is not None else None
    wanted = set(station_codes) if station_codes is not None else set(allowed)
    if not allowed or not wanted <= allowed:
        raise NotAllowed("station figures")
    return sorted(wanted)


@dataclass(frozen=True)
class MonthFigures:
    activities: int = 0
    minutes: int = 0
    person_times: int = 0
    by_group: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    requests_by_status: dict[str, int] = field(default_factory=dict)
    requests_by_source: dict[str, int] = field(default_factory=dict)
    cases_opened: int = 0
    cases_closed: int = 0
    cases_open: int = 0
    cases_overdue: int = 0
    volunteer_minutes: int = 0  # confirmed volunteer hours of the station's activities
    volunteers_with_hours: int = 0  # distinct volunteers with confirmed hours
    referrals_to_stations: int = 0  # cases referred from the station to another station
    referrals_to_agencies: int = 0  # cases referred from the station to an outside agency

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def referrals(self) -> int:
        return self.referrals_to_stations + self.referrals_to_agencies

    @property
    def volunteer_hours(self) -> float:
        return self.volunteer_minutes / 60

    @property
    def requests(self) -> int:
        return sum(self.requests_by_status.values())


@dataclass(frozen=True)
class YearVolunteering:
    """Confirmed volunteer hours of the station's activities dated in the calendar year."""

    minutes: int = 0
    volunteers: int = 0  # distinct volunteers with confirmed hours that year
    activities: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class StationFigures:
    station_code: str
    this_month: MonthFigures
    last_month: MonthFigures
    this_year: YearVolunteering = YearVolunteering()


@dataclass(frozen=True)
class FiguresReport:
    this_month: date  # first day
    last_month: date
    stations: tuple[StationFigures, ...]

    @property
    def year(self) -> int:
        return self.this_month.year


@dataclass
class _Acc:
    activities: int = 0
    minutes: int = 0
    person_times: int = 0
    by_group: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    requests_by_status: dict[str, int] = field(default_factory=dict)
    requests_by_source: dict[str, int] = field(default_factory=dict)
    cases_opened: int = 0
    cases_closed: int = 0
    cases_open: int = 0
    cases_overdue: int = 0
    volunteer_minutes: int = 0
    volunteers_with_hours: int = 0
    referrals_to_stations: int = 0
    referrals_to_agencies: int = 0

    def frozen(self) -> MonthFigures:
        return MonthFigures(
            self.activities,
            self.minutes,
            self.person_times,
            dict(self.by_group),
            dict(self.by_category),
            dict(self.requests_by_status),
            dict(self.requests_by_source),
            self.cases_opened,
            self.cases_closed,
            self.cases_open,
            self.cases_overdue,
            self.volunteer_minutes,
            self.volunteers_with_hours,
            self.referrals_to_stations,
            self.referrals_to_agencies,
        )


async def station_figures(
    uow: UnitOfWork,
    *,
    actor: Access,
    station_codes: Sequence[str] | None,
    now: datetime,
    zone: ZoneInfo,
) -> FiguresReport:
    """Figures of the listed stations (None: every station `actor` may see), this month and
    last. NotAllowed for a station the actor may not see."""
    codes = _require(actor, station_codes)
    this_start = month_of(now, zone)
    last_start = previous_month(this_start)
    this_end = month_end(this_start)

    stations_q = select(Station.code).where(Station.active.is_(True)).order_by(Station.code)
    if codes is not None:
        stations_q = stations_q.where(Station.code.in_(codes))
    station_list = list((await uow.session.scalars(stations_q)).all())
    acc: dict[tuple[str, bool], _Acc] = {}

    def slot(code: str, this: object) -> _Acc:
        return acc.setdefault((code, bool(this)), _Acc())

    is_this = case((ActivityLog.activity_date >= this_start, 1), else_=0).label("this")
    in_range = (
        ActivityLog.deleted_at.is_(None),
        ActivityLog.activity_date >= last_start,
        ActivityLog.activity_date <= this_end,
    )
    activity_q = (
        select(
            ActivityLog.station_code,
            is_this,
            ActivityLog.category_code,
            func.count(),
            func.sum(ActivityLog.minutes),
            func.sum(ActivityLog.person_times),
        )
        .where(*in_range)
        .group_by(ActivityLog.station_code, is_this, ActivityLog.category_code)
    )
    if codes is not None:
        activity_q = activity_q.where(ActivityLog.station_code.in_(codes))
    for code, this, category, count, minutes, person_times in await uow.session.execute(activity_q):
        target = slot(code, this)
        target.activities += int(count)
        target.minutes += int(minutes or 0)
        target.person_times += int(person_times or 0)
        target.by_category[category] = target.by_category.get(category, 0) + int(count)

    group_q = (
        select(
            ActivityLog.station_code,
            is_this,
            ActivityGroup.group_code,
            func.sum(ActivityGroup.person_times),
        )
        .join(ActivityGroup, ActivityGroup.activity_id == ActivityLog.id)
        .where(*in_range)
        .group_by(ActivityLog.station_code, is_this, ActivityGroup.group_code)
    )
    if codes is not None:
        group_q = group_q.where(ActivityLog.station_code.in_(codes))
    for code, this, group, person_times in await uow.session.execute(group_q):
        slot(code, this).by_group[group] = int(person_times or 0)

    # Requests carry UTC instants: the local month boundaries, converted.
    last_from = datetime.combine(last_start, time(), zone)
    this_from = datetime.combine(this_start, time(), zone)
    next_from = datetime.combine(this_end + timedelta(days=1), time(), zone)
    request_this = case((ServiceRequest.created_at >= this_from, 1), else_=0).label("this")
    request_q = (
        select(
            ServiceRequest.station_code,
            request_this,
            ServiceRequest.status,
            ServiceRequest.source,
            func.count(),
        )
        .where(ServiceRequest.created_at >= last_from, ServiceRequest.created_at < next_from)
        .group_by(
            ServiceRequest.station_code, request_this, ServiceRequest.status, ServiceRequest.source
        )
    )
    if codes is not None:
        request_q = request_q.where(ServiceRequest.station_code.in_(codes))
    for code, this, status, source, count in await uow.session.execute(request_q):
        target = slot(code, this)
        target.requests_by_status[status] = target.requests_by_status.get(status, 0) + int(count)
        target.requests_by_source[source] = target.requests_by_source.get(source, 0) + int(count)

    # Cases: opened, closed within each month; open and overdue at its end (this month: now);
    # referrals made from the station during it.
    periods = (month_period(last_start, now, zone), month_period(this_start, now, zone))
    for code, (last_cases, this_cases) in (await case_months(uow, codes, periods)).items():
        for is_current, counted in ((False, last_cases), (True, this_cases)):
            target = slot(code, is_current)
            target.cases_opened += counted.opened
            target.cases_closed += counted.closed
            target.cases_open += counted.open
            target.cases_overdue += counted.overdue
            target.referrals_to_stations += counted.referrals_to_stations
            target.referrals_to_agencies += counted.referrals_to_agencies

    months_hours = await hours_figures(uow, start=last_start, end=this_end, station_codes=codes)
    for row in months_hours.rows:
        target = slot(row.station_code, row.month == this_start)
        target.volunteer_minutes += row.minutes
        target.volunteers_with_hours += row.volunteers
    year_hours = await hours_figures(
        uow,
        start=date(this_start.year, 1, 1),
        end=date(this_start.year, 12, 31),
        station_codes=codes,
    )
    year: dict[str, YearVolunteering] = {}
    for row in year_hours.rows:
        before = year.get(row.station_code, YearVolunteering())
        year[row.station_code] = YearVolunteering(
            minutes=before.minutes + row.minutes,
            volunteers=year_hours.volunteers.get(row.station_code, 0),
            activities=before.activities + row.activities,
        )

    empty = _Acc()
    return FiguresReport(
        this_month=this_start,
        last_month=last_start,
        stations=tuple(
            StationFigures(
                station_code=code,
                this_month=acc.get((code, True), empty).frozen(),
                last_month=acc.get((code, False), empty).frozen(),
                this_year=year.get(code, YearVolunteering()),
            )
            for code in station_list
        ),
    )


@dataclass(frozen=True)
class Period:
    """A local calendar month as instants: cases opened or closed in [start_at, end_at) count
    for it; open and overdue are as at `moment` (its end, or now for a month in progress),
    overdue meaning a next contact before `day`."""

    start_at: datetime
    end_at: datetime
    moment: datetime
    day: date


def month_period(month: date, now: datetime, zone: ZoneInfo) -> Period:
    """The month starting on `month` (a first day), with midnight in `zone` as its bounds."""
    start_at = datetime.combine(month, time(), zone)
    end_at = datetime.combine(month_end(month) + timedelta(days=1), time(), zone)
    if now < end_at:
        return Period(start_at, end_at, now, now.astimezone(zone).date())
    return Period(start_at, end_at, end_at, end_at.date())


@dataclass(frozen=True)
class CaseMonth:
    opened: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    referrals_to_stations: int = 0
    referrals_to_agencies: int = 0

    @property
    def referrals(self) -> int:
        return self.referrals_to_stations + self.referrals_to_agencies


async def case_months(
    uow: UnitOfWork, codes: Sequence[str] | None, periods: Sequence[Period]
) -> dict[str, list[CaseMonth]]:
    """Per station, one CaseMonth for each period (in order), in two grouped statements:
    the cases, and the referrals made from the station (`referral_counts`). Stations with
    nothing are left out."""
    sums: list[Any] = []
    for period in periods:
        open_then = and_(
            Case.opened_at < period.moment,
            or_(Case.closed_at.is_(None), Case.closed_at >= period.moment),
        )
        within = (period.start_at, period.end_at)
        sums += [
            func.sum(case((and_(Case.opened_at >= within[0], Case.opened_at < within[1]), 1), else_=0)),
            func.sum(case((and_(Case.closed_at >= within[0], Case.closed_at < within[1]), 1), else_=0)),
            func.sum(case((open_then, 1), else_=0)),
            func.sum(case((and_(open_then, Case.next_contact_on < period.day), 1), else_=0)),
        ]  # fmt: skip
    last_end = max(p.end_at for p in periods)
    case_q = select(Case.station_code, *sums).where(Case.opened_at < last_end)
    if codes is not None:
        case_q = case_q.where(Case.station_code.in_(list(codes)))
    counted: dict[str, list[list[int]]] = {}

    def row_of(code: str) -> list[list[int]]:
        return counted.setdefault(code, [[0] * 6 for _ in periods])

    for code, *values in await uow.session.execute(case_q.group_by(Case.station_code)):
        target = row_of(code)
        for index in range(len(periods)):
            target[index][:4] = [int(v or 0) for v in values[index * 4 : index * 4 + 4]]
    for code, referrals in (await referral_counts(uow, codes, periods)).items():
        target = row_of(code)
        for index, pair in enumerate(referrals):
            target[index][4:] = list(pair)
    return {code: [CaseMonth(*figures) for figures in rows] for code, rows in counted.items()}


async def referral_counts(
    uow: UnitOfWork, codes: Sequence[str] | None, periods: Sequence[Period]
) -> dict[str, list[tuple[int, int]]]:
    """Per station, (to another station, to an agency) referrals made from it in each period,
    in one grouped statement. A referral event keeps the station the case was at when it was
    referred, so a case accepted elsewhere later still counts where it was referred from."""
    sums = [
        func.sum(
            case((and_(CaseEvent.at >= p.start_at, CaseEvent.at < p.end_at, is_kind), 1), else_=0)
        )
        for p in periods
        for is_kind in (CaseEvent.kind == REFERRED, CaseEvent.kind == AGENCY_REFERRAL)
    ]
    query = select(CaseEvent.station_code, *sums).where(
        CaseEvent.kind.in_((REFERRED, AGENCY_REFERRAL)),
        CaseEvent.at >= min(p.start_at for p in periods),
        CaseEvent.at < max(p.end_at for p in periods),
    )
    if codes is not None:
        query = query.where(CaseEvent.station_code.in_(list(codes)))
    return {
        code: [(int(values[i * 2] or 0), int(values[i * 2 + 1] or 0)) for i in range(len(periods))]
        for code, *values in await uow.session.execute(query.group_by(CaseEvent.station_code))
    }


@dataclass(frozen=True)
class StationTotals:
    station_code: str
    activities: int = 0
    minutes: int = 0
    person_times: int = 0
    requests: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class NetworkMonth:
    """Every station's totals for one month, and the whole network's person-times by group:
    what the admins' one-table view shows, and no more, so it stays quick at 40,000 stations."""

    month: date  # first day
    stations: tuple[StationTotals, ...]
    by_group: dict[str, int]

    @property
    def activities(self) -> int:
        return sum(s.activities for s in self.stations)

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.stations)

    @property
    def person_times(self) -> int:
        return sum(s.person_times for s in self.stations)


async def network_month(
    uow: UnitOfWork, *, actor: Access, last_month: bool, now: datetime, zone: ZoneInfo
) -> NetworkMonth:
    """This month's (or last month's) totals for every active station, in four statements.
    Admins only (NotAllowed for anyone else)."""
    if not actor.is_admin:
        raise NotAllowed("every station's figures")
    month = month_of(now, zone)
    if last_month:
        month = previous_month(month)
    end = month_end(month)
    codes = list(
        (
            await uow.session.scalars(
                select(Station.code).where(Station.active.is_(True)).order_by(Station.code)
            )
        ).all()
    )
    in_month = (
        ActivityLog.deleted_at.is_(None),
        ActivityLog.activity_date >= month,
        ActivityLog.activity_date <= end,
    )
    activity: dict[str, tuple[int, int, int]] = {}
    for code, count, minutes, person_times in await uow.session.execute(
        select(
            ActivityLog.station_code,
            func.count(),
            func.sum(ActivityLog.minutes),
            func.sum(ActivityLog.person_times),
        )
        .where(*in_month)
        .group_by(ActivityLog.station_code)
    ):
        activity[code] = (int(count), int(minutes or 0), int(person_times or 0))
    by_group: dict[str, int] = {}
    for group, person_times in await uow.session.execute(
        select(ActivityGroup.group_code, func.sum(ActivityGroup.person_times))
        .join(ActivityLog, ActivityGroup.activity_id == ActivityLog.id)
        .where(*in_month)
        .group_by(ActivityGroup.group_code)
    ):
        by_group[group] = int(person_times or 0)
    start_at = datetime.combine(month, time(), zone)
    end_at = datetime.combine(end + timedelta(days=1), time(), zone)
    requests: dict[str, int] = {}
    for code, count in await uow.session.execute(
        select(ServiceRequest.station_code, func.count())
        .where(ServiceRequest.created_at >= start_at, ServiceRequest.created_at < end_at)
        .group_by(ServiceRequest.station_code)
    ):
        requests[code] = int(count)
    return NetworkMonth(
        month=month,
        stations=tuple(
            StationTotals(code, *activity.get(code, (0, 0, 0)), requests=requests.get(code, 0))
            for code in codes
        ),
        by_group=by_group,
    )
