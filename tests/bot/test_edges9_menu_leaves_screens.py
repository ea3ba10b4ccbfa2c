"""/start or /menu mid-way in a flow of screens (/report at its year, /evaluation, /invite) or a
reply being typed leaves it (edges9): what the person types next is what the menu invites, a
question. Before, only forms were put aside there, and the screen stayed open behind the menu:
"社工站几点开门" typed after /menu got /report's "please choose one of the buttons"."""

from __future__ import annotations

import pytest

from tests.bot.test_edges9_one_flow_at_a_time import report_at_the_year
from tests.harness import BotHarness

OPEN_HOURS = {"en": "When is the station open?", "zh": "社工站几点开门？"}


@pytest.mark.parametrize("command", ["/menu", "/start"])
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_menu_mid_report_leaves_it(bot: BotHarness, lang: str, command: str) -> None:
    worker = await report_at_the_year(bot, lang)
    await worker.send(command)
    before = len(worker.messages)
    await worker.send(OPEN_HOURS[lang])
    said = [m.text for m in worker.messages[before:]]
    assert not any("year" in t or "哪一年" in t for t in said), said
    assert any(b.callback_data.startswith("kb:") for b in worker.last.buttons), said
    await worker.send("/report")  # starts at its top again, as a flow of screens does
    assert not worker.last_text.startswith(("You have an unfinished", "您之前有"))
