"""Consent rows (two kinds, versioned, withdrawable) and the volunteer application rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from db.models import AuditEntry, Consent, VolunteerApplication
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import consent, people, volunteers
from services.errors import InvalidValue, NotAllowed, NotFound
from tests.unit.test_request_lifecycle import person

SKILLS = load_knowledge().volunteer_skills.codes


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


async def test_consent_is_two_rows_with_version_and_time(database: Database, now: datetime) -> None:
    someone = await person(database, now, consented=False)
    async with database.uow() as uow:
        assert not (await consent.status(uow, person_id=someone.person_id)).given
    async with database.uow() as uow:
        given = await consent.give(uow, person_id=someone.person_id, now=now)
    assert given.given and given.version == consent.VERSION and given.granted_at == now
    async with database.uow() as uow:
        await consent.give(uow, person_id=someone.person_id, now=now)  # again: no new rows
        rows = (
            await uow.session.scalars(select(Consent).where(Consent.person_id == someone.person_id))
        ).all()
        assert sorted(r.kind for r in rows) == ["cross_border", "personal_info"]
        assert {r.version for r in rows} == {consent.VERSION}


async def test_withdrawing_consent_and_giving_it_again(database: Database, now: datetime) -> None:
    someone = await person(database, now, consented=False)
    async with database.uow() as uow:
        assert await consent.withdraw(uow, person_id=someone.person_id, now=now) is False
    async with database.uow() as uow:
        await consent.give(uow, person_id=someone.person_id, now=now)
    later = now + timedelta(days=1)
    async with database.uow() as uow:
        assert await consent.withdraw(uow, person_id=someone.person_id, now=later)
    async with database.uow() as uow:
        assert not (await consent.status(uow, person_id=someone.person_id)).given
        actions = (
            await uow.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
        ).all()
    assert actions[-2:] == ["consent.give", "consent.withdraw"]
    async with database.uow() as uow:
        again = await consent.give(uow, person_id=someone.person_id, now=later)
    assert again.given and again.granted_at == later


async def test_consent_to_an_older_notice_does_not_count(database: Database, now: datetime) -> None:
    someone = await person(database, now, consented=False)
    async with database.uow() as uow:
        for kind in consent.KINDS:
            uow.session.add(
                Consent(person_id=someone.person_id, kind=kind, version="2020-1", granted_at=now)
            )
        await uow.commit()
    async with database.uow() as uow:
        assert not (await consent.status(uow, person_id=someone.person_id)).given


async def apply(database: Database, now: datetime, who: Any, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "person_id": who.person_id,
        "station_code": "jiangnan",
        "name": "王小明",
        "phone": "13800138000",
        "skills": ["tutoring", "digital_help"],
        "availability": ["weekends"],
        "age_group": "18_59",
        "party_member": "yes",
        "guardian_name": None,
        "guardian_phone": None,
        "known_skills": SKILLS,
        "client_token": "vol-1",
        "now": now,
    }
    values.update(overrides)
    async with database.uow() as uow:
        return await volunteers.apply(uow, **values)


async def test_apply_approve_withdraw(database: Database, now: datetime) -> None:
    applicant = await person(database, now)
    worker = await person(database, now, role="worker", station="jiangnan", name="李社工")
    applied = await apply(database, now, applicant)
    assert applied.created and applied.application.status == volunteers.PENDING
    assert [c.person_id for c in applied.notify] == [worker.person_id]
    again = await apply(database, now, applicant)  # the same Confirm pressed twice
    assert not again.created and again.application.id == applied.application.id
    with pytest.raises(volunteers.AlreadyApplied):
        await apply(database, now, applicant, client_token="vol-2")
    async with database.uow() as uow:
        approved = await volunteers.decide(
            uow, application_id=applied.application.id, actor=worker, approve=True, reason=None,
            now=now,
        )  # fmt: skip
    assert approved.status == volunteers.APPROVED and approved.decided_by_name == "李社工"
    with pytest.raises(volunteers.AlreadyDecided):
        async with database.uow() as uow:
            await volunteers.decide(
                uow, application_id=applied.application.id, actor=worker, approve=False,
                reason=None, now=now,
            )  # fmt: skip
    async with database.uow() as uow:
        gone = await volunteers.withdraw(
            uow, application_id=applied.application.id, person_id=applicant.person_id, now=now
        )
    assert gone.status == volunteers.WITHDRAWN
    await apply(database, now, applicant, client_token="vol-3")  # may apply again


async def test_only_the_stations_staff_decide(database: Database, now: datetime) -> None:
    applicant = await person(database, now)
    outsider = await person(database, now, role="worker", station="xicheng")
    applied = await apply(database, now, applicant)
    with pytest.raises(NotAllowed):
        async with database.uow() as uow:
            await volunteers.decide(
                uow, application_id=applied.application.id, actor=outsider, approve=True,
                reason=None, now=now,
            )  # fmt: skip
    with pytest.raises(NotFound):
        async with database.uow() as uow:
            await volunteers.withdraw(
                uow, application_id=applied.application.id, person_id=outsider.person_id, now=now
            )


async def test_children_and_minors(database: Database, now: datetime) -> None:
    child = await person(database, now)
    with pytest.raises(InvalidValue) as raised:
        await apply(database, now, child, age_group="under_14")
    assert raised.value.reason == "too_young"
    async with database.uow() as uow:
        assert (await uow.session.scalars(select(VolunteerApplication))).first() is None
    teen = await person(database, now)
    with pytest.raises(InvalidValue) as raised:
        await apply(database, now, teen, age_group="14_17")
    assert raised.value.field == "guardian"
    applied = await apply(
        database, now, teen, age_group="14_17", guardian_name="王妈妈",
        guardian_phone="0579-8000 0001", party_member="yes",
    )  # fmt: skip
    view = applied.application
    assert view.guardian_phone == "+8657980000001"
    assert view.party_member == volunteers.PARTY_NOT_ASKED


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "名" * 65),
        ("phone", "not a phone"),
        ("skills", []),
        ("skills", ["juggling"]),
        ("availability", ["never"]),
        ("party_member", "maybe"),
        ("station_code", "atlantis"),
    ],
)
async def test_apply_refuses_bad_values(
    database: Database, now: datetime, field: str, value: Any
) -> None:
    applicant = await person(database, now)
    with pytest.raises(InvalidValue):
        await apply(database, now, applicant, **{field: value})


async def test_apply_needs_consent(database: Database, now: datetime) -> None:
    applicant = await person(database, now, consented=False)
    with pytest.raises(consent.ConsentRequired):
        await apply(database, now, applicant)


async def test_a_question_to_a_person_needs_its_own_consent_asked_once(
    database: Database, clock: FixedClock
) -> None:
    from services import questions

    now = clock.now()
    async with database.uow() as uow:
        who = await people.access_for(uow, tg_id=61_001, now=now)
    purpose = consent.QUESTION_TO_PERSON
    async with database.uow() as uow:
        assert await consent.needs_asking(uow, person_id=who.person_id, purpose=purpose)
    with pytest.raises(consent.ConsentRequired):
        async with database.uow() as uow:
            await questions.ask_station(
                uow, person_id=who.person_id, station_code="jiangnan",
                station_codes=("jiangnan",), text="我想找社工聊聊", lang="zh", now=now,
                require_consent=True,
            )  # fmt: skip
    async with database.uow() as uow:
        given = await consent.give_purpose(uow, person_id=who.person_id, purpose=purpose, now=now)
    assert given.given and given.granted_at == now
    async with database.uow() as uow:
        again = await consent.give_purpose(
            uow, person_id=who.person_id, purpose=purpose, now=now + timedelta(days=1)
        )
        assert again.granted_at == now  # asked once: agreeing again changes nothing
        assert not await consent.needs_asking(uow, person_id=who.person_id, purpose=purpose)
        # The general consent is separate: giving it leaves the purpose's consent alone.
        await consent.give(uow, person_id=who.person_id, now=now)
        assert not await consent.needs_asking(uow, person_id=who.person_id, purpose=purpose)
    async with database.uow() as uow:
        created = await questions.ask_station(
            uow, person_id=who.person_id, station_code="jiangnan",
            station_codes=("jiangnan",), text="我想找社工聊聊", lang="zh", now=now,
            require_consent=True,
        )  # fmt: skip
    assert created.id
    async with database.uow() as uow:
        await consent.withdraw(uow, person_id=who.person_id, now=now)
    async with database.uow() as uow:
        assert await consent.needs_asking(uow, person_id=who.person_id, purpose=purpose)
    with pytest.raises(InvalidValue):
        async with database.uow() as uow:
            await consent.needs_asking(uow, person_id=who.person_id, purpose="marketing")
