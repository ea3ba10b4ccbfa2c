"""Broadcasts: one message from a station (or the bureau) to many people, through the ledger.

Audiences are a station's approved volunteers, the residents who made a request there, or
everyone connected to it (with no station: everyone who ever wrote to the bot). People who
opted out (`/unsubscribe`), who were erased, or the sender, never get one. People Telegram
told us had blocked the bot are counted and left out, not tried again.

`plan_broadcast` puts one ledger row per recipient (kind `broadcast`, period = the draft's
broadcast id), so confirming twice plans nothing new. Sending is the outbox's job.

Who may send: a station head to their station's people, an administrator to any station's or
to everyone (`may_broadcast_to`); `plan_broadcast` refuses anything else with NotAllowed.

Quiet nights: a broadcast confirmed in the quiet hours of `reminders.yaml` is held until they
end (08:00) unless the sender chose "send now" (`timing`, then `plan_broadcast(send_at=…)`).
A held broadcast's sender is told the outcome once it has gone out: `plan_held_reports` (the
minute tick) plans one `broadcast_report` ledger row to them per broadcast whose rows are all
settled (sent, blocked, failed: none waiting, none in flight), with the counts as its payload;
the ledger's unique key makes it once, across restarts and second runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select, union

from db.models import (
    AuditEntry,
    Delivery,
    FirstContact,
    Person,
    ServiceRequest,
    StaffRole,
    VolunteerApplication,
)
from db.uow import UnitOfWork
from knowledge.reminders import ReminderSchedule
from services import audit, delivery
from services.delivery import PlannedMessage
from services.errors import InvalidValue, NotAllowed
from services.people import Access
from services.reminders import quiet_end

KIND = "broadcast"
REPORT_KIND = "broadcast_report"  # the sender's outcome of a held broadcast
REPORT_WITHIN = timedelta(days=7)  # held broadcasts older than this are not reported any more
VOLUNTEERS, RESIDENTS, EVERYONE = "volunteers", "residents", "everyone"
AUDIENCES = (VOLUNTEERS, RESIDENTS, EVERYONE)
MAX_TEXT = 3500  # leaves room for the heading and footer under Telegram's 4096


def new_broadcast_id() -> str:
    """Fits the ledger's 16-character `period`; random so two drafts never share keys."""
    return "bc" + secrets.token_hex(6)


@dataclass(frozen=True)
class Audience:
    recipients: tuple[int, ...]  # Telegram ids to plan
    blocked: int  # left out: they blocked the bot
    opted_out: int  # left out: /unsubscribe
    not_started: int = 0  # left out: never opened the bot (a bot cannot write first)
    send_at: datetime | None = None  # planned: when the outbox starts (later when held)


@dataclass(frozen=True)
class BroadcastTiming:
    """When a broadcast confirmed at `now` goes out."""

    send_at: datetime
    held: bool  # typed in the quiet hours and not "send now": it waits for the morning
    quiet: bool  # `now` is in the quiet hours (offer "send now" / "in the morning")


def timing(
    schedule: ReminderSchedule, *, now: datetime, zone: ZoneInfo, send_now: bool = False
) -> BroadcastTiming:
    """A broadcast typed at night is held until the quiet hours end, unless `send_now`."""
    end = quiet_end(schedule, now=now, zone=zone)
    if end is None:
        return BroadcastTiming(send_at=now, held=False, quiet=False)
    if send_now:
        return BroadcastTiming(send_at=now, held=False, quiet=True)
    return BroadcastTiming(send_at=end, held=True, quiet=True)


@dataclass(frozen=True)
class BroadcastOutcome:
    planned: int
    sent: int
    unreachable: int
    failed: int
    waiting: int  # still planned (the outbox has not reached them yet)


def _people_of(audience: str, station_code: str | None) -> Select[Any]:
    """Person ids in the audience (before opt-outs and blocks)."""
    if audience not in AUDIENCES:
        raise InvalidValue("audience", "unknown")
    volunteers = select(VolunteerApplication.person_id).where(
        VolunteerApplication.status == "approved"
    )
    # Requests staff registered for walk-ins have no resident bot user to reach.
    residents = select(ServiceRequest.resident_id).where(ServiceRequest.resident_id.is_not(None))
    if station_code is not None:
        volunteers = volunteers.where(VolunteerApplication.station_code == station_code)
        residents = residents.where(ServiceRequest.station_code == station_code)
    if audience == VOLUNTEERS:
        return volunteers
    if audience == RESIDENTS:
        return residents
    if station_code is None:
        return select(Person.id)
    staff = select(StaffRole.person_id).where(
        StaffRole.station_code == station_code, StaffRole.revoked_at.is_(None)
    )
    regulars = select(Person.id).where(Person.last_station_code == station_code)
    return select(union(volunteers, residents, staff, regulars).subquery().c[0])


