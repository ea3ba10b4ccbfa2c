"""A step is on record as soon as it has been handled, not up to 2 seconds later: a kill -9
right after a person's press loses nothing (before, PTB wrote persistence every 2 seconds)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import PersistedState
from db.uow import Database
from tests.harness import BotHarness


async def _on_record(database: Database) -> dict[str, object]:
    async with database.uow() as uow:
        rows = (await uow.session.execute(select(PersistedState.kind, PersistedState.data))).all()
    return {kind: data for kind, data in rows if kind.startswith("conversation:")}


async def test_the_conversation_step_is_written_when_it_changes(
    bot: BotHarness, database: Database
) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    first = await _on_record(database)
    assert first, "the conversation's first step is not on record yet"
    await admin.press("inv:role:worker")
    second = await _on_record(database)
    assert second != first  # the next step, at once
    await admin.press("inv:st:jiangnan")
    assert await _on_record(database) == {}  # the conversation ended: its row is gone
