"""A form begun from a card's button (completing a record from /mylogs), put aside by /menu, is
continued by pressing that button again (edges9): the note says so. It said "send /menu to
continue", and /menu shows the menu, not the form."""

from __future__ import annotations

import pytest

from tests.bot.test_record_edit import _record, _values
from tests.harness import BotHarness

NOTE = {
    "en": "Your unfinished form is kept: press the same button again to continue where you left off.",
    "zh": "您没填完的表格已经保留，再点一次同一个按钮就可以接着填写。",
}
COMPLETE = {"en": "✍️ Complete No. 1", "zh": "✍️ 补全第1号"}
CONTINUE = {"en": "Continue where I left off", "zh": "接着上次填写"}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_record_completion_put_aside_continues_from_its_button(
    bot: BotHarness, lang: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    record_id = await _record(bot, worker, case_no="C-1", measures="Weekly visits")
    await worker.send("/mylogs")
    await worker.press(COMPLETE[lang])
    asked = worker.last_text
    await worker.send("/menu")
    assert any(m.text.startswith(NOTE[lang]) for m in worker.messages[-2:]), [
        m.text for m in worker.messages[-2:]
    ]
    await worker.press_data(f"rec:fill:{record_id}")
    await worker.press(CONTINUE[lang])
    assert worker.last_text == asked
    await worker.send("Back to school by March")
    assert (await _values(bot, record_id))["goals"] == "Back to school by March"
