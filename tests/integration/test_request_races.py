"""Two presses at the same moment, on each real backend: one request, one owner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import ServiceRequest
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import consent, people, requests, staff
from services.stations import sync_stations

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


async def _setup(db: Database) -> tuple[people.Access, people.Access, people.Access]:
    async with db.uow() as uow:
        await sync_stations(uow, load_knowledge().stations)
    for tg_id in (2, 3):
        async with db.uow() as uow:
            await staff.grant_directly(
                uow, tg_id=tg_id, role="worker", station_code="jiangnan", now=NOW,
                display_name=f"worker {tg_id}",
            )  # fmt: skip
    found = []
    for tg_id in (1, 2, 3):
        async with db.uow() as uow:
            found.append(await people.access_for(uow, tg_id=tg_id, now=NOW))
    async with db.uow() as uow:
        await consent.give(uow, person_id=found[0].person_id, now=NOW)
    return found[0], found[1], found[2]


async def _submit(db: Database, resident: people.Access, token: str) -> Any:
    async with db.uow() as uow:
        return await requests.submit(
            uow, resident_id=resident.person_id, station_code="jiangnan",
            service_code="elderly_care", for_whom="family", age_group="80_plus",
            description="妈妈需要帮助", phone="13800138000", preferred_time="any", urgent=False,
            client_token=token, known_services=("elderly_care",), open_limit=3, now=NOW,
        )  # fmt: skip


async def test_same_draft_confirmed_twice_at_once(migrated_database: Database) -> None:
    db = migrated_database
    resident, _, _ = await _setup(db)
    first, second = await asyncio.gather(
        _submit(db, resident, "draft-1"), _submit(db, resident, "draft-1")
    )
    assert first.request.ref == second.request.ref == "JN-0001"
    assert sorted([first.created, second.created]) == [False, True]
    async with db.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ServiceRequest)) == 1


async def test_two_workers_accept_at_once(migrated_database: Database) -> None:
    db = migrated_database
    resident, one, two = await _setup(db)
    made = await _submit(db, resident, "draft-2")

    async def accept(worker: people.Access) -> Any:
        async with db.uow() as uow:
            try:
                return await requests.accept(uow, request_id=made.request.id, actor=worker, now=NOW)
            except requests.AlreadyTaken as taken:
                return taken

    results = await asyncio.gather(accept(one), accept(two))
    winners = [r for r in results if isinstance(r, requests.RequestView)]
    losers = [r for r in results if isinstance(r, requests.AlreadyTaken)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].holder_id == winners[0].assignee_id


@pytest.mark.parametrize("count", [3])
async def test_references_are_unique_in_order(migrated_database: Database, count: int) -> None:
    db = migrated_database
    resident, _, _ = await _setup(db)
    refs = [(await _submit(db, resident, f"draft-{n}")).request.ref for n in range(count)]
    assert refs == ["JN-0001", "JN-0002", "JN-0003"]
