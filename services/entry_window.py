"""Which days an activity or a supervision session may be entered for.

Any day of the current month up to today; and, during a grace period (until the 7th of this
month by default, `late_entry_days` in knowledge/record_rules.yaml), any day of the previous
month too, so a worker back from a week's leave can still enter the last days of a month.
Dates outside are refused with a reason code: `future`, `too_old`, `no_such_day` (November
31st), or `not_a_date` for text that is no date at all, as a `DateRefused` that also carries
what was asked for, so the sentence can say why.
"""

from __future__ import annotations

from datetime import date, timedelta

from services.dates import NO_SUCH_DAY as NO_SUCH_DAY
from services.dates import NOT_A_DATE as NOT_A_DATE
from services.dates import DateRefused as DateRefused
from services.dates import read_date

LATE_ENTRY_DAYS = 7  # the previous month stays open until this day of the month, included
FUTURE, TOO_OLD = "future", "too_old"


def previous_month_start(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def entry_window(today: date, late_days: int = LATE_ENTRY_DAYS) -> tuple[date, date]:
    """(first, last) day open for entries on `today`, both included."""
    first = today.replace(day=1)
    if today.day <= late_days:
        first = previous_month_start(today)
    return first, today


def check_entry_date(
    day: date, today: date, field: str = "date", late_days: int = LATE_ENTRY_DAYS
) -> date:
    first, last = entry_window(today, late_days)
    if day > last:
        raise DateRefused(field, FUTURE, asked=day)
    if day < first:
        raise DateRefused(field, TOO_OLD, asked=day)
    return day


def late_entry_closed(asked: date, today: date, late_days: int = LATE_ENTRY_DAYS) -> bool:
    """Whether `asked` lies in last month, whose late entries have closed: the one case where
    the late-entry rule is the reason for a refusal."""
    return asked.replace(day=1) == previous_month_start(today) and today.day > late_days


def parse_entry_date(
    text: str, today: date, field: str = "date", late_days: int = LATE_ENTRY_DAYS
) -> date:
    """A typed date (`services.dates.read_date`, looking back: `11月3日`, `3号`, `昨天`, ...)
    checked against the window."""
    return check_entry_date(
        read_date(text, today, direction="past", field=field), today, field, late_days
    )


def days_open(today: date, late_days: int = LATE_ENTRY_DAYS) -> list[date]:
    """Every day in the window, oldest first (for the calendar buttons)."""
    first, last = entry_window(today, late_days)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
