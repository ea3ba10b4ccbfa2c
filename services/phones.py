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


# --- phone numbers inside free text (a record's note) -----------------------------------------
# What people type: a mobile 1[3-9]x with 11 digits, maybe +86 and spaces or dashes
# (138 0013 8000, +86 138-0013-8000, 1380 0138 000); a landline with its area code (0579-8712 3456,
# 010-12345678, 05798712345, (0579) 8712 3456). Not inside a longer run of digits (an ID number, a count).
# Full-width digits are read as digits (NFKC) and the match is mapped back onto the text typed.
_IN_TEXT = re.compile(
    # a mobile: 11 digits however grouped (138 0013 8000, 1380 0138 000)
    r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?1[3-9](?:[\s-]?\d){9}(?!\d)"
    # a landline: the area code maybe in brackets ((0579) 8712 3456, （0579）87123456)
    r"|(?<![\d+])(?:[(（]0\d{2,3}[)）]|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}(?!\d)"
)
MASK = "*"


def _spans(text: str) -> list[tuple[int, int]]:
    # NFKC per character keeps the positions: full-width digits and spaces are one character.
    folded = "".join(
        unicodedata.normalize("NFKC", ch) if len(unicodedata.normalize("NFKC", ch)) == 1 else ch
        for ch in text
    )
    return [m.span() for m in _IN_TEXT.finditer(folded)]


def phones_in(text: str) -> tuple[str, ...]:
    """The phone numbers in `text`, as typed (empty: none)."""
    return tuple(text[start:end] for start, end in _spans(text))


def mask_phones(text: str) -> str:
    """`text` with every digit of its phone numbers replaced by `*` (the spaces and dashes
    stay, so the note still reads "电话 *** **** ****")."""
    chars = list(text)
    for start, end in _spans(text):
        for i in range(start, end):
            if unicodedata.normalize("NFKC", chars[i]).isdigit() or chars[i] == "+":
                chars[i] = MASK
    return "".join(chars)
