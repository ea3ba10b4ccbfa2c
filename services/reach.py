"""Who can be reached, and who hears of something new at a station.

A person is reachable once they have started the bot (a `first_contacts` row: Telegram refuses
a bot that writes first) and until they block it (`people.unreachable_at`, cleared when they
write again). An administrator named in STATIONBOT_ADMINS who never opened the chat is not
reachable, so nobody calls Telegram for them and nobody is told their message was passed on.

One rule for every new thing at a station (a question, a request, a volunteer application):
its reachable workers; if none, its reachable head; if none, the reachable administrators; if
none, nobody, and the result says so, so the resident is told honestly and given the station's
phone and hours. An urgent request goes to the workers and the head at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from db.models import FirstContact, Person, StaffRole
from db.uow import UnitOfWork
from services.people import ADMIN, STATION_HEAD, SUPERVISOR, WORKER

NOBODY = "nobody"  # the group when no one at all can be reached


@dataclass(frozen=True)
class Contact:
    """Someone to tell: enough to write to them in their language."""

    person_id: int
    tg_id: int
    name: str | None
    language: str
    role: str


@dataclass(frozen=True)
class Recipients:
    """Who is told, and which group they are: worker, station_head, admin, or nobody (and,
    for an urgent request, "worker+station_head")."""

    contacts: tuple[Contact, ...]
    group: str

    @property
    def tg_ids(self) -> tuple[int, ...]:
        return tuple(c.tg_id for c in self.contacts)

    @property
    def nobody(self) -> bool:
        return not self.contacts


_HOLDERS = (
    select(
        Person.id, Person.tg_id, Person.display_name, Person.language, StaffRole.role,
        Person.unreachable_at, FirstContact.tg_id,
    )
    .join(StaffRole, StaffRole.person_id == Person.id)
    .outerjoin(FirstContact, FirstContact.tg_id == Person.tg_id)
    .where(
        StaffRole.role.in_(bindparam("roles", expanding=True)),
        StaffRole.revoked_at.is_(None),
        Person.erased_at.is_(None),
    )
    .order_by(Person.id)
)  # fmt: skip
_HOLDERS_AT = _HOLDERS.where(StaffRole.station_code == bindparam("station_code"))


async def _holders(
    uow: UnitOfWork, roles: Sequence[str], station_code: str | None
) -> list[tuple[Contact, bool]]:
    """Active holders of the roles (at the station), each with whether they are reachable.
    A prebuilt Core read (`uow.rows`: no ORM session needed; each request's Confirm asks)."""
    if station_code is None:
        rows = await uow.rows(_HOLDERS, {"roles": list(roles)})
    else:
        rows = await uow.rows(_HOLDERS_AT, {"roles": list(roles), "station_code": station_code})
    found: dict[int, tuple[Contact, bool]] = {}
    for pid, tg, name, lang, role, blocked, started in rows:
        contact = Contact(pid, tg, name, lang or "zh", role)
        found.setdefault(tg, (contact, blocked is None and started is not None))
    return list(found.values())


async def reachable_among(uow: UnitOfWork, tg_ids: Iterable[int]) -> set[int]:
    """The ids that have started the bot and not blocked it."""
    ids = list(set(tg_ids))
    reachable: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = await uow.session.scalars(
            select(FirstContact.tg_id)
            .join(Person, Person.tg_id == FirstContact.tg_id)
            .where(FirstContact.tg_id.in_(chunk), Person.unreachable_at.is_(None))
        )
        reachable.update(int(tg) for tg in rows.all())
    return reachable


async def started_chats(uow: UnitOfWork) -> set[int]:
    """Every chat that has written to the bot and not blocked it (see `reachable_among`)."""
    rows = await uow.session.scalars(
        select(FirstContact.tg_id)
        .join(Person, Person.tg_id == FirstContact.tg_id)
        .where(Person.unreachable_at.is_(None))
    )
    return {int(tg) for tg in rows.all()}


async def admins(uow: UnitOfWork, *, admin_tg_ids: Iterable[int] = ()) -> list[Contact]:
    """Reachable administrators: admin roles in the database and those named in the settings."""
    contacts = {c.tg_id: c for c, ok in await _holders(uow, [ADMIN], None) if ok}
    settings_ids = set(admin_tg_ids) - contacts.keys()
    for tg in sorted(await reachable_among(uow, settings_ids)):
        row = (
            await uow.session.execute(
                select(Person.id, Person.display_name, Person.language).where(Person.tg_id == tg)
            )
        ).one()
        contacts[tg] = Contact(row[0], tg, row[1], row[2] or "zh", ADMIN)
    return [contacts[tg] for tg in sorted(contacts)]


async def station_recipients(
    uow: UnitOfWork,
    *,
    station_code: str,
    admin_tg_ids: Iterable[int] = (),
    urgent: bool = False,
) -> Recipients:
    """Workers → head → administrators → nobody, among the reachable. Urgent: the workers and
    the head together (the administrators only when the station has neither)."""
    staff = [c for c, ok in await _holders(uow, [WORKER, STATION_HEAD], station_code) if ok]
    workers = [c for c in staff if c.role == WORKER]
    heads = [c for c in staff if c.role == STATION_HEAD]
    if urgent and workers and heads:
        return Recipients(tuple(workers + heads), f"{WORKER}+{STATION_HEAD}")
    if workers:
        return Recipients(tuple(workers), WORKER)
    if heads:
        return Recipients(tuple(heads), STATION_HEAD)
    found = await admins(uow, admin_tg_ids=admin_tg_ids)
    return Recipients(tuple(found), ADMIN if found else NOBODY)


@dataclass(frozen=True)
class StationGap:
    station_code: str
    workers: int  # active roles, reachable or not
    reachable_workers: int
    heads: int
    reachable_heads: int

    @property
    def has_reachable_staff(self) -> bool:
        return bool(self.reachable_workers or self.reachable_heads)


@dataclass(frozen=True)
class DoctorReport:
    """What `stationbot doctor` prints: the gaps a roll-out must close."""

    stations_without_reachable_staff: tuple[StationGap, ...]
    admins_never_started: tuple[int, ...]  # settings ids with no first contact
    admins_blocked: tuple[int, ...]  # started, then blocked the bot
    stations_without_supervisor: tuple[str, ...]
    reachable_admins: int


async def doctor(
    uow: UnitOfWork, *, station_codes: Iterable[str], admin_tg_ids: Iterable[int]
) -> DoctorReport:
    codes = list(station_codes)
    holders = await _holders(uow, [WORKER, STATION_HEAD, SUPERVISOR], None)
    by_station: dict[str, dict[str, list[bool]]] = {}
    rows = (
        await uow.session.execute(
            select(StaffRole.station_code, StaffRole.role, Person.tg_id)
            .join(Person, Person.id == StaffRole.person_id)
            .where(StaffRole.revoked_at.is_(None), StaffRole.station_code.is_not(None))
        )
    ).all()
    ok_by_tg = {c.tg_id: ok for c, ok in holders}
    for station, role, tg in rows:
        if station is None:
            continue
        by_station.setdefault(station, {}).setdefault(role, []).append(ok_by_tg.get(tg, False))
    gaps = []
    unsupervised = []
    for code in codes:
        roles = by_station.get(code, {})
        gap = StationGap(
            code,
            len(roles.get(WORKER, [])),
            sum(roles.get(WORKER, [])),
            len(roles.get(STATION_HEAD, [])),
            sum(roles.get(STATION_HEAD, [])),
        )
        if not gap.has_reachable_staff:
            gaps.append(gap)
        if not roles.get(SUPERVISOR):
            unsupervised.append(code)
    settings_ids = sorted(set(admin_tg_ids))
    started = set(
        (
            await uow.session.scalars(
                select(FirstContact.tg_id).where(FirstContact.tg_id.in_(settings_ids))
            )
        ).all()
    )
    reachable = await reachable_among(uow, settings_ids)
    return DoctorReport(
        stations_without_reachable_staff=tuple(gaps),
        admins_never_started=tuple(tg for tg in settings_ids if tg not in started),
        admins_blocked=tuple(tg for tg in settings_ids if tg in started and tg not in reachable),
        stations_without_supervisor=tuple(unsupervised),
        reachable_admins=len(await admins(uow, admin_tg_ids=admin_tg_ids)),
    )
