"""Broadcast audiences and the ledger: who is in, who is left out, nothing planned twice."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from db.models import Delivery, Person, StaffRole
from db.uow import Database
from services import broadcasts, delivery
from services.errors import InvalidValue
from services.people import Access
from tests.report_fixtures import SH, add_request, add_volunteer, person

NOW = datetime(2026, 11, 16, 10, tzinfo=SH)
ADMIN = Access(person_id=0, tg_id=0, language="zh", is_admin=True)


async def tg_of(database: Database, person_id: int) -> int:
    async with database.uow() as uow:
        found = await uow.session.scalar(select(Person.tg_id).where(Person.id == person_id))
    assert found is not None
    return int(found)


async def test_audiences_for_a_station(database: Database) -> None:
    resident = await person(database)
    volunteer = await person(database)
    regular = await person(database, station="jiangnan")  # wrote to the bot about Jiangnan
    staff = await person(database)
    erased = await person(database)
    stranger = await person(database, station="xicheng")
    await add_request(
        database,
        resident_id=resident,
        station="jiangnan",
        created="2026-10-01 09:00",
        status="submitted",
    )
    await add_request(
        database,
        resident_id=erased,
        station="jiangnan",
        created="2026-10-01 09:00",
        status="submitted",
    )
    await add_volunteer(
        database,
        person_id=volunteer,
        station="jiangnan",
        created="2026-10-01 09:00",
        status="approved",
    )
    async with database.uow() as uow:
        uow.session.add(
            StaffRole(person_id=staff, role="worker", station_code="jiangnan", granted_at=NOW)
        )
        row = await uow.session.get(Person, erased)
        assert row is not None
        row.erased_at = NOW
        await uow.commit()

    async def members(name: str, station: str | None = "jiangnan") -> set[int]:
        async with database.uow() as uow:
            found = await broadcasts.audience(
                uow, audience=name, station_code=station, sender_tg_id=0
            )
        return set(found.recipients)

    ids = {name: await tg_of(database, pid) for name, pid in
           (("resident", resident), ("volunteer", volunteer), ("regular", regular),
            ("staff", staff), ("stranger", stranger))}  # fmt: skip
    assert await members("residents") == {ids["resident"]}
    assert await members("volunteers") == {ids["volunteer"]}
    assert await members("everyone") == {
        ids["resident"],
        ids["volunteer"],
        ids["regular"],
        ids["staff"],
    }
    assert await members("everyone", None) == set(ids.values())
    with pytest.raises(InvalidValue):
        await members("aliens")


async def test_planning_twice_adds_nothing_and_outcome_counts(database: Database) -> None:
    first, second = await person(database), await person(database)
    for resident in (first, second):
        await add_request(
            database,
            resident_id=resident,
            station="jiangnan",
            created="2026-10-01 09:00",
            status="submitted",
        )
    plan = dict(broadcast_id="bc0123456789ab", text=" 通知 ", audience_name="residents",
                station_code="jiangnan", sender=ADMIN, now=NOW)  # fmt: skip
    for _ in range(2):
        async with database.uow() as uow:
            found = await broadcasts.plan_broadcast(uow, **plan)  # type: ignore[arg-type]
        assert len(found.recipients) == 2
    async with database.uow() as uow:
        rows = (
            await uow.session.scalars(select(Delivery).where(Delivery.kind == "broadcast"))
        ).all()
        assert len(rows) == 2
        assert rows[0].payload == {
            "text": "通知",
            "station_code": "jiangnan",
            "audience": "residents",
        }
        await delivery.mark(uow, delivery_id=rows[0].id, status=delivery.SENT, now=NOW)
    async with database.uow() as uow:
        outcome = await broadcasts.outcome(uow, broadcast_id="bc0123456789ab")
    assert (outcome.planned, outcome.sent, outcome.waiting) == (2, 1, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "  "}, "text"),
        ({"text": "字" * 3501}, "text"),
        ({"broadcast_id": "x" * 20}, "broadcast"),
    ],
)
async def test_planning_refuses_bad_values(
    database: Database, changes: dict[str, str], field: str
) -> None:
    plan = dict(broadcast_id="bc0123456789ab", text="通知", audience_name="everyone",
                station_code=None, sender=ADMIN, now=NOW)  # fmt: skip
    plan.update(changes)
    async with database.uow() as uow:
        with pytest.raises(InvalidValue) as caught:
            await broadcasts.plan_broadcast(uow, **plan)  # type: ignore[arg-type]
    assert caught.value.field == field


async def test_opting_out_and_back_in(database: Database) -> None:
    async with database.uow() as uow:
        assert await broadcasts.set_opt_out(uow, tg_id=42, opt_out=True, now=NOW)
    async with database.uow() as uow:
        assert not await broadcasts.set_opt_out(uow, tg_id=42, opt_out=True, now=NOW)
        assert await broadcasts.set_opt_out(uow, tg_id=42, opt_out=False, now=NOW)


async def test_a_broadcast_typed_at_night_is_held_until_eight_unless_send_now(
    database: Database,
) -> None:
    from knowledge.reminders import load_reminders

    schedule = load_reminders()
    await person(database, station="jiangnan")
    await person(database, station="jiangnan", started=False)  # invited, never opened the bot
    night = datetime(2026, 11, 16, 23, 40, tzinfo=SH)
    held = broadcasts.timing(schedule, now=night, zone=SH)
    assert held.held and held.quiet
    assert held.send_at == datetime(2026, 11, 17, 8, 0, tzinfo=SH)
    now = broadcasts.timing(schedule, now=night, zone=SH, send_now=True)
    assert not now.held and now.send_at == night
    day = broadcasts.timing(schedule, now=NOW, zone=SH)
    assert not day.held and not day.quiet and day.send_at == NOW

    async with database.uow() as uow:
        planned = await broadcasts.plan_broadcast(
            uow, broadcast_id="bcnight", text="明天上午停水", audience_name="everyone",
            station_code="jiangnan", sender=ADMIN, now=night, send_at=held.send_at,
        )  # fmt: skip
    assert len(planned.recipients) == 1 and planned.not_started == 1
    assert planned.send_at == held.send_at
    async with database.uow() as uow:
        assert await delivery.pending(uow, now=night) == []
    async with database.uow() as uow:
        due = await delivery.pending(uow, now=datetime(2026, 11, 17, 8, 0, tzinfo=SH))
    assert [d.period for d in due] == ["bcnight"]
