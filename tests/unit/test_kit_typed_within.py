"""`typed_within`, the one check of typed text that seven steps share: stripped, empty
re-asked unless optional, overlong re-asked with the step's own sentence."""

import pytest

from handlers.kit.flow import Reask
from handlers.kit.steps import typed_within

TOO_LONG = "That is {length} characters long; please keep it under {limit}."


def test_kept_stripped() -> None:
    assert typed_within("  刘奶奶 \n", 10, TOO_LONG) == "刘奶奶"


def test_empty_is_reasked_without_a_sentence_unless_optional() -> None:
    with pytest.raises(Reask) as asked:
        typed_within("   ", 10, TOO_LONG)
    assert asked.value.problem is None
    assert typed_within("   ", 10, TOO_LONG, required=False) == ""


def test_overlong_says_its_length_and_the_limit() -> None:
    with pytest.raises(Reask) as asked:
        typed_within("x" * 12, 10, TOO_LONG)
    assert asked.value.problem == "That is 12 characters long; please keep it under 10."
    assert typed_within("x" * 10, 10, TOO_LONG) == "x" * 10


def test_a_sentence_with_other_placeholders_comes_from_a_function() -> None:
    with pytest.raises(Reask) as asked:
        typed_within("x" * 12, 10, lambda n: f"{n} of at most {10}")
    assert asked.value.problem == "12 of at most 10"


async def test_typed_into_keeps_the_text_or_reasks_in_the_persons_language() -> None:
    from types import SimpleNamespace
    from typing import Any

    from handlers.kit.steps import typed_into

    on_text = typed_into("place", 5, "Please keep the place under {limit} characters.")
    who: Any = SimpleNamespace(gettext=lambda msgid: "«" + msgid + "»")
    draft: dict[str, Any] = {}
    assert await on_text(None, None, who, draft, "  站里 ") is None  # type: ignore[arg-type]
    assert draft == {"place": "站里"}
    with pytest.raises(Reask) as asked:
        await on_text(None, None, who, draft, "x" * 6)  # type: ignore[arg-type]
    assert asked.value.problem == "«Please keep the place under 5 characters.»"
    assert draft == {"place": "站里"}