async def audience(
    uow: UnitOfWork, *, audience: str, station_code: str | None, sender_tg_id: int
) -> Audience:
    """Who would receive a broadcast now, and how many are left out and why."""
    rows = (
        await uow.session.execute(
            select(
                Person.tg_id, Person.broadcast_opt_out, Person.unreachable_at, FirstContact.tg_id
            )
            .outerjoin(FirstContact, FirstContact.tg_id == Person.tg_id)
            .where(
                Person.id.in_(_people_of(audience, station_code)),
                Person.erased_at.is_(None),
                Person.tg_id != sender_tg_id,
            )
            .order_by(Person.id)
        )
    ).all()
    recipients, blocked, opted_out, not_started = [], 0, 0, 0
    for tg_id, opt_out, unreachable_at, started in rows:
        if opt_out:
            opted_out += 1
        elif unreachable_at is not None:
            blocked += 1
        elif started is None:
            not_started += 1  # invited, never opened the chat: Telegram would refuse
        else:
            recipients.append(int(tg_id))
    return Audience(tuple(recipients), blocked, opted_out, not_started=not_started)


async def audience_sizes(
    uow: UnitOfWork, *, station_code: str | None, sender_tg_id: int
) -> dict[str, int]:
    """How many people each audience would reach now (for the buttons)."""
    sizes = {}
    for name in AUDIENCES:
        found = await audience(
            uow, audience=name, station_code=station_code, sender_tg_id=sender_tg_id
        )
        sizes[name] = len(found.recipients)
    return sizes


def sender_stations(sender: Access) -> frozenset[str]:
    """The stations whose people the person may write to (administrators: any, see below)."""
    return sender.head_stations


def may_broadcast(sender: Access) -> bool:
    """Whether the person may send broadcasts at all (a station head or an administrator)."""
    return sender.is_admin or bool(sender.head_stations)


def may_broadcast_to(sender: Access, station_code: str | None) -> bool:
    """Whether `sender` may write to `station_code`'s people (None: to everyone who ever wrote
    to the bot, which only administrators may)."""
    if sender.is_admin:
        return True
    return station_code is not None and station_code in sender.head_stations


async def plan_broadcast(
    uow: UnitOfWork,
    *,
    broadcast_id: str,
    text: str,
    audience_name: str,
    station_code: str | None,
    sender: Access,
    now: datetime,
    send_at: datetime | None = None,
) -> Audience:
    """Plan one ledger row per recipient. Planning the same broadcast again adds nothing.
    NotAllowed unless `sender` may write to that station's people (`may_broadcast_to`).
    `send_at` (from `timing`): the outbox leaves the rows until then."""
    if not may_broadcast_to(sender, station_code):
        raise NotAllowed(f"broadcast to {station_code or 'everyone'}")
    sender_tg_id = sender.tg_id
    text = text.strip()
    if not text:
        raise InvalidValue("text", "empty")
    if len(text) > MAX_TEXT:
        raise InvalidValue("text", "too_long")
    if not broadcast_id.startswith("bc") or len(broadcast_id) > 16:
        raise InvalidValue("broadcast", "malformed")
    found = await audience(
        uow, audience=audience_name, station_code=station_code, sender_tg_id=sender_tg_id
    )
    payload = {"text": text, "station_code": station_code, "audience": audience_name}
    sender_id = await uow.session.scalar(select(Person.id).where(Person.tg_id == sender_tg_id))
    audit.record(
        uow,
        actor_id=sender_id,
        action="broadcast.plan",
        subject=f"broadcast:{broadcast_id}",
        now=now,
        detail={
            "station": station_code,
            "audience": audience_name,
            "recipients": len(found.recipients),
            "blocked": found.blocked,
            "opted_out": found.opted_out,
            "not_started": found.not_started,
            "held_until": send_at.isoformat() if send_at is not None and send_at > now else None,
        },
    )
    await delivery.plan(  # commits, with the audit entry
        uow,
        messages=[
            PlannedMessage(
                kind=KIND,
                period=broadcast_id,
                occasion="broadcast",
                recipient_tg_id=tg_id,
                station_code=station_code,
                payload=payload,
            )
            for tg_id in found.recipients
        ],
        now=now,
        not_before=send_at,
    )
    await uow.commit()
    return replace(found, send_at=max(now, send_at) if send_at is not None else now)


