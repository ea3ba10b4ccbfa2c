"""A 14–17-year-old's guardian phone may not be their own number (round 10): refused in the
service, whatever way it is written, so no application goes in with no guardian to reach."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from db.models import VolunteerApplication
from db.uow import Database
from services import volunteers
from services.errors import InvalidValue
from tests.unit.test_consent_and_volunteers import apply
from tests.unit.test_request_lifecycle import person


async def test_the_guardian_phone_is_not_the_teenagers_own(
    database: Database, clock: FixedClock
) -> None:
    now: datetime = clock.now()
    teen = await person(database, now)
    with pytest.raises(InvalidValue) as raised:
        await apply(
            database, now, teen, age_group="14_17", phone="13800138000",
            guardian_name="王妈妈", guardian_phone="+86 138-0013-8000",
        )  # fmt: skip
    assert (raised.value.field, raised.value.reason) == ("guardian_phone", volunteers.SAME_AS_OWN)
    async with database.uow() as uow:
        assert (await uow.session.scalars(select(VolunteerApplication))).first() is None
    applied = await apply(
        database, now, teen, age_group="14_17", phone="13800138000",
        guardian_name="王妈妈", guardian_phone="13900139000",
    )  # fmt: skip
    assert applied.application.guardian_phone == "+8613900139000"
