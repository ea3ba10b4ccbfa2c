"""Case work and walk-ins: registration with the consent given to staff, a case through every
stage, closing and reopening, next contacts, referrals, sign-off, and who may do what."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from db.models import ActivityLog, AuditEntry, Delivery, ServiceRequest, WalkIn
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import (
    activities,
    cases,
    consent,
    people,
    privacy,
    reminders,
    reports,
    requests,
    staff,
    station_figures,
    walk_ins,
)
from services.errors import InvalidValue, NotAllowed, NotFound
from services.people import Access
from tests.conftest import SHANGHAI

ADMIN_VIEW = Access(person_id=0, tg_id=0, language="en", is_admin=True)

KNOWLEDGE = load_knowledge()
CATALOG = KNOWLEDGE.cases
GROUPS = [g.code for g in KNOWLEDGE.served_groups]
_ids = itertools.count(900_001)
_tokens = itertools.count(1)


def token() -> str:
    return f"tok-{next(_tokens)}"


async def person(
    database: Database, now: datetime, *, roles: tuple[tuple[str, str], ...] = (),
    name: str = "某人", consented: bool = False,
) -> Access:  # fmt: skip
    tg_id = next(_ids)
    for role, station in roles:
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


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


@pytest.fixture
async def team(database: Database, now: datetime) -> dict[str, Access]:
    """Jiangnan's two workers, head and supervisor; a worker and the head of Xicheng."""
    return {
        "worker": await person(database, now, roles=(("worker", "jiangnan"),), name="王社工"),
        "colleague": await person(database, now, roles=(("worker", "jiangnan"),), name="李社工"),
        "head": await person(database, now, roles=(("station_head", "jiangnan"),), name="张站长"),
        "supervisor": await person(database, now, roles=(("supervisor", "jiangnan"),), name="陈督导"),
        "other": await person(database, now, roles=(("worker", "xicheng"),), name="赵社工"),
        "other_head": await person(database, now, roles=(("station_head", "xicheng"),), name="钱站长"),
        "other_supervisor": await person(database, now, roles=(("supervisor", "xicheng"),), name="孙督导"),
    }  # fmt: skip


async def register(database: Database, now: datetime, actor: Access, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor": actor,
        "station_code": "jiangnan",
        "source": "walk_in",
        "service_code": "elderly_care",
        "for_whom": "neighbour",
        "age_group": "80_plus",
        "description": "邻居老人独居，腿脚不便，需要上门看看",
        "resident_name": "刘奶奶",
        "phone": "13800138000",
        "village": "城西村",
        "address": "城西村12号",
        "preferred_time": "any",
        "urgent": False,
        "consent_given": True,
        "take_it": False,
        "client_token": token(),
        "known_services": KNOWLEDGE.services.codes,
        "catalog": CATALOG,
        "now": now,
    }
    values.update(overrides)
    async with database.uow() as uow:
        return await walk_ins.register(uow, **values)


async def open_case(database: Database, now: datetime, actor: Access, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "actor": actor,
        "station_code": "jiangnan",
        "request_id": None,
        "client_name": "刘奶奶",
        "age_group": "80_plus",
        "groups": ["elderly", "disabled"],
        "address": "城西村12号",
        "risk_level": "medium",
        "worker_id": None,
        "consent_given": True,
        "client_token": token(),
        "catalog": CATALOG,
        "group_codes": GROUPS,
        "now": now,
        "zone": SHANGHAI,
    }
    values.update(overrides)
    async with database.uow() as uow:
        return await cases.open_case(uow, **values)


async def record(
    database: Database, now: datetime, worker: Access, template: str, *, day: date | None = None
) -> int:
    async with database.uow() as uow:
        entry = await activities.log_activity(
            uow,
            worker_tg_id=worker.tg_id,
            station_code="jiangnan",
            template_code=template,
            activity_date=day or now.date(),
            minutes=60,
            person_times=1,
            groups={"elderly": 1},
            note=None,
            client_token=token(),
            now=now,
            zone=SHANGHAI,
            templates=KNOWLEDGE.record_templates,
            group_codes=GROUPS,
        )
    return entry.id


async def call(database: Database, name: str, **values: Any) -> Any:
    """One case service call in its own unit of work, with the catalogue and zone filled in."""
    values.setdefault("catalog", CATALOG)
    if name not in ("for_review",):
        values.setdefault("zone", SHANGHAI)
    async with database.uow() as uow:
        return await getattr(cases, name)(uow, **values)


# --- walk-ins ------------------------------------------------------------------------------


