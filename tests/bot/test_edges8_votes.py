"""👍 / 👎 pressed twice quickly (edges8): the second tap, arriving before the row is taken
away, is not a second vote."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import KbFeedback
from tests.harness import BotHarness


@pytest.mark.parametrize("second", ["up", "dn"])
async def test_a_double_tap_on_a_vote_counts_once(bot: BotHarness, second: str) -> None:
    resident = await bot.person(lang="en")
    await resident.send("how much do the station's services cost")
    answer = resident.last_with_buttons()
    up = next(
        b.callback_data for b in answer.buttons if (b.callback_data or "").startswith("kb:up:")
    )
    await resident.press_data(up, message=answer)
    # The second tap of the same finger, sent before the edit taking the row away arrived.
    await resident.press_data(up.replace("kb:up", f"kb:{second}"), message=answer)
    async with bot.database.uow() as uow:
        kinds = (await uow.session.scalars(select(KbFeedback.kind))).all()
    assert kinds == ["up"]


async def test_votes_for_two_answers_under_one_question_both_count(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("how much do the station's services cost")
    answer = resident.last_with_buttons()
    up = next(
        b.callback_data for b in answer.buttons if (b.callback_data or "").startswith("kb:up:")
    )
    await resident.press_data(up)
    related = next(
        b.callback_data for b in answer.buttons if (b.callback_data or "").startswith("kb:show:")
    )
    await resident.press_data(related, message=answer)
    shown = resident.last_with_buttons()
    up2 = next(
        b.callback_data for b in shown.buttons if (b.callback_data or "").startswith("kb:up:")
    )
    assert up2 != up
    await resident.press_data(up2, message=shown)
    async with bot.database.uow() as uow:
        entries = (await uow.session.scalars(select(KbFeedback.entry_id))).all()
    assert len(entries) == 2 and len(set(entries)) == 2
