"""A template's form: checking a typed value for one field, and what a record still lacks.

Pure functions of the catalogue, the rules and the values (no database), so `/log`, the
corrections and the 台账 pack agree on what "complete" means:

- text is kept exactly as typed (HTML characters, emoji, line breaks), only refused when empty
  or longer than the rule allows; a number is stored in its plain decimal form, a date as
  ISO `YYYY-MM-DD`, a choice as its option code, yes/no as `yes` or `no`;
- a record is complete when every required field has a value and, for a template with
  `photo_required`, at least one photo is attached.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date

from knowledge.record_rules import RecordRules
from knowledge.record_templates import (
    CHOICE,
    DATE,
    LONG_TEXT,
    NO,
    NUMBER,
    SHORT_TEXT,
    YES,
    YES_NO,
    FormField,
    RecordTemplate,
)
from services.dates import read_date, read_full_date
from services.errors import InvalidValue
from services.numbers import read_number

PHOTO = "photo"  # the code `missing_items` uses for a required photo
EMPTY, TOO_LONG, NOT_A_NUMBER, TOO_SMALL, TOO_LARGE, NOT_A_DATE, UNKNOWN_OPTION, UNKNOWN_FIELD = (
    "empty", "too_long", "not_a_number", "too_small", "too_large", "not_a_date", "unknown_option",
    "unknown_field",
)  # fmt: skip
_YES = {"yes", "y", "是", "有", "true", "1"}
_NO = {"no", "n", "否", "无", "没有", "false", "0"}


def text_limit(form_field: FormField, rules: RecordRules) -> int:
    return rules.long_text_max if form_field.kind == LONG_TEXT else rules.short_text_max


def number_range(form_field: FormField, rules: RecordRules) -> tuple[float, float]:
    low = form_field.min_value if form_field.min_value is not None else rules.number_min
    high = form_field.max_value if form_field.max_value is not None else rules.number_max
    return float(low), float(high)


def check_field_value(
    form_field: FormField, raw: str, rules: RecordRules, *, today: date | None = None
) -> str:
    """The value to store for `raw`; InvalidValue(field code, reason) when it cannot be. A date
    is read by `services.dates` (`明天`, `12月5日`, ... seen from `today`, the deployment's day;
    without it, as the stored form, a full date); a number by `services.numbers`."""
    code = form_field.code
    if form_field.kind in (SHORT_TEXT, LONG_TEXT):
        if not raw.strip():
            raise InvalidValue(code, EMPTY)
        if len(raw) > text_limit(form_field, rules):
            raise InvalidValue(code, TOO_LONG)
        return raw  # exactly as typed: no trimming, no escaping
    cleaned = unicodedata.normalize("NFKC", raw).strip()
    if not cleaned:
        raise InvalidValue(code, EMPTY)
    if form_field.kind == NUMBER:
        try:
            number = float(read_number(cleaned, field=code))
        except InvalidValue:
            raise InvalidValue(code, NOT_A_NUMBER) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise InvalidValue(code, NOT_A_NUMBER)
        low, high = number_range(form_field, rules)
        if number < low:
            raise InvalidValue(code, TOO_SMALL)
        if number > high:
            raise InvalidValue(code, TOO_LARGE)
        return str(int(number)) if number.is_integer() else f"{number:.2f}".rstrip("0")
    if form_field.kind == DATE:
        # a DateRefused: `not_a_date`, or `no_such_day` with the month and day, for the sentence
        if today is None:
            return read_full_date(cleaned, field=code).isoformat()
        return read_date(cleaned, today, direction="near", field=code).isoformat()
    if form_field.kind == CHOICE:
        if form_field.option(cleaned) is None:
            raise InvalidValue(code, UNKNOWN_OPTION)
        return cleaned
    if form_field.kind == YES_NO:
        lowered = cleaned.lower()
        if lowered in _YES:
            return YES
        if lowered in _NO:
            return NO
        raise InvalidValue(code, UNKNOWN_OPTION)
    raise AssertionError(form_field.kind)  # the loader admits no other kind


def check_form_values(
    template: RecordTemplate, values: Mapping[str, str], rules: RecordRules
) -> dict[str, str]:
    """Every value checked, in the form's order; an unknown field code is refused."""
    for code in values:
        if template.form_field(code) is None:
            raise InvalidValue(code, UNKNOWN_FIELD)
    return {
        f.code: check_field_value(f, values[f.code], rules)
        for f in template.form
        if f.code in values
    }


def missing_items(template: RecordTemplate, values: Iterable[str], photos: int) -> tuple[str, ...]:
    """The required field codes without a value, in form order, then `photo` if one is due."""
    present = set(values)
    missing = [f.code for f in template.required_fields if f.code not in present]
    if template.photo_required and photos == 0:
        missing.append(PHOTO)
    return tuple(missing)
