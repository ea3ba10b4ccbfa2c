"""services.questions on an in-memory database: hand-off, replies, gaps, export and erase."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import FixedClock
from db.uow import Database
from services import people, questions, staff
from services.errors import Conflict, InvalidValue, NotAllowed
from services.people import Access

CODES = ("jiangnan", "xicheng", "gushan")


async def person(database: Database, tg_id: int, now: datetime, role: str | None = None,
                 station: str | None = None) -> Access:  # fmt: skip
    if role:
        async with database.uow() as uow:
            await staff.grant_directly(
                uow, tg_id=tg_id, role=role, station_code=station, now=now, display_name="工"
            )
    async with database.uow() as uow:
        return await people.access_for(uow, tg_id=tg_id, now=now, display_name=f"人{tg_id}")


async def ask(database: Database, who: Access, now: datetime, station: str = "jiangnan",
              text: str = "我家老人需要帮忙", admins: tuple[int, ...] = ()) -> questions.QuestionCreated:  # fmt: skip
    async with database.uow() as uow:
        return await questions.ask_station(
            uow, person_id=who.person_id, station_code=station, station_codes=CODES,
            text=text, lang="zh", now=now, admin_tg_ids=admins,
        )  # fmt: skip


async def test_a_question_goes_to_the_station_workers_and_remembers_the_station(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    await person(database, 2, now, "worker", "jiangnan")
    await person(database, 3, now, "worker", "xicheng")
    created = await ask(database, resident, now)
    assert created.recipients == questions.Recipients((2,), "worker")
    assert created.asker_name == "人1"
    async with database.uow() as uow:
        assert await questions.station_of(uow, person_id=resident.person_id) == "jiangnan"
        assert await questions.unanswered_count(uow, ["jiangnan"]) == 1
        assert await questions.unanswered_count(uow, ["xicheng"]) == 0


async def test_no_worker_then_the_head_then_the_admins(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    created = await ask(database, resident, now, station="gushan", admins=(99,))
    assert created.recipients == questions.Recipients((), "nobody")  # 99 never started
    assert created.recipients.nobody
    await person(database, 99, now)  # the administrator opens the bot
    created = await ask(database, resident, now, station="gushan", admins=(99,))
    assert created.recipients == questions.Recipients((99,), "admin")
    await person(database, 4, now, "station_head", "gushan")
    created = await ask(database, resident, now, station="gushan", admins=(99,))
    assert created.recipients == questions.Recipients((4,), "station_head")


async def test_bad_questions_are_refused(database: Database, clock: FixedClock) -> None:
    resident = await person(database, 1, clock.now())
    with pytest.raises(InvalidValue):
        await ask(database, resident, clock.now(), station="atlantis")
    with pytest.raises(InvalidValue):
        await ask(database, resident, clock.now(), text="   ")
    with pytest.raises(InvalidValue):
        await ask(database, resident, clock.now(), text="字" * 3501)


async def test_replies_go_both_ways(database: Database, clock: FixedClock) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    worker = await person(database, 2, now, "worker", "jiangnan")
    await person(database, 5, now, "worker", "jiangnan")
    created = await ask(database, resident, now)
    async with database.uow() as uow:
        sent = await questions.reply(
            uow, question_id=created.id, access=worker, text="明天上门", now=now
        )
    assert sent.from_staff and sent.recipients.tg_ids == (1,)
    assert sent.question.status == questions.ANSWERED
    async with database.uow() as uow:
        back = await questions.reply(
            uow, question_id=created.id, access=resident, text="好的谢谢", now=now
        )
    # The resident's answer goes to the worker who replied, not to every worker.
    assert not back.from_staff and back.recipients.tg_ids == (2,)
    assert back.question.status == questions.OPEN


async def test_only_the_station_may_reply_and_closed_is_closed(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    other = await person(database, 3, now, "worker", "xicheng")
    stranger = await person(database, 6, now)
    created = await ask(database, resident, now)
    for who in (other, stranger):
        async with database.uow() as uow:
            with pytest.raises(NotAllowed):
                await questions.reply(uow, question_id=created.id, access=who, text="x", now=now)
    async with database.uow() as uow:
        await questions.close(uow, question_id=created.id, access=resident, now=now)
    async with database.uow() as uow:
        with pytest.raises(Conflict):
            await questions.close(uow, question_id=created.id, access=resident, now=now)
    async with database.uow() as uow:
        with pytest.raises(Conflict):
            await questions.for_reply(uow, question_id=created.id, access=resident)
        assert await questions.unanswered_count(uow, ["jiangnan"]) == 0


async def test_gaps_group_the_same_question_and_count(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    async with database.uow() as uow:
        for kind, query in [
            (questions.UNMATCHED, "天气怎么样"),
            (questions.UNMATCHED, "天气怎么样"),
            (questions.DOWN, "天气怎么样"),
            (questions.UNMATCHED, "护照"),
        ]:
            await questions.record_feedback(
                uow, kind=kind, person_id=resident.person_id, lang="zh", now=now, query=query,
                entry_id="station_hours" if kind == questions.DOWN else None,
            )  # fmt: skip
        await questions.record_feedback(
            uow, kind=questions.UP, person_id=resident.person_id, lang="zh", now=now,
            query="secret", entry_id="station_hours",
        )  # fmt: skip
        await questions.record_feedback(
            uow, kind=questions.UNMATCHED, person_id=None, lang="zh",
            now=now - timedelta(days=120), query="很久以前",
        )  # fmt: skip
        found = await questions.gaps(uow, now=now)
        votes = await questions.votes(uow, now=now)
    assert [(g.query, g.count, g.unmatched, g.disliked) for g in found] == [
        ("天气怎么样", 3, 2, 1),
        ("护照", 1, 1, 0),
    ]
    assert votes == [questions.EntryVotes("station_hours", 1, 1)]


async def test_export_and_erase(database: Database, clock: FixedClock) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    worker = await person(database, 2, now, "worker", "jiangnan")
    created = await ask(database, resident, now, text="我想问补贴")
    async with database.uow() as unit:
        await questions.reply(unit, question_id=created.id, access=worker, text="可以", now=now)
        await questions.record_feedback(
            unit, kind=questions.UNMATCHED, person_id=resident.person_id, lang="zh", now=now,
            query="补贴问题",
        )  # fmt: skip
    async with database.uow() as unit:
        exported = await questions.export_for_person(unit, person_id=resident.person_id)
    assert exported[0]["text"] == "我想问补贴"
    assert exported[0]["thread"][0]["from"] == "staff"
    assert exported[0]["thread"][0]["text"] == "可以"
    assert exported[1]["kind"] == "unanswered_question" and exported[1]["text"] == "补贴问题"
    async with database.uow() as unit:
        changed = await questions.erase_for_person(unit, person_id=resident.person_id, now=now)
    assert changed == 3
    async with database.uow() as unit:
        exported = await questions.export_for_person(unit, person_id=resident.person_id)
        assert exported == [
            {**exported[0], "text": None, "status": "closed",
             "thread": [{**exported[0]["thread"][0], "text": None}]}
        ]  # fmt: skip
        # The rows survive (the station still asked-and-answered one question); the texts and
        # the gap entry do not.
        assert await questions.gaps(unit, now=now) == []
        assert await questions.unanswered_count(unit, ["jiangnan"]) == 0


async def _hand_off(
    database: Database, who: Access, now: datetime, **kw: object
) -> questions.HandOff:
    args: dict[str, object] = {
        "person_id": who.person_id, "text": "我家老人需要帮忙", "lang": "zh",
        "station_code": None, "station_codes": CODES, "unrecorded": True, "now": now,
    }  # fmt: skip
    args.update(kw)
    async with database.uow() as uow:
        return await questions.hand_off(uow, **args)  # type: ignore[arg-type]


async def test_hand_off_is_one_use_case_in_one_unit_of_work(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    await person(database, 2, now, "worker", "jiangnan")
    # No station known: the gap is recorded, no question yet, the caller asks which station.
    first = await _hand_off(database, resident, now)
    assert first.needs_station and first.recorded
    async with database.uow() as uow:
        assert [g.unmatched for g in await questions.gaps(uow, now=now)] == [1]
    # The station chosen: the question is created, the gap not recorded twice.
    done = await _hand_off(database, resident, now, station_code="jiangnan", unrecorded=False)
    assert done.created is not None and done.created.recipients.tg_ids == (2,)
    # Known station now: a second question goes there at once, recorded as a gap once.
    again = await _hand_off(database, resident, now, text="还有一个问题")
    assert again.created is not None and again.created.station_code == "jiangnan"
    async with database.uow() as uow:
        assert sum(g.unmatched for g in await questions.gaps(uow, now=now)) == 2
        assert await questions.unanswered_count(uow, ["jiangnan"]) == 2


async def test_a_refused_hand_off_stores_nothing(database: Database, clock: FixedClock) -> None:
    now = clock.now()
    resident = await person(database, 1, now)
    with pytest.raises(InvalidValue):
        await _hand_off(database, resident, now, station_code="jiangnan", text="长" * 4000)
    with pytest.raises(InvalidValue):
        await _hand_off(database, resident, now, station_code="atlantis")
    async with database.uow() as uow:
        assert await questions.gaps(uow, now=now) == []  # not even the gap record
        assert await questions.unanswered_count(uow, CODES) == 0
