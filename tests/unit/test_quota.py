"""The supervision quota rule: a pure function of the month's minutes, the quota and `now`,
read in the configured zone (Asia/Shanghai), plus its grouped database feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db.models import SupervisionSession
from db.uow import UnitOfWork
from services import staff
from services.quota import (
    BEHIND,
    MET,
    MISSED,
    ON_TRACK,
    QuotaStatus,
    month_of,
    previous_month,
    quota_for_stations,
    quota_status,
)
from services.station_roles import person_id_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = date(2026, 11, 1)


def _status(
    minutes: dict[str, int], now: datetime, month: date = NOV, quota: float = 13.0
) -> QuotaStatus:
    return quota_status(
        station_code="jiangnan",
        month=month,
        minutes_by_mode=minutes,
        quota_hours=quota,
        now=now,
        zone=SHANGHAI,
    )


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_exactly_13_hours_is_met() -> None:
    # 13.0 h as 26 half hours, split online and offline: met, nothing needed.
    status = _status({"online": 13 * 30, "offline": 13 * 30}, at(2026, 11, 20, 9))
    assert status.status == MET
    assert status.total_hours == 13.0
    assert status.hours_needed == 0
    assert status.hours_per_week_needed == 0


def test_one_minute_short_of_13_hours_is_not_met() -> None:
    status = _status({"offline": 13 * 60 - 1}, at(2026, 11, 30, 23, 59))
    assert status.status == ON_TRACK  # not met, but 29/30 of the month's share is done
    assert status.hours_needed == pytest.approx(1 / 60)
    status = _status({"offline": 13 * 60 - 1}, at(2026, 12, 1, 0, 0))
    assert status.status == MISSED


def test_the_month_turns_at_midnight_in_shanghai_not_utc() -> None:
    last_minute = at(2026, 11, 30, 23, 59)  # 15:59 UTC on the 30th
    first_minute = at(2026, 12, 1, 0, 0)  # still 30 November in UTC (16:00)
    assert month_of(last_minute, SHANGHAI) == NOV
    assert month_of(first_minute, SHANGHAI) == date(2026, 12, 1)
    assert first_minute.astimezone(UTC).date() == date(2026, 11, 30)
    # At 23:59 on the last day November is still open: one day left, not missed.
    open_status = _status({"online": 600}, last_minute)
    assert (open_status.status, open_status.days_left) == (BEHIND, 1)
    # One minute later, in Shanghai, November is over, although UTC still says 30 November.
    closed = _status({"online": 600}, first_minute)
    assert (closed.status, closed.days_left) == (MISSED, 0)
    assert _status({}, first_minute, month=date(2026, 12, 1)).status == ON_TRACK


def test_february_in_a_leap_year_has_29_days() -> None:
    feb = date(2028, 2, 1)
    on_28th = _status({}, at(2028, 2, 28, 12), month=feb)
    assert on_28th.days_left == 2  # the 28th and the 29th
    assert on_28th.status == BEHIND
    on_29th = _status({"offline": 13 * 60}, at(2028, 2, 29, 23, 59), month=feb)
    assert (on_29th.status, on_29th.days_left) == (MET, 1)
    assert _status({}, at(2028, 3, 1, 0, 0), month=feb).status == MISSED
    # Half of 13 h by the middle of a 29-day month is on track.
    mid = _status({"online": 6 * 60 + 30}, at(2028, 2, 15, 8), month=feb)
    assert mid.status == ON_TRACK
    assert previous_month(date(2028, 3, 1)) == feb


def test_a_station_with_no_sessions() -> None:
    first_morning = _status({}, at(2026, 11, 1, 8))
    assert (first_morning.status, first_morning.days_left) == (ON_TRACK, 30)
    assert first_morning.hours_needed == 13
    assert first_morning.hours_per_week_needed == pytest.approx(13 * 7 / 30)
    second_day = _status({}, at(2026, 11, 2, 8))
    assert second_day.status == BEHIND
    assert _status({}, at(2026, 12, 5, 8)).status == MISSED


def test_on_track_follows_the_elapsed_share_of_the_month() -> None:
    # On the 16th of 30, 15 days have passed: 6.5 h is the line.
    assert _status({"online": 390}, at(2026, 11, 16, 10)).status == ON_TRACK
    assert _status({"online": 389}, at(2026, 11, 16, 10)).status == BEHIND


def test_per_station_quota_override_and_week_rate() -> None:
    status = _status({"offline": 600}, at(2026, 11, 27, 10), quota=20.0)
    assert status.hours_needed == 10
    assert status.days_left == 4
    assert status.hours_per_week_needed == 10  # less than a week left: all of it now


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        _status({}, datetime(2026, 11, 16, 10))


async def _seed(uow: UnitOfWork, sessions: list[tuple[str, date, int, str]]) -> None:
    now = at(2026, 11, 1, 9)
    await staff.grant_directly(uow, tg_id=777, role="supervisor", station_code="jiangnan", now=now)
    person_id = await person_id_of(uow, tg_id=777)
    assert person_id is not None
    for station, day, minutes, mode in sessions:
        uow.session.add(
            SupervisionSession(
                supervisor_id=person_id,
                station_code=station,
                session_date=day,
                minutes=minutes,
                mode=mode,
                topic_code="case_work",
                created_at=now,
            )
        )
    await uow.commit()


async def test_a_late_entry_counts_for_the_previous_month(uow: UnitOfWork) -> None:
    await _seed(
        uow,
        [
            ("jiangnan", date(2026, 11, 3), 8 * 60, "offline"),
            ("jiangnan", date(2026, 11, 30), 5 * 60, "online"),  # entered on 2 December
            ("jiangnan", date(2026, 12, 1), 60, "online"),
        ],
    )
    now = at(2026, 12, 2, 9)
    (november,) = await quota_for_stations(
        uow, station_codes=["jiangnan"], month=previous_month(month_of(now, SHANGHAI)),
        now=now, zone=SHANGHAI,
    )  # fmt: skip
    assert (november.status, november.total_hours, november.online_hours) == (MET, 13, 5)
    (december,) = await quota_for_stations(
        uow, station_codes=["jiangnan"], month=month_of(now, SHANGHAI), now=now, zone=SHANGHAI
    )
    assert december.total_hours == 1  # the late November session is not counted twice


async def test_quota_for_all_stations_uses_each_stations_quota(uow: UnitOfWork) -> None:
    await _seed(uow, [("jiangnan", date(2026, 11, 2), 13 * 60, "offline")])
    now = at(2026, 11, 16, 10)
    statuses = await quota_for_stations(uow, station_codes=None, month=NOV, now=now, zone=SHANGHAI)
    by_code = {s.station_code: s for s in statuses}
    assert len(by_code) == 14
    assert by_code["jiangnan"].status == MET
    assert by_code["xicheng"].status == BEHIND
    assert by_code["xicheng"].hours_needed == 13
    # Any day of the month names the month.
    (again,) = await quota_for_stations(
        uow, station_codes=["jiangnan"], month=NOV + timedelta(days=9), now=now, zone=SHANGHAI
    )
    assert again.status == MET and again.month == NOV
