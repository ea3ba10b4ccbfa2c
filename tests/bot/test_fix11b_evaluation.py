"""probe11 item 18: /evaluation for the current year on 3 December recorded the ranking with
December not over, and the draft screen showed only the warning, not the ranking. Now the
draft shows the ranking and that the year is not over, and recording takes that answer."""

from __future__ import annotations

from datetime import datetime

import pytest

from services import evaluation
from tests.harness import BotHarness
from tests.report_fixtures import SH, seed_october

pytestmark = pytest.mark.usefixtures("each_press_answered_once")

NOT_OVER = {"en": "⚠️ 2026 is not over yet.", "zh": "⚠️ 2026年度还没有结束。"}
EARLY = {"en": "✅ Record it before the year ends", "zh": "✅ 仍提前记录排名"}
FIRST = {
    "en": "1. Xicheng Street Social Work Station: ",
    "zh": "1. 西城街道社工站：",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_current_year_shows_the_ranking_and_asks_before_recording(
    bot: BotHarness, lang: str
) -> None:
    await seed_october(bot.database)
    bot.clock.current = datetime(2026, 12, 3, 22, 0, tzinfo=SH)
    admin = await bot.admin(lang=lang)
    await admin.send("/evaluation")
    await admin.press("ev:y:2026")
    await admin.press("ev:compute")
    check = admin.last_text
    assert NOT_OVER[lang] in check
    assert any(line.startswith(FIRST[lang]) for line in check.splitlines()), check
    assert admin.button_labels()[0] == EARLY[lang]
    await admin.press_data("ev:conf")  # a Record button without the answer: the warning again
    assert NOT_OVER[lang] in admin.last_text
    async with bot.database.uow() as uow:
        assert await evaluation.recorded(uow, year=2026) is None
    await admin.press("ev:confy")
    async with bot.database.uow() as uow:
        assert await evaluation.recorded(uow, year=2026) is not None


async def test_a_year_that_is_over_has_no_warning(bot: BotHarness) -> None:
    await seed_october(bot.database)
    bot.clock.current = datetime(2027, 1, 10, 9, 30, tzinfo=SH)
    admin = await bot.admin(lang="en")
    await admin.send("/evaluation")
    await admin.press("ev:y:2026")
    await admin.press("ev:compute")
    assert "is not over yet" not in admin.last_text
    assert "1. Xicheng Street Social Work Station: " in admin.last_text
    assert admin.button_labels()[0] == "✅ Record the ranking"