async def outcome(uow: UnitOfWork, *, broadcast_id: str) -> BroadcastOutcome:
    rows = (
        await uow.session.execute(
            select(Delivery.status, func.count())
            .where(Delivery.kind == KIND, Delivery.period == broadcast_id)
            .group_by(Delivery.status)
        )
    ).all()
    counts = {status: int(n) for status, n in rows}
    return BroadcastOutcome(
        planned=sum(counts.values()),
        sent=counts.get(delivery.SENT, 0),
        unreachable=counts.get(delivery.UNREACHABLE, 0),
        failed=counts.get(delivery.FAILED, 0) + counts.get(delivery.UNKNOWN, 0),
        waiting=counts.get(delivery.PLANNED, 0),
    )


async def set_opt_out(uow: UnitOfWork, *, tg_id: int, opt_out: bool, now: datetime) -> bool:
    """Stop (or resume) broadcasts for a person. Returns whether anything changed."""
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    if person is None:
        person = Person(tg_id=tg_id, created_at=now, broadcast_opt_out=False)
        uow.session.add(person)
        await uow.session.flush()
    if person.broadcast_opt_out == opt_out:
        return False
    person.broadcast_opt_out = opt_out
    audit.record(
        uow,
        actor_id=person.id,
        action="broadcast.unsubscribe" if opt_out else "broadcast.subscribe",
        subject=f"person:{person.id}",
        now=now,
    )
    await uow.commit()
    return True


@dataclass(frozen=True)
class SenderReport:
    """What the sender of a broadcast is told once it has gone out."""

    sent: int
    blocked: int  # blocked the bot: before (left out) or while it went out
    not_reachable: int  # never opened the bot, or Telegram did not take it (failed)
    opted_out: int  # /unsubscribe: left out

    def payload(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "blocked": self.blocked,
            "not_reachable": self.not_reachable,
            "opted_out": self.opted_out,
        }

    @classmethod
    def of(cls, payload: dict[str, Any]) -> SenderReport:
        return cls(**{k: int(payload.get(k, 0)) for k in ("sent", "blocked", "not_reachable",
                                                           "opted_out")})  # fmt: skip


async def _settled(uow: UnitOfWork, broadcast_id: str) -> bool:
    """No row of the broadcast waits, is in flight or is due for its one retry."""
    open_rows = await uow.session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.kind == KIND,
            Delivery.period == broadcast_id,
            (Delivery.status == delivery.PLANNED)
            | ((Delivery.status == delivery.UNKNOWN) & Delivery.next_attempt_at.is_not(None)),
        )
    )
    return not open_rows


async def plan_held_reports(uow: UnitOfWork, *, now: datetime) -> int:
    """One report to the sender of each held broadcast that has gone out since (its hour
    came and every row is settled). Returns how many reports were planned now."""
    entries = (
        await uow.session.execute(
            select(AuditEntry.subject, AuditEntry.detail, Person.tg_id)
            .join(Person, Person.id == AuditEntry.actor_person_id)
            .where(AuditEntry.action == "broadcast.plan", AuditEntry.at >= now - REPORT_WITHIN)
            .order_by(AuditEntry.id)
        )
    ).all()
    messages = []
    for subject, detail, sender_tg_id in entries:
        held_until = (detail or {}).get("held_until")
        if not held_until or datetime.fromisoformat(held_until) > now:
            continue
        broadcast_id = subject.removeprefix("broadcast:")
        message = PlannedMessage(
            kind=REPORT_KIND,
            period=broadcast_id,
            occasion="done",
            recipient_tg_id=sender_tg_id,
            station_code=detail.get("station"),
            payload={},
        )
        if await delivery.existing_keys(uow, [message.key]) or not await _settled(
            uow, broadcast_id
        ):
            continue
        went = await outcome(uow, broadcast_id=broadcast_id)
        report = SenderReport(
            sent=went.sent,
            blocked=went.unreachable + int(detail.get("blocked", 0)),
            not_reachable=went.failed + int(detail.get("not_started", 0)),
            opted_out=int(detail.get("opted_out", 0)),
        )
        messages.append(replace(message, payload=report.payload()))
    if not messages:
        return 0
    return await delivery.plan(uow, messages=messages, now=now)
