"""The delivery ledger: every reminder, notification batch or broadcast is planned here first.

A unique key per message (kind, period, occasion, recipient, station) means a restart, a
second run or a catch-up can plan the same message again and nothing is sent twice.

A row's life:

    planned ──claim──► unknown (in flight) ──► sent | unreachable | failed
                          │   timed out, or the process died mid-send
                          └──► unknown, retried ONCE after 10 minutes ──► sent | … | unknown (final)

A row is claimed (status `unknown`, `next_attempt_at` = when to retry if we never hear back)
and committed *before* the send, so a crash mid-send leaves an honest "we do not know"
rather than a `planned` row that a restart would send again. Telegram has no idempotency
key: an unknown row may have been delivered, so it gets exactly one more try, and a second
unknown is final (listed for admins).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, update

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
UNKNOWN_RETRY_AFTER = timedelta(minutes=10)
# Kinds whose payload is the composed text itself (a notice about a request; any other
# notification the outbox sends): what /forget blanks in the ledger.
NOTICE, MESSAGE = "notice", "message"
COMPOSED_KINDS = (NOTICE, MESSAGE)
ERASED = "erased"  # last_error of a composed message that /forget stopped before it went
IN_FLIGHT = "in_flight"  # last_error while claimed: the send has started, its outcome is unknown


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
    status: str = PLANNED  # `unknown` when this is the one retry after a timeout

    @property
    def is_retry(self) -> bool:
        return self.status == UNKNOWN


@dataclass(frozen=True)
class Undelivered:
    """A message that did not (knowably) arrive: for the admins' month-close list."""

    recipient_tg_id: int
    display_name: str | None
    kind: str
    status: str  # failed | unknown
    planned_at: datetime


_INSERT = insert(Delivery)
_KNOWN_KEYS = select(Delivery.key).where(Delivery.key.in_(bindparam("keys", expanding=True)))


async def existing_keys(uow: UnitOfWork, keys: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(keys))
    known: set[str] = set()
    for start in range(0, len(wanted), 500):
        rows = await uow.rows(_KNOWN_KEYS, {"keys": wanted[start : start + 500]})
        known.update(key for (key,) in rows)
    return known


async def plan(
    uow: UnitOfWork,
    *,
    messages: Iterable[PlannedMessage],
    now: datetime,
    folded: Iterable[PlannedMessage] = (),
    not_before: datetime | None = None,
) -> int:
    """Insert the messages not yet in the ledger and commit (one Core transaction, no ORM
    flush). Returns how many were new."""
    rows = await _new_rows(uow, messages=messages, now=now, folded=folded, due_at=not_before)
    if rows:
        await uow.write(lambda connection: connection.execute(_INSERT, rows))
    else:
        await uow.commit()  # as before: what the caller's unit holds is committed
    return sum(1 for r in rows if r["status"] == PLANNED)


async def add(
    uow: UnitOfWork,
    *,
    messages: Iterable[PlannedMessage],
    now: datetime,
    due_at: datetime | None = None,
    folded: Iterable[PlannedMessage] = (),
) -> int:
    """`plan` without the commit, for a service that commits its own change with the messages.
    Returns how many were new. With `due_at`, the outbox leaves them until then (after the
    quiet hours, say: a broadcast held for the morning).

    `folded` messages went out inside another one (services.reminders.combine): they are
    recorded as `skipped` (last_error "combined") so their keys are taken and never sent alone.
    """
    rows = await _new_rows(uow, messages=messages, now=now, folded=folded, due_at=due_at)
    uow.session.add_all(Delivery(**row) for row in rows)
    return sum(1 for r in rows if r["status"] == PLANNED)


