"""The supervision quota: at least N hours (13 by default) per station per calendar month.

`quota_status` is the rule, a pure function of the month's sessions, the quota and `now` in
the configured zone; `quota_for_stations` feeds it from the database in one grouped query;
`quota_overview` is what a person may see of it: supervisors their stations, station heads
theirs, admins every station (`NotAllowed` for anyone else, or for a station not theirs).
`quota_screen` is what /quota shows the person asking, in plain values: their standing, and for
an administrator the table of every station with those that have no supervisor in the bot
(`stations_without_supervisor`, refused to anyone but an administrator).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from db.models import StaffRole, Station, SupervisionSession
from db.uow import UnitOfWork
from services.errors import NotAllowed
from services.people import SUPERVISOR, Access

MET, ON_TRACK, BEHIND, MISSED = "met", "on_track", "behind", "missed"
ONLINE, OFFLINE = "online", "offline"
EARLY_DAYS = 7  # below the line in the month's first week is "just started", not behind


@dataclass(frozen=True)
class QuotaStatus:
    station_code: str
    month: date  # the first day of the month
    quota_hours: float
    online_hours: float
    offline_hours: float
    days_left: int  # days of the month from today on, today included; 0 for a past month
    status: str  # met | on_track | behind | missed (a past month not met)

    @property
    def total_hours(self) -> float:
        return self.online_hours + self.offline_hours

    @property
    def hours_needed(self) -> float:
        # In whole minutes, so 13 h less 12 h 59 min is 1 min, not 0.01666…7 or -1e-15.
        return max(0, round(self.quota_hours * 60) - round(self.total_hours * 60)) / 60

    @property
    def just_started(self) -> bool:
        """Behind the line while fewer than `EARLY_DAYS` days of the month have passed: the
        month can still be made at an ordinary pace, so it is no cause for alarm (no red)."""
        elapsed = month_end(self.month).day - self.days_left
        return self.status == BEHIND and elapsed < EARLY_DAYS

    @property
    def hours_per_week_needed(self) -> float:
        if self.hours_needed == 0 or self.days_left == 0:
            return self.hours_needed
        return self.hours_needed * 7 / max(self.days_left, 7)


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def quota_status(
    *,
    station_code: str,
    month: date,
    minutes_by_mode: Mapping[str, int],
    quota_hours: float,
    now: datetime,
    zone: ZoneInfo,
) -> QuotaStatus:
    """Decide a station's standing for `month` as of `now` (read in `zone`, not UTC).

    On track means at least the month's elapsed share of the quota is done, counting today
    as not yet elapsed, so nobody is "behind" on the morning of the 1st.
    """
    if now.tzinfo is None:
        raise ValueError("quota_status needs an aware `now`")
    month = month.replace(day=1)  # any day of the month names the month
    online = minutes_by_mode.get(ONLINE, 0) / 60
    offline = minutes_by_mode.get(OFFLINE, 0) / 60
    total = online + offline
    today = now.astimezone(zone).date()
    last_day = month_end(month)
    days_in_month = last_day.day
    if today > last_day:
        days_left, elapsed = 0, days_in_month
    elif today < month:
        days_left, elapsed = days_in_month, 0
    else:
        days_left, elapsed = (last_day - today).days + 1, today.day - 1
    # Round to minutes so 13 h logged as 26 half hours is exactly met despite float sums.
    if round(total * 60) >= round(quota_hours * 60):
        status = MET
    elif days_left == 0:
        status = MISSED
    elif round(total * 60) >= round(quota_hours * 60 * elapsed / days_in_month):
        status = ON_TRACK
    else:
        status = BEHIND
    return QuotaStatus(
        station_code=station_code,
        month=month,
        quota_hours=quota_hours,
        online_hours=online,
        offline_hours=offline,
        days_left=days_left,
        status=status,
    )


async def quota_for_stations(
    uow: UnitOfWork,
    *,
    station_codes: Iterable[str] | None,
    month: date,
    now: datetime,
    zone: ZoneInfo,
) -> list[QuotaStatus]:
    """Every listed (or, with None, every active) station's status, in one grouped query."""
    month = month.replace(day=1)
    stations_query = select(Station.code, Station.quota_hours).where(Station.active.is_(True))
    if station_codes is not None:
        codes = list(station_codes)
        stations_query = stations_query.where(Station.code.in_(codes))
    stations = (await uow.session.execute(stations_query.order_by(Station.code))).all()
    minutes = (
        await uow.session.execute(
            select(
                SupervisionSession.station_code,
                SupervisionSession.mode,
                func.sum(SupervisionSession.minutes),
            )
            .where(
                SupervisionSession.session_date >= month,
                SupervisionSession.session_date <= month_end(month),
                SupervisionSession.deleted_at.is_(None),
                *(
                    [SupervisionSession.station_code.in_([s for s, _ in stations])]
                    if station_codes is not None
                    else []
                ),
            )
            .group_by(SupervisionSession.station_code, SupervisionSession.mode)
        )
    ).all()
    by_station: dict[str, dict[str, int]] = {}
    for code, mode, total in minutes:
        by_station.setdefault(code, {})[mode] = int(total or 0)
    return [
        quota_status(
            station_code=code,
            month=month,
            minutes_by_mode=by_station.get(code, {}),
            quota_hours=float(quota),
            now=now,
            zone=zone,
        )
        for code, quota in stations
    ]


