"""Fixtures of the bot layer. A test module opts in with
`pytestmark = pytest.mark.usefixtures("each_press_answered_once")`."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest

from tests.harness import BotHarness


@pytest.fixture
async def each_press_answered_once(bot: BotHarness) -> AsyncIterator[None]:
    """Telegram takes one answer per button press; a second one is a bug."""
    yield
    answers = Counter(a["callback_query_id"] for a in bot.telegram.callback_answers)
    assert [q for q, n in answers.items() if n > 1] == []
