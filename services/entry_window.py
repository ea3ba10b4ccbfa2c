"""Which days an activity or a supervision session may be entered for.

Any day of the current month up to today; and, during a grace period (until the 7th of this
month by default, `late_entry_days` in knowledge/record_rules.yaml), any day of the previous
month too, so a worker back from a week's leave can still enter the last days of a month.
Dates outside are refused with a reason code: `future`, `too_old`, `no_such_day` (November
31st), or `not_a_date` for text that is no date at all, as a `DateRefused` that also carries
what was asked for, so the sentence can say why.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from services.errors import InvalidValue

LATE_ENTRY_DAYS = 7  # the previous month stays open until this day of the month, included
FUTURE, TOO_OLD, NOT_A_DATE, NO_SUCH_DAY = "future", "too_old", "not_a_date", "no_such_day"

_FULL = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})[-/.月](\d{1,2})[日号]?")
_DAY = re.compile(r"(\d{1,2})[日号]?")


class DateRefused(InvalidValue):
    """A date outside the window (`asked`), or a day its month does not have (`month`,
    `day_number`: "11-31")."""

    def __init__(
        self,
        field: str,
        reason: str,
        *,
        asked: date | None = None,
        month: int | None = None,
        day_number: int | None = None,
    ) -> None:
        super().__init__(field, reason)
        self.asked = asked
        self.month = month
        self.day_number = day_number


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
    """A typed date (`2026-11-03`, `11/3`, `11月3日`, `3号`, `3`, `今天`, `昨天`) checked
    against the window. A month later than this one means last year (December in January);
    a bare day later than today, while last month is still open, means last month."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")
    if cleaned in ("今天", "today"):
        return today
    if cleaned in ("昨天", "yesterday"):
        return check_entry_date(today - timedelta(days=1), today, field, late_days)
    if cleaned in ("前天",):
        return check_entry_date(today - timedelta(days=2), today, field, late_days)
    year: int | None = None
    if match := _FULL.fullmatch(cleaned):
        year, month, day = (int(g) for g in match.groups())
    elif match := _MONTH_DAY.fullmatch(cleaned):
        month, day = (int(g) for g in match.groups())
    elif match := _DAY.fullmatch(cleaned):
        month, day = today.month, int(match.group(1))
        if day > today.day and today.day <= late_days:
            # "30" on the 2nd means the 30th that just passed, not the one to come.
            previous = previous_month_start(today)
            year, month = previous.year, previous.month
    else:
        raise DateRefused(field, NOT_A_DATE)
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    try:
        chosen = date(year, month, day)
    except ValueError:
        if 1 <= month <= 12 and 1 <= day <= 31:
            raise DateRefused(field, NO_SUCH_DAY, month=month, day_number=day) from None
        raise DateRefused(field, NOT_A_DATE) from None
    return check_entry_date(chosen, today, field, late_days)


def days_open(today: date, late_days: int = LATE_ENTRY_DAYS) -> list[date]:
    """Every day in the window, oldest first (for the calendar buttons)."""
    first, last = entry_window(today, late_days)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
