"""Hand-counted data for the report and evaluation tests, seeded straight through the ORM.

October 2026 (a finished month at the test clock, 2026-11-16), counted by hand:

jiangnan  activities 3 (A1, A2, A3), 270 minutes = 4.5 h, 33 person-times
          groups: elderly 23, children 4, disabled 1, other 5
          requests made 6 (R1–R5, R7): received 5 (R3 withdrawn unanswered), 2 accepted within
          24 h (R1 6 h, R5 exactly 24 h), 2 completed, ratings 5 and 4
          by status: completed 2, in_progress 1, cancelled 1, declined 1, submitted 1
          volunteers: 5 applications (approved 2, declined 1, pending 1, withdrawn 1),
          2 active at the end of October (V1 from September, V2)
          supervision: 780 minutes = 13 h exactly → quota met
xicheng   activities 1 (B1), 180 minutes, 40 person-times (elderly 30, low_income 10)
          requests 1 (R8): accepted in 1 h, completed, rating 3
          supervision: 300 minutes = 5 h → missed
others    nothing at all
all       4 activities, 450 minutes = 7.5 h, 73 person-times; elderly 53, children 4,
          disabled 1, low_income 10, other 5; 7 requests, 6 received, 3 in 24 h, 3 completed,
          average rating 4.0; supervision 1080 minutes = 18 h, quota met 1 of 14 station-months

Rows just outside October (30 Sep 23:30 and 1 Nov in Shanghai) and deleted rows must not count.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

from db.models import (
    ActivityGroup,
    ActivityLog,
    FirstContact,
    Person,
    ServiceRequest,
    SupervisionSession,
    VolunteerApplication,
)
from db.uow import Database

SH = ZoneInfo("Asia/Shanghai")
_ids = count(800_001)


def at(text: str) -> datetime:
    """'2026-10-02 09:00' in Shanghai."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SH)


def d(text: str) -> date:
    return date.fromisoformat(text)


async def person(
    database: Database, *, station: str | None = None, opt_out: bool = False, started: bool = True
) -> int:
    async with database.uow() as uow:
        row = Person(
            tg_id=next(_ids),
            language="zh",
            created_at=at("2026-01-01 08:00"),
            last_station_code=station,
            broadcast_opt_out=opt_out,
        )
        uow.session.add(row)
        if started:
            uow.session.add(FirstContact(tg_id=row.tg_id, first_at=at("2026-01-01 08:00")))
        await uow.commit()
        return row.id


async def add_activity(
    database: Database,
    *,
    worker_id: int,
    station: str,
    day: str,
    category: str,
    template: str,
    minutes: int,
    person_times: int,
    groups: dict[str, int],
    deleted: bool = False,
) -> None:
    async with database.uow() as uow:
        log = ActivityLog(
            worker_id=worker_id,
            station_code=station,
            category_code=category,
            template_code=template,
            activity_date=d(day),
            minutes=minutes,
            person_times=person_times,
            created_at=at(day + " 18:00"),
            deleted_at=at(day + " 19:00") if deleted else None,
        )
        uow.session.add(log)
        await uow.session.flush()
        uow.session.add_all(
            ActivityGroup(activity_id=log.id, group_code=g, person_times=n)
            for g, n in groups.items()
        )
        await uow.commit()


_refs = count(1)


async def add_request(
    database: Database,
    *,
    resident_id: int,
    station: str,
    created: str,
    status: str,
    accepted: str | None = None,
    completed: str | None = None,
    rating: int | None = None,
) -> str:
    number = next(_refs)
    ref = f"T-{number:04d}"
    async with database.uow() as uow:
        uow.session.add(
            ServiceRequest(
                ref=ref,
                client_token=f"token-{number}",
                station_code=station,
                resident_id=resident_id,
                service_code="daily_care",
                for_whom="self",
                age_group="60_plus",
                description="需要帮助",
                phone="+8613800138000",
                preferred_time="any",
                urgent=False,
                status=status,
                created_at=at(created),
                accepted_at=at(accepted) if accepted else None,
                completed_at=at(completed) if completed else None,
                rating=rating,
            )
        )
        await uow.commit()
    return ref


async def add_volunteer(
    database: Database,
    *,
    person_id: int,
    station: str,
    created: str,
    status: str,
    decided: str | None = None,
) -> None:
    async with database.uow() as uow:
        uow.session.add(
            VolunteerApplication(
                person_id=person_id,
                station_code=station,
                name="志愿者",
                phone="+8613900139000",
                skills=[],
                availability=[],
                age_group="adult",
                party_member="no",
                status=status,
                created_at=at(created),
                decided_at=at(decided) if decided else None,
            )
        )
        await uow.commit()


async def add_session(
    database: Database,
    *,
    supervisor_id: int,
    station: str,
    day: str,
    minutes: int,
    mode: str,
    deleted: bool = False,
    topic_text: str | None = None,
) -> None:
    async with database.uow() as uow:
        uow.session.add(
            SupervisionSession(
                supervisor_id=supervisor_id,
                station_code=station,
                session_date=d(day),
                minutes=minutes,
                mode=mode,
                topic_code="case_work",
                topic_text=topic_text,
                created_at=at(day + " 20:00"),
                deleted_at=at(day + " 21:00") if deleted else None,
            )
        )
        await uow.commit()


