"""services.reach: only people who started the bot and have not blocked it are told, and one
fallback rule (workers → head → administrators → nobody) for questions, requests and volunteer
applications; `doctor` lists what a roll-out still lacks."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy import update

from bot.clock import FixedClock
from db.models import Person
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import consent, people, reach, requests, staff, volunteers

KNOWLEDGE = load_knowledge()
_ids = itertools.count(900_001)
_tokens = itertools.count(1)


async def staff_member(
    database: Database, now: datetime, role: str, station: str | None, *, started: bool = True
) -> int:
    tg_id = next(_ids)
    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=tg_id, role=role, station_code=station, now=now, started=started
        )
    return tg_id


async def resident(database: Database, now: datetime) -> people.Access:
    async with database.uow() as uow:
        access = await people.access_for(uow, tg_id=next(_ids), now=now)
    async with database.uow() as uow:
        await consent.give(uow, person_id=access.person_id, now=now)
    return access


async def submit(
    database: Database, now: datetime, who: people.Access, **extra: object
) -> requests.Submitted:
    values: dict[str, object] = {
        "resident_id": who.person_id, "station_code": "gushan", "service_code": "elderly_care",
        "for_whom": "myself", "age_group": "60_79", "description": "需要有人陪我去医院",
        "phone": "13812345678", "preferred_time": "any", "urgent": False,
        "client_token": f"t{next(_tokens)}", "known_services": KNOWLEDGE.services.codes,
        "open_limit": 50, "now": now,
    }  # fmt: skip
    values.update(extra)
    async with database.uow() as uow:
        return await requests.submit(uow, **values)  # type: ignore[arg-type]


async def test_a_request_falls_back_to_the_head_then_reachable_admins_then_nobody(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    who = await resident(database, now)
    never = 555_001  # named in STATIONBOT_ADMINS, never opened the bot
    nobody = await submit(database, now, who, admin_tg_ids=(never,))
    assert nobody.notify == () and nobody.notify_group == reach.NOBODY
    assert nobody.nobody_reachable

    admin = await staff_member(database, now, "admin", None)
    to_admin = await submit(database, now, who, admin_tg_ids=(never,))
    assert [c.tg_id for c in to_admin.notify] == [admin] and to_admin.notify_group == "admin"

    head = await staff_member(database, now, "station_head", "gushan")
    to_head = await submit(database, now, who)
    assert [c.tg_id for c in to_head.notify] == [head]

    worker = await staff_member(database, now, "worker", "gushan")
    to_worker = await submit(database, now, who)
    assert [c.tg_id for c in to_worker.notify] == [worker]
    assert to_worker.notify_group == "worker" and not to_worker.nobody_reachable


async def test_a_worker_who_never_started_or_blocked_the_bot_is_skipped(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    who = await resident(database, now)
    invited = await staff_member(database, now, "worker", "gushan", started=False)
    blocked = await staff_member(database, now, "worker", "gushan")
    async with database.uow() as uow:
        await uow.session.execute(
            update(Person).where(Person.tg_id == blocked).values(unreachable_at=now)
        )
        await uow.commit()
    head = await staff_member(database, now, "station_head", "gushan")
    submitted = await submit(database, now, who)
    assert [c.tg_id for c in submitted.notify] == [head]
    # The invited worker writes for the first time: from now on they are told.
    async with database.uow() as uow:
        await people.access_for(uow, tg_id=invited, now=now)
    submitted = await submit(database, now, who)
    assert [c.tg_id for c in submitted.notify] == [invited]


async def test_a_settings_admin_is_reachable_only_after_writing(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    async with database.uow() as uow:
        assert await reach.admins(uow, admin_tg_ids=(777,)) == []
    async with database.uow() as uow:
        await people.access_for(uow, tg_id=777, now=now, display_name="局长")
    async with database.uow() as uow:
        found = await reach.admins(uow, admin_tg_ids=(777,))
    assert [(c.tg_id, c.role, c.name) for c in found] == [(777, "admin", "局长")]


async def test_an_urgent_request_goes_to_workers_and_head_at_once(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    who = await resident(database, now)
    worker = await staff_member(database, now, "worker", "gushan")
    head = await staff_member(database, now, "station_head", "gushan")
    flagged = await submit(
        database, now, who, service_code="minors_protection", for_whom="child",
        age_group="6_13", urgent_services=KNOWLEDGE.services.urgent_codes,
    )  # fmt: skip
    assert flagged.request.urgent  # the service is always urgent
    assert {c.tg_id for c in flagged.notify} == {worker, head}
    assert flagged.notify_group == "worker+station_head"
    ordinary = await submit(database, now, who)
    assert [c.tg_id for c in ordinary.notify] == [worker]
    said_urgent = await submit(database, now, who, urgent=True)
    assert {c.tg_id for c in said_urgent.notify} == {worker, head}


async def test_a_volunteer_application_falls_back_the_same_way(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    who = await resident(database, now)
    head = await staff_member(database, now, "station_head", "gushan")
    async with database.uow() as uow:
        applied = await volunteers.apply(
            uow, person_id=who.person_id, station_code="gushan", name="王小明",
            phone="13812345678", skills=["crafts"], availability=["weekends"],
            age_group="18_59", party_member="no", guardian_name=None, guardian_phone=None,
            known_skills=KNOWLEDGE.volunteer_skills.codes, client_token="v1", now=now,
        )  # fmt: skip
    assert [c.tg_id for c in applied.notify] == [head]
    assert applied.notify_group == "station_head"


async def test_doctor_lists_what_is_missing(database: Database, clock: FixedClock) -> None:
    now = clock.now()
    await staff_member(database, now, "worker", "jiangnan")
    await staff_member(database, now, "supervisor", "jiangnan")
    await staff_member(database, now, "worker", "gushan", started=False)
    async with database.uow() as uow:
        await people.access_for(uow, tg_id=801, now=now)
    async with database.uow() as uow:
        report = await reach.doctor(
            uow, station_codes=("jiangnan", "gushan", "xixi"), admin_tg_ids=(801, 802)
        )
    gaps = {g.station_code: g for g in report.stations_without_reachable_staff}
    assert set(gaps) == {"gushan", "xixi"}
    assert (gaps["gushan"].workers, gaps["gushan"].reachable_workers) == (1, 0)
    assert report.admins_never_started == (802,)
    assert report.stations_without_supervisor == ("gushan", "xixi")
    assert report.reachable_admins == 1


async def test_doctor_output_names_stations_and_admins(
    database: Database, clock: FixedClock
) -> None:
    import io

    from bot.commands import doctor

    await staff_member(database, clock.now(), "worker", "jiangnan")
    out = io.StringIO()
    await doctor.report(database, KNOWLEDGE.stations, (31337,), out)
    text = out.getvalue()
    assert "Stations without reachable staff: 13" in text
    assert "江南街道社工站 (jiangnan)" not in text.split("Administrators")[0]
    assert "古山镇社工站 (gushan): workers 0/0 reachable, heads 0/0 reachable" in text
    assert "new messages go to NOBODY (phone only)" in text
    assert "31337: ask them to open the bot and press Start" in text


async def test_started_chats_are_those_that_wrote_and_did_not_block(
    database: Database, clock: FixedClock
) -> None:
    """What `stationbot console` tells its new offline Telegram at each session."""
    now = clock.now()
    wrote = await staff_member(database, now, "worker", "gushan")
    invited = await staff_member(database, now, "worker", "gushan", started=False)
    blocked = await staff_member(database, now, "supervisor", "gushan")
    async with database.uow() as uow:
        await uow.session.execute(
            update(Person).where(Person.tg_id == blocked).values(unreachable_at=now)
        )
        await uow.commit()
    async with database.uow() as uow:
        started = await reach.started_chats(uow)
    assert wrote in started and invited not in started and blocked not in started
