"""Who is talking to the bot, in which language, and with which roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, insert, select, update

from db.models import FirstContact, Person, StaffRole
from db.uow import UnitOfWork, inserted_id

LANGUAGES = ("zh", "en")
WORKER, SUPERVISOR, STATION_HEAD, ADMIN = "worker", "supervisor", "station_head", "admin"
STAFF_ROLES = (WORKER, SUPERVISOR, STATION_HEAD, ADMIN)


def language_from_telegram(language_code: str | None) -> str:
    """Telegram's `language_code`: zh* → Chinese, anything else (or nothing) → English."""
    return "zh" if (language_code or "").lower().startswith("zh") else "en"


@dataclass(frozen=True)
class Access:
    """A person's identity and roles, as plain values for handlers to decide on."""

    person_id: int
    tg_id: int
    language: str
    worker_stations: frozenset[str] = frozenset()
    supervisor_stations: frozenset[str] = frozenset()
    head_stations: frozenset[str] = frozenset()
    is_admin: bool = False

    @property
    def roles(self) -> frozenset[str]:
        roles = set()
        if self.worker_stations:
            roles.add(WORKER)
        if self.supervisor_stations:
            roles.add(SUPERVISOR)
        if self.head_stations:
            roles.add(STATION_HEAD)
        if self.is_admin:
            roles.add(ADMIN)
        return frozenset(roles)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    @property
    def staff_stations(self) -> frozenset[str]:
        return self.worker_stations | self.supervisor_stations | self.head_stations

    def can_see_station(self, station_code: str) -> bool:
        """Staff of a station, its supervisor, its head, or an admin."""
        return self.is_admin or station_code in self.staff_stations


_ACCESS_QUERY = (
    select(
        Person.id, Person.language, Person.display_name, Person.unreachable_at, Person.erased_at,
        StaffRole.role, StaffRole.station_code, FirstContact.first_at,
    )
    .outerjoin(StaffRole, and_(StaffRole.person_id == Person.id, StaffRole.revoked_at.is_(None)))
    .outerjoin(FirstContact, FirstContact.tg_id == Person.tg_id)
    .where(Person.tg_id == bindparam("tg_id"))
)  # fmt: skip


_INSERT_PERSON = insert(Person)
_INSERT_FIRST_CONTACT = insert(FirstContact)
_SET_LANGUAGE = (
    update(Person)
    .where(Person.tg_id == bindparam("for_tg_id"))
    .values(language=bindparam("new_language"))
)


async def access_for(
    uow: UnitOfWork,
    *,
    tg_id: int,
    now: datetime,
    admin_ids: Iterable[int] = (),
    language_code: str | None = None,
    display_name: str | None = None,
) -> Access:
    """Look the person up (creating them on first contact) and collect their roles.

    Every update starts here, so the read is one prebuilt Core query (the person joined with
    their active roles; no ORM objects to build) and it writes only on first contact, a changed
    Telegram name, or a person who was unreachable writing again. The first contact is
    recorded (`first_contacts`): only then may the bot write to them (see services.reach).
    """
    found = await uow.rows(_ACCESS_QUERY, {"tg_id": tg_id})
    name = (display_name or "")[:128] or None
    if not found:
        language = language_from_telegram(language_code)

        def first_contact(connection: Connection) -> int:  # one Core transaction
            created = connection.execute(
                _INSERT_PERSON,
                {"tg_id": tg_id, "language": language, "display_name": name, "created_at": now},
            )
            connection.execute(_INSERT_FIRST_CONTACT, {"tg_id": tg_id, "first_at": now})
            return inserted_id(created)

        person_id, rows = await uow.write(first_contact), []
    else:
        person_id, language, stored_name, unreachable_at, erased_at = found[0][:5]
        rows = [(role, station) for *_, role, station, _ in found if role is not None]
        first_time = found[0][-1] is None  # known (an invite, a seed), writing for the first time
        changes: dict[str, object] = {}
        if unreachable_at is not None:
            changes["unreachable_at"] = None  # they wrote to us, so they have unblocked the bot
        if name and stored_name != name and erased_at is None:
            changes["display_name"] = name
        if first_time or changes:

            def note(connection: Connection) -> None:  # one Core transaction
                if first_time:  # now reachable
                    connection.execute(_INSERT_FIRST_CONTACT, {"tg_id": tg_id, "first_at": now})
                if changes:
                    connection.execute(update(Person).where(Person.id == person_id).values(changes))

            await uow.write(note)
    by_role: dict[str, set[str]] = {WORKER: set(), SUPERVISOR: set(), STATION_HEAD: set()}
    is_admin = tg_id in set(admin_ids)
    for role, station in rows:
        if role == ADMIN:
            is_admin = True
        elif role in by_role and station:
            by_role[role].add(station)
    return Access(
        person_id=person_id,
        tg_id=tg_id,
        language=language or language_from_telegram(language_code),
        worker_stations=frozenset(by_role[WORKER]),
        supervisor_stations=frozenset(by_role[SUPERVISOR]),
        head_stations=frozenset(by_role[STATION_HEAD]),
        is_admin=is_admin,
    )


async def set_language(uow: UnitOfWork, *, tg_id: int, language: str, now: datetime) -> None:
    if language not in LANGUAGES:
        raise ValueError(language)

    def write(connection: Connection) -> None:  # one Core transaction, no ORM session
        # One UPDATE (no load first): the person almost always exists, speaker() made them.
        changed = connection.execute(_SET_LANGUAGE, {"for_tg_id": tg_id, "new_language": language})
        if changed.rowcount == 0:
            connection.execute(
                _INSERT_PERSON, {"tg_id": tg_id, "created_at": now, "language": language}
            )

    await uow.write(write)


async def languages_of(uow: UnitOfWork, tg_ids: Iterable[int]) -> dict[int, str]:
    """Each recipient's language, for notifications to other people (default Chinese)."""
    ids = list(set(tg_ids))
    if not ids:
        return {}
    rows = (
        await uow.session.execute(
            select(Person.tg_id, Person.language).where(Person.tg_id.in_(ids))
        )
    ).all()
    found = {tg: (lang or "zh") for tg, lang in rows}
    return {tg: found.get(tg, "zh") for tg in ids}
