"""`services.dates.read_date`: every way of typing a day the date steps accept, seen from a
`today` passed in (the deployment's day in Asia/Shanghai), and the refusals."""

from __future__ import annotations

from datetime import date

import pytest

from services.dates import NO_SUCH_DAY, NOT_A_DATE, DateRefused, read_date, read_full_date
from services.numbers import parse_points, read_number

TODAY = date(2026, 12, 3)  # a Thursday


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("今天", date(2026, 12, 3)),
        ("明天", date(2026, 12, 4)),
        ("后天", date(2026, 12, 5)),
        ("昨天", date(2026, 12, 2)),
        ("前天", date(2026, 12, 1)),
        ("tomorrow", date(2026, 12, 4)),
        ("Yesterday", date(2026, 12, 2)),
        ("12月5日", date(2026, 12, 5)),
        ("12月5号", date(2026, 12, 5)),
        ("十二月五日", date(2026, 12, 5)),
        ("12.5", date(2026, 12, 5)),
        ("12-5", date(2026, 12, 5)),
        ("12/5", date(2026, 12, 5)),
        ("１２月５日", date(2026, 12, 5)),
        ("2026-12-05", date(2026, 12, 5)),
        ("2026年12月5日", date(2026, 12, 5)),
        ("Dec 5", date(2026, 12, 5)),
        ("5 December", date(2026, 12, 5)),
        ("下周一", date(2026, 12, 7)),
        ("下星期五", date(2026, 12, 11)),
        ("这周二", date(2026, 12, 1)),
        ("上周日", date(2026, 11, 29)),
        ("next monday", date(2026, 12, 7)),
    ],
)
def test_every_way_of_typing_a_day(typed: str, day: date) -> None:
    for direction in ("past", "future", "near"):
        assert read_date(typed, TODAY, direction=direction) == day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "past", "future"),
    [
        ("1月5日", date(2026, 1, 5), date(2027, 1, 5)),  # next year's, looking ahead
        ("11月30日", date(2026, 11, 30), date(2026, 11, 30)),  # a slip: refused as past later
        ("30", date(2026, 11, 30), date(2026, 12, 30)),
        ("1号", date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_a_missing_year_or_month_looks_the_way_the_step_does(
    typed: str, past: date, future: date
) -> None:
    assert read_date(typed, TODAY, direction="past") == past
    assert read_date(typed, TODAY, direction="future") == future


def test_december_typed_in_january_is_last_years_when_looking_back() -> None:
    assert read_date("12月30日", date(2027, 1, 3), direction="past") == date(2026, 12, 30)


@pytest.mark.parametrize("typed", ["soon", "", "13月1日", "下周八", "12月5日下午", "99"])
def test_nonsense_is_not_a_date(typed: str) -> None:
    with pytest.raises(DateRefused) as refused:
        read_date(typed, TODAY, direction="near")
    assert refused.value.reason == NOT_A_DATE


@pytest.mark.parametrize(("typed", "month", "day"), [("11月31日", 11, 31), ("2026-02-30", 2, 30)])
def test_a_day_its_month_lacks_says_which(typed: str, month: int, day: int) -> None:
    with pytest.raises(DateRefused) as refused:
        read_date(typed, TODAY, direction="past")
    assert (refused.value.reason, refused.value.month, refused.value.day_number) == (
        NO_SUCH_DAY,
        month,
        day,
    )


def test_without_a_today_only_a_full_date_is_read() -> None:
    assert read_full_date("2026年12月5日") == date(2026, 12, 5)
    with pytest.raises(DateRefused):
        read_full_date("明天")


@pytest.mark.parametrize(
    ("typed", "points"),
    [("十八分", 18.0), ("18分", 18.0), ("十八点五分", 18.5), ("二十", 20.0), ("１８．５", 18.5)],
)
def test_points_in_chinese_numerals(typed: str, points: float) -> None:
    assert parse_points(typed, maximum=20) == points


def test_a_forms_number_in_chinese_numerals() -> None:
    assert float(read_number("十二")) == 12 and float(read_number("1,000")) == 1000


def test_a_form_number_with_its_unit_or_an_ordinal() -> None:  # fix11a, probe11 item 17
    for typed, number in (("第三节", 3), ("3节", 3), ("第十二次", 12), ("500元", 500), ("80%", 80)):
        assert float(read_number(typed)) == number