async def _new_rows(
    uow: UnitOfWork,
    *,
    messages: Iterable[PlannedMessage],
    now: datetime,
    due_at: datetime | None,
    folded: Iterable[PlannedMessage],
) -> list[dict[str, Any]]:
    """The ledger rows of the messages whose keys it does not hold yet: folded ones first."""
    wanted = {m.key: m for m in messages}
    folded_by_key = {m.key: m for m in folded if m.key not in wanted}
    if not wanted and not folded_by_key:
        return []
    known = await existing_keys(uow, [*wanted, *folded_by_key])
    due = max(now, due_at) if due_at is not None else now

    def row(m: PlannedMessage, status: str) -> dict[str, Any]:
        return {
            "key": m.key,
            "kind": m.kind,
            "period": m.period,
            "occasion": m.occasion,
            "recipient_tg_id": m.recipient_tg_id,
            "station_code": m.station_code,
            "payload": m.payload,
            "status": status,
            "attempts": 0,
            "planned_at": now,
            "next_attempt_at": None if status == SKIPPED else due,
            "last_error": "combined" if status == SKIPPED else None,
        }

    return [row(m, SKIPPED) for key, m in folded_by_key.items() if key not in known] + [
        row(m, PLANNED) for key, m in wanted.items() if key not in known
    ]


def is_due(now: datetime) -> Any:
    """The SQL condition of a row whose (first or one retry) send is due at `now`."""
    return or_(
        and_(Delivery.status == PLANNED, Delivery.next_attempt_at <= now),
        and_(
            Delivery.status == UNKNOWN,
            Delivery.next_attempt_at.is_not(None),
            Delivery.next_attempt_at <= now,
        ),
    )


async def pending(
    uow: UnitOfWork, *, now: datetime, limit: int = 1000, keys: Iterable[str] | None = None
) -> list[PendingDelivery]:
    """Planned (or unknown and due for their one retry) messages whose time has come; only
    those with one of `keys` when given (the notices one action just planned).

    Rows for people known to have blocked the bot are marked unreachable here, unsent.
    """
    query = (
        select(Delivery, Person.unreachable_at)
        .outerjoin(Person, Person.tg_id == Delivery.recipient_tg_id)
        .where(is_due(now))
    )
    if keys is not None:
        query = query.where(Delivery.key.in_(list(keys)))
    rows = (await uow.session.execute(query.order_by(Delivery.id).limit(limit))).all()
    result = []
    blocked = False
    for row, unreachable_at in rows:
        if unreachable_at is not None:
            row.status = UNREACHABLE
            row.last_error = "blocked"
            row.next_attempt_at = None
            blocked = True
            continue
        result.append(
            PendingDelivery(
                id=row.id,
                key=row.key,
                kind=row.kind,
                period=row.period,
                occasion=row.occasion,
                recipient_tg_id=row.recipient_tg_id,
                station_code=row.station_code,
                payload=dict(row.payload),
                attempts=row.attempts,
                status=row.status,
            )
        )
    if blocked:
        await uow.commit()
    return result


async def claim(uow: UnitOfWork, *, item: PendingDelivery, now: datetime) -> bool:
    """Take a row for sending, committed before the send. False if someone else took it.

    The first attempt leaves a retry time behind (in case we never learn the outcome); the
    retry of an unknown row leaves none, so it is never tried a third time.
    """
    retry_at = None if item.is_retry else now + UNKNOWN_RETRY_AFTER
    result = await uow.session.execute(
        update(Delivery)
        .where(
            Delivery.id == item.id,
            Delivery.status == item.status,
            Delivery.attempts == item.attempts,
        )
        .values(
            status=UNKNOWN,
            attempts=Delivery.attempts + 1,
            next_attempt_at=retry_at,
            last_error=IN_FLIGHT,
        )
        .execution_options(synchronize_session=False)
    )
    await uow.commit()
    return bool(getattr(result, "rowcount", 0) == 1)


async def mark(
    uow: UnitOfWork,
    *,
    delivery_id: int,
    status: str,
    now: datetime,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
    count_attempt: bool = True,
) -> None:
    """Record an outcome. `count_attempt=False` after `claim` (which counted it already)."""
    row = await uow.session.get(Delivery, delivery_id)
    if row is None:
        return
    if count_attempt:
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


