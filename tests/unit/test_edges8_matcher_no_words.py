"""Text without a letter or a character (edges8): nothing to answer, unless it is a number an
entry is known by."""

from __future__ import annotations

import pytest

from knowledge.bundle import load_knowledge
from knowledge.matcher import HANDOFF, NO_WORDS, has_words

FAQ = load_knowledge().faq


@pytest.mark.parametrize("typed", ["1", "2", "12", "123", "１２３", "1.5", "？？", "!!!", "😀😀"])
def test_no_words_is_no_answer(typed: str) -> None:
    result = FAQ.match(typed)
    assert (result.outcome, result.rule, result.ranked) == (HANDOFF, NO_WORDS, ())


@pytest.mark.parametrize("typed", ["110", "１１０", "12355"])
def test_a_number_an_entry_is_known_by_is_still_matched(typed: str) -> None:
    result = FAQ.match(typed)
    assert result.rule != NO_WORDS and result.best is not None


def test_words_and_small_talk_are_untouched() -> None:
    assert has_words("老人补贴") and has_words("ok") and not has_words("１２３ ？")
    assert FAQ.match("老人补贴多少钱").best is not None
    assert FAQ.match("谢谢").rule == "small_talk"


@pytest.mark.parametrize(
    "typed", ["110", "120", "119", "１１０", "110！", "110 120 119", "110、120"]
)
def test_the_emergency_numbers_typed_alone_give_the_numbers(typed: str) -> None:
    """The child entry's title names 110 and 120 and took them; "119" was handed off."""
    result = FAQ.match(typed)
    assert result.emergency and result.best is not None
    assert result.best.entry_id == "emergency_numbers"


@pytest.mark.parametrize("typed", ["12355", "1100", "1190", "110元"])
def test_other_numbers_are_not_the_emergency_numbers(typed: str) -> None:
    assert not FAQ.match(typed).emergency
