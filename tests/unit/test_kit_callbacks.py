"""The one callback codec: `prefix:kind:args`, 64 bytes, ids range-checked."""

from __future__ import annotations

import pytest

from handlers.kit.callbacks import MAX_ID, CallbackTooLong, encode, parse, pattern


def test_round_trip() -> None:
    press = parse(encode("inv", "role", "worker"))
    assert press is not None
    assert (press.prefix, press.kind, press.arg(), press.arg(1)) == ("inv", "role", "worker", None)
    assert press.data == "inv:role:worker"


def test_64_bytes_is_the_limit() -> None:
    assert len(encode("p", "k", "x" * 60)) == 64
    with pytest.raises(CallbackTooLong):
        encode("p", "k", "x" * 61)
    assert parse("p:k:" + "x" * 61) is None


def test_a_colon_inside_a_part_is_refused() -> None:
    with pytest.raises(ValueError):
        encode("p", "k", "a:b")


def test_a_forged_forty_digit_id_is_not_an_id() -> None:
    press = parse("staff:rev:" + "9" * 40)
    assert press is not None
    assert press.int_arg() is None
    assert parse(f"staff:rev:{MAX_ID}").int_arg() == MAX_ID  # type: ignore[union-attr]
    assert parse(f"staff:rev:{MAX_ID + 1}").int_arg() is None  # type: ignore[union-attr]
    for bad in ("0", "-1", "１２", "1e3", ""):
        assert parse(f"staff:rev:{bad}").int_arg() is None  # type: ignore[union-attr]


def test_malformed_data_parses_to_nothing() -> None:
    for bad in (None, "", "menu", ":x", "x:"):
        assert parse(bad) is None


def test_pattern_matches_the_kind_only() -> None:
    import re

    assert re.match(pattern("inv", "st"), "inv:st:a")
    assert re.match(pattern("inv", "st"), "inv:st")
    assert not re.match(pattern("inv", "st"), "inv:stx:a")
    assert re.match(pattern("inv"), "inv:back")
