"""A walk-in registered without a phone (round 10): stored with none, the staff's view says
whose request it is (name, 村/社区), a case opened from it carries the village, and erasing the
walk-in blanks them all."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import FixedClock
from db.uow import Database
from services import cases, requests, walk_ins
from tests.conftest import SHANGHAI
from tests.unit.test_cases import CATALOG, open_case, person, register


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


async def test_without_a_phone_and_the_name_and_village_on_the_views(
    database: Database, now: datetime
) -> None:
    worker = await person(database, now, roles=(("worker", "jiangnan"),), name="王社工")
    head = await person(database, now, roles=(("station_head", "jiangnan"),), name="张站长")
    registered = await register(database, now, worker, phone=None)
    view = registered.request
    assert view.phone is None and registered.walk_in.resident_name == "刘奶奶"
    assert (view.resident_name, view.village) == ("刘奶奶", "城西村")
    async with database.uow() as uow:
        listed, _total = await requests.list_for_staff(
            uow, actor=worker, statuses=requests.OPEN_STATUSES
        )
    assert [(v.resident_name, v.village, v.phone) for v in listed] == [("刘奶奶", "城西村", None)]
    case = await open_case(
        database, now, worker, request_id=view.id, client_name=None, address=None
    )
    assert (case.client_name, case.village, case.address) == ("刘奶奶", "城西村", "城西村12号")
    async with database.uow() as uow:
        assert await walk_ins.erase(uow, request_id=view.id, actor=head, now=now)
    async with database.uow() as uow:
        erased = await requests.detail(uow, request_id=view.id, actor=worker)
        again = await cases.detail(
            uow, case_id=case.id, actor=worker, catalog=CATALOG, now=now, zone=SHANGHAI
        )
    assert (erased.resident_name, erased.village) == (None, None)
    assert (again.client_name, again.village) == (None, None)