async def test_walk_in_is_registered_with_the_consent_given_to_staff(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    done = await register(database, now, team["worker"], phone="138 0013 8000")
    assert done.created
    request = done.request
    assert request.ref == "JN-0001" and request.source == "walk_in"
    assert request.resident_id is None and request.resident_tg_id is None
    assert request.phone == "+8613800138000" and request.status == requests.SUBMITTED
    assert done.walk_in.resident_name == "刘奶奶" and done.walk_in.village == "城西村"
    assert done.walk_in.consent_channel == walk_ins.VERBAL_TO_STAFF
    assert done.walk_in.consent_recorded_by == team["worker"].person_id
    assert done.walk_in.consent_recorded_at == now
    assert done.walk_in.consent_version == consent.VERSION
    # the colleague and not the registering worker hears of it
    assert [c.person_id for c in done.notify] == [team["colleague"].person_id]
    # the same draft twice is the same request
    again = await register(database, now, team["worker"], client_token="tok-same")
    twice = await register(database, now, team["worker"], client_token="tok-same")
    assert not twice.created and twice.request.id == again.request.id


async def test_walk_in_needs_consent_and_valid_values(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    with pytest.raises(consent.ConsentRequired):
        await register(database, now, team["worker"], consent_given=False)
    with pytest.raises(InvalidValue) as bad:
        await register(database, now, team["worker"], source="telegram")
    assert bad.value.field == "source"
    with pytest.raises(InvalidValue):
        await register(database, now, team["worker"], for_whom="stranger")
    with pytest.raises(InvalidValue):
        await register(database, now, team["worker"], resident_name="  ")
    with pytest.raises(NotAllowed):
        await register(database, now, team["other"])  # a worker of another station
    with pytest.raises(NotAllowed):
        await register(database, now, team["supervisor"])
    async with database.uow() as uow:
        assert (await uow.session.scalars(select(ServiceRequest))).all() == []


async def test_walk_in_joins_the_request_lifecycle(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    taken = await register(database, now, team["head"], source="phone", take_it=True)
    assert taken.request.status == requests.ACCEPTED and taken.notify == ()
    assert taken.request.assignee_id == team["head"].person_id
    async with database.uow() as uow:
        started = await requests.start(
            uow, request_id=taken.request.id, actor=team["head"], now=now
        )
    assert started.status == requests.IN_PROGRESS
    async with database.uow() as uow:
        done = await requests.complete(
            uow, request_id=started.id, actor=team["head"], note="已上门", now=now
        )
    assert done.status == requests.COMPLETED
    async with database.uow() as uow:
        staff_list, total = await requests.list_for_staff(
            uow, actor=team["worker"], statuses=[requests.COMPLETED]
        )
    assert total == 1 and staff_list[0].source == "phone"
    async with database.uow() as uow:
        assert await walk_ins.walk_in_for(uow, request_id=done.id, actor=team["worker"])
        with pytest.raises(NotAllowed):
            await walk_ins.walk_in_for(uow, request_id=done.id, actor=team["other"])


async def test_head_erases_a_walk_in_and_its_case(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    done = await register(database, now, team["worker"])
    case = await open_case(
        database, now, team["worker"], request_id=done.request.id, client_name=None, address=None
    )
    assert case.client_name == "刘奶奶" and case.address == "城西村12号"
    async with database.uow() as uow:
        with pytest.raises(NotAllowed):
            await walk_ins.erase(uow, request_id=done.request.id, actor=team["worker"], now=now)
    async with database.uow() as uow:
        assert await walk_ins.erase(uow, request_id=done.request.id, actor=team["head"], now=now)
    async with database.uow() as uow:
        row = await uow.session.get(WalkIn, done.request.id)
        assert row is not None and row.resident_name is None and row.address is None
        request = await uow.session.get(ServiceRequest, done.request.id)
        assert request is not None and request.phone is None and request.erased
    view = await call(database, "detail", actor=team["worker"], case_id=case.id, now=now)
    assert view.erased and view.client_name is None and view.address is None


# --- a case through every stage ------------------------------------------------------------


async def test_a_case_through_every_stage(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    walk_in = await register(database, now, worker, take_it=True)
    case = await open_case(database, now, worker, request_id=walk_in.request.id)
    assert case.number == "JN-C-0001" and case.stage == "intake" and case.is_open
    assert case.request_ref == walk_in.request.ref and case.worker_id == worker.person_id
    assert case.next_step == "intake"
    second = await open_case(database, now, worker)
    assert second.number == "JN-C-0002"  # the case series has its own counter
    assert (await register(database, now, worker)).request.ref == "JN-0002"

    stages = []
    for template in ("case_intake", "case_assess", "case_plan"):
        view = await call(
            database, "link_record", actor=worker, case_id=case.id,
            activity_id=await record(database, now, worker, template), now=now,
        )  # fmt: skip
        stages.append(view.stage)
    assert stages == ["intake", "assessment", "plan"] and view.next_step == "service"
    view = await call(
        database, "set_next_contact", actor=worker, case_id=case.id, on=None, every_days=7,
        now=now,
    )  # fmt: skip
    assert view.next_contact_on == date(2026, 11, 23) and view.contact_every_days == 7
    # a service record moves "every 7 days" on from its date
    view = await call(
        database, "link_record", actor=worker, case_id=case.id,
        activity_id=await record(database, now, worker, "case_record", day=date(2026, 11, 15)),
        request_id=walk_in.request.id, now=now,
    )  # fmt: skip
    assert view.stage == "service" and view.next_contact_on == date(2026, 11, 22)
    # an outside referral and its outcome, and the referral record
    view = await call(
        database, "refer_to_agency", actor=worker, case_id=case.id, agency_code="hospital",
        note="转介至市人民医院康复科", now=now,
    )  # fmt: skip
    referral = view.agency_referrals[0]
    assert referral.agency_code == "hospital" and referral.outcome is None
    view = await call(
        database, "record_agency_outcome", actor=worker, referral_id=referral.id,
        outcome="accepted", now=now,
    )  # fmt: skip
    assert view.agency_referrals[0].outcome == "accepted"
    view = await call(
        database, "link_record", actor=worker, case_id=case.id,
        activity_id=await record(database, now, worker, "case_referral"), now=now,
    )  # fmt: skip
    assert view.stage == "referral"
    view = await call(
        database, "link_record", actor=worker, case_id=case.id,
        activity_id=await record(database, now, worker, "case_closing"), now=now,
    )  # fmt: skip
    view = await call(
        database, "close", actor=worker, case_id=case.id, note="目标达成", now=now + timedelta(1)
    )
    assert view.status == cases.CLOSED and view.stage == "closing" and not view.is_open
    assert view.next_step == cases.STEP_CLOSED and not view.overdue
    kinds = [e.kind for e in view.timeline]
    assert kinds == [
        cases.OPENED, cases.RECORD, cases.RECORD, cases.RECORD, cases.NEXT_CONTACT,
        cases.RECORD, cases.AGENCY_REFERRAL, cases.AGENCY_OUTCOME, cases.RECORD, cases.RECORD,
        cases.CLOSED_EVENT,
    ]  # fmt: skip
    assert view.timeline[0].detail["consent"] == walk_ins.VERBAL_TO_STAFF
    assert view.timeline[5].detail["request"] == walk_in.request.id
    # records in the order of their dates (the service record was of the day before)
    assert [r.stage for r in view.records] == [
        "service", "intake", "assessment", "plan", "referral", "closing"
    ]  # fmt: skip
    # closed: nothing changes any more
    with pytest.raises(cases.CaseClosed):
        await call(database, "set_risk", actor=worker, case_id=case.id, risk_level="high", now=now)


async def test_records_must_fit_the_case(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    case = await open_case(database, now, worker)
    group = await record(database, now, worker, "group_session")
    with pytest.raises(InvalidValue) as wrong:
        await call(
            database, "link_record", actor=worker, case_id=case.id, activity_id=group, now=now
        )
    assert wrong.value.reason == "not_a_case_record"
    intake = await record(database, now, worker, "case_intake")
    await call(database, "link_record", actor=worker, case_id=case.id, activity_id=intake, now=now)
    other = await open_case(database, now, worker)
    with pytest.raises(cases.RecordAlreadyLinked):
        await call(
            database, "link_record", actor=worker, case_id=other.id, activity_id=intake, now=now
        )
    # a colleague's own record cannot be filed on someone else's case by them
    theirs = await record(database, now, team["colleague"], "case_assess")
    with pytest.raises(cases.NotAssigned):
        await call(
            database, "link_record", actor=team["colleague"], case_id=case.id,
            activity_id=theirs, now=now,
        )  # fmt: skip
    with pytest.raises(InvalidValue):
        await open_case(database, now, worker, risk_level="extreme")
    with pytest.raises(consent.ConsentRequired):
        await open_case(database, now, worker, consent_given=False)


async def test_closing_needs_a_closing_record_and_only_the_head_reopens(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, head = team["worker"], team["head"]
    case = await open_case(database, now, worker)
    with pytest.raises(cases.ClosingRecordMissing):
        await call(database, "close", actor=worker, case_id=case.id, note="目标达成", now=now)
    closing = await record(database, now, worker, "case_closing")
    await call(database, "link_record", actor=worker, case_id=case.id, activity_id=closing, now=now)
    await call(database, "close", actor=worker, case_id=case.id, note="目标达成", now=now)
    for who in (worker, team["supervisor"], team["other_head"]):
        with pytest.raises(NotAllowed):
            await call(database, "reopen", actor=who, case_id=case.id, note=None, now=now)
    later = now + timedelta(hours=2)
    view = await call(database, "reopen", actor=head, case_id=case.id, note="再次求助", now=later)
    assert view.is_open and view.stage == "service" and view.closed_at is None
    with pytest.raises(cases.CaseOpen):
        await call(database, "reopen", actor=head, case_id=case.id, note=None, now=later)
    # the old closing record does not close the reopened case
    with pytest.raises(cases.ClosingRecordMissing):
        await call(database, "close", actor=worker, case_id=case.id, note="目标达成", now=later)
    again = await record(database, later, worker, "case_closing")
    await call(database, "link_record", actor=worker, case_id=case.id, activity_id=again, now=later)
    view = await call(database, "close", actor=worker, case_id=case.id, note="目标达成", now=later)
    assert view.status == cases.CLOSED


async def test_only_the_assigned_worker_or_the_head_changes_a_case(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    case = await open_case(database, now, team["worker"])
    with pytest.raises(cases.NotAssigned):
        await call(
            database, "set_risk", actor=team["colleague"], case_id=case.id, risk_level="high",
            now=now,
        )  # fmt: skip
    view = await call(
        database, "assign", actor=team["head"], case_id=case.id,
        worker_id=team["colleague"].person_id, now=now,
    )  # fmt: skip
    assert view.worker_id == team["colleague"].person_id
    view = await call(
        database, "set_risk", actor=team["colleague"], case_id=case.id, risk_level="high",
        now=now,
    )  # fmt: skip
    assert view.risk_level == "high"
    with pytest.raises(InvalidValue):
        await call(
            database, "assign", actor=team["head"], case_id=case.id,
            worker_id=team["other"].person_id, now=now,
        )  # fmt: skip
    with pytest.raises(InvalidValue):
        await call(
            database, "set_next_contact", actor=team["colleague"], case_id=case.id,
            on=date(2026, 11, 1), every_days=None, now=now,
        )  # fmt: skip


# --- lists and overdue ---------------------------------------------------------------------


async def test_open_cases_are_listed_overdue_first_with_their_next_step(
    database: Database, clock: FixedClock, team: dict[str, Access]
) -> None:
    now = clock.now()
    worker = team["worker"]
    made = {}
    for name, due in (("soon", 20), ("late", 17), ("later", 18), ("none", None)):
        case = await open_case(database, now, worker, client_name=name)
        if due is not None:
            await call(
                database, "set_next_contact", actor=worker, case_id=case.id,
                on=date(2026, 11, due), every_days=None, now=now,
            )  # fmt: skip
        made[name] = case
    colleague_case = await open_case(database, now, team["colleague"], client_name="theirs")
    later = datetime(2026, 11, 19, 10, 0, tzinfo=SHANGHAI)
    listed = await call(database, "list_cases", actor=worker, now=later)
    assert [c.client_name for c in listed] == ["late", "later", "soon", "none"]
    assert [c.overdue_days for c in listed] == [2, 1, 0, 0]
    assert listed[0].next_step == cases.STEP_CONTACT and listed[3].next_step == "intake"
    # the head sees the station's, the other station nothing
    head_list = await call(database, "list_cases", actor=team["head"], now=later)
    assert {c.id for c in head_list} == {c.id for c in made.values()} | {colleague_case.id}
    assert await call(database, "list_cases", actor=team["other"], now=later) == []
    assert await call(database, "list_cases", actor=team["supervisor"], now=later) == []


async def test_reading_a_case_is_audited(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    case = await open_case(database, now, team["worker"])
    await call(database, "detail", actor=team["head"], case_id=case.id, now=now)
    async with database.uow() as uow:
        rows = (
            await uow.session.execute(
                select(AuditEntry.actor_person_id, AuditEntry.subject, AuditEntry.at).where(
                    AuditEntry.action == cases.READ_ACTION
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [(team["head"].person_id, f"case:{case.id}", now)]


# --- referral between stations -------------------------------------------------------------


async def test_referral_to_another_station_moves_the_case_when_accepted(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, other = team["worker"], team["other"]
    case = await open_case(database, now, worker)
    intake = await record(database, now, worker, "case_intake")
    await call(database, "link_record", actor=worker, case_id=case.id, activity_id=intake, now=now)
    with pytest.raises(NotAllowed):  # nothing to accept yet, and not theirs to see
        await call(database, "accept_referral", actor=other, case_id=case.id, now=now)
    view, notify = await call(
        database, "refer_to_station", actor=worker, case_id=case.id, to_station="xicheng",
        note="搬到女儿家", now=now,
    )  # fmt: skip
    assert view.referred_to_station == "xicheng" and view.next_step == cases.STEP_ACCEPT_REFERRAL
    assert [c.person_id for c in notify] == [other.person_id]
    # while it waits nothing else changes, and the receiving station sees it
    with pytest.raises(cases.ReferralPending):
        await call(database, "set_risk", actor=worker, case_id=case.id, risk_level="low", now=now)
    incoming = await call(database, "list_cases", actor=other, now=now)
    assert [c.id for c in incoming] == [case.id]
    seen = await call(database, "detail", actor=other, case_id=case.id, now=now)
    assert seen.client_name == "刘奶奶"
    with pytest.raises(NotAllowed):  # the sending station cannot accept its own referral
        await call(database, "accept_referral", actor=team["colleague"], case_id=case.id, now=now)
    moved = await call(database, "accept_referral", actor=other, case_id=case.id, now=now)
    assert moved.station_code == "xicheng" and moved.worker_id == other.person_id
    assert moved.referred_to_station is None
    assert [r.stage for r in moved.records] == ["intake"]  # the history came along
    assert [e.kind for e in moved.timeline][-2:] == [cases.REFERRED, cases.REFERRAL_ACCEPTED]
    # the old station no longer sees it; the new one works on it
    with pytest.raises(NotAllowed):
        await call(database, "detail", actor=worker, case_id=case.id, now=now)
    view = await call(
        database, "set_risk", actor=other, case_id=case.id, risk_level="high", now=now
    )
    assert view.risk_level == "high"


async def test_a_declined_referral_stays_at_its_station(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    case = await open_case(database, now, team["worker"])
    await call(
        database, "refer_to_station", actor=team["worker"], case_id=case.id,
        to_station="xicheng", note="搬到女儿家", now=now,
    )  # fmt: skip
    view = await call(
        database, "decline_referral", actor=team["other_head"], case_id=case.id, note="不在辖区",
        now=now,
    )  # fmt: skip
    assert view.station_code == "jiangnan" and view.referred_to_station is None
    with pytest.raises(cases.NoReferral):
        await call(database, "accept_referral", actor=team["worker"], case_id=case.id, now=now)
    with pytest.raises(InvalidValue):
        await call(
            database, "refer_to_station", actor=team["worker"], case_id=case.id,
            to_station="jiangnan", note="搬家", now=now,
        )  # fmt: skip


# --- supervisor sign-off -------------------------------------------------------------------


async def test_the_station_supervisor_signs_off_plan_and_closing(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, supervisor = team["worker"], team["supervisor"]
    case = await open_case(database, now, worker)
    intake = await record(database, now, worker, "case_intake")
    view = await call(
        database, "link_record", actor=worker, case_id=case.id, activity_id=intake, now=now
    )
    # before a plan there is nothing to review, so the supervisor does not see the case
    with pytest.raises(NotAllowed):
        await call(database, "detail", actor=supervisor, case_id=case.id, now=now)
    with pytest.raises(InvalidValue):
        await call(database, "sign_off", actor=supervisor, record_id=view.records[0].id, now=now)
    plan = await record(database, now, worker, "case_plan")
    view = await call(
        database, "link_record", actor=worker, case_id=case.id, activity_id=plan, now=now
    )
    plan_record = next(r for r in view.records if r.stage == "plan")
    assert plan_record.needs_sign_off and plan_record.signed_off_at is None
    waiting = await call(database, "for_review", actor=supervisor)
    assert [(w.case_number, w.stage) for w in waiting] == [(case.number, "plan")]
    assert await call(database, "for_review", actor=team["other_supervisor"]) == []
    for who in (team["other_supervisor"], worker, team["head"]):
        with pytest.raises(NotAllowed):
            await call(database, "sign_off", actor=who, record_id=plan_record.id, now=now)
    seen = await call(database, "detail", actor=supervisor, case_id=case.id, now=now)
    assert seen.number == case.number
    view = await call(database, "sign_off", actor=supervisor, record_id=plan_record.id, now=now)
    signed = next(r for r in view.records if r.stage == "plan")
    assert signed.signed_off_by == supervisor.person_id and signed.signed_off_by_name == "陈督导"
    with pytest.raises(cases.AlreadySignedOff):
        await call(database, "sign_off", actor=supervisor, record_id=plan_record.id, now=now)
    assert await call(database, "for_review", actor=supervisor) == []
    # the supervisor reviews, never changes the case
    with pytest.raises(NotAllowed):
        await call(
            database, "set_risk", actor=supervisor, case_id=case.id, risk_level="low", now=now
        )


# --- another station's worker: refused everything, forged ids included ----------------------


async def test_a_worker_of_another_station_is_refused_every_case_operation(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, other = team["worker"], team["other"]
    case = await open_case(database, now, worker)
    plan = await record(database, now, worker, "case_plan")
    view = await call(
        database, "link_record", actor=worker, case_id=case.id, activity_id=plan, now=now
    )
    await call(
        database, "refer_to_agency", actor=worker, case_id=case.id, agency_code="school",
        note="转学", now=now,
    )  # fmt: skip
    referral_id = (
        (await call(database, "detail", actor=worker, case_id=case.id, now=now))
        .agency_referrals[0]
        .id
    )
    record_id = view.records[0].id
    walk_in = await register(database, now, worker)
    theirs = await record(database, now, worker, "case_record")
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("detail", {}),
        ("link_record", {"activity_id": theirs}),
        ("set_next_contact", {"on": date(2026, 11, 30), "every_days": None}),
        ("assign", {"worker_id": other.person_id}),
        ("set_risk", {"risk_level": "high"}),
        ("close", {"note": "结案"}),
        ("reopen", {"note": None}),
        ("refer_to_station", {"to_station": "xicheng", "note": "转介"}),
        ("accept_referral", {}),
        ("decline_referral", {"note": None}),
        ("refer_to_agency", {"agency_code": "police", "note": "报警"}),
    ]
    for name, values in attempts:
        with pytest.raises(NotAllowed):
            await call(database, name, actor=other, case_id=case.id, now=now, **values)
    with pytest.raises(NotAllowed):
        await call(
            database, "record_agency_outcome", actor=other, referral_id=referral_id,
            outcome="served", now=now,
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        await call(database, "sign_off", actor=other, record_id=record_id, now=now)
    with pytest.raises(NotAllowed):
        await call(
            database, "sign_off", actor=team["other_supervisor"], record_id=record_id, now=now
        )
    with pytest.raises(NotAllowed):  # opening a case at a station not theirs, or from its request
        await open_case(database, now, other)
    with pytest.raises(NotAllowed):
        await open_case(database, now, other, station_code="xicheng", request_id=walk_in.request.id)
    async with database.uow() as uow:
        with pytest.raises(NotAllowed):
            await cases.case_for_request(uow, actor=other, request_id=walk_in.request.id)
    # ids that do not exist are NotFound, never someone else's case
    with pytest.raises(NotFound):
        await call(database, "detail", actor=other, case_id=99_999, now=now)
    with pytest.raises(NotFound):
        await call(database, "sign_off", actor=other, record_id=99_999, now=now)
    # and nothing was written about the case by them
    async with database.uow() as uow:
        reads = (
            await uow.session.scalars(
                select(AuditEntry.id).where(AuditEntry.actor_person_id == other.person_id)
            )
        ).all()
    assert reads == []


# --- overdue reminders ---------------------------------------------------------------------


async def _case_deliveries(database: Database) -> list[tuple[str, int, str]]:
    async with database.uow() as uow:
        rows = await uow.session.execute(
            select(Delivery.occasion, Delivery.recipient_tg_id, Delivery.status)
            .where(Delivery.kind == reminders.CASE_OVERDUE)
            .order_by(Delivery.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def _plan(database: Database, at: datetime) -> None:
    async with database.uow() as uow:
        await reminders.plan_due(
            uow, schedule=KNOWLEDGE.reminders, now=at, zone=SHANGHAI, admin_ids=()
        )


async def test_an_overdue_case_is_reminded_once_to_the_worker_then_the_head(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, head = team["worker"], team["head"]
    case = await open_case(database, now, worker)
    await call(
        database, "set_next_contact", actor=worker, case_id=case.id, on=date(2026, 11, 17),
        every_days=None, now=now,
    )  # fmt: skip
    await _plan(database, datetime(2026, 11, 17, 23, 0, tzinfo=SHANGHAI))  # not yet overdue
    await _plan(database, datetime(2026, 11, 18, 7, 30, tzinfo=SHANGHAI))  # quiet hours
    await _plan(database, datetime(2026, 11, 18, 8, 30, tzinfo=SHANGHAI))  # before 9:00
    assert await _case_deliveries(database) == []
    for _ in range(2):  # the morning after, planned once however often the planner runs
        await _plan(database, datetime(2026, 11, 18, 9, 0, tzinfo=SHANGHAI))
    await _plan(database, datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI))
    assert await _case_deliveries(database) == [("worker-20261117", worker.tg_id, "planned")]
    for _ in range(2):  # three days later, the head; the worker is not told again
        await _plan(database, datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    assert await _case_deliveries(database) == [
        ("worker-20261117", worker.tg_id, "planned"),
        ("head-20261117", head.tg_id, "planned"),
    ]
    # a new next contact resolves what is still planned; missing it again is a new reminder
    later = datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI)
    await call(
        database, "set_next_contact", actor=worker, case_id=case.id, on=date(2026, 11, 22),
        every_days=None, now=later,
    )  # fmt: skip
    await _plan(database, datetime(2026, 11, 21, 11, 0, tzinfo=SHANGHAI))
    assert [s for *_, s in await _case_deliveries(database)] == ["skipped", "skipped"]
    await _plan(database, datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    assert (await _case_deliveries(database))[-1] == ("worker-20261122", worker.tg_id, "planned")


def test_the_overdue_planner_is_pure_and_skips_blocked_workers() -> None:
    schedule = KNOWLEDGE.reminders
    overdue = reminders.OverdueCase(
        id=7, number="JN-C-0007", station_code="jiangnan", worker_tg_id=11, due=date(2026, 11, 1)
    )
    snapshot = reminders.Snapshot(
        staff=(
            reminders.StaffEntry(11, "王", "worker", "jiangnan", unreachable=True),
            reminders.StaffEntry(12, "张", "station_head", "jiangnan", unreachable=False),
        ),
        admin_ids=frozenset(),
        quota={},
        closed_quota={},
        cases=(overdue,),
    )
    at = datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)
    planned = reminders.cases_overdue(schedule, snapshot, now=at, zone=SHANGHAI)
    assert [(m.recipient_tg_id, m.occasion, m.payload["days"]) for m in planned] == [
        (12, "head-20261101", 9)
    ]
    assert planned[0].key == "case_overdue:c7:head-20261101:12:jiangnan"


# --- privacy and figures -------------------------------------------------------------------


async def test_a_residents_export_and_erasure_include_their_case(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, head = team["worker"], team["head"]
    resident = await person(database, now, name="刘阿姨", consented=True)
    async with database.uow() as uow:
        submitted = await requests.submit(
            uow, resident_id=resident.person_id, station_code="jiangnan",
            service_code="elderly_care", for_whom="myself", age_group="60_79",
            description="腿脚不便，想请人上门", phone="13800138000", preferred_time="any",
            urgent=False, client_token=token(), known_services=KNOWLEDGE.services.codes,
            open_limit=3, now=now,
        )  # fmt: skip
    case = await open_case(
        database, now, worker, request_id=submitted.request.id, client_name="刘阿姨",
        consent_given=False,  # the resident's own consent covers it
    )  # fmt: skip
    assert case.resident_id == resident.person_id
    intake = await record(database, now, worker, "case_intake")
    async with database.uow() as uow:
        row = await uow.session.get(ActivityLog, intake)
        assert row is not None
        row.note = "独居，女儿在外地"
        await uow.commit()
    await call(database, "link_record", actor=worker, case_id=case.id, activity_id=intake, now=now)
    read_at = now + timedelta(minutes=5)
    await call(database, "detail", actor=head, case_id=case.id, now=read_at)

    async with database.uow() as uow:
        document = await privacy.export(uow, tg_id=resident.tg_id, now=now)
    [exported] = document["cases"]
    assert exported["number"] == "JN-C-0001" and exported["client_name"] == "刘阿姨"
    assert [r["stage"] for r in exported["records"]] == ["intake"]
    assert exported["records"][0]["note"] == "独居，女儿在外地"
    assert [e["kind"] for e in exported["timeline"]] == [cases.OPENED, cases.RECORD]
    assert document["case_readers"] == [
        {"case": "JN-C-0001", "at": read_at.astimezone(UTC).isoformat(), "person_id": head.person_id,
         "name": "张站长", "roles": ["station_head"]}
    ]  # fmt: skip
    # another resident's export says nothing of it
    stranger = await person(database, now, consented=True)
    async with database.uow() as uow:
        assert (await privacy.export(uow, tg_id=stranger.tg_id, now=now))["cases"] == []

    async with database.uow() as uow:
        erased = await privacy.erase(uow, tg_id=resident.tg_id, now=now)
    assert erased.cases == 1
    view = await call(database, "detail", actor=worker, case_id=case.id, now=now)
    assert view.erased and view.client_name is None and view.address is None
    assert view.records[0].stage == "intake"  # the stage records and counts stay
    async with database.uow() as uow:
        row = await uow.session.get(ActivityLog, intake)
        assert row is not None and row.note is None and row.minutes == 60
        figures = await station_figures.station_figures(
            uow, actor=ADMIN_VIEW, station_codes=["jiangnan"], now=now, zone=SHANGHAI
        )
    assert figures.stations[0].this_month.cases_opened == 1


async def test_cases_and_sources_in_the_months_figures_and_reports(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker, supervisor = team["worker"], team["supervisor"]
    await register(database, now, worker, source="phone")
    await register(database, now, worker, source="walk_in")
    overdue = await open_case(database, now, worker)
    await call(
        database, "set_next_contact", actor=worker, case_id=overdue.id, on=date(2026, 11, 17),
        every_days=None, now=now,
    )  # fmt: skip
    closed = await open_case(database, now, worker)
    for template in ("case_plan", "case_closing"):
        view = await call(
            database, "link_record", actor=worker, case_id=closed.id,
            activity_id=await record(database, now, worker, template), now=now,
        )  # fmt: skip
    for r in view.records:
        await call(database, "sign_off", actor=supervisor, record_id=r.id, now=now)
    await call(database, "close", actor=worker, case_id=closed.id, note="目标达成", now=now)
    await open_case(database, now, team["other"], station_code="xicheng")

    later = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    async with database.uow() as uow:
        figures = await station_figures.station_figures(
            uow, actor=ADMIN_VIEW, station_codes=["jiangnan", "xicheng"], now=later, zone=SHANGHAI
        )
    jiangnan, xicheng = figures.stations
    month = jiangnan.this_month
    assert (month.cases_opened, month.cases_closed, month.cases_open, month.cases_overdue) == (
        2, 1, 1, 1,
    )  # fmt: skip
    assert month.requests_by_source == {"phone": 1, "walk_in": 1}
    assert xicheng.this_month.cases_opened == 1 and jiangnan.last_month.cases_opened == 0

    async with database.uow() as uow:
        report = await reports.gather_report(
            uow, period=reports.month_period(2026, 11), station_code="jiangnan", now=later,
            zone=SHANGHAI,
        )  # fmt: skip
    [row] = report.stations
    assert (row.cases_opened, row.cases_closed, row.cases_open, row.cases_overdue) == (2, 1, 1, 1)
    assert row.cases_closed_signed_off == 1 and row.measure("case_sign_off_rate") == 1.0
    assert row.requests_by_source == {"phone": 1, "walk_in": 1}
    assert sorted(r.source for r in report.requests) == ["phone", "walk_in"]
    assert [(c.number, c.status, c.overdue, c.plan_signed_off, c.closing_signed_off)
            for c in report.cases] == [
        ("JN-C-0001", cases.OPEN, True, False, False),
        ("JN-C-0002", cases.CLOSED, False, True, True),
    ]  # fmt: skip
    # the evaluation's indicator counts it
    indicator = KNOWLEDGE.evaluation.indicator("case_sign_off")
    assert indicator is not None and indicator.points_for(row.case_sign_off_rate) == 5


async def test_a_completed_request_is_filed_as_a_service_record_of_its_case(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    walk_in = await register(database, now, worker, take_it=True)
    request_id = walk_in.request.id
    async with database.uow() as uow:
        assert await cases.case_for_request(uow, actor=worker, request_id=request_id) is None
    case = await open_case(
        database, now, worker, request_id=request_id, client_name=None, client_token="tok-once"
    )
    again = await open_case(database, now, worker, request_id=request_id, client_token="tok-once")
    assert again.id == case.id  # the same draft twice opens one case
    with pytest.raises(cases.CaseExists) as exists:  # a second case for the request is refused
        await open_case(database, now, worker, request_id=request_id)
    assert exists.value.number == case.number
    async with database.uow() as uow:
        await requests.start(uow, request_id=request_id, actor=worker, now=now)
    async with database.uow() as uow:
        await requests.complete(uow, request_id=request_id, actor=worker, note="已上门", now=now)
    async with database.uow() as uow:
        found = await cases.case_for_request(uow, actor=worker, request_id=request_id)
    assert found is not None and found.id == case.id
    view = await call(
        database, "link_record", actor=worker, case_id=found.id,
        activity_id=await record(database, now, worker, "case_record"), request_id=request_id,
        now=now,
    )  # fmt: skip
    assert view.stage == "service" and view.timeline[-1].detail["request"] == request_id


async def test_the_overview_and_hand_over_candidates(
    database: Database, now: datetime, team: dict[str, Access]
) -> None:
    worker = team["worker"]
    late = await open_case(database, now, worker)
    await call(
        database, "set_next_contact", actor=worker, case_id=late.id, on=date(2026, 11, 16),
        every_days=None, now=now,
    )  # fmt: skip
    moving = await open_case(database, now, worker)
    plan = await record(database, now, worker, "case_plan")
    await call(database, "link_record", actor=worker, case_id=moving.id, activity_id=plan, now=now)
    await call(
        database, "refer_to_station", actor=worker, case_id=moving.id, to_station="xicheng",
        note="搬家", now=now,
    )  # fmt: skip
    later = now + timedelta(days=2)
    mine = await call(database, "overview", actor=worker, now=later)
    # the referred case stays theirs (and open) until the other station accepts it
    assert (mine.open, mine.overdue, mine.incoming, mine.to_review) == (2, 1, 0, 0)
    theirs = await call(database, "overview", actor=team["other"], now=later)
    assert (theirs.open, theirs.incoming) == (0, 1)
    supervising = await call(database, "overview", actor=team["supervisor"], now=later)
    assert supervising.to_review == 1 and supervising.open == 0
    async with database.uow() as uow:
        people_ = await cases.assign_candidates(uow, actor=team["head"], case_id=late.id)
        assert {p.person_id for p in people_} == {
            team["colleague"].person_id, team["head"].person_id
        }  # fmt: skip
        with pytest.raises(NotAllowed):
            await cases.assign_candidates(uow, actor=team["other"], case_id=late.id)


def test_case_work_is_for_station_staff_and_supervisors_only() -> None:
    def access(**roles: frozenset[str]) -> Access:
        return Access(person_id=1, tg_id=1, language="zh", **roles)

    jiangnan = frozenset({"jiangnan"})
    assert not cases.works_on_cases(access())  # a resident
    for role in ("worker_stations", "head_stations", "supervisor_stations"):
        assert cases.works_on_cases(access(**{role: jiangnan}))
