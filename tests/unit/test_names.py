"""What can be a name as typed (services.names): letters, not digits, not a question."""

from __future__ import annotations

import pytest

from services.names import looks_like_a_name


@pytest.mark.parametrize("text", ["刘奶奶", "Wang Mama", "阿依古丽·买买提", "Li-Na", "王 小红"])
def test_names(text: str) -> None:
    assert looks_like_a_name(text)


@pytest.mark.parametrize("text", ["12345", "😀", "志愿者有补贴吗？", "what is this?", "  ", "王1"])
def test_not_names(text: str) -> None:
    assert not looks_like_a_name(text)
