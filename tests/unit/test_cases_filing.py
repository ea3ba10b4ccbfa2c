"""A completed request filed as a service record of the person's case (one unit of work, once
per request, only by the case's worker or head), the notes a referral and a closing need, and
the readers of a person's case as /mydata lists them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from db.models import ActivityLog, CaseEvent, CaseRecord, RecordFieldValue
from db.uow import Database
from services import cases, privacy, requests
from services.entry_window import DateRefused
from services.errors import InvalidValue, NotAllowed, NotFound
from services.people import Access
from tests.conftest import SHANGHAI
from tests.unit.test_cases import (
    CATALOG,
    KNOWLEDGE,
    call,
    open_case,
    person,
    record,
    register,
    token,
)


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


@pytest.fixture
async def team(database: Database, now: datetime) -> dict[str, Access]:
    """Jiangnan's two workers, head and supervisor; a worker and the head of Xicheng."""
    roles = {
        "worker": ("worker", "jiangnan", "王社工"), "colleague": ("worker", "jiangnan", "李社工"),
        "head": ("station_head", "jiangnan", "张站长"),
        "supervisor": ("supervisor", "jiangnan", "陈督导"),
        "other": ("worker", "xicheng", "赵社工"), "other_head": ("station_head", "xicheng", "钱站长"),
    }  # fmt: skip
    return {
        key: await person(database, now, roles=((role, station),), name=name)
        for key, (role, station, name) in roles.items()
    }


