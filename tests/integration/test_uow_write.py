"""`UnitOfWork.write`: a use case's Core statements as one transaction, on each real backend,
both on the kept connection (nothing read yet) and inside a unit that has opened its session."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, func, insert, select

from db.models import AuditEntry, Consent, FirstContact, Invite, Person
from db.uow import Database, inserted_id
from knowledge.bundle import load_knowledge
from services import consent, people, staff
from services.stations import sync_stations

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


async def _count(db: Database, model: type[object]) -> int:
    async with db.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_write_is_committed_whole_or_not_at_all(migrated_database: Database) -> None:
    db = migrated_database

    def two_people(connection: Connection) -> int:
        first = inserted_id(connection.execute(insert(Person).values(tg_id=1, created_at=NOW)))
        connection.execute(insert(Person).values(tg_id=2, created_at=NOW))
        return first

    async with db.uow() as uow:  # nothing read yet: the kept connection
        assert await uow.write(two_people) > 0
    assert await _count(db, Person) == 2

    def half_then_fail(connection: Connection) -> None:
        connection.execute(insert(Person).values(tg_id=3, created_at=NOW))
        raise RuntimeError("refused half-way")

    async with db.uow() as uow:
        with pytest.raises(RuntimeError):
            await uow.write(half_then_fail)
    async with db.uow() as uow:  # a session already open: its transaction, then committed
        await uow.session.scalar(select(func.count()).select_from(Person))
        with pytest.raises(RuntimeError):
            await uow.write(half_then_fail)
    assert await _count(db, Person) == 2
    async with db.uow() as uow:
        await uow.session.scalar(select(func.count()).select_from(Person))
        await uow.write(lambda c: c.execute(insert(Person).values(tg_id=4, created_at=NOW)))
    assert await _count(db, Person) == 3


async def test_an_invitation_and_its_audit_entry_are_written_together(
    migrated_database: Database,
) -> None:
    db = migrated_database
    async with db.uow() as uow:
        await sync_stations(uow, load_knowledge().stations)
    async with db.uow() as uow:
        await staff.create_invite(
            uow, role="worker", station_code="jiangnan", station_codes=("jiangnan",),
            created_by_tg_id=77, now=NOW,
        )  # fmt: skip
    async with db.uow() as uow:
        creator = await uow.session.scalar(select(Person.id).where(Person.tg_id == 77))
        invite = await uow.session.scalar(select(Invite))
        entry = await uow.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "invite.create")
        )
        assert creator is not None and invite is not None and entry is not None
        assert (invite.role, invite.station_code, invite.created_by) == (
            "worker", "jiangnan", creator,
        )  # fmt: skip
        assert entry.actor_person_id == creator
        assert entry.detail == {"role": "worker", "station": "jiangnan", "valid_hours": 72}


async def test_a_first_contact_creates_the_person_and_makes_them_reachable(
    migrated_database: Database,
) -> None:
    db = migrated_database
    async with db.uow() as uow:
        first = await people.access_for(
            uow, tg_id=501, now=NOW, language_code="en", display_name="Ann"
        )
    async with db.uow() as uow:
        again = await people.access_for(uow, tg_id=501, now=NOW, display_name="Ann B")
        person = await uow.session.scalar(select(Person).where(Person.tg_id == 501))
        contact = await uow.session.scalar(select(FirstContact).where(FirstContact.tg_id == 501))
        assert person is not None and contact is not None
        assert (person.id, person.language, person.display_name) == (first.person_id, "en", "Ann B")
    assert again.person_id == first.person_id and again.language == "en"


async def test_consent_given_twice_is_recorded_once(migrated_database: Database) -> None:
    db = migrated_database
    async with db.uow() as uow:
        who = await people.access_for(uow, tg_id=502, now=NOW)
    for _ in range(2):
        async with db.uow() as uow:
            given = await consent.give(uow, person_id=who.person_id, now=NOW)
            assert given.given and given.granted_at == NOW
    async with db.uow() as uow:
        assert (await consent.status(uow, person_id=who.person_id)).given
        kinds = (await uow.session.scalars(select(Consent.kind).order_by(Consent.kind))).all()
        audited = await uow.session.scalar(
            select(func.count()).where(AuditEntry.action == "consent.give")
        )
    assert kinds == sorted(consent.KINDS) and audited == 1


async def test_a_language_is_set_for_a_known_person_and_for_a_new_one(
    migrated_database: Database,
) -> None:
    db = migrated_database
    async with db.uow() as uow:
        known = await people.access_for(uow, tg_id=503, now=NOW, language_code="zh")
    async with db.uow() as uow:
        await people.set_language(uow, tg_id=503, language="en", now=NOW)
    async with db.uow() as uow:  # someone who never wrote (the console, a seed)
        await people.set_language(uow, tg_id=504, language="en", now=NOW)
    async with db.uow() as uow:
        assert await people.languages_of(uow, [503, 504]) == {503: "en", 504: "en"}
        again = await people.access_for(uow, tg_id=503, now=NOW)
    assert again.person_id == known.person_id and again.language == "en"
    with pytest.raises(ValueError):
        async with db.uow() as uow:
            await people.set_language(uow, tg_id=503, language="fr", now=NOW)


async def test_the_station_recipients_are_read_on_the_kept_connection(
    migrated_database: Database,
) -> None:
    """`reach._holders` as a prebuilt Core read (an expanding list of roles), on each backend."""
    from services import reach

    db = migrated_database
    async with db.uow() as uow:
        await sync_stations(uow, load_knowledge().stations)
    code = sorted(s.code for s in load_knowledge().stations.stations)[0]
    for tg_id, role in ((601, "worker"), (602, "station_head")):
        async with db.uow() as uow:
            await people.access_for(uow, tg_id=tg_id, now=NOW)  # has written: reachable
        async with db.uow() as uow:
            await staff.grant_directly(uow, tg_id=tg_id, role=role, station_code=code, now=NOW)
    async with db.uow() as uow:
        found = await reach.station_recipients(uow, station_code=code)
        urgent = await reach.station_recipients(uow, station_code=code, urgent=True)
    assert (found.tg_ids, found.group) == ((601,), "worker")
    assert (urgent.tg_ids, urgent.group) == ((601, 602), "worker+station_head")


async def test_the_work_checks_are_prebuilt_reads_on_each_backend(
    migrated_database: Database,
) -> None:
    """station_roles, records.last_template and activities.worker_minutes_on as Core reads
    (`uow.rows`, bound parameters, a date among them), on the kept connection."""
    from services import activities, records, station_roles
    from services.errors import NotAllowed

    db = migrated_database
    async with db.uow() as uow:
        await sync_stations(uow, load_knowledge().stations)
    code = sorted(s.code for s in load_knowledge().stations.stations)[0]
    async with db.uow() as uow:
        await staff.grant_directly(uow, tg_id=701, role="worker", station_code=code, now=NOW)
    async with db.uow() as uow:
        worker_id = await station_roles.require_station_role(
            uow, tg_id=701, role="worker", station_code=code
        )
        assert await station_roles.person_id_of(uow, tg_id=701) == worker_id
        assert await station_roles.person_id_of(uow, tg_id=799) is None
        with pytest.raises(NotAllowed):
            await station_roles.require_station_role(
                uow, tg_id=701, role="station_head", station_code=code
            )
        assert await activities.worker_minutes_on(uow, worker_id=worker_id, day=NOW.date()) == 0
        assert (
            await activities.worker_minutes_on(
                uow, worker_id=worker_id, day=NOW.date(), except_id=1
            )
            == 0
        )
        assert await records.last_template(uow, worker_tg_id=701) is None
