"""Reading the dates people type, the one reader every date step uses.

Understood, after NFKC (full-width digits) and without spaces:

- relative words: `今天` `明天` `后天` `昨天` `前天` (and `today`, `tomorrow`, `yesterday`,
  `the day after tomorrow`, `the day before yesterday`);
- a weekday of this, next or last week: `下周一`, `下星期五`, `这周三`, `上周日`,
  `next monday`, `last friday`;
- a full date: `2026-12-05`, `2026/12/5`, `2026.12.5`, `2026年12月5日`;
- a month and day: `12月5日`, `12月5号`, `12-5`, `12/5`, `12.5`, `Dec 5`, `5 December`;
  Chinese numerals too (`十二月五日`);
- a day of the month alone: `5日`, `5号`, `5`.

`today` is a parameter (the deployment's day, in its zone): this module never reads a clock.
Where a year or month is missing, `direction` says which way the person is looking: `past`
(a record of what happened: a month later than this one is last year's, a day later than today
last month's), `future` (a next contact, an activity: a day more than three months past is next
year's; a recent one stays, so that it can be refused as past rather than moved a year), or
`near` (a form's date field: this year, this month).

Text that is no date raises `DateRefused(field, "not_a_date")`; a day its month does not have
(`11月31日`) `DateRefused(field, "no_such_day", month=11, day_number=31)`, so the sentence can
say why. Whether the day is allowed (the entry window, today or later) each use case checks.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Literal

from services.errors import InvalidValue
from services.numbers import chinese_number

Direction = Literal["past", "future", "near"]
NOT_A_DATE, NO_SUCH_DAY = "not_a_date", "no_such_day"

# A month and day up to this long before today is that day, past ("11月30日" typed on 12月3日
# is a slip, not next November); earlier in the year it is next year's ("1月5日" in December).
RECENT_PAST = timedelta(days=92)

_RELATIVE = {
    "今天": 0, "今日": 0, "today": 0,
    "明天": 1, "明日": 1, "tomorrow": 1,
    "后天": 2, "thedayaftertomorrow": 2, "dayaftertomorrow": 2,
    "昨天": -1, "昨日": -1, "yesterday": -1,
    "前天": -2, "thedaybeforeyesterday": -2, "daybeforeyesterday": -2,
}  # fmt: skip
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_ENGLISH_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEK = re.compile(r"(下下|下|上|这|本)?(?:周|星期|礼拜)([一二三四五六日天七])")
_ENGLISH_WEEK = re.compile(r"(next|last|this)?(" + "|".join(_ENGLISH_WEEKDAYS) + r")")
_FULL = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})[-/.月](\d{1,2})[日号]?")
_DAY = re.compile(r"(\d{1,2})[日号]?")
_ENGLISH_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_MONTH_WORD = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_ENGLISH_MONTH_DAY = re.compile(_MONTH_WORD + _ORDINAL)
_ENGLISH_DAY_MONTH = re.compile(_ORDINAL + _MONTH_WORD)
_CHINESE_NUMERALS = re.compile(r"[〇零一二两三四五六七八九十]+")


class DateRefused(InvalidValue):
    """A typed text that is no date (`not_a_date`), a day its month does not have
    (`no_such_day`: `month`, `day_number`), or, from a use case's check, a date outside what
    it allows (`asked`)."""

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


def _clean(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    cleaned = re.sub(r"\s+", "", cleaned).replace("。", ".")
    # 十二月五日 → 12月5日 (the weekday's 一…日 of 下周一 is read before this)
    return _CHINESE_NUMERALS.sub(
        lambda m: str(chinese_number(m.group(0).replace("〇", "零"))), cleaned
    )


def _english_month(cleaned: str) -> str:
    """`dec5`, `december5`, `5dec`, `dec.5th` → `12-5`."""
    if found := _ENGLISH_MONTH_DAY.fullmatch(cleaned):
        month = _ENGLISH_MONTHS.index(found.group(1)[:3]) + 1
        return f"{month}-{found.group(2)}"
    if found := _ENGLISH_DAY_MONTH.fullmatch(cleaned):
        month = _ENGLISH_MONTHS.index(found.group(2)[:3]) + 1
        return f"{month}-{found.group(1)}"
    return cleaned


def _weekday(cleaned: str, today: date) -> date | None:
    monday = today - timedelta(days=today.weekday())
    if found := _WEEK.fullmatch(cleaned):
        which, day = found.group(1) or "", _WEEKDAYS[found.group(2)]
        weeks = {"下下": 2, "下": 1, "上": -1}.get(which, 0)
        return monday + timedelta(weeks=weeks, days=day)
    if found := _ENGLISH_WEEK.fullmatch(cleaned):
        which, day = found.group(1) or "", _ENGLISH_WEEKDAYS.index(found.group(2))
        weeks = {"next": 1, "last": -1}.get(which, 0)
        return monday + timedelta(weeks=weeks, days=day)
    return None


def _previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _made(year: int, month: int, day: int, field: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if 1 <= month <= 12 and 1 <= day <= 31:
            raise DateRefused(field, NO_SUCH_DAY, month=month, day_number=day) from None
        raise DateRefused(field, NOT_A_DATE) from None


def read_full_date(text: str, field: str = "date") -> date:
    """A date with its year (`2026-12-05`, `2026年12月5日`), for a check without a today."""
    if found := _FULL.fullmatch(_clean(text)):
        year, month, day = (int(g) for g in found.groups())
        return _made(year, month, day, field)
    raise DateRefused(field, NOT_A_DATE)


def read_date(text: str, today: date, *, direction: Direction, field: str = "date") -> date:
    """The day `text` names, seen from `today` (see the module's docstring)."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")
    if cleaned in _RELATIVE:
        return today + timedelta(days=_RELATIVE[cleaned])
    if (weekday := _weekday(cleaned, today)) is not None:
        return weekday
    cleaned = _english_month(_clean(text))
    if _FULL.fullmatch(cleaned):
        return read_full_date(cleaned, field)
    if found := _MONTH_DAY.fullmatch(cleaned):
        month, day = (int(g) for g in found.groups())
        if not 1 <= month <= 12:
            raise DateRefused(field, NOT_A_DATE)
        year = today.year
        if direction == "past" and month > today.month:
            year -= 1  # December typed in January
        chosen = _made(year, month, day, field)
        if direction == "future" and chosen < today and today - chosen > RECENT_PAST:
            chosen = _made(year + 1, month, day, field)
        return chosen
    if found := _DAY.fullmatch(cleaned):
        day = int(found.group(1))
        base = today.replace(day=1)
        if direction == "past" and day > today.day:
            base = _previous_month(today)  # "30" on the 2nd: the 30th that just passed
        elif direction == "future" and day < today.day:
            base = _next_month(today)  # "3" on the 20th: the 3rd to come
        return _made(base.year, base.month, day, field)
    raise DateRefused(field, NOT_A_DATE)
