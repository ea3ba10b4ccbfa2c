"""Who may see a report and who may broadcast to whom: the rules live in the services, on the
person's access, and refuse what it does not cover (issue 10); the evaluation's points are read
by `services.numbers`."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from db.models import Delivery
from db.uow import Database
from services import broadcasts, reports
from services.errors import InvalidValue, NotAllowed
from services.numbers import parse_points
from services.people import Access
from tests.report_fixtures import SH, add_request, person, seed_october

NOW = datetime(2026, 11, 16, 10, tzinfo=SH)
OCTOBER = reports.parse_period("2026-10")


def access(**roles: object) -> Access:
    return Access(person_id=1, tg_id=1001, language="en", **roles)  # type: ignore[arg-type]


WORKER = access(worker_stations=frozenset({"jiangnan"}))
HEAD = access(head_stations=frozenset({"jiangnan"}))
SUPERVISOR = access(supervisor_stations=frozenset({"jiangnan"}))
ADMIN = access(is_admin=True)
RESIDENT = access()


async def report(database: Database, actor: Access, station: str | None) -> reports.Report:
    async with database.uow() as uow:
        return await reports.build_report(
            uow, actor=actor, period=OCTOBER, station_code=station, now=NOW, zone=SH
        )


@pytest.mark.parametrize("actor", [WORKER, HEAD, ADMIN], ids=["worker", "head", "admin"])
async def test_staff_of_the_station_and_admins_get_its_report(
    database: Database, actor: Access
) -> None:
    await seed_october(database)
    got = await report(database, actor, "jiangnan")
    assert got.station_codes == ("jiangnan",) and got.total.activities == 3


@pytest.mark.parametrize(
    ("actor", "station"),
    [
        (WORKER, "xicheng"),  # a worker asking another station's report
        (HEAD, "xicheng"),
        (WORKER, None),  # every station at once is the bureau's
        (HEAD, None),
        (SUPERVISOR, "jiangnan"),  # supervisors have /quota, not reports
        (RESIDENT, "jiangnan"),
    ],
    ids=["worker-other", "head-other", "worker-all", "head-all", "supervisor", "resident"],
)
async def test_reports_refuse_what_the_access_does_not_cover(
    database: Database, actor: Access, station: str | None
) -> None:
    await seed_october(database)
    with pytest.raises(NotAllowed):
        await report(database, actor, station)


async def test_only_admins_get_every_station(database: Database) -> None:
    await seed_october(database)
    assert len((await report(database, ADMIN, None)).station_codes) == 14
    assert reports.may_report(WORKER) and reports.may_report(HEAD)
    assert not reports.may_report(SUPERVISOR) and not reports.may_report(RESIDENT)


async def plan(database: Database, sender: Access, station: str | None) -> broadcasts.Audience:
    async with database.uow() as uow:
        return await broadcasts.plan_broadcast(
            uow,
            broadcast_id="bc0123456789ab",
            text="通知",
            audience_name="residents",
            station_code=station,
            sender=sender,
            now=NOW,
        )


async def test_a_head_broadcasts_to_their_station_and_an_admin_to_everyone(
    database: Database,
) -> None:
    resident = await person(database)
    await add_request(database, resident_id=resident, station="jiangnan",
                      created="2026-10-01 09:00", status="submitted")  # fmt: skip
    assert len((await plan(database, HEAD, "jiangnan")).recipients) == 1
    async with database.uow() as uow:
        await broadcasts.plan_broadcast(
            uow, broadcast_id="bc0000000000ff", text="全体通知", audience_name="everyone",
            station_code=None, sender=ADMIN, now=NOW,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("sender", "station"),
    [
        (HEAD, "xicheng"),  # a head broadcasting to another station
        (HEAD, None),  # everyone: the bureau's
        (WORKER, "jiangnan"),
        (SUPERVISOR, "jiangnan"),
        (RESIDENT, "jiangnan"),
    ],
    ids=["head-other", "head-everyone", "worker", "supervisor", "resident"],
)
async def test_broadcasts_refuse_what_the_access_does_not_cover(
    database: Database, sender: Access, station: str | None
) -> None:
    resident = await person(database)
    await add_request(database, resident_id=resident, station="xicheng",
                      created="2026-10-01 09:00", status="submitted")  # fmt: skip
    with pytest.raises(NotAllowed):
        await plan(database, sender, station)
    async with database.uow() as uow:
        assert (await uow.session.scalars(select(Delivery.id))).all() == []  # nothing planned


def test_may_broadcast() -> None:
    assert broadcasts.may_broadcast(HEAD) and broadcasts.may_broadcast(ADMIN)
    assert not broadcasts.may_broadcast(WORKER) and not broadcasts.may_broadcast(RESIDENT)
    assert broadcasts.may_broadcast_to(ADMIN, None) and not broadcasts.may_broadcast_to(HEAD, None)


@pytest.mark.parametrize(
    ("typed", "points"),
    [("18", 18.0), ("18.5", 18.5), ("１８．５", 18.5), ("18,5", 18.5), ("18分", 18.0),
     ("18。5", 18.5), (" 0 ", 0.0), ("20", 20.0)],
)  # fmt: skip
def test_points_are_read_the_way_people_type_them(typed: str, points: float) -> None:
    assert parse_points(typed, maximum=20) == points


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("abc", "not_a_number"), ("", "not_a_number"), ("-1", "too_small"),
     ("20.5", "too_large"), ("1.234", "wrong_step")],
)  # fmt: skip
def test_points_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_points(typed, maximum=20)
    assert caught.value.reason == reason
