"""Urgent requests escalate after 2 hours, also at night; ordinary notifications at night are
silent, urgent ones ring; calendar reminders due to one person at one moment are one message."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import Delivery
from db.uow import Database
from knowledge.bundle import load_knowledge
from knowledge.reminders import load_reminders
from services import consent, delivery, people, reminders, requests, staff
from services.delivery import PlannedMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHEDULE = load_reminders()
KNOWLEDGE = load_knowledge()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def grant(database: Database, tg_id: int, role: str, station: str | None) -> None:
    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=tg_id, role=role, station_code=station, now=at(2026, 11, 1)
        )


async def plan(database: Database, now: datetime, admin_ids: tuple[int, ...] = ()) -> int:
    async with database.uow() as uow:
        result = await reminders.plan_due(
            uow, schedule=SCHEDULE, now=now, zone=SHANGHAI, admin_ids=admin_ids
        )
    return result.planned


async def ledger(database: Database) -> list[Delivery]:
    async with database.uow() as uow:
        rows = list((await uow.session.scalars(select(Delivery).order_by(Delivery.id))).all())
        uow.session.expunge_all()
        return rows


async def urgent_request(database: Database, now: datetime) -> requests.Submitted:
    async with database.uow() as uow:
        resident = await people.access_for(uow, tg_id=5000, now=now)
    async with database.uow() as uow:
        await consent.give(uow, person_id=resident.person_id, now=now)
    async with database.uow() as uow:
        return await requests.submit(
            uow, resident_id=resident.person_id, station_code="gushan",
            service_code="child_protection", for_whom="neighbour", age_group="6_13",
            description="邻居家的孩子被打了，一直在哭", phone="13812345678",
            preferred_time="any", urgent=False, client_token="urgent-1",
            known_services=KNOWLEDGE.services.codes, open_limit=3, now=now,
            urgent_services=KNOWLEDGE.services.urgent_codes,
            for_whom_ages=KNOWLEDGE.request_rules.for_whom_ages,
        )  # fmt: skip


async def test_an_urgent_request_at_night_escalates_after_two_hours_once(
    database: Database,
) -> None:
    await grant(database, 1, "worker", "gushan")
    await grant(database, 2, "station_head", "gushan")
    async with database.uow() as uow:  # a settings administrator who opened the bot
        await people.access_for(uow, tg_id=90, now=at(2026, 11, 2))
    submitted = await urgent_request(database, at(2026, 11, 21, 3, 30))
    assert submitted.request.urgent and submitted.request.for_whom == "neighbour"
    assert {c.tg_id for c in submitted.notify} == {1, 2}  # at once, workers and head
    admins = (90, 91)  # 91 never started the bot: never planned
    assert await plan(database, at(2026, 11, 21, 5, 29), admins) == 0
    assert await plan(database, at(2026, 11, 21, 5, 30), admins) == 2  # in the quiet hours
    rows = await ledger(database)
    assert {r.recipient_tg_id for r in rows} == {2, 90}
    assert all(r.kind == reminders.URGENT_WAITING for r in rows)
    assert all(r.payload["urgent"] and r.payload["silent"] is False for r in rows)
    assert rows[0].key == f"urgent_waiting:u{submitted.request.id}:escalate:2:gushan"
    assert await plan(database, at(2026, 11, 21, 5, 31), admins) == 0  # ledger key: once


async def test_an_urgent_reminder_is_dropped_once_someone_accepts(database: Database) -> None:
    await grant(database, 2, "station_head", "gushan")
    submitted = await urgent_request(database, at(2026, 11, 21, 3, 30))
    await plan(database, at(2026, 11, 21, 5, 30))
    async with database.uow() as uow:
        head = await people.access_for(uow, tg_id=2, now=at(2026, 11, 21, 5, 31))
    async with database.uow() as uow:
        await requests.accept(
            uow, request_id=submitted.request.id, actor=head, now=at(2026, 11, 21, 5, 31)
        )
    await plan(database, at(2026, 11, 21, 5, 32))
    assert [r.status for r in await ledger(database)] == [delivery.SKIPPED]


def test_ordinary_notifications_are_silent_at_night_urgent_ones_ring() -> None:
    night, day = at(2026, 11, 21, 3, 30), at(2026, 11, 21, 10, 0)
    assert reminders.silent(SCHEDULE, now=night, zone=SHANGHAI, urgent=False)
    assert not reminders.silent(SCHEDULE, now=night, zone=SHANGHAI, urgent=True)
    assert not reminders.silent(SCHEDULE, now=day, zone=SHANGHAI, urgent=False)
    assert reminders.quiet_end(SCHEDULE, now=night, zone=SHANGHAI) == at(2026, 11, 21, 8, 0)
    late = at(2026, 11, 21, 22, 15)
    assert reminders.quiet_end(SCHEDULE, now=late, zone=SHANGHAI) == at(2026, 11, 22, 8, 0)
    assert reminders.quiet_end(SCHEDULE, now=day, zone=SHANGHAI) is None


def _message(kind: str, recipient: int, station: str | None = None) -> PlannedMessage:
    return PlannedMessage(kind, "2026-11", kind, recipient, station, {"kind": kind})


def test_combine_folds_one_persons_calendar_reminders_into_the_most_pressing() -> None:
    digest, final = _message(reminders.DIGEST, 1), _message(reminders.QUOTA_FINAL, 1, "jn")
    other = _message(reminders.DIGEST, 2)
    waiting = _message(reminders.REQUEST_WAITING, 1, "jn")
    send, folded = reminders.combine([digest, final, other, waiting])
    assert folded == [digest]
    assert [m.key for m in send] == [final.key, other.key, waiting.key]
    assert send[0].payload["also"] == [
        {"kind": reminders.DIGEST, "station_code": None, "payload": {"kind": reminders.DIGEST}}
    ]
    assert send[1] == other and send[2] == waiting  # alone: unchanged


async def test_last_day_digest_and_final_warning_are_one_message_never_sent_twice(
    database: Database,
) -> None:
    await grant(database, 1, "supervisor", "jiangnan")
    last_monday = at(2026, 11, 30, 9, 0)  # Monday and the last day of November
    assert last_monday.date() == date(2026, 11, 30) and last_monday.weekday() == 0
    assert await plan(database, last_monday) == 1
    rows = {r.kind: r for r in await ledger(database)}
    assert rows[reminders.QUOTA_FINAL].status == delivery.PLANNED
    assert rows[reminders.QUOTA_FINAL].payload["also"][0]["kind"] == reminders.DIGEST
    assert rows[reminders.DIGEST].status == delivery.SKIPPED
    assert rows[reminders.DIGEST].last_error == reminders.COMBINED
    assert await plan(database, last_monday + timedelta(hours=2)) == 0
