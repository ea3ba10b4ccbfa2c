"""What a resident sees of their own data: a request as sent with its history, the /mydata
summary in codes and local times, who a request can be for, what a teenager may volunteer."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import consent, people, privacy, requests, staff, volunteers
from services.errors import InvalidValue, NotFound

SH = ZoneInfo("Asia/Shanghai")
KNOWLEDGE = load_knowledge()


async def resident(database: Database, clock: FixedClock, tg_id: int = 70_001) -> people.Access:
    async with database.uow() as uow:
        who = await people.access_for(uow, tg_id=tg_id, now=clock.now(), display_name="王秀英")
    async with database.uow() as uow:
        await consent.give(uow, person_id=who.person_id, now=clock.now())
    return who


async def submit(database: Database, clock: FixedClock, who: people.Access, **extra: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "resident_id": who.person_id, "station_code": "jiangnan", "service_code": "elderly_care",
        "for_whom": "neighbour", "age_group": "80_plus",
        "description": "隔壁的老人一个人住，这几天没见他出门", "phone": "13812345678",
        "preferred_time": "weekday_morning", "urgent": False, "client_token": "as-sent-1",
        "known_services": KNOWLEDGE.services.codes, "open_limit": 3, "now": clock.now(),
        "for_whom_ages": KNOWLEDGE.request_rules.for_whom_ages,
    }  # fmt: skip
    values.update(extra)
    async with database.uow() as uow:
        return await requests.submit(uow, **values)  # type: ignore[arg-type]


async def test_a_request_as_sent_with_its_history(database: Database, clock: FixedClock) -> None:
    who = await resident(database, clock)
    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=70_100, role="worker", station_code="jiangnan", now=clock.now(),
            display_name="李社工",
        )  # fmt: skip
    async with database.uow() as uow:
        worker = await people.access_for(uow, tg_id=70_100, now=clock.now())
    submitted = await submit(database, clock, who)
    later = clock.now() + timedelta(hours=2)
    async with database.uow() as uow:
        await requests.accept(uow, request_id=submitted.request.id, actor=worker, now=later)
    async with database.uow() as uow:
        sent = await requests.as_sent(
            uow, request_id=submitted.request.id, resident_id=who.person_id, zone=SH
        )
    assert (sent.service_code, sent.for_whom, sent.age_group) == (
        "elderly_care", "neighbour", "80_plus",
    )  # fmt: skip
    assert sent.description == "隔壁的老人一个人住，这几天没见他出门"
    assert sent.phone == "+8613812345678" and sent.preferred_time == "weekday_morning"
    assert sent.sent_at == clock.now() and sent.sent_at.utcoffset() == timedelta(hours=8)
    assert [(h.status, h.by_staff) for h in sent.history] == [
        (requests.SUBMITTED, False), (requests.ACCEPTED, True),
    ]  # fmt: skip
    assert sent.history[1].at == later and sent.assignee_name == "李社工"
    other = await resident(database, clock, tg_id=70_002)
    with pytest.raises(NotFound):
        async with database.uow() as uow:
            await requests.as_sent(
                uow, request_id=submitted.request.id, resident_id=other.person_id, zone=SH
            )


async def test_for_whom_offers_a_neighbour_or_someone_else(
    database: Database, clock: FixedClock
) -> None:
    codes = [o.code for o in KNOWLEDGE.request_rules.for_whom]
    assert codes == ["myself", "family", "child", "neighbour", "someone_else"]
    assert KNOWLEDGE.request_rules.for_whom_option("myself").staff_name("zh") == "申请人本人"  # type: ignore[union-attr]
    who = await resident(database, clock)
    done = await submit(database, clock, who, for_whom="someone_else", age_group="6_13",
                        client_token="else-1")  # fmt: skip
    assert done.request.for_whom == "someone_else"
    with pytest.raises(InvalidValue):  # a child is never 80
        await submit(database, clock, who, for_whom="child", age_group="80_plus",
                     client_token="bad-1")  # fmt: skip


def test_a_teenager_is_not_offered_skills_that_need_an_adult() -> None:
    catalog = KNOWLEDGE.volunteer_skills
    adults_only = {s.code for s in catalog.skills if s.adults_only}
    assert {"driving", "legal_advice"} <= adults_only
    teen = volunteers.skills_for(catalog.skills, age_group=volunteers.MINOR,
                                 adults_only=adults_only)  # fmt: skip
    assert not {s.code for s in teen} & adults_only
    assert [s.code for s in teen] == [s.code for s in catalog.for_age_group("14_17")]
    adult = volunteers.skills_for(catalog.codes, age_group="18_59", adults_only=adults_only)
    assert adult == list(catalog.codes)


async def test_a_teenager_cannot_apply_with_an_adult_skill_and_may_offer_school_holidays(
    database: Database, clock: FixedClock
) -> None:
    who = await resident(database, clock)
    catalog = KNOWLEDGE.volunteer_skills
    adults_only = [s.code for s in catalog.skills if s.adults_only]

    async def apply(skills: list[str], token: str) -> volunteers.Applied:
        async with database.uow() as uow:
            return await volunteers.apply(
                uow, person_id=who.person_id, station_code="jiangnan", name="王小明",
                phone="13812345678", skills=skills, availability=["school_holidays"],
                age_group="14_17", party_member="not_asked", guardian_name="王秀英",
                guardian_phone="13912345678", known_skills=catalog.codes, client_token=token,
                now=clock.now(), adults_only_skills=adults_only,
            )  # fmt: skip

    with pytest.raises(InvalidValue) as refused:
        await apply(["driving", "tutoring"], "teen-1")
    assert refused.value.reason == "adults_only"
    applied = await apply(["tutoring"], "teen-2")
    assert applied.application.availability == ("school_holidays",)


async def test_mydata_summary_in_codes_and_local_times(
    database: Database, clock: FixedClock
) -> None:
    who = await resident(database, clock)
    await submit(database, clock, who)
    async with database.uow() as uow:
        data = await privacy.summary(uow, tg_id=70_001, zone=SH)
    assert data.display_name == "王秀英" and data.language == "en"  # no language_code given
    assert data.first_contact_at == clock.now()
    assert data.first_contact_at is not None and data.first_contact_at.tzinfo is not None
    assert data.first_contact_at.utcoffset() == timedelta(hours=8)
    assert {c.kind for c in data.consents} == {"personal_info", "cross_border"}
    [line] = data.requests
    assert (line.service_code, line.for_whom, line.age_group, line.status) == (
        "elderly_care", "neighbour", "80_plus", "submitted",
    )  # fmt: skip
    assert line.has_phone and line.has_description and line.ref.startswith("JN-")
    assert data.questions_asked == 0 and data.applications == () and data.roles == ()
    assert data.last_station_code == "jiangnan"
