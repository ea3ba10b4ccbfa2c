"""Mainland Chinese phone numbers: what residents type (or share) → E.164, or InvalidValue."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from services.errors import InvalidValue

# Digits, spaces and the punctuation people put in numbers; anything else is not a number.
_ALLOWED = re.compile(r"^\+?[0-9 ()\-.]{3,30}$")
_ACCEPTED_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_cn_phone(text: str) -> str:
    """A mainland mobile or landline (with area code) in E.164, e.g. `+8613800138000`.

    Full-width digits (`１３８…`) and the usual separators are accepted. Raises
    `InvalidValue("phone", "format")` for anything that is not a phone number and
    `InvalidValue("phone", "not_mainland")` for valid numbers elsewhere or service numbers.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("\u3000", " ")
    if not _ALLOWED.match(cleaned):
        raise InvalidValue("phone", "format")
    try:
        number = phonenumbers.parse(cleaned, "CN")
    except NumberParseException:
        raise InvalidValue("phone", "format") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("phone", "format")
    if phonenumbers.region_code_for_number(number) != "CN":
        raise InvalidValue("phone", "not_mainland")
    if phonenumbers.number_type(number) not in _ACCEPTED_TYPES:
        raise InvalidValue("phone", "not_mainland")
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def from_contact(phone_number: str) -> str:
    """Telegram contacts carry the number with the country code, often without the `+`."""
    cleaned = unicodedata.normalize("NFKC", phone_number).strip()
    if cleaned and not cleaned.startswith("+") and cleaned.startswith("86") and len(cleaned) > 11:
        cleaned = "+" + cleaned
    return normalise_cn_phone(cleaned)


def display_phone(e164: str) -> str:
    """How a stored number is shown to people: `138 0013 8000`, `0579 8000 0001`."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
