"""Numbers and dates as people type them: understood when they can be, refused with a
reason code when they cannot."""

from __future__ import annotations

from datetime import date

import pytest

from services.entry_window import check_entry_date, days_open, entry_window, parse_entry_date
from services.errors import InvalidValue
from services.numbers import parse_count, parse_hours


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("1.5", 1.5),
        ("１．５", 1.5),  # full-width digits and point
        ("1,5", 1.5),  # decimal comma
        ("1。5", 1.5),  # ideographic full stop
        ("２", 2.0),
        (" 3 小时 ", 3.0),
        ("2h", 2.0),
        ("半小时", 0.5),
        ("1个半小时", 1.5),
        ("0.25", 0.25),
        ("12", 12.0),
    ],
)
def test_hours_are_understood(text: str, hours: float) -> None:
    assert parse_hours(text, minimum=0.25, maximum=12) == hours


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0", "too_small"),
        ("-1", "too_small"),
        ("－１", "too_small"),
        ("-1小时", "too_small"),
        ("负一小时", "too_small"),
        ("0.1", "too_small"),
        ("25", "too_large"),
        ("12.5", "too_large"),
        ("abc", "not_a_number"),
        ("", "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("💯", "not_a_number"),
        ("<b>", "not_a_number"),
    ],
)
def test_bad_hours_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_hours(text, minimum=0.25, maximum=12)
    assert (error.value.field, error.value.reason) == ("hours", reason)


def test_supervision_hours_come_in_half_hours() -> None:
    assert parse_hours("７．５", minimum=0.5, maximum=8, step=0.5) == 7.5
    with pytest.raises(InvalidValue) as error:
        parse_hours("1.2", minimum=0.5, maximum=8, step=0.5)
    assert error.value.reason == "wrong_step"


@pytest.mark.parametrize(
    ("text", "count"), [("30", 30), ("３０", 30), ("30人次", 30), ("1,000", 1000), ("2.0", 2)]
)
def test_counts_are_understood(text: str, count: int) -> None:
    assert parse_count(text, minimum=1, maximum=1000) == count


@pytest.mark.parametrize(
    ("text", "reason"),
    [("0", "too_small"), ("1001", "too_large"), ("1,5", "not_whole"), ("2.5", "not_whole"),
     ("many", "not_a_number")],
)  # fmt: skip
def test_bad_counts_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_count(text, minimum=1, maximum=1000)
    assert error.value.reason == reason


def test_the_window_is_this_month_and_last_month_until_the_3rd() -> None:
    assert entry_window(date(2026, 11, 16)) == (date(2026, 11, 1), date(2026, 11, 16))
    # A week's grace into the next month (knowledge/record_rules.yaml), not the 3rd.
    assert entry_window(date(2026, 12, 7)) == (date(2026, 11, 1), date(2026, 12, 7))
    assert entry_window(date(2026, 12, 8)) == (date(2026, 12, 1), date(2026, 12, 8))
    assert entry_window(date(2027, 1, 2))[0] == date(2026, 12, 1)  # across the year
    assert len(days_open(date(2026, 12, 2))) == 32
    # A deployment's own grace period.
    assert entry_window(date(2026, 12, 4), late_days=3) == (date(2026, 12, 1), date(2026, 12, 4))
    assert entry_window(date(2026, 12, 10), late_days=10)[0] == date(2026, 11, 1)


def test_dates_outside_the_window_are_refused_with_a_reason() -> None:
    today = date(2026, 11, 16)
    for day, reason in ((date(2026, 11, 17), "future"), (date(2026, 10, 31), "too_old")):
        with pytest.raises(InvalidValue) as error:
            check_entry_date(day, today)
        assert error.value.reason == reason
    assert check_entry_date(date(2026, 10, 31), date(2026, 11, 3)) == date(2026, 10, 31)


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("11-3", date(2026, 11, 16), date(2026, 11, 3)),
        ("11/3", date(2026, 11, 16), date(2026, 11, 3)),
        ("11月3日", date(2026, 11, 16), date(2026, 11, 3)),
        ("３号", date(2026, 11, 16), date(2026, 11, 3)),
        ("2026-11-03", date(2026, 11, 16), date(2026, 11, 3)),
        ("昨天", date(2026, 11, 16), date(2026, 11, 15)),
        ("30", date(2026, 12, 2), date(2026, 11, 30)),  # the 30th that just passed
        ("12-31", date(2027, 1, 2), date(2026, 12, 31)),  # December, in January
    ],
)
def test_typed_dates(text: str, today: date, day: date) -> None:
    assert parse_entry_date(text, today) == day


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2-30", "no_such_day"),
        ("2-32", "not_a_date"),
        ("soon", "not_a_date"),
        ("11-20", "future"),
        ("10-31", "too_old"),
    ],
)
def test_bad_typed_dates(text: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_entry_date(text, date(2026, 11, 16))
    assert error.value.reason == reason


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90分钟", 1.5),
        ("两小时", 2.0),
        ("半小时", 0.5),
        ("两个半小时", 2.5),
        ("1小时30分", 1.5),
        ("90 min", 1.5),
        ("an hour and a half", 1.5),
        ("half an hour", 0.5),
        ("two hours", 2.0),
    ],
)
def test_hours_in_words_and_minutes_are_understood(text: str, hours: float) -> None:
    assert parse_hours(text, minimum=0.25, maximum=12) == hours


@pytest.mark.parametrize(("text", "count"), [("十二人次", 12), ("两人", 2), ("一百零五", 105)])
def test_counts_in_chinese_numerals_are_understood(text: str, count: int) -> None:
    assert parse_count(text, minimum=1, maximum=1000) == count


def test_a_day_the_month_does_not_have_is_named() -> None:
    from services.entry_window import DateRefused

    with pytest.raises(DateRefused) as refused:
        parse_entry_date("11-31", date(2026, 11, 16))
    assert (refused.value.reason, refused.value.month, refused.value.day_number) == (
        "no_such_day", 11, 31,
    )  # fmt: skip
