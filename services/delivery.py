"""The delivery ledger: every reminder, notification batch or broadcast is planned here first.

A unique key per message (kind, period, occasion, recipient, station) means a restart, a
second run or a catch-up can plan the same message again and nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from db.models import Delivery, Person
from db.uow import UnitOfWork

PLANNED, SENT, UNKNOWN, FAILED, UNREACHABLE, SKIPPED = (
    "planned",
    "sent",
    "unknown",
    "failed",
    "unreachable",
    "skipped",
)


@dataclass(frozen=True)
class PlannedMessage:
    kind: str
    period: str
    occasion: str
    recipient_tg_id: int
    station_code: str | None
    payload: dict[str, Any]

    @property
    def key(self) -> str:
        return ":".join(
            (
                self.kind,
                self.period,
                self.occasion,
                str(self.recipient_tg_id),
                self.station_code or "-",
            )
        )


@dataclass(frozen=True)
class PendingDelivery:
    id: int
    key: str
    kind: str
    period: str
    occasion: str
    recipient_tg_id: int
    station_code: str | None
    payload: dict[str, Any]
    attempts: int


async def plan(uow: UnitOfWork, *, messages: Iterable[PlannedMessage], now: datetime) -> int:
    """Insert the messages not yet in the ledger. Returns how many were new."""
    wanted = {m.key: m for m in messages}
    if not wanted:
        return 0
    known: set[str] = set()
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        known.update(
            (await uow.session.scalars(select(Delivery.key).where(Delivery.key.in_(chunk)))).all()
        )
    new = [m for key, m in wanted.items() if key not in known]
    uow.session.add_all(
        Delivery(
            key=m.key,
            kind=m.kind,
            period=m.period,
            occasion=m.occasion,
            recipient_tg_id=m.recipient_tg_id,
            station_code=m.station_code,
            payload=m.payload,
            status=PLANNED,
            attempts=0,
            planned_at=now,
            next_attempt_at=now,
        )
        for m in new
    )
    await uow.commit()
    return len(new)


async def pending(uow: UnitOfWork, *, now: datetime, limit: int = 1000) -> list[PendingDelivery]:
    """Planned (or unknown and due for their one retry) messages whose time has come."""
    rows = (
        await uow.session.scalars(
            select(Delivery)
            .where(Delivery.status == PLANNED, Delivery.next_attempt_at <= now)
            .order_by(Delivery.id)
            .limit(limit)
        )
    ).all()
    return [
        PendingDelivery(
            id=r.id,
            key=r.key,
            kind=r.kind,
            period=r.period,
            occasion=r.occasion,
            recipient_tg_id=r.recipient_tg_id,
            station_code=r.station_code,
            payload=dict(r.payload),
            attempts=r.attempts,
        )
        for r in rows
    ]


async def mark(
    uow: UnitOfWork,
    *,
    delivery_id: int,
    status: str,
    now: datetime,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    row = await uow.session.get(Delivery, delivery_id)
    if row is None:
        return
    row.attempts += 1
    row.status = status
    row.last_error = error
    row.next_attempt_at = next_attempt_at
    if status == SENT:
        row.sent_at = now
    if status == UNREACHABLE:
        person = await uow.session.scalar(select(Person).where(Person.tg_id == row.recipient_tg_id))
        if person is not None and person.unreachable_at is None:
            person.unreachable_at = now
    await uow.commit()


async def mark_unreachable(uow: UnitOfWork, *, tg_id: int, now: datetime) -> None:
    """Telegram said Forbidden: the person blocked the bot."""
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    if person is not None and person.unreachable_at is None:
        person.unreachable_at = now
        await uow.commit()
