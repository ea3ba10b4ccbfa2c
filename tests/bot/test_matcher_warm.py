"""The matcher's dictionaries load when the bot starts, not on the first question: jieba's
dictionary costs about half a second of CPU, which the first resident of the day waited for."""

from __future__ import annotations

from bot.application import on_startup
from knowledge.matcher import _segmenter
from tests.harness import BotHarness


async def test_startup_loads_the_segmenter_before_any_question(bot: BotHarness) -> None:
    assert bot.app is not None
    _segmenter.cache_clear()
    assert _segmenter.cache_info().currsize == 0
    await on_startup(bot.app)
    assert _segmenter.cache_info().currsize == 1
    hits = _segmenter.cache_info().hits
    person = await bot.person(lang="zh")
    await person.send("老年人助餐怎么申请")
    info = _segmenter.cache_info()
    assert (info.currsize, info.misses) == (1, 1)  # the question used what startup loaded
    assert info.hits > hits
