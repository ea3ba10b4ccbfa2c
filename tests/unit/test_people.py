"""services.people: who is talking (one query per update), and their language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import Person
from db.uow import UnitOfWork
from services import people, privacy, staff

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def _person(uow: UnitOfWork, tg_id: int) -> tuple[str | None, str | None, object]:
    row = (
        await uow.session.execute(
            select(Person.display_name, Person.language, Person.unreachable_at).where(
                Person.tg_id == tg_id
            )
        )
    ).one()
    return row[0], row[1], row[2]


async def test_first_contact_creates_the_person_in_their_telegram_language(
    uow: UnitOfWork,
) -> None:
    access = await people.access_for(
        uow, tg_id=1, now=NOW, language_code="zh-hans", display_name="王阿姨"
    )
    assert access.language == "zh" and not access.is_staff
    assert await _person(uow, 1) == ("王阿姨", "zh", None)
    other = await people.access_for(uow, tg_id=2, now=NOW, language_code="de")
    assert other.language == "en" and other.person_id != access.person_id


async def test_roles_are_collected_and_revoked_ones_ignored(uow: UnitOfWork) -> None:
    for station in ("jiangnan", "xicheng"):
        await staff.grant_directly(uow, tg_id=5, role="supervisor", station_code=station, now=NOW)
    await staff.grant_directly(uow, tg_id=5, role="worker", station_code="jiangnan", now=NOW)
    [worker_role] = [m for m in await staff.list_staff(uow) if m.role == "worker"]
    await staff.revoke(uow, role_id=worker_role.role_id, actor_tg_id=9, now=NOW)
    access = await people.access_for(uow, tg_id=5, now=NOW)
    assert access.supervisor_stations == {"jiangnan", "xicheng"}
    assert access.worker_stations == frozenset()
    assert not access.is_admin
    assert (await people.access_for(uow, tg_id=5, now=NOW, admin_ids={5})).is_admin


async def test_a_new_telegram_name_is_kept_unless_erased(uow: UnitOfWork) -> None:
    await people.access_for(uow, tg_id=3, now=NOW, display_name="Old")
    await people.access_for(uow, tg_id=3, now=NOW, display_name="New")
    assert (await _person(uow, 3))[0] == "New"
    await privacy.erase(uow, tg_id=3, now=NOW)
    await people.access_for(uow, tg_id=3, now=NOW, display_name="New")
    assert (await _person(uow, 3))[0] is None


async def test_writing_again_clears_unreachable(uow: UnitOfWork) -> None:
    await people.access_for(uow, tg_id=4, now=NOW)
    person = await uow.session.scalar(select(Person).where(Person.tg_id == 4))
    assert person is not None
    person.unreachable_at = NOW - timedelta(days=1)
    await uow.commit()
    await people.access_for(uow, tg_id=4, now=NOW)
    uow.session.expire_all()
    assert (await _person(uow, 4))[2] is None


async def test_set_language_updates_or_creates(uow: UnitOfWork) -> None:
    await people.access_for(uow, tg_id=6, now=NOW, language_code="zh")
    await people.set_language(uow, tg_id=6, language="en", now=NOW)
    await people.set_language(uow, tg_id=7, language="en", now=NOW)  # never wrote before
    assert await people.languages_of(uow, [6, 7, 8]) == {6: "en", 7: "en", 8: "zh"}