async def completed_walk_in(
    database: Database, now: datetime, worker: Access, note: str = "上门两次，已陪同就医"
) -> int:
    done = await register(database, now, worker, take_it=True)
    request_id = int(done.request.id)
    async with database.uow() as uow:
        await requests.start(uow, request_id=request_id, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.complete(uow, request_id=request_id, actor=worker, note=note, now=now)
    return request_id


async def file(database: Database, now: datetime, actor: Access, **values: Any) -> Any:
    values.setdefault("minutes", 90)
    values.setdefault("client_token", token())
    async with database.uow() as uow:
        return await cases.file_request(
            uow, actor=actor, catalog=CATALOG, templates=KNOWLEDGE.record_templates,
            rules=KNOWLEDGE.record_rules, now=now, zone=SHANGHAI, **values,
        )  # fmt: skip


async def offered(database: Database, now: datetime, actor: Access, request_id: int) -> list[int]:
    async with database.uow() as uow:
        found = await cases.cases_to_file(
            uow, actor=actor, request_id=request_id, catalog=CATALOG, now=now, zone=SHANGHAI
        )
    return [c.id for c in found]


async def counts(database: Database) -> tuple[int, int, int]:
    async with database.uow() as uow:
        return (
            int(await uow.session.scalar(select(func.count()).select_from(ActivityLog)) or 0),
            int(await uow.session.scalar(select(func.count()).select_from(CaseRecord)) or 0),
            int(await uow.session.scalar(select(func.count()).select_from(CaseEvent)) or 0),
        )


async def test_a_completed_request_is_filed_once_as_a_service_record(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    done = await register(database, now, worker, take_it=True)
    request_id = int(done.request.id)
    case = await open_case(database, now, worker, request_id=request_id)
    assert await offered(database, now, worker, request_id) == []  # not completed yet
    with pytest.raises(cases.RequestNotCompleted):
        await file(database, now, worker, case_id=case.id, request_id=request_id)
    async with database.uow() as uow:
        await requests.start(uow, request_id=request_id, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.complete(
            uow, request_id=request_id, actor=worker, note="已陪同就医", now=now
        )
    await call(database, "set_next_contact", actor=worker, case_id=case.id, on=None,
               every_days=7, now=now)  # fmt: skip
    assert await offered(database, now, worker, request_id) == [case.id]
    assert await offered(database, now, team["colleague"], request_id) == []  # not theirs
    assert await offered(database, now, team["head"], request_id) == [case.id]
    with pytest.raises(NotAllowed):
        await offered(database, now, team["other"], request_id)

    later = now + timedelta(days=2)  # filed two days later: dated the day it was completed
    same = token()
    view = await file(database, later, worker, case_id=case.id, request_id=request_id,
                      client_token=same)  # fmt: skip
    again = await file(database, later, worker, case_id=case.id, request_id=request_id,
                       client_token=same)  # fmt: skip
    assert again.id == view.id and len(again.records) == 1  # the same Save twice files once
    [filed] = view.records
    assert (filed.stage, filed.template_code, filed.request_ref, filed.service_code) == (
        "service", "case_record", "JN-0001", "elderly_care",
    )  # fmt: skip
    completed_on = now.astimezone(SHANGHAI).date()
    assert filed.activity_date == completed_on
    assert view.stage == "service" and view.next_contact_on == completed_on + timedelta(days=7)
    assert view.timeline[-1].kind == cases.RECORD
    assert view.timeline[-1].detail["request"] == request_id
    async with database.uow() as uow:
        activity = await uow.session.get(ActivityLog, filed.activity_id)
        assert activity is not None and (activity.minutes, activity.person_times) == (90, 1)
        values = dict(
            (await uow.session.execute(
                select(RecordFieldValue.field_code, RecordFieldValue.value)
                .where(RecordFieldValue.activity_id == activity.id)
            )).all()
        )  # fmt: skip
    assert values == {"case_no": case.number, "session_no": "1", "intervention": "已陪同就医"}

    before = await counts(database)
    with pytest.raises(cases.RequestFiled) as filed_already:  # a second time: refused
        await file(database, later, worker, case_id=case.id, request_id=request_id)
    assert filed_already.value.number == case.number
    other_case = await open_case(database, now, worker)  # another person's case
    with pytest.raises(NotAllowed):
        await file(database, later, worker, case_id=other_case.id, request_id=request_id)
    assert await offered(database, later, worker, request_id) == []
    assert (await counts(database))[:2] == before[:2]


async def test_filing_is_refused_to_others_and_to_wrong_values(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    request_id = await completed_walk_in(database, now, worker)
    case = await open_case(database, now, worker, request_id=request_id)
    before = await counts(database)
    for who in (team["colleague"], team["supervisor"], team["other"], team["other_head"]):
        with pytest.raises(NotAllowed):
            await file(database, now, who, case_id=case.id, request_id=request_id)
    with pytest.raises(NotFound):
        await file(database, now, worker, case_id=case.id, request_id=999_999)
    with pytest.raises(NotFound):
        await file(database, now, worker, case_id=999_999, request_id=request_id)
    with pytest.raises(InvalidValue):
        await file(database, now, worker, case_id=case.id, request_id=request_id, minutes=5)
    with pytest.raises(DateRefused):  # the completion day left the late-entry window
        await file(database, now + timedelta(days=60), worker, case_id=case.id,
                   request_id=request_id)  # fmt: skip
    assert await counts(database) == before
    view = await file(database, now, team["head"], case_id=case.id, request_id=request_id)
    assert [r.stage for r in view.records] == ["service"]


async def test_a_residents_request_is_offered_to_their_open_case(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    resident = await person(database, now, name="刘阿姨", consented=True)
    first = await _submit(database, now, resident)
    second = await _submit(database, now, resident)
    case = await open_case(database, now, worker, request_id=first, client_name="刘阿姨",
                           consent_given=False)  # fmt: skip
    async with database.uow() as uow:
        await requests.accept(uow, request_id=second, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.start(uow, request_id=second, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.complete(uow, request_id=second, actor=worker, note="送餐", now=now)
    assert await offered(database, now, worker, second) == [case.id]  # their case, another request
    stranger = await person(database, now, consented=True)
    theirs = await _submit(database, now, stranger)
    async with database.uow() as uow:
        await requests.accept(uow, request_id=theirs, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.start(uow, request_id=theirs, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.complete(uow, request_id=theirs, actor=worker, note="送餐", now=now)
    assert await offered(database, now, worker, theirs) == []  # another person's: no case


async def _submit(database: Database, now: datetime, resident: Access) -> int:
    async with database.uow() as uow:
        submitted = await requests.submit(
            uow, resident_id=resident.person_id, station_code="jiangnan",
            service_code="elderly_care", for_whom="myself", age_group="60_79",
            description="想请人上门", phone="13800138000", preferred_time="any", urgent=False,
            client_token=token(), known_services=KNOWLEDGE.services.codes, open_limit=3, now=now,
        )  # fmt: skip
    return int(submitted.request.id)


async def test_referrals_and_closing_need_a_note(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    case = await open_case(database, now, worker)
    for name, values in (
        ("refer_to_station", {"to_station": "xicheng"}),
        ("refer_to_agency", {"agency_code": "hospital"}),
    ):
        for note in (None, "   ", "x" * (cases.MAX_NOTE + 1)):
            with pytest.raises(InvalidValue) as refused:
                await call(database, name, actor=worker, case_id=case.id, note=note, now=now,
                           **values)  # fmt: skip
            assert refused.value.field == "note"
    async with database.uow() as uow:
        with pytest.raises(cases.ClosingRecordMissing):
            await cases.check_change(uow, actor=worker, case_id=case.id, closing=True,
                                     catalog=CATALOG)  # fmt: skip
        with pytest.raises(NotAllowed):
            await cases.check_change(uow, actor=team["other"], case_id=case.id, closing=False,
                                     catalog=CATALOG)  # fmt: skip
        assert (
            await cases.check_change(
                uow, actor=worker, case_id=case.id, closing=False, catalog=CATALOG
            )
            == case.number
        )
    closing = await record(database, now, worker, "case_closing")
    await call(database, "link_record", actor=worker, case_id=case.id, activity_id=closing,
               now=now)  # fmt: skip
    with pytest.raises(InvalidValue):
        await call(database, "close", actor=worker, case_id=case.id, note="", now=now)
    view = await call(database, "refer_to_agency", actor=worker, case_id=case.id,
                      agency_code="hospital", note="市人民医院康复科：需要康复训练", now=now)  # fmt: skip
    assert view.timeline[-1].note == "市人民医院康复科：需要康复训练"
    assert view.agency_referrals[-1].note == "市人民医院康复科：需要康复训练"
    view = await call(database, "close", actor=worker, case_id=case.id, note="目标达成", now=now)
    assert (view.status, view.timeline[-1].kind, view.timeline[-1].note) == (
        cases.CLOSED, cases.CLOSED_EVENT, "目标达成",
    )  # fmt: skip


async def test_the_summary_lists_case_readers_newest_first(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, head = team["worker"], team["head"]
    resident = await person(database, now, name="刘阿姨", consented=True)
    request_id = await _submit(database, now, resident)
    case = await open_case(database, now, worker, request_id=request_id, client_name="刘阿姨",
                           consent_given=False)  # fmt: skip
    for minutes, who in ((1, worker), (2, head), (3, worker)):
        await call(database, "detail", actor=who, case_id=case.id,
                   now=now + timedelta(minutes=minutes))  # fmt: skip
    async with database.uow() as uow:
        held = await privacy.summary(uow, tg_id=resident.tg_id, zone=SHANGHAI)
    assert [(r.name, r.roles, r.at) for r in held.case_reads] == [
        ("王社工", ("worker",), (now + timedelta(minutes=3)).astimezone(SHANGHAI)),
        ("张站长", ("station_head",), (now + timedelta(minutes=2)).astimezone(SHANGHAI)),
        ("王社工", ("worker",), (now + timedelta(minutes=1)).astimezone(SHANGHAI)),
    ]
    assert {r.case_number for r in held.case_reads} == {case.number}
    stranger = await person(database, now, consented=True)
    async with database.uow() as uow:
        assert (await privacy.summary(uow, tg_id=stranger.tg_id, zone=SHANGHAI)).case_reads == ()
