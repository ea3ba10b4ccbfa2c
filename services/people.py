"""Who is talking to the bot, in which language, and with which roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from db.models import Person, StaffRole
from db.uow import UnitOfWork

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


async def access_for(
    uow: UnitOfWork,
    *,
    tg_id: int,
    now: datetime,
    admin_ids: Iterable[int] = (),
    language_code: str | None = None,
    display_name: str | None = None,
) -> Access:
    """Look the person up (creating them on first contact) and collect their roles."""
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    changed = False
    if person is None:
        person = Person(
            tg_id=tg_id,
            language=language_from_telegram(language_code),
            display_name=(display_name or "")[:128] or None,
            created_at=now,
        )
        uow.session.add(person)
        changed = True
    elif person.unreachable_at is not None:
        # They wrote to us, so they have unblocked the bot.
        person.unreachable_at = None
        changed = True
    if display_name and person.display_name != display_name[:128] and person.erased_at is None:
        person.display_name = display_name[:128]
        changed = True
    if changed:
        await uow.session.flush()
        await uow.commit()
    rows = (
        await uow.session.execute(
            select(StaffRole.role, StaffRole.station_code).where(
                StaffRole.person_id == person.id, StaffRole.revoked_at.is_(None)
            )
        )
    ).all()
    by_role: dict[str, set[str]] = {WORKER: set(), SUPERVISOR: set(), STATION_HEAD: set()}
    is_admin = tg_id in set(admin_ids)
    for role, station in rows:
        if role == ADMIN:
            is_admin = True
        elif role in by_role and station:
            by_role[role].add(station)
    return Access(
        person_id=person.id,
        tg_id=tg_id,
        language=person.language or language_from_telegram(language_code),
        worker_stations=frozenset(by_role[WORKER]),
        supervisor_stations=frozenset(by_role[SUPERVISOR]),
        head_stations=frozenset(by_role[STATION_HEAD]),
        is_admin=is_admin,
    )


async def set_language(uow: UnitOfWork, *, tg_id: int, language: str, now: datetime) -> None:
    if language not in LANGUAGES:
        raise ValueError(language)
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    if person is None:
        person = Person(tg_id=tg_id, created_at=now)
        uow.session.add(person)
    person.language = language
    await uow.commit()


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
