"""`services.questions`: a staff member's unanswered question is not handed to a station; it
is kept as a knowledge-base gap (session 10)."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from db.uow import Database
from services import questions
from services.errors import NotAllowed
from tests.unit.test_questions_service import CODES, person


async def test_staff_do_not_hand_off_but_their_question_is_a_gap(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    worker = await person(database, 2, now, "worker", "jiangnan")
    resident = await person(database, 1, now)
    assert questions.passes_to_station(resident) and not questions.passes_to_station(worker)
    async with database.uow() as uow:
        with pytest.raises(NotAllowed):
            await questions.hand_off(
                uow, actor=worker, person_id=worker.person_id, text="明天开会吗", lang="zh",
                station_code="jiangnan", station_codes=CODES, unrecorded=True, now=now,
            )  # fmt: skip
    async with database.uow() as uow:
        await questions.record_staff_gap(uow, actor=worker, text="明天开会吗", lang="zh", now=now)
    async with database.uow() as uow:
        assert [g.unmatched for g in await questions.gaps(uow, now=now)] == [1]
        assert await questions.unanswered_count(uow, ["jiangnan"]) == 0
        with pytest.raises(NotAllowed):
            await questions.record_staff_gap(uow, actor=resident, text="x", lang="zh", now=now)
