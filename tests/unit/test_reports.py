"""Report figures against the hand-counted October 2026 in `tests/report_fixtures.py`."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from bot.clock import FixedClock
from db.uow import Database
from services import reports
from services.errors import InvalidValue, NotFound
from services.quota import MET, MISSED
from tests.report_fixtures import SH, seed_october


async def report_for(database: Database, clock: FixedClock, period: str, station: str | None):
    async with database.uow() as uow:
        return await reports.gather_report(
            uow,
            period=reports.parse_period(period),
            station_code=station,
            now=clock.now(),
            zone=SH,
        )


def test_periods_parse_months_and_years() -> None:
    november = reports.parse_period("2026-11")
    assert (november.kind, november.start, november.end) == (
        "month",
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert reports.parse_period("２０２６－０２").end == date(2026, 2, 28)
    year = reports.parse_period(" 2026 ")
    assert (year.kind, year.start, year.end, year.code) == (
        "year",
        date(2026, 1, 1),
        date(2026, 12, 31),
        "2026",
    )
    assert len(year.months) == 12
    for bad in ("2026-13", "26-11", "november", "", "2026-11-01", "1999"):
        with pytest.raises(InvalidValue):
            reports.parse_period(bad)


async def test_one_station_month_matches_the_hand_count(
    database: Database, clock: FixedClock
) -> None:
    await seed_october(database)
    report = await report_for(database, clock, "2026-10", "jiangnan")
    assert report.station_codes == ("jiangnan",)
    [jn] = report.stations
    assert (jn.activities, jn.minutes, jn.person_times) == (3, 270, 33)
    assert jn.person_times_by_group == {"elderly": 23, "children": 4, "disabled": 1, "other": 5}
    assert jn.requests_received == 5
    assert jn.requests_by_status == {
        "completed": 2, "in_progress": 1, "cancelled": 1, "declined": 1, "submitted": 1,
    }  # fmt: skip
    assert (jn.accepted_within_24h, jn.completed) == (2, 2)
    assert jn.accepted_within_24h_rate == pytest.approx(2 / 5)
    assert jn.completion_rate == pytest.approx(2 / 5)
    assert jn.average_rating == pytest.approx(4.5)
    assert (jn.volunteers_applied, jn.volunteers_active) == (5, 2)
    [volunteers] = report.volunteers
    assert (volunteers.approved, volunteers.declined, volunteers.pending, volunteers.withdrawn) == (
        2,
        1,
        1,
        1,
    )
    assert jn.supervision_minutes == 780
    [quota] = report.quota
    assert (quota.status, quota.online_hours, quota.offline_hours) == (MET, 5.0, 8.0)
    assert (jn.months_counted, jn.months_quota_met) == (1, 1)
    first = report.requests[0]
    assert (first.hours_to_accept, first.hours_to_complete) == (6.0, 72.0)
    # grouped rows keep template detail
    rows = {(a.category_code, a.template_code): a for a in report.activities}
    assert rows["group_work", "group_record"].activities == 2
    assert rows["group_work", "group_record"].person_times == 32


async def test_all_stations_month_totals(database: Database, clock: FixedClock) -> None:
    await seed_october(database)
    report = await report_for(database, clock, "2026-10", None)
    assert len(report.station_codes) == 14
    total = report.total
    assert (total.activities, total.minutes, total.person_times) == (4, 450, 73)
    assert total.person_times_by_group == {
        "elderly": 53, "children": 4, "disabled": 1, "other": 5, "low_income": 10,
    }  # fmt: skip
    assert (total.requests_received, total.accepted_within_24h, total.completed) == (6, 3, 3)
    assert total.average_rating == pytest.approx(4.0)
    assert total.supervision_minutes == 1080
    assert total.months_quota_met == 1
    assert len(report.quota) == 14
    statuses = {q.station_code: q.status for q in report.quota}
    assert statuses["jiangnan"] == MET and statuses["xicheng"] == MISSED
    assert statuses["huajie"] == MISSED
    assert len(report.requests) == 7


async def test_a_station_with_no_data_is_all_zeros(database: Database, clock: FixedClock) -> None:
    await seed_october(database)
    report = await report_for(database, clock, "2026-10", "huajie")
    [huajie] = report.stations
    assert (huajie.activities, huajie.person_times, huajie.requests_received) == (0, 0, 0)
    assert huajie.average_rating is None and huajie.completion_rate is None
    assert report.is_empty


async def test_an_empty_month(database: Database, clock: FixedClock) -> None:
    await seed_october(database)
    report = await report_for(database, clock, "2026-08", None)
    assert report.is_empty
    assert report.total.person_times == 0
    assert report.activities == () and report.requests == ()


async def test_year_counts_only_months_begun(database: Database, clock: FixedClock) -> None:
    await seed_october(database)
    report = await report_for(database, clock, "2026", "jiangnan")
    [jn] = report.stations
    assert jn.months_begun == 11  # January to November; December has not begun
    # Jiangnan's first record is in September: January to August are before the bot, so they
    # are not missed months: 3 months counted, 1 met.
    assert (jn.months_counted, jn.months_before_bot, jn.months_quota_met) == (3, 8, 1)
    assert report.in_bot_since["jiangnan"] == date(2026, 9, 1)
    assert jn.measure("months_quota_met") == pytest.approx(11 / 3)
    assert jn.person_times == 33 + 99 + 50  # the rows just outside October are in the year
    assert jn.supervision_minutes == 780 + 120


async def test_unknown_station_is_not_found(database: Database, clock: FixedClock) -> None:
    with pytest.raises(NotFound):
        await report_for(database, clock, "2026-10", "atlantis")


async def test_a_year_for_all_stations_takes_seven_statements(
    database: Database, clock: FixedClock
) -> None:
    await seed_october(database)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        await report_for(database, clock, "2026", None)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    # six, cases, confirmed volunteer hours, each station's first month in the bot (two), and
    # the referrals made from each station
    assert len(statements) == 11
