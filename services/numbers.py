"""Reading the numbers people type: hours and counts, the way they really type them.

Full-width digits (`１．５`), a decimal comma (`1,5`), the ideographic full stop (`1。5`),
a unit after the number (`1.5小时`, `2h`, `30人次`) and `半` (a half: `半小时`, `1个半小时`)
are understood. Anything else is refused with `InvalidValue(field, reason)`, where `reason`
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
_POINT_UNITS = ("分", "points", "point", "pts", "pt")
_COUNT_UNITS = ("人次", "个人", "人", "次", "times", "people", "persons")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")


def _normalise(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    cleaned = cleaned.replace("。", ".").replace("、", ",").replace(" ", "")
    return cleaned.replace("−", "-").replace("–", "-")  # minus sign, en dash


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
    cleaned = _normalise(text)
    if cleaned in ("半", "半个", "半小时", "半个小时", "半个钟头"):
        value = Decimal("0.5")
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
    cleaned = _strip_unit(_normalise(text), _COUNT_UNITS)
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


def parse_points(text: str, *, maximum: float, field: str = "points") -> float:
    """Evaluation points typed by a person (`18`, `18.5`, `１８．５`, `18,5`, `18分`) → a float
    in [0, maximum], at most two decimals."""
    value = _decimal(_strip_unit(_normalise(text), _POINT_UNITS), field)
    if value < 0:
        raise InvalidValue(field, TOO_SMALL)
    if value > Decimal(str(maximum)):
        raise InvalidValue(field, TOO_LARGE)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidValue(field, WRONG_STEP)
    return float(value)


def hours_to_minutes(hours: float) -> int:
    return round(hours * 60)
