"""`services.staff.redeem_invite` for a person who already holds the invitation's role."""

from __future__ import annotations

import pytest

from bot.clock import FixedClock
from db.uow import Database
from services import staff
from services.errors import InviteAlreadyHeld


async def test_a_held_role_is_not_granted_again_nor_the_link_used_up(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=11, role="worker", station_code="jiangnan", now=now, started=True
        )
    async with database.uow() as uow:
        created = await staff.create_invite(
            uow, role="worker", station_code="jiangnan", station_codes=["jiangnan"],
            created_by_tg_id=None, now=now,
        )  # fmt: skip
    for _ in range(2):
        async with database.uow() as uow:
            with pytest.raises(InviteAlreadyHeld) as held:
                await staff.redeem_invite(uow, code=created.code, tg_id=11, now=now)
        assert (held.value.role, held.value.station_code, held.value.still_open) == (
            "worker",
            "jiangnan",
            True,
        )
    async with database.uow() as uow:
        assert await staff.wrong_codes_count(uow, tg_id=11) == 0
        grant = await staff.redeem_invite(uow, code=created.code, tg_id=12, now=now)
    assert grant.role == "worker"
    async with database.uow() as uow:
        with pytest.raises(InviteAlreadyHeld) as held:
            await staff.redeem_invite(uow, code=created.code, tg_id=12, now=now)
    assert held.value.still_open is False