async def blank_composed(uow: UnitOfWork, *, recipient_tg_id: int, subjects: Iterable[str]) -> int:
    """/forget: blank the composed text of the ledger's messages to the person, or about them
    (`subjects`: the periods naming their requests, applications and questions, e.g.
    `request:17`), and skip those not sent yet (a notice about what was erased is not
    delivered afterwards). Does not commit: services.privacy.erase does, in its own unit of
    work. Returns the rows blanked."""
    about = list(dict.fromkeys(subjects))
    condition = Delivery.recipient_tg_id == recipient_tg_id
    if about:
        condition = or_(condition, Delivery.period.in_(about))
    rows = (
        await uow.session.scalars(
            select(Delivery).where(Delivery.kind.in_(COMPOSED_KINDS), condition)
        )
    ).all()
    blanked = 0
    for row in rows:
        if row.payload != {ERASED: True}:
            row.payload = {ERASED: True}
            blanked += 1
        if row.status == PLANNED or (row.status == UNKNOWN and row.next_attempt_at is not None):
            row.status = SKIPPED
            row.last_error = ERASED
            row.next_attempt_at = None
    return blanked


async def unreachable_among(uow: UnitOfWork, tg_ids: Iterable[int]) -> set[int]:
    """Which of these people are known to have blocked the bot."""
    ids = list(set(tg_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            (
                await uow.session.scalars(
                    select(Person.tg_id).where(
                        Person.tg_id.in_(chunk), Person.unreachable_at.is_not(None)
                    )
                )
            ).all()
        )
    return found


async def skip(uow: UnitOfWork, *, delivery_ids: Iterable[int], reason: str) -> int:
    """Planned messages that are no longer true (the request was accepted meanwhile)."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    result = await uow.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status == PLANNED)
        .values(status=SKIPPED, last_error=reason, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    await uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Told:
    """Who a notice went to (or may have: `unknown`), and who it has not reached yet."""

    reached: tuple[int, ...]  # recipients of rows sent, or in flight (may have arrived)
    planned: tuple[int, ...]  # recipients of rows still waiting to go
    any_row: bool  # the ledger has a row of this notice at all (whatever its status)


async def told(uow: UnitOfWork, *, kind: str, period: str, occasion: str) -> Told:
    """Whom the ledger's `kind`/`period`/`occasion` notice reached, and whom it has not yet:
    the people to tell again when what it announced has ended (a cancelled request)."""
    rows = (
        await uow.session.execute(
            select(Delivery.recipient_tg_id, Delivery.status)
            .where(Delivery.kind == kind, Delivery.period == period, Delivery.occasion == occasion)
            .order_by(Delivery.id)
        )
    ).all()
    reached = tuple(dict.fromkeys(int(tg) for tg, status in rows if status in (SENT, UNKNOWN)))
    planned = tuple(dict.fromkeys(int(tg) for tg, status in rows if status == PLANNED))
    return Told(reached=reached, planned=planned, any_row=bool(rows))


async def withdraw_planned(
    uow: UnitOfWork, *, kind: str, period: str, occasion: str, reason: str
) -> int:
    """Rows of a notice that is no longer true and has not gone yet become `skipped`."""
    result = await uow.session.execute(
        update(Delivery)
        .where(
            Delivery.kind == kind,
            Delivery.period == period,
            Delivery.occasion == occasion,
            Delivery.status == PLANNED,
        )
        .values(status=SKIPPED, last_error=reason, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    await uow.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def undelivered(uow: UnitOfWork, *, since: datetime, until: datetime) -> list[Undelivered]:
    """Messages planned in [since, until) that failed, or whose one retry was unknown too."""
    rows = (
        await uow.session.execute(
            select(
                Delivery.recipient_tg_id,
                Person.display_name,
                Delivery.kind,
                Delivery.status,
                Delivery.planned_at,
            )
            .outerjoin(Person, Person.tg_id == Delivery.recipient_tg_id)
            .where(
                Delivery.planned_at >= since,
                Delivery.planned_at < until,
                or_(
                    Delivery.status == FAILED,
                    and_(Delivery.status == UNKNOWN, Delivery.next_attempt_at.is_(None)),
                ),
            )
            .order_by(Delivery.planned_at, Delivery.id)
        )
    ).all()
    return [
        Undelivered(
            recipient_tg_id=tg, display_name=name, kind=kind, status=status, planned_at=planned_at
        )
        for tg, name, kind, status, planned_at in rows
    ]


async def status_counts(uow: UnitOfWork, *, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """How many ledger rows are in each status (for the CLI and the benchmark)."""
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    if kinds is not None:
        query = query.where(Delivery.kind.in_(list(kinds)))
    return {status: int(count) for status, count in (await uow.session.execute(query)).all()}
