"""reminders.yaml and the calendar: which occasion is open at which moment (pure, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from knowledge.loading import CatalogError
from knowledge.reminders import ReminderSchedule, load_reminders
from services.reminders import calendar_occasions, is_quiet

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHEDULE = load_reminders()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def open_at(moment: datetime, schedule: ReminderSchedule = SCHEDULE) -> dict[str, tuple[str, str]]:
    """kind → (occasion, period) of the occasions open at `moment`."""
    return {
        o.kind: (o.name, o.period) for o in calendar_occasions(schedule, now=moment, zone=SHANGHAI)
    }


def test_shipped_schedule_matches_the_issue() -> None:
    assert SCHEDULE.digest_weekday == 0 and SCHEDULE.digest_time == time(9, 0)
    assert SCHEDULE.warning_days == (20, 25) and SCHEDULE.warning_time == time(9, 0)
    assert SCHEDULE.final_time == time(9, 0)
    assert (SCHEDULE.close_day, SCHEDULE.close_time) == (1, time(9, 0))
    assert SCHEDULE.request_workers_after.total_seconds() == 24 * 3600
    assert SCHEDULE.request_head_after.total_seconds() == 48 * 3600
    assert SCHEDULE.volunteer_workers_after.days == 3


def _write(tmp_path: Path, text: str) -> Path:
    source = (Path(__file__).parents[2] / "knowledge" / "reminders.yaml").read_text("utf-8")
    (tmp_path / "reminders.yaml").write_text(source + "\n" + text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("override", "entry"),
    [
        ("weekly_digest: {weekday: someday, time: '09:00'}", "weekly_digest.weekday"),
        ("weekly_digest: {weekday: monday, time: 9:00}", "weekly_digest.time"),  # YAML: 540
        ("weekly_digest: {weekday: monday, time: '25:00'}", "weekly_digest.time"),
        ("quota_warnings: {days: [20, 20], time: '09:00'}", "quota_warnings.days"),
        ("quota_warnings: {days: [0], time: '09:00'}", "quota_warnings.days"),
        ("month_close: {day: 31, time: '09:00'}", "month_close.day"),
        ("requests_waiting: {workers_after_hours: 0, head_after_hours: 48}", "workers_after_hours"),
        ("final_warning: {time: '22:30'}", "final_warning.time"),
        ("check_every_seconds: 1", "check_every_seconds"),
    ],
)
def test_a_bad_setting_names_the_file_and_entry(tmp_path: Path, override: str, entry: str) -> None:
    with pytest.raises(CatalogError) as caught:
        load_reminders(_write(tmp_path, override))
    assert "reminders.yaml" in str(caught.value)
    assert entry in str(caught.value)


def test_times_and_days_are_configurable(tmp_path: Path) -> None:
    schedule = load_reminders(
        _write(
            tmp_path,
            "weekly_digest: {weekday: Friday, time: '16:30'}\n"
            "quota_warnings: {days: [25, 15], time: '10:00'}\nquiet_hours:\n",
        )
    )
    assert schedule.digest_weekday == 4 and schedule.digest_time == time(16, 30)
    assert schedule.warning_days == (15, 25)
    assert schedule.quiet_hours is None
    assert open_at(at(2026, 11, 15, 10, 0), schedule)["quota_warning"] == ("day15", "2026-11")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 20, 8, 59), None),
        (at(2026, 11, 20, 9, 0), ("quota_warning", "day20")),
        (at(2026, 11, 21, 10, 0), ("quota_warning", "day20")),  # missed: still goes on the 21st
        (at(2026, 11, 25, 8, 59), ("quota_warning", "day20")),
        (at(2026, 11, 25, 9, 0), ("quota_warning", "day25")),  # the 20th's is superseded
        (at(2026, 11, 30, 8, 59), ("quota_warning", "day25")),
        (at(2026, 11, 30, 9, 0), ("quota_final", "last")),
        (at(2026, 11, 30, 23, 59), ("quota_final", "last")),
        (at(2026, 12, 1, 0, 0), None),  # a final warning is useless once the month is over
        (at(2027, 2, 28, 9, 0), ("quota_final", "last")),
    ],
)
def test_quota_warning_windows(moment: datetime, expected: tuple[str, str] | None) -> None:
    found = open_at(moment)
    warnings = {k: v for k, v in found.items() if k in ("quota_warning", "quota_final")}
    if expected is None:
        assert warnings == {}
    else:
        kind, name = expected
        assert warnings == {kind: (name, f"{moment:%Y-%m}")}


def test_a_warning_day_past_the_months_end_gives_way_to_the_final_warning() -> None:
    schedule = replace(SCHEDULE, warning_days=(20, 29))
    assert open_at(at(2027, 2, 27, 12, 0), schedule)["quota_warning"] == ("day20", "2027-02")
    assert "quota_warning" not in open_at(at(2027, 2, 28, 12, 0), schedule)


@pytest.mark.parametrize(
    ("moment", "period"),
    [
        (at(2026, 12, 1, 8, 59), None),
        (at(2026, 12, 1, 9, 0), "2026-11"),
        (at(2026, 12, 3, 9, 30), "2026-11"),  # down for two days: it goes out late
        (at(2026, 12, 31, 23, 59), "2026-11"),
        (at(2027, 1, 1, 9, 0), "2026-12"),
    ],
)
def test_month_close_windows(moment: datetime, period: str | None) -> None:
    close = open_at(moment).get("month_close")
    assert close == (None if period is None else ("close", period))


def test_new_year_in_shanghai_while_utc_is_still_in_the_old_year() -> None:
    """2026-12-31 16:30 UTC is 2027-01-01 00:30 in Shanghai: December is over there."""
    moment = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    found = open_at(moment)
    assert "quota_final" not in found  # December's final warning ended at midnight Shanghai
    assert "month_close" not in found  # and its close is not until 09:00
    assert found["digest"] == ("monday", "2026-W53")
    close = open_at(datetime(2027, 1, 1, 1, 0, tzinfo=UTC))  # 09:00 in Shanghai
    assert close["month_close"] == ("close", "2026-12")


@pytest.mark.parametrize(
    ("moment", "period"),
    [
        (at(2026, 11, 16, 8, 59), None),  # not last week's on the eve of this week's
        (at(2026, 11, 16, 9, 0), "2026-W47"),
        (at(2026, 11, 18, 15, 0), "2026-W47"),  # missed on Monday: it goes out late
        (at(2026, 11, 22, 8, 59), "2026-W47"),
        (at(2026, 11, 22, 9, 0), None),  # Sunday 09:00: too close to the next one
        (at(2027, 1, 4, 9, 0), "2027-W01"),
    ],
)
def test_weekly_digest_window(moment: datetime, period: str | None) -> None:
    digest = open_at(moment).get("digest")
    assert digest == (None if period is None else ("monday", period))


def test_quiet_hours_span_midnight() -> None:
    assert is_quiet(SCHEDULE, now=at(2026, 11, 20, 22, 0), zone=SHANGHAI)
    assert is_quiet(SCHEDULE, now=at(2026, 11, 20, 7, 59), zone=SHANGHAI)
    assert not is_quiet(SCHEDULE, now=at(2026, 11, 20, 8, 0), zone=SHANGHAI)
    # 13:30 UTC is 21:30 in Shanghai
    assert is_quiet(SCHEDULE, now=datetime(2026, 11, 20, 13, 30, tzinfo=UTC), zone=SHANGHAI)
