"""fix11a (probe11 item 9): /mylogs names each entry by the record's own number, the one its
card shows ("第2号记录"), so «📋 2» opens 第2号记录, not the second line."""

from __future__ import annotations

import pytest

from tests.bot.log_steps import quick_to_the_form, skip_record_steps, to_the_form
from tests.harness import BotHarness

CARD = {"zh": "第{n}号记录：", "en": "Record {n}: "}
LINE = {"zh": "第{n}号 · ", "en": "No. {n} · "}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_list_and_the_card_say_the_same_number(bot: BotHarness, lang: str) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工", lang=lang)
    await to_the_form(worker, "groupwork", "group_session")
    await skip_record_steps(worker)
    await worker.press("log:ok")
    await quick_to_the_form(worker)  # a second record: number 2, listed first
    await skip_record_steps(worker)
    await worker.press("log:ok")
    await worker.send("/mylogs")
    listed = worker.last_text
    assert listed.index(LINE[lang].format(n=2)) < listed.index(LINE[lang].format(n=1))
    assert "📋 1" in worker.button_labels() and "📋 2" in worker.button_labels()
    await worker.press("📋 1")
    assert CARD[lang].format(n=1) in worker.last_text
