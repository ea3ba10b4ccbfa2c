"""People, roles, invites and the conversation store on each real backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.persistence import SQLPersistence
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import people, staff
from services.errors import InviteExpired, InviteUsed
from services.stations import sync_stations

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


async def test_invite_grants_once_and_is_stored_hashed(migrated_database: Database) -> None:
    db = migrated_database
    async with db.uow() as uow:
        await sync_stations(uow, load_knowledge().stations)
    async with db.uow() as uow:
        created = await staff.create_invite(
            uow, role="supervisor", station_code="jiangnan",
            station_codes=("jiangnan",), created_by_tg_id=None, valid_hours=1, now=NOW,
        )  # fmt: skip
    async with db.uow() as uow:
        grant = await staff.redeem_invite(uow, code=created.code, tg_id=42, now=NOW)
    assert (grant.role, grant.station_code) == ("supervisor", "jiangnan")
    async with db.uow() as uow:
        with pytest.raises(InviteUsed):
            await staff.redeem_invite(uow, code=created.code, tg_id=43, now=NOW)
    async with db.uow() as uow:
        access = await people.access_for(uow, tg_id=42, now=NOW)
    assert access.supervisor_stations == {"jiangnan"}
    async with db.uow() as uow:
        late = await staff.create_invite(
            uow, role="worker", station_code="jiangnan", station_codes=("jiangnan",),
            created_by_tg_id=None, valid_hours=1, now=NOW,
        )  # fmt: skip
    async with db.uow() as uow:
        with pytest.raises(InviteExpired):
            await staff.redeem_invite(
                uow, code=late.code, tg_id=44, now=NOW + timedelta(hours=1, seconds=1)
            )


async def test_sync_stations_is_idempotent(migrated_database: Database) -> None:
    catalog = load_knowledge().stations
    async with migrated_database.uow() as uow:
        assert await sync_stations(uow, catalog) == 14
    async with migrated_database.uow() as uow:
        assert await sync_stations(uow, catalog) == 0


async def test_persistence_round_trip(migrated_database: Database) -> None:
    store = SQLPersistence(migrated_database)
    await store.update_user_data(7, {"lang": "zh", "draft": {"station": "jiangnan", "n": [1, 2]}})
    await store.update_conversation("request", (7, 7), 3)
    await store.update_conversation("request", (8, 8), 2)
    await store.update_conversation("request", (8, 8), None)
    fresh = SQLPersistence(migrated_database)
    assert (await fresh.get_user_data())[7]["draft"]["n"] == [1, 2]
    assert await fresh.get_conversations("request") == {(7, 7): 3}
