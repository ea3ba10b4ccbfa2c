"""The request lifecycle rules: submit, accept, start, complete, decline, cancel, rate."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from db.models import RequestEvent, ServiceRequest
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import consent, people, requests, staff
from services.errors import InvalidValue, NotAllowed, NotFound
from services.people import Access
from services.requests import (
    ACCEPTED,
    CANCELLED,
    COMPLETED,
    DECLINED,
    IN_PROGRESS,
    STATUSES,
    SUBMITTED,
    TRANSITIONS,
    AlreadyRated,
    AlreadyTaken,
    IllegalTransition,
    OpenLimitReached,
    check_transition,
)

SERVICES = load_knowledge().services.codes
_ids = itertools.count(700_001)
_tokens = itertools.count(1)


async def person(
    database: Database, now: datetime, *, role: str | None = None, station: str | None = None,
    name: str = "某人", consented: bool = True,
) -> Access:  # fmt: skip
    tg_id = next(_ids)
    if role:
        async with database.uow() as uow:
            await staff.grant_directly(
                uow, tg_id=tg_id, role=role, station_code=station, now=now, display_name=name
            )
    async with database.uow() as uow:
        access = await people.access_for(uow, tg_id=tg_id, now=now, display_name=name)
    if consented:
        async with database.uow() as uow:
            await consent.give(uow, person_id=access.person_id, now=now)
    return access


async def submit(database: Database, now: datetime, resident: Access, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "resident_id": resident.person_id,
        "station_code": "jiangnan",
        "service_code": "elderly_care",
        "for_whom": "family",
        "age_group": "80_plus",
        "description": "妈妈一个人在家，需要有人上门看看",
        "phone": "13800138000",
        "preferred_time": "weekday_morning",
        "urgent": False,
        "client_token": f"draft-{next(_tokens)}",
        "known_services": SERVICES,
        "open_limit": 3,
        "now": now,
    }
    values.update(overrides)
    async with database.uow() as uow:
        return await requests.submit(uow, **values)


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


async def test_submit_gives_station_references_in_order(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan", name="李社工")
    first = await submit(database, now, resident)
    second = await submit(database, now, resident, station_code="xicheng")
    third = await submit(database, now, resident)
    assert (first.request.ref, second.request.ref, third.request.ref) == (
        "JN-0001", "XC-0001", "JN-0002",
    )  # fmt: skip
    assert first.created and first.request.status == SUBMITTED
    assert first.request.phone == "+8613800138000"
    assert [c.person_id for c in first.notify] == [worker.person_id]
    async with database.uow() as uow:
        assert await requests.last_station(uow, person_id=resident.person_id) == "jiangnan"


async def test_the_same_draft_submitted_twice_is_one_request(
    database: Database, now: datetime
) -> None:
    resident = await person(database, now)
    first = await submit(database, now, resident, client_token="same")
    again = await submit(database, now, resident, client_token="same")
    assert again.created is False and again.request.ref == first.request.ref
    assert again.notify == ()
    async with database.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(ServiceRequest))
    assert count == 1


async def test_someone_elses_draft_token_is_refused(database: Database, now: datetime) -> None:
    resident, other = await person(database, now), await person(database, now)
    await submit(database, now, resident, client_token="mine")
    with pytest.raises(NotAllowed):
        await submit(database, now, other, client_token="mine")


async def test_open_limit_per_station(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    for _ in range(3):
        await submit(database, now, resident)
    with pytest.raises(OpenLimitReached) as raised:
        await submit(database, now, resident)
    assert raised.value.limit == 3
    await submit(database, now, resident, station_code="xicheng")  # another station is fine
    async with database.uow() as uow:
        mine = await requests.for_resident(uow, resident_id=resident.person_id)
    async with database.uow() as uow:
        await requests.cancel(uow, request_id=mine[-1].id, resident_id=resident.person_id, now=now)
    await submit(database, now, resident)  # a closed one frees a place


async def test_submit_needs_consent(database: Database, now: datetime) -> None:
    resident = await person(database, now, consented=False)
    with pytest.raises(consent.ConsentRequired):
        await submit(database, now, resident)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("station_code", "atlantis", "unknown"),
        ("service_code", "haircut", "unknown"),
        ("for_whom", "dog", "unknown"),
        ("age_group", "80_plus", "unknown"),  # with for_whom=child below
        ("description", "   ", "empty"),
        ("description", "x" * 1001, "too_long"),
        ("phone", "12345", "format"),
        ("phone", "+14155552671", "not_mainland"),
        ("preferred_time", "midnight", "unknown"),
    ],
)
async def test_submit_refuses_bad_values(
    database: Database, now: datetime, field: str, value: str, reason: str
) -> None:
    resident = await person(database, now)
    extra = {"for_whom": "child"} if field == "age_group" else {}
    with pytest.raises(InvalidValue) as raised:
        await submit(database, now, resident, **{field: value, **extra})
    assert raised.value.reason == reason


async def test_description_is_stored_as_typed(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    text = "  <b>妈妈</b> & *爸爸* _急_ 🙏  "
    made = await submit(database, now, resident, description=text)
    assert made.request.description == text


async def test_happy_path_with_events(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan", name="李社工")
    made = (await submit(database, now, resident)).request
    later = now + timedelta(hours=1)
    async with database.uow() as uow:
        accepted = await requests.accept(uow, request_id=made.id, actor=worker, now=later)
    assert accepted.status == ACCEPTED and accepted.assignee_name == "李社工"
    async with database.uow() as uow:
        await requests.start(uow, request_id=made.id, actor=worker, now=later)
    async with database.uow() as uow:
        done = await requests.complete(
            uow, request_id=made.id, actor=worker, note="上门探访一次", now=later
        )
    assert done.status == COMPLETED and done.completion_note == "上门探访一次"
    async with database.uow() as uow:
        rated = await requests.rate(
            uow, request_id=made.id, resident_id=resident.person_id, rating=5, now=later
        )
    assert rated.rating == 5
    with pytest.raises(AlreadyRated):
        async with database.uow() as uow:
            await requests.rate(
                uow, request_id=made.id, resident_id=resident.person_id, rating=1, now=later
            )
    async with database.uow() as uow:
        commented = await requests.add_comment(
            uow, request_id=made.id, resident_id=resident.person_id, comment="谢谢！", now=later
        )
    assert commented.rating_comment == "谢谢！"
    async with database.uow() as uow:
        seen = await requests.detail(uow, request_id=made.id, actor=worker)
    assert [(e.from_status, e.to_status) for e in seen.events] == [
        (None, SUBMITTED), (SUBMITTED, ACCEPTED), (ACCEPTED, IN_PROGRESS),
        (IN_PROGRESS, COMPLETED),
    ]  # fmt: skip
    assert seen.events[1].actor_name == "李社工"
    assert seen.events[-1].note == "上门探访一次"


async def test_the_first_to_accept_owns_it(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    first = await person(database, now, role="worker", station="jiangnan", name="李社工")
    second = await person(database, now, role="worker", station="jiangnan", name="王社工")
    made = (await submit(database, now, resident)).request
    async with database.uow() as uow:
        await requests.accept(uow, request_id=made.id, actor=first, now=now)
    with pytest.raises(AlreadyTaken) as raised:
        async with database.uow() as uow:
            await requests.accept(uow, request_id=made.id, actor=second, now=now)
    assert raised.value.holder_name == "李社工" and not raised.value.by_you
    with pytest.raises(AlreadyTaken) as raised:
        async with database.uow() as uow:
            await requests.accept(uow, request_id=made.id, actor=first, now=now)
    assert raised.value.by_you
    with pytest.raises(AlreadyTaken):  # only the assignee moves it on
        async with database.uow() as uow:
            await requests.start(uow, request_id=made.id, actor=second, now=now)


async def test_hand_over_to_a_colleague(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    first = await person(database, now, role="worker", station="jiangnan", name="李社工")
    second = await person(database, now, role="worker", station="jiangnan", name="王社工")
    outsider = await person(database, now, role="worker", station="xicheng")
    made = (await submit(database, now, resident)).request
    async with database.uow() as uow:
        await requests.accept(uow, request_id=made.id, actor=first, now=now)
    async with database.uow() as uow:
        names = [
            c.name for c in await requests.handover_candidates(uow, request_id=made.id, actor=first)
        ]
    assert names == ["王社工"]
    with pytest.raises(InvalidValue):
        async with database.uow() as uow:
            await requests.hand_over(
                uow, request_id=made.id, actor=first, to_person_id=outsider.person_id, now=now
            )
    async with database.uow() as uow:
        moved = await requests.hand_over(
            uow, request_id=made.id, actor=first, to_person_id=second.person_id, now=now
        )
    assert moved.assignee_name == "王社工" and moved.status == ACCEPTED
    async with database.uow() as uow:
        await requests.start(uow, request_id=made.id, actor=second, now=now)


async def test_station_head_may_act_on_any_request_of_the_station(
    database: Database, now: datetime
) -> None:
    resident = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan")
    head = await person(database, now, role="station_head", station="jiangnan")
    made = (await submit(database, now, resident)).request
    async with database.uow() as uow:
        await requests.accept(uow, request_id=made.id, actor=worker, now=now)
    async with database.uow() as uow:
        declined = await requests.decline(
            uow, request_id=made.id, actor=head, reason="不在服务范围", now=now
        )
    assert declined.status == DECLINED and declined.decline_reason == "不在服务范围"


@pytest.mark.parametrize("role", ["worker", "station_head", "supervisor", "admin"])
async def test_staff_of_another_station_cannot_see_or_touch(
    database: Database, now: datetime, role: str
) -> None:
    resident = await person(database, now)
    station = None if role == "admin" else "xicheng"
    outsider = await person(database, now, role=role, station=station)
    made = (await submit(database, now, resident)).request
    for action in (requests.detail, requests.handover_candidates):
        with pytest.raises(NotAllowed):
            async with database.uow() as uow:
                await action(uow, request_id=made.id, actor=outsider)
    for move in (requests.accept, requests.start):
        with pytest.raises(NotAllowed):
            async with database.uow() as uow:
                await move(uow, request_id=made.id, actor=outsider, now=now)
    with pytest.raises(NotAllowed):
        async with database.uow() as uow:
            await requests.decline(uow, request_id=made.id, actor=outsider, reason="x", now=now)
    async with database.uow() as uow:
        listed, total = await requests.list_for_staff(uow, actor=outsider, statuses=STATUSES)
        counts = await requests.counts_for_staff(uow, actor=outsider)
    assert listed == [] and total == 0 and sum(counts.values()) == 0


async def test_residents_see_and_cancel_only_their_own(database: Database, now: datetime) -> None:
    resident, other = await person(database, now), await person(database, now)
    made = (await submit(database, now, resident)).request
    with pytest.raises(NotFound):
        async with database.uow() as uow:
            await requests.cancel(uow, request_id=made.id, resident_id=other.person_id, now=now)
    with pytest.raises(NotFound):
        async with database.uow() as uow:
            await requests.resident_request(uow, request_id=made.id, resident_id=other.person_id)
    async with database.uow() as uow:
        cancelled = await requests.cancel(
            uow, request_id=made.id, resident_id=resident.person_id, now=now
        )
    assert cancelled.status == CANCELLED
    with pytest.raises(IllegalTransition):
        async with database.uow() as uow:
            await requests.cancel(uow, request_id=made.id, resident_id=resident.person_id, now=now)


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (SUBMITTED, IN_PROGRESS),
        (SUBMITTED, COMPLETED),
        (ACCEPTED, COMPLETED),
        (ACCEPTED, SUBMITTED),
        (IN_PROGRESS, ACCEPTED),
        (COMPLETED, CANCELLED),
        (COMPLETED, DECLINED),
        (DECLINED, ACCEPTED),
        (CANCELLED, ACCEPTED),
        (CANCELLED, CANCELLED),
        ("nonsense", ACCEPTED),
    ],
)
def test_illegal_transitions_raise(start: str, to: str) -> None:
    with pytest.raises(IllegalTransition):
        check_transition(start, to)


LEGAL = [
    (SUBMITTED, ACCEPTED), (SUBMITTED, DECLINED), (SUBMITTED, CANCELLED),
    (ACCEPTED, IN_PROGRESS), (ACCEPTED, DECLINED), (ACCEPTED, CANCELLED),
    (IN_PROGRESS, COMPLETED), (IN_PROGRESS, DECLINED), (IN_PROGRESS, CANCELLED),
]  # fmt: skip


@pytest.mark.parametrize(("start", "to"), LEGAL)
def test_legal_transitions_pass(start: str, to: str) -> None:
    assert check_transition(start, to) is None  # no IllegalTransition
    assert to in TRANSITIONS[start]


def test_the_legal_list_is_the_whole_diagram() -> None:
    """Every move the lifecycle allows is in LEGAL, and nothing else."""
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == set(LEGAL)


async def test_illegal_moves_on_stored_requests_change_nothing(
    database: Database, now: datetime
) -> None:
    resident = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan")
    made = (await submit(database, now, resident)).request
    with pytest.raises(IllegalTransition):
        async with database.uow() as uow:
            await requests.start(uow, request_id=made.id, actor=worker, now=now)
    with pytest.raises(IllegalTransition):
        async with database.uow() as uow:
            await requests.complete(uow, request_id=made.id, actor=worker, note="x", now=now)
    with pytest.raises(IllegalTransition):
        async with database.uow() as uow:
            await requests.rate(
                uow, request_id=made.id, resident_id=resident.person_id, rating=5, now=now
            )
    async with database.uow() as uow:
        await requests.cancel(uow, request_id=made.id, resident_id=resident.person_id, now=now)
    with pytest.raises(IllegalTransition):
        async with database.uow() as uow:
            await requests.accept(uow, request_id=made.id, actor=worker, now=now)
    async with database.uow() as uow:
        events = await uow.session.scalar(
            select(func.count()).select_from(RequestEvent).where(RequestEvent.request_id == made.id)
        )
    assert events == 2  # submitted, cancelled


async def test_complete_and_decline_need_a_note(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan")
    made = (await submit(database, now, resident)).request
    with pytest.raises(InvalidValue):
        async with database.uow() as uow:
            await requests.decline(uow, request_id=made.id, actor=worker, reason=" ", now=now)
    async with database.uow() as uow:
        await requests.accept(uow, request_id=made.id, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.start(uow, request_id=made.id, actor=worker, now=now)
    with pytest.raises(InvalidValue):
        async with database.uow() as uow:
            await requests.complete(uow, request_id=made.id, actor=worker, note="y" * 1001, now=now)


async def test_staff_lists_put_urgent_first(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan")
    plain = (await submit(database, now, resident)).request
    urgent = (await submit(database, now + timedelta(minutes=5), resident, urgent=True)).request
    async with database.uow() as uow:
        listed, total = await requests.list_for_staff(uow, actor=worker, statuses=(SUBMITTED,))
        counts = await requests.counts_for_staff(uow, actor=worker)
    assert [r.id for r in listed] == [urgent.id, plain.id] and total == 2
    assert counts[SUBMITTED] == 2


async def test_erased_requests_hide_personal_fields(database: Database, now: datetime) -> None:
    resident = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan")
    made = (await submit(database, now, resident)).request
    async with database.uow() as uow:
        row = await uow.session.get(ServiceRequest, made.id)
        assert row is not None
        row.erased, row.description, row.phone = True, None, None
        await uow.commit()
    async with database.uow() as uow:
        seen = await requests.detail(uow, request_id=made.id, actor=worker)
    assert seen.erased and seen.description is None and seen.phone is None
