"""Staff join by invitation; admins list and revoke them. Every grant and revoke is audited."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, func, insert, select

from db.models import AuditEntry, FirstContact, Invite, Person, StaffRole
from db.uow import UnitOfWork, inserted_id
from knowledge.deep_links import looks_like_ours
from services import audit
from services.errors import (
    Conflict,
    DomainError,
    InvalidValue,
    InviteAlreadyHeld,
    InviteExpired,
    InviteThrottled,
    InviteUnknown,
    InviteUsed,
    NotFound,
)
from services.people import ADMIN, STAFF_ROLES

MAX_VALID_HOURS = 24 * 30
DEFAULT_VALID_HOURS = 72  # how long an invitation works unless the admin says otherwise
# /start throttling (issue 11 item 9): this many wrong codes from one person within the window
# and that person's next codes are refused, unread, until fewer than that lie in the window.
WRONG_CODES_LIMIT = 5
WRONG_CODES_WINDOW = timedelta(minutes=10)
WRONG_CODE = "invite.wrong_code"  # audit action of each refused code
THROTTLED = "invite.throttled"  # audit action when a person is slowed down
CODE_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def looks_like_invite_code(text: str) -> bool:
    return 16 <= len(text) <= 64 and set(text) <= CODE_ALPHABET


@dataclass(frozen=True)
class CreatedInvite:
    code: str
    role: str
    station_code: str | None
    expires_at: datetime


@dataclass(frozen=True)
class Grant:
    role_id: int
    role: str
    station_code: str | None


@dataclass(frozen=True)
class StaffMember:
    role_id: int
    tg_id: int
    display_name: str | None  # None when unknown or erased (see `erased`)
    role: str
    station_code: str | None
    granted_at: datetime
    revoked_at: datetime | None = None
    erased: bool = False  # the person used /forget: show "erased", never a stale name

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _member(role: StaffRole, person: Person) -> StaffMember:
    return StaffMember(
        role_id=role.id,
        tg_id=person.tg_id,
        display_name=None if person.erased_at is not None else person.display_name,
        role=role.role,
        station_code=role.station_code,
        granted_at=role.granted_at,
        revoked_at=role.revoked_at,
        erased=person.erased_at is not None,
    )


async def _person_id(uow: UnitOfWork, tg_id: int | None, now: datetime) -> int | None:
    if tg_id is None:
        return None
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    if person is None:
        person = Person(tg_id=tg_id, created_at=now)
        uow.session.add(person)
        await uow.session.flush()
    return person.id


_PERSON_ID = select(Person.id).where(Person.tg_id == bindparam("tg_id"))
_INSERT_PERSON = insert(Person)
_INSERT_INVITE = insert(Invite)


def _person_id_now(connection: Connection, tg_id: int | None, now: datetime) -> int | None:
    """`_person_id` inside a Core transaction (`UnitOfWork.write`), prebuilt statements."""
    if tg_id is None:
        return None
    found = connection.execute(_PERSON_ID, {"tg_id": tg_id}).scalar()
    if found is not None:
        return int(found)
    created = connection.execute(_INSERT_PERSON, {"tg_id": tg_id, "created_at": now})
    return inserted_id(created)


async def create_invite(
    uow: UnitOfWork,
    *,
    role: str,
    station_code: str | None,
    station_codes: Iterable[str],
    created_by_tg_id: int | None,
    valid_hours: float = DEFAULT_VALID_HOURS,
    now: datetime,
) -> CreatedInvite:
    """A random single-use code (32 URL-safe characters); only its hash is stored."""
    if role not in STAFF_ROLES:
        raise InvalidValue("role", "unknown")
    if role == ADMIN:
        station_code = None
    elif station_code not in set(station_codes):
        raise InvalidValue("station", "unknown")
    if not 0 < valid_hours <= MAX_VALID_HOURS:
        raise InvalidValue("valid_hours", "out_of_range")
    code = secrets.token_urlsafe(24)
    while looks_like_ours(code):  # "stn-…", "act-…" read as a poster or a QR (1 in 8 million)
        code = secrets.token_urlsafe(24)
    expires_at = now + timedelta(hours=valid_hours)

    def write(connection: Connection) -> None:  # one Core transaction: no ORM flush
        creator = _person_id_now(connection, created_by_tg_id, now)
        connection.execute(
            _INSERT_INVITE,
            {
                "code_hash": hash_code(code),
                "role": role,
                "station_code": station_code,
                "created_by": creator,
                "created_at": now,
                "expires_at": expires_at,
            },
        )
        audit.insert_entry(
            connection,
            actor_id=creator,
            action="invite.create",
            subject=f"invite:{hash_code(code)[:12]}",
            now=now,
            detail={"role": role, "station": station_code, "valid_hours": valid_hours},
        )

    await uow.write(write)
    return CreatedInvite(code=code, role=role, station_code=station_code, expires_at=expires_at)


async def redeem_invite(uow: UnitOfWork, *, code: str, tg_id: int, now: datetime) -> Grant:
    """Grant the invite's role to the person; unknown, malformed, used or expired codes grant
    nothing, are audited (`invite.wrong_code`, the reason only, never the code) and count
    towards the throttle: after `WRONG_CODES_LIMIT` within `WRONG_CODES_WINDOW`, every code is
    refused unread with `InviteThrottled` until the oldest of those falls out of the window
    (the moment the throttle starts is audited as `invite.throttled`). A person who already
    holds the invite's role gets `InviteAlreadyHeld` (nothing granted, the invite untouched,
    no wrong code counted). `now` is passed in."""
    person_id = await _person_id(uow, tg_id, now)
    assert person_id is not None
    recent = list(
        await uow.session.scalars(
            select(AuditEntry.at)
            .where(
                AuditEntry.actor_person_id == person_id,
                AuditEntry.action == WRONG_CODE,
                AuditEntry.at > now - WRONG_CODES_WINDOW,
            )
            .order_by(AuditEntry.at)
        )
    )
    if len(recent) >= WRONG_CODES_LIMIT:
        await uow.commit()  # the person row, if this was their first contact
        raise InviteThrottled(until=recent[-WRONG_CODES_LIMIT] + WRONG_CODES_WINDOW)
    invite = (
        await uow.session.scalar(
            select(Invite).where(Invite.code_hash == hash_code(code)).with_for_update()
        )
        if looks_like_invite_code(code)
        else None
    )
    problem: DomainError | None = None
    existing = None
    if invite is not None:
        existing = await uow.session.scalar(
            select(StaffRole).where(
                StaffRole.person_id == person_id,
                StaffRole.role == invite.role,
                StaffRole.station_code.is_(None)
                if invite.station_code is None
                else StaffRole.station_code == invite.station_code,
                StaffRole.revoked_at.is_(None),
            )
        )
    if invite is not None and existing is not None:
        # The role is theirs already (a second tap of the link, or someone else's link): say
        # so, grant nothing, and neither use up the link nor count it as a wrong code.
        still_open = invite.used_at is None and invite.expires_at > now
        await uow.commit()  # the person row, if this was their first contact
        raise InviteAlreadyHeld(invite.role, invite.station_code, still_open=still_open)
    if invite is None:
        problem = InviteUnknown()
    elif invite.used_at is not None:
        problem = InviteUsed()
    elif invite.expires_at <= now:
        problem = InviteExpired()
    if problem is not None:
        await _wrong_code(uow, person_id, problem, wrong_before=len(recent), now=now)
        raise problem
    assert invite is not None
    invite.used_at = now
    invite.used_by = person_id
    existing = StaffRole(
        person_id=person_id,
        role=invite.role,
        station_code=invite.station_code,
        granted_at=now,
        granted_by=invite.created_by,
    )
    uow.session.add(existing)
    await uow.session.flush()
    audit.record(
        uow,
        actor_id=person_id,
        action="role.grant",
        subject=f"person:{person_id}",
        now=now,
        detail={"role": invite.role, "station": invite.station_code, "via": "invite"},
    )
    await uow.commit()
    return Grant(role_id=existing.id, role=existing.role, station_code=existing.station_code)


async def _wrong_code(
    uow: UnitOfWork, person_id: int, problem: DomainError, *, wrong_before: int, now: datetime
) -> None:
    reason = {InviteUnknown: "unknown", InviteUsed: "used", InviteExpired: "expired"}
    audit.record(
        uow,
        actor_id=person_id,
        action=WRONG_CODE,
        subject=f"person:{person_id}",
        now=now,
        detail={"reason": reason.get(type(problem), "unknown")},
    )
    if wrong_before + 1 >= WRONG_CODES_LIMIT:
        audit.record(
            uow,
            actor_id=person_id,
            action=THROTTLED,
            subject=f"person:{person_id}",
            now=now,
            detail={
                "wrong_codes": wrong_before + 1,
                "window_minutes": int(WRONG_CODES_WINDOW.total_seconds() // 60),
            },
        )
    await uow.commit()


async def wrong_codes_count(uow: UnitOfWork, *, tg_id: int) -> int:
    """How many wrong codes this person ever sent (audited), for tests and the admin."""
    person = await uow.session.scalar(select(Person.id).where(Person.tg_id == tg_id))
    if person is None:
        return 0
    count = await uow.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.actor_person_id == person, AuditEntry.action == WRONG_CODE)
    )
    return int(count or 0)


async def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    """Every active role, by station, then role (workers first, as STAFF_ROLES), then age."""
    rows = (
        await uow.session.execute(
            select(StaffRole, Person)
            .join(Person, Person.id == StaffRole.person_id)
            .where(StaffRole.revoked_at.is_(None))
        )
    ).all()
    rank = {role: index for index, role in enumerate(STAFF_ROLES)}
    members = [_member(role, person) for role, person in rows]
    members.sort(key=lambda m: (m.station_code or "", rank.get(m.role, 99), m.role_id))
    return members


async def staff_role(uow: UnitOfWork, *, role_id: int) -> StaffMember:
    """One role, active or revoked (the confirm step shows who and what). NotFound if unknown."""
    row = (
        await uow.session.execute(
            select(StaffRole, Person)
            .join(Person, Person.id == StaffRole.person_id)
            .where(StaffRole.id == role_id)
        )
    ).first()
    if row is None:
        raise NotFound()
    return _member(row[0], row[1])


async def revoke(uow: UnitOfWork, *, role_id: int, actor_tg_id: int, now: datetime) -> StaffMember:
    """Revoke one active role (audited). NotFound when unknown; Conflict when already revoked,
    so a second press on the same button can say so instead of revoking twice."""
    row = (
        await uow.session.execute(
            select(StaffRole, Person)
            .join(Person, Person.id == StaffRole.person_id)
            .where(StaffRole.id == role_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound()
    role, person = row
    if role.revoked_at is not None:
        raise Conflict()
    actor = await _person_id(uow, actor_tg_id, now)
    role.revoked_at = now
    role.revoked_by = actor
    audit.record(
        uow,
        actor_id=actor,
        action="role.revoke",
        subject=f"person:{role.person_id}",
        now=now,
        detail={"role": role.role, "station": role.station_code},
    )
    await uow.commit()
    return _member(role, person)


async def grant_directly(
    uow: UnitOfWork,
    *,
    tg_id: int,
    role: str,
    station_code: str | None,
    now: datetime,
    display_name: str | None = None,
    started: bool = True,
) -> None:
    """Seed a role without an invite (demo data, tests). Idempotent. Audited as `seed`.

    Seeded people stand for staff who use the bot, so they count as having started it unless
    `started=False` (a colleague named in the settings who never opened the chat)."""
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    if person is None:
        person = Person(tg_id=tg_id, created_at=now, language="zh", display_name=display_name)
        uow.session.add(person)
        await uow.session.flush()
    if started and await uow.session.get(FirstContact, tg_id) is None:
        uow.session.add(FirstContact(tg_id=tg_id, first_at=now))
    exists = await uow.session.scalar(
        select(StaffRole.id).where(
            StaffRole.person_id == person.id,
            StaffRole.role == role,
            StaffRole.station_code.is_(None)
            if station_code is None
            else StaffRole.station_code == station_code,
            StaffRole.revoked_at.is_(None),
        )
    )
    if exists is None:
        uow.session.add(
            StaffRole(person_id=person.id, role=role, station_code=station_code, granted_at=now)
        )
        audit.record(
            uow,
            actor_id=None,
            action="role.grant",
            subject=f"person:{person.id}",
            now=now,
            detail={"role": role, "station": station_code, "via": "seed"},
        )
    await uow.commit()