async def seed_october(database: Database) -> dict[str, int]:
    """The hand-counted October 2026 above. Returns the people it made, by role."""
    worker = await person(database, station="jiangnan")
    supervisor = await person(database)
    residents = [await person(database, station="jiangnan") for _ in range(3)]
    xicheng_resident = await person(database, station="xicheng")
    volunteers = [await person(database) for _ in range(7)]

    activity = {"worker_id": worker}
    await add_activity(database, **activity, station="jiangnan", day="2026-10-03",
                       category="group_work", template="group_record", minutes=90,
                       person_times=12, groups={"elderly": 8, "children": 4})  # fmt: skip
    await add_activity(database, **activity, station="jiangnan", day="2026-10-10",
                       category="case_work", template="case_record", minutes=60,
                       person_times=1, groups={"disabled": 1})  # fmt: skip
    await add_activity(database, **activity, station="jiangnan", day="2026-10-31",
                       category="group_work", template="group_record", minutes=120,
                       person_times=20, groups={"elderly": 15, "other": 5})  # fmt: skip
    await add_activity(database, **activity, station="jiangnan", day="2026-11-01",
                       category="group_work", template="group_record", minutes=60,
                       person_times=99, groups={"elderly": 99})  # fmt: skip
    await add_activity(database, **activity, station="jiangnan", day="2026-09-30",
                       category="group_work", template="group_record", minutes=60,
                       person_times=50, groups={"elderly": 50})  # fmt: skip
    await add_activity(database, **activity, station="jiangnan", day="2026-10-15",
                       category="case_work", template="case_record", minutes=60,
                       person_times=7, groups={"elderly": 7}, deleted=True)  # fmt: skip
    await add_activity(database, **activity, station="xicheng", day="2026-10-20",
                       category="community", template="community_activity", minutes=180,
                       person_times=40, groups={"elderly": 30, "low_income": 10})  # fmt: skip

    r1, r2, r3 = residents
    await add_request(database, resident_id=r1, station="jiangnan", created="2026-10-02 09:00",
                      status="completed", accepted="2026-10-02 15:00",
                      completed="2026-10-05 09:00", rating=5)  # fmt: skip
    await add_request(database, resident_id=r2, station="jiangnan", created="2026-10-10 10:00",
                      status="in_progress", accepted="2026-10-12 10:00")  # fmt: skip
    await add_request(database, resident_id=r3, station="jiangnan", created="2026-10-11 08:00",
                      status="cancelled")  # fmt: skip
    await add_request(database, resident_id=r1, station="jiangnan", created="2026-10-12 08:00",
                      status="declined")  # fmt: skip
    await add_request(database, resident_id=r2, station="jiangnan", created="2026-10-20 08:00",
                      status="completed", accepted="2026-10-21 08:00",
                      completed="2026-10-25 08:00", rating=4)  # fmt: skip
    await add_request(database, resident_id=r3, station="jiangnan", created="2026-09-30 23:30",
                      status="completed", accepted="2026-10-01 08:00",
                      completed="2026-10-02 08:00", rating=1)  # fmt: skip
    await add_request(database, resident_id=r3, station="jiangnan", created="2026-10-31 23:30",
                      status="submitted")  # fmt: skip
    await add_request(database, resident_id=xicheng_resident, station="xicheng",
                      created="2026-10-15 09:00", status="completed",
                      accepted="2026-10-15 10:00", completed="2026-10-16 10:00",
                      rating=3)  # fmt: skip

    v1, v2, v3, v4, v5, v6, v7 = volunteers
    await add_volunteer(database, person_id=v1, station="jiangnan", created="2026-09-01 10:00",
                        status="approved", decided="2026-09-02 10:00")  # fmt: skip
    await add_volunteer(database, person_id=v2, station="jiangnan", created="2026-10-05 10:00",
                        status="approved", decided="2026-10-06 10:00")  # fmt: skip
    await add_volunteer(database, person_id=v3, station="jiangnan", created="2026-10-07 10:00",
                        status="pending")  # fmt: skip
    await add_volunteer(database, person_id=v4, station="jiangnan", created="2026-10-08 10:00",
                        status="declined", decided="2026-10-09 10:00")  # fmt: skip
    await add_volunteer(database, person_id=v5, station="jiangnan", created="2026-10-09 10:00",
                        status="approved", decided="2026-11-02 10:00")  # fmt: skip
    await add_volunteer(database, person_id=v6, station="jiangnan", created="2026-10-10 10:00",
                        status="withdrawn")  # fmt: skip
    await add_volunteer(database, person_id=v7, station="jiangnan", created="2026-11-03 10:00",
                        status="approved", decided="2026-11-03 12:00")  # fmt: skip

    session = {"supervisor_id": supervisor}
    await add_session(
        database, **session, station="jiangnan", day="2026-10-05", minutes=240, mode="offline"
    )
    await add_session(
        database,
        **session,
        station="jiangnan",
        day="2026-10-12",
        minutes=180,
        mode="online",
        topic_text="Two high-risk cases",
    )
    await add_session(
        database, **session, station="jiangnan", day="2026-10-19", minutes=240, mode="offline"
    )
    await add_session(
        database, **session, station="jiangnan", day="2026-10-26", minutes=120, mode="online"
    )
    await add_session(database, **session, station="jiangnan", day="2026-10-28", minutes=60,
                      mode="online", deleted=True)  # fmt: skip
    await add_session(
        database, **session, station="jiangnan", day="2026-11-02", minutes=120, mode="offline"
    )
    await add_session(
        database, **session, station="xicheng", day="2026-10-10", minutes=300, mode="offline"
    )
    return {
        "worker": worker,
        "supervisor": supervisor,
        "residents": len(residents) + 1,
        "volunteers_approved": 4,  # v1, v2, v5, v7 are approved now
    }
