"""Reading the numbers people type: hours and counts, the way they really type them.

Full-width digits (`１．５`), a decimal comma (`1,5`), the ideographic full stop (`1。5`),
a unit after the number (`1.5小时`, `2h`, `30人次`), `半` (a half: `半小时`, `1个半小时`),
Chinese numerals (`两小时`, `十二人次`, `一百零五`), minutes (`90分钟`, `1小时30分`, `90 min`)
and a few English words (`an hour and a half`, `half an hour`, `two hours`) are understood. Anything else is refused with `InvalidValue(field, reason)`, where `reason`
is a code the handler turns into a sentence:

- `not_a_number`  nothing numeric (`abc`, empty);
- `not_whole`     a fraction where a whole number is needed (`2.5` person-times);
- `too_small`     below the minimum (`0`, `-1`);
- `too_large`     above the maximum (`25` hours);
- `wrong_step`    not a multiple of the step (`1.2` where half hours are needed).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from services.errors import InvalidValue

NOT_A_NUMBER, NOT_WHOLE, TOO_SMALL, TOO_LARGE, WRONG_STEP = (
    "not_a_number",
    "not_whole",
    "too_small",
    "too_large",
    "wrong_step",
)
_HOUR_UNITS = ("个小时", "小时", "个钟头", "钟头", "hours", "hour", "hrs", "hr", "h")
_MINUTE_UNITS = ("分钟", "分", "minutes", "minute", "mins", "min", "m")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_POWERS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip
_ENGLISH_HOURS = re.compile(
    r"(?:(?P<whole>" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r"|\d+)"
    r"(?:hours?|hrs?)?(?P<and_half>andahalf)?(?:hours?|hrs?)?"
    r"|(?P<half>half(?:an)?hour))"
)
_POINT_UNITS = ("分", "points", "point", "pts", "pt")
_COUNT_UNITS = ("人次", "个人", "人", "次", "times", "people", "persons")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")


def _normalise(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    cleaned = cleaned.replace("。", ".").replace("、", ",").replace(" ", "")
    cleaned = cleaned.replace("−", "-").replace("–", "-")  # minus sign, en dash
    return "-" + cleaned[1:] if cleaned.startswith("负") else cleaned  # 负一小时: minus one


def chinese_number(text: str) -> int | None:
    """A whole number written in Chinese numerals (`十二`, `两`, `一百零五`), or None."""
    if not text or not _CHINESE_NUMBER.fullmatch(text):
        return None
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        else:
            total += (current or 1) * _POWERS[char]
            current = 0
    return total + current


def _arabic(text: str) -> str:
    """Chinese numerals inside `text` turned into digits (`两个半` → `2个半`)."""
    return _CHINESE_NUMBER.sub(lambda m: str(chinese_number(m.group(0))), text)


def _english_hours(text: str) -> Decimal | None:
    """`an hour and a half`, `half an hour`, `two hours`, `1 and a half hours` → hours."""
    match = _ENGLISH_HOURS.fullmatch(text)
    if match is None or not any(unit in text for unit in ("hour", "hr")):
        return None
    if match.group("half"):
        return Decimal("0.5")
    whole = match.group("whole") or ""
    number = Decimal(whole) if whole.isdigit() else _WORDS.get(whole)
    if number is None:
        return None
    return Decimal(number) + (Decimal("0.5") if match.group("and_half") else 0)


def _minutes(text: str, field: str) -> Decimal | None:
    """`90分钟`, `1小时30分`, `90min` → hours; None when there are no minutes in it."""
    for unit in _MINUTE_UNITS:
        if text.endswith(unit) and len(text) > len(unit):
            body = text[: -len(unit)]
            hours = Decimal("0")
            for hour_unit in _HOUR_UNITS:
                if hour_unit in body and hour_unit != "h":
                    before, body = body.split(hour_unit, 1)
                    hours = _decimal(before, field)
                    break
            else:
                if "h" in body:
                    before, body = body.split("h", 1)
                    hours = _decimal(before, field)
            return hours + _decimal(body, field) / 60
    return None


def _strip_unit(text: str, units: tuple[str, ...]) -> str:
    for unit in units:
        if text.endswith(unit) and len(text) > len(unit):
            return text[: -len(unit)]
    return text


def _decimal(text: str, field: str) -> Decimal:
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        text = text.replace(",", ".")  # a decimal comma, as in much of the world
    if not _NUMBER.fullmatch(text):
        raise InvalidValue(field, NOT_A_NUMBER)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidValue(field, NOT_A_NUMBER) from None


def parse_hours(
    text: str,
    *,
    minimum: float,
    maximum: float,
    step: float | None = None,
    field: str = "hours",
) -> float:
    """Hours typed by a person → a float in [minimum, maximum] (a multiple of `step`, if given)."""
    cleaned = _arabic(_normalise(text))
    english = _english_hours(cleaned)
    minutes = None if english is not None else _minutes(cleaned, field)
    if cleaned in ("半", "半个", "半小时", "半个小时", "半个钟头"):
        value = Decimal("0.5")
    elif english is not None:
        value = english
    elif minutes is not None:
        value = minutes
    else:
        cleaned = _strip_unit(cleaned, _HOUR_UNITS)
        half = Decimal("0")
        for suffix in ("个半", "半"):
            if cleaned.endswith(suffix) and len(cleaned) > len(suffix):
                cleaned, half = cleaned[: -len(suffix)], Decimal("0.5")
                break
        value = _decimal(cleaned, field) + half
    if value < Decimal(str(minimum)):
        raise InvalidValue(field, TOO_SMALL)
    if value > Decimal(str(maximum)):
        raise InvalidValue(field, TOO_LARGE)
    if step is not None and value % Decimal(str(step)) != 0:
        raise InvalidValue(field, WRONG_STEP)
    return float(value)


def parse_count(text: str, *, minimum: int, maximum: int, field: str = "count") -> int:
    """A whole number typed by a person (person-times) → an int in [minimum, maximum]."""
    cleaned = _strip_unit(_arabic(_normalise(text)), _COUNT_UNITS)
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")  # 1,000 person-times, not one point zero
    value = _decimal(cleaned, field)
    if value != value.to_integral_value():
        raise InvalidValue(field, NOT_WHOLE)
    if value < minimum:
        raise InvalidValue(field, TOO_SMALL)
    if value > maximum:
        raise InvalidValue(field, TOO_LARGE)
    return int(value)


def _decimal_point(text: str) -> str:
    """`18点5` (read aloud, or typed as 十八点五) → `18.5`."""
    return re.sub(r"(\d)点(\d)", r"\1.\2", text)


# What a record form's number may have around it: `第三节`, `3节`, `12人`, `500元`, `80%`.
_ORDINAL = "第"
_FORM_UNITS = ("人次", "小时", "个人", "节", "次", "期", "人", "名", "位", "个", "户", "场",
               "天", "元", "块", "年", "分", "%", "times", "people", "sessions", "session",
               "yuan", "hours", "hour")  # fmt: skip


def read_number(text: str, *, field: str = "number") -> Decimal:
    """Any number a form asks for (`12`, `12.5`, `1,000`, `十二`, `十二点五`), with a unit or
    an ordinal around it (`3节`, `第三节`, `第12次`, `500元`)."""
    cleaned = _normalise(text)
    if cleaned.startswith(_ORDINAL) and len(cleaned) > len(_ORDINAL):
        cleaned = cleaned[len(_ORDINAL) :]
    cleaned = _decimal_point(_arabic(_strip_unit(cleaned, _FORM_UNITS)))
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    return _decimal(cleaned, field)


def parse_points(text: str, *, maximum: float, field: str = "points") -> float:
    """Evaluation points typed by a person (`18`, `18.5`, `１８．５`, `18,5`, `18分`, `十八分`,
    `十八点五分`) → a float in [0, maximum], at most two decimals."""
    cleaned = _decimal_point(_arabic(_normalise(text)))
    value = _decimal(_strip_unit(cleaned, _POINT_UNITS), field)
    if value < 0:
        raise InvalidValue(field, TOO_SMALL)
    if value > Decimal(str(maximum)):
        raise InvalidValue(field, TOO_LARGE)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidValue(field, WRONG_STEP)
    return float(value)


def hours_to_minutes(hours: float) -> int:
    return round(hours * 60)