def quota_stations(actor: Access) -> frozenset[str] | None:
    """The stations whose quota `actor` may see: None means every station (admins)."""
    if actor.is_admin:
        return None
    return actor.supervisor_stations | actor.head_stations


async def quota_overview(
    uow: UnitOfWork,
    *,
    actor: Access,
    station_codes: Sequence[str] | None = None,
    now: datetime,
    zone: ZoneInfo,
) -> list[QuotaStatus]:
    """This month's standing of the stations `actor` may see (`station_codes`: only those;
    None: all of them). NotAllowed for a person who may see none, or asks for one not theirs."""
    allowed = quota_stations(actor)
    if allowed is not None:
        wanted = set(station_codes) if station_codes is not None else set(allowed)
        if not allowed or not wanted <= allowed:
            raise NotAllowed("quota")
        station_codes = sorted(wanted)
    return await quota_for_stations(
        uow, station_codes=station_codes, month=month_of(now, zone), now=now, zone=zone
    )


async def stations_without_supervisor(
    uow: UnitOfWork, *, actor: Access, station_codes: Iterable[str]
) -> frozenset[str]:
    """The stations of `station_codes` with no supervisor role in the bot. Who supervises whom
    is the administrators' table: NotAllowed for anyone else."""
    if not actor.is_admin:
        raise NotAllowed("stations_without_supervisor")
    codes = set(station_codes)
    supervised = set(
        (
            await uow.session.scalars(
                select(StaffRole.station_code).where(
                    StaffRole.role == SUPERVISOR,
                    StaffRole.revoked_at.is_(None),
                    StaffRole.station_code.in_(codes),
                )
            )
        ).all()
    )
    return frozenset(codes - supervised)


@dataclass(frozen=True)
class QuotaScreen:
    """What /quota shows the person asking."""

    statuses: tuple[QuotaStatus, ...]
    every_station: bool  # an administrator: the table of all stations
    unsupervised: frozenset[str]  # with `every_station`: stations no supervisor is in the bot for
    can_log: bool  # the person supervises a station: offer to log a session


async def quota_screen(
    uow: UnitOfWork, *, actor: Access, station_codes: Sequence[str], now: datetime, zone: ZoneInfo
) -> QuotaScreen:
    """/quota for `actor` (`station_codes`: the catalogue's). NotAllowed as `quota_overview`."""
    statuses = await quota_overview(uow, actor=actor, now=now, zone=zone)
    unsupervised: frozenset[str] = frozenset()
    if actor.is_admin:
        unsupervised = await stations_without_supervisor(
            uow, actor=actor, station_codes=station_codes
        )
    return QuotaScreen(
        statuses=tuple(statuses),
        every_station=actor.is_admin,
        unsupervised=unsupervised,
        can_log=bool(actor.supervisor_stations),
    )
