"""Phone numbers inside free text (round 10): mobiles (1[3-9]x, 11 digits, with +86, spaces or
dashes, full-width digits) and landlines with an area code are found and masked; dates, counts,
times, an ID number and too short or too long runs of digits are not."""

from __future__ import annotations

import pytest

from services.phones import mask_phones, phones_in


@pytest.mark.parametrize(
    ("text", "found", "masked"),
    [
        ("电话13800138000", ("13800138000",), "电话***********"),
        ("打了 138 0013 8000 和 0579-8712 3456", ("138 0013 8000", "0579-8712 3456"),
         "打了 *** **** **** 和 ****-**** ****"),
        ("+86 138-0013-8000 ok", ("+86 138-0013-8000",), "*** ***-****-**** ok"),
        ("１３８００１３８０００", ("１３８００１３８０００",), "***********"),
        ("010-12345678", ("010-12345678",), "***-********"),
        ("拨了0579 8712345，没人接", ("0579 8712345",), "拨了**** *******，没人接"),
        ("儿子电话（0579）87123456，手机 138-0013-8000", ("（0579）87123456", "138-0013-8000"),
         "儿子电话（****）********，手机 ***-****-****"),  # probe10: the bracketed area code
        ("(0579)8712-3456", ("(0579)8712-3456",), "(****)****-****"),
        ("回电 1380 0138 000", ("1380 0138 000",), "回电 **** **** ***"),  # grouped 4-4-3
    ],
)  # fmt: skip
def test_numbers_are_found_and_masked(text: str, found: tuple[str, ...], masked: str) -> None:
    assert phones_in(text) == found
    assert mask_phones(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "来了12人次，2026年12月3日",
        "10:30 到 11:30，2026-12-03",
        "身份证330702195001011234",
        "1380013800",  # ten digits
        "12345678901",  # not 1[3-9]
        "138001380001",  # twelve digits
    ],
)
def test_no_number_in_ordinary_notes(text: str) -> None:
    assert phones_in(text) == ()
    assert mask_phones(text) == text
