"""Planning reminders into the ledger: who gets what, once; and the ledger's own rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import Delivery, Person, ServiceRequest, SupervisionSession, VolunteerApplication
from db.uow import Database, UnitOfWork
from knowledge.reminders import load_reminders
from services import delivery, people, reminders, staff

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHEDULE = load_reminders()
ADMIN_ID = 900_001


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def grant(database: Database, tg_id: int, role: str, station: str | None, name: str) -> None:
    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=tg_id, role=role, station_code=station, now=at(2026, 1, 1), display_name=name
        )


async def person_id(uow: UnitOfWork, tg_id: int) -> int:
    found = await uow.session.scalar(select(Person.id).where(Person.tg_id == tg_id))
    assert found is not None
    return found


async def log_hours(
    database: Database, tg_id: int, station: str, hours: float, day: date, mode: str = "offline"
) -> None:
    async with database.uow() as uow:
        uow.session.add(
            SupervisionSession(
                supervisor_id=await person_id(uow, tg_id),
                station_code=station,
                session_date=day,
                minutes=round(hours * 60),
                mode=mode,
                created_at=at(2026, 1, 1),
            )
        )
        await uow.commit()


async def plan(database: Database, now: datetime, admin_ids: tuple[int, ...] = ()) -> int:
    async with database.uow() as uow:
        result = await reminders.plan_due(
            uow, schedule=SCHEDULE, now=now, zone=SHANGHAI, admin_ids=admin_ids
        )
    return result.planned


async def ledger(database: Database) -> list[Delivery]:
    async with database.uow() as uow:
        rows = list((await uow.session.scalars(select(Delivery).order_by(Delivery.id))).all())
        uow.session.expunge_all()  # plain objects that outlive the unit of work
        return rows


async def test_warning_goes_to_supervisors_below_quota_not_to_those_who_met_it(
    database: Database,
) -> None:
    await grant(database, 1, "supervisor", "jiangnan", "陈督导")
    await grant(database, 2, "supervisor", "xicheng", "Ann")
    await log_hours(database, 1, "jiangnan", 8.5, date(2026, 11, 3))
    await log_hours(database, 2, "xicheng", 6, date(2026, 11, 3), "online")
    await log_hours(database, 2, "xicheng", 7, date(2026, 11, 10))
    await plan(database, at(2026, 11, 25, 9, 0))
    rows = [r for r in await ledger(database) if r.kind == reminders.QUOTA_WARNING]
    assert [(r.recipient_tg_id, r.station_code, r.occasion, r.period) for r in rows] == [
        (1, "jiangnan", "day25", "2026-11")
    ]
    payload = rows[0].payload
    assert (payload["done"], payload["needed"], payload["days_left"]) == (8.5, 4.5, 6)
    assert rows[0].key == "quota_warning:2026-11:day25:1:jiangnan"


async def test_planning_twice_adds_nothing(database: Database) -> None:
    await grant(database, 1, "supervisor", "jiangnan", "陈督导")
    first = await plan(database, at(2026, 11, 20, 9, 0))
    assert first == 1  # this week's digest folded into the 20th's warning: one message
    assert len(await ledger(database)) == 2
    assert await plan(database, at(2026, 11, 20, 9, 1)) == 0
    assert await plan(database, at(2026, 11, 21, 15, 0)) == 0


async def test_nothing_is_planned_in_the_quiet_hours(database: Database) -> None:
    await grant(database, 1, "supervisor", "jiangnan", "陈督导")
    assert await plan(database, at(2026, 11, 21, 3, 0)) == 0
    assert await plan(database, at(2026, 11, 21, 8, 0)) == 1  # digest + warning, combined


async def test_blocked_people_are_not_planned(database: Database) -> None:
    await grant(database, 1, "supervisor", "jiangnan", "陈督导")
    async with database.uow() as uow:
        await delivery.mark_unreachable(uow, tg_id=1, now=at(2026, 11, 2))
    assert await plan(database, at(2026, 11, 20, 9, 0)) == 0


async def test_month_close_to_admins_and_heads(database: Database) -> None:
    await grant(database, 1, "supervisor", "jiangnan", "陈督导")
    await grant(database, 2, "supervisor", "xicheng", "Ann")
    await grant(database, 3, "station_head", "jiangnan", "张站长")
    await grant(database, 4, "admin", None, "刘科长")
    await grant(database, 5, "worker", "xicheng", "Blocked worker")
    async with database.uow() as uow:
        await delivery.mark_unreachable(uow, tg_id=5, now=at(2026, 11, 2))
    await log_hours(database, 1, "jiangnan", 13, date(2026, 11, 30))
    await log_hours(database, 2, "xicheng", 12.75, date(2026, 11, 30))
    await log_hours(database, 2, "xicheng", 5, date(2026, 12, 1))  # December does not count
    # A reminder that failed in November is listed for the admins.
    async with database.uow() as uow:
        uow.session.add(
            Delivery(
                key="x", kind="quota_warning", period="2026-11", occasion="day20",
                recipient_tg_id=2, station_code="xicheng", payload={}, status=delivery.FAILED,
                attempts=1, planned_at=at(2026, 11, 20, 9, 0),
            )
        )  # fmt: skip
        await uow.commit()
    async with database.uow() as uow:  # the settings admin has opened the bot
        await people.access_for(uow, tg_id=ADMIN_ID, now=at(2026, 11, 3))
    await plan(database, at(2026, 12, 1, 9, 0), admin_ids=(ADMIN_ID, 900_002))
    rows = [r for r in await ledger(database) if r.kind == reminders.MONTH_CLOSE]
    by_recipient = {r.recipient_tg_id: r for r in rows}
    assert set(by_recipient) == {3, 4, ADMIN_ID}
    admin = by_recipient[4].payload
    assert admin["month"] == "2026-11"
    assert ["jiangnan", 13.0] in admin["met"]
    assert ["xicheng", 12.75] in admin["missed"]
    # The other twelve stations have no supervisor in the bot: set apart, not "missed".
    assert len(admin["missed"]) == 1
    assert len(admin["unsupervised"]) == 12 and ["dongcheng", 0.0] in admin["unsupervised"]
    assert admin["unreachable"] == [
        {"name": "Blocked worker", "roles": ["worker"], "stations": ["xicheng"]}
    ]
    assert admin["undelivered"] == [{"name": "Ann", "count": 1, "kinds": ["quota_warning"]}]
    head = by_recipient[3]
    assert head.station_code == "jiangnan"
    assert (head.payload["status"], head.payload["done"]) == ("met", 13.0)
    assert head.payload["supervised"] is True
    assert by_recipient[ADMIN_ID].payload == admin


async def _request(database: Database, station: str, created: datetime) -> int:
    async with database.uow() as uow:
        resident = Person(tg_id=700_000 + created.hour, created_at=created)
        uow.session.add(resident)
        await uow.session.flush()
        request = ServiceRequest(
            ref=f"JN-{created:%d%H}", client_token=f"t{created.isoformat()}",
            station_code=station, resident_id=resident.id, service_code="elderly_care",
            for_whom="self", age_group="60plus", preferred_time="any", status="submitted",
            created_at=created,
        )  # fmt: skip
        uow.session.add(request)
        await uow.commit()
        return request.id


async def test_waiting_requests_remind_workers_then_the_head(database: Database) -> None:
    await grant(database, 1, "worker", "jiangnan", "李社工")
    await grant(database, 2, "worker", "jiangnan", "王社工")
    await grant(database, 3, "station_head", "jiangnan", "张站长")
    await grant(database, 4, "worker", "xicheng", "Other station")
    request_id = await _request(database, "jiangnan", at(2026, 11, 17, 10, 0))

    def waiting(rows: list[Delivery]) -> list[tuple[int, str]]:
        return [(r.recipient_tg_id, r.occasion) for r in rows if r.kind == "request_waiting"]

    await plan(database, at(2026, 11, 18, 9, 59))
    assert waiting(await ledger(database)) == []
    await plan(database, at(2026, 11, 18, 10, 0))
    assert waiting(await ledger(database)) == [(1, "workers"), (2, "workers")]
    await plan(database, at(2026, 11, 19, 10, 0))
    assert waiting(await ledger(database)) == [(1, "workers"), (2, "workers"), (3, "head")]
    row = next(r for r in await ledger(database) if r.occasion == "head")
    assert row.period == f"r{request_id}" and row.payload["ref"] == "JN-1710"


async def test_a_reminder_planned_for_a_request_accepted_meanwhile_is_skipped(
    database: Database,
) -> None:
    await grant(database, 1, "worker", "jiangnan", "李社工")
    request_id = await _request(database, "jiangnan", at(2026, 11, 17, 10, 0))
    await plan(database, at(2026, 11, 18, 10, 0))
    async with database.uow() as uow:
        request = await uow.session.get(ServiceRequest, request_id)
        assert request is not None
        request.status, request.accepted_at = "accepted", at(2026, 11, 18, 10, 0, 30)
        await uow.commit()
    await plan(database, at(2026, 11, 18, 10, 1))
    row = next(r for r in await ledger(database) if r.kind == "request_waiting")
    assert row.status == delivery.SKIPPED


async def test_volunteer_applications_pending_three_days_remind_workers(
    database: Database,
) -> None:
    await grant(database, 1, "worker", "jiangnan", "李社工")
    await grant(database, 3, "station_head", "jiangnan", "张站长")
    async with database.uow() as uow:
        applicant = Person(tg_id=800_001, created_at=at(2026, 11, 1))
        uow.session.add(applicant)
        await uow.session.flush()
        uow.session.add(
            VolunteerApplication(
                person_id=applicant.id, station_code="jiangnan", age_group="adult",
                party_member="no", status="pending", created_at=at(2026, 11, 14, 11, 0),
            )
        )  # fmt: skip
        await uow.commit()
    await plan(database, at(2026, 11, 17, 10, 59))
    assert [r for r in await ledger(database) if r.kind == "volunteer_waiting"] == []
    await plan(database, at(2026, 11, 17, 11, 0))
    rows = [r for r in await ledger(database) if r.kind == "volunteer_waiting"]
    assert [(r.recipient_tg_id, r.occasion) for r in rows] == [(1, "workers")]


async def test_the_ledger_retries_an_unknown_send_once(database: Database) -> None:
    now = at(2026, 11, 20, 9, 0)
    message = delivery.PlannedMessage("digest", "2026-W47", "monday", 1, None, {})
    async with database.uow() as uow:
        await delivery.plan(uow, messages=[message], now=now)
    async with database.uow() as uow:
        (item,) = await delivery.pending(uow, now=now)
    async with database.uow() as uow:
        assert await delivery.claim(uow, item=item, now=now)
    async with database.uow() as uow:
        assert not await delivery.claim(uow, item=item, now=now)  # somebody else's now
    # The process died mid-send: nothing is due until ten minutes later.
    async with database.uow() as uow:
        assert await delivery.pending(uow, now=now + timedelta(minutes=9)) == []
    async with database.uow() as uow:
        (retry,) = await delivery.pending(uow, now=now + timedelta(minutes=10))
    assert retry.is_retry and retry.attempts == 1
    async with database.uow() as uow:
        assert await delivery.claim(uow, item=retry, now=now + timedelta(minutes=10))
    async with database.uow() as uow:  # unknown again: final, never a third try
        assert await delivery.pending(uow, now=now + timedelta(days=1)) == []
    async with database.uow() as uow:
        lost = await delivery.undelivered(uow, since=now, until=now + timedelta(days=1))
    assert [(u.recipient_tg_id, u.status) for u in lost] == [(1, "unknown")]
