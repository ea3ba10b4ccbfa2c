"""Reminders planning: which occasions are due at `now`, and who gets what.

Two kinds of reminder:
- calendar occasions (weekly digest, quota warnings on set days, the final warning on the last
  day, the month close). Each is *useful* from its time until the next occasion of its series
  supersedes it (a digest: for six days; a month close: until its month is over), so a catch-up needs no memory of its own: at any `now` the open windows say
  what is still worth sending, and the ledger's unique keys say what has gone already. A 20th
  warning missed while the bot was down goes out on the 21st, but not once the 25th's time has
  come; a missed month close goes out late, within its month.
- waiting conditions (a request not accepted after 24 h / 48 h, a volunteer application
  undecided after 3 days): planned once per request (or application) and recipient.
- overdue cases (`services.cases`): a case whose next contact has passed is planned for its
  worker at `cases_overdue.worker_time` the morning after, and for the station head
  `head_after_days` later, once per case, missed date and recipient (a new next contact
  that is missed again is a new reminder).
- an urgent request nobody accepted within 2 h: its head and the administrators, marked
  urgent, at any hour (the only thing planned in the quiet hours, and it rings).

Nothing else is planned in the quiet hours; the next check after them plans what is still
useful. Calendar reminders due to one person at one moment (the last day's digest and final
warning) go out as one message: `combine` folds them, the folded parts are kept in the ledger
as `skipped` so they are never sent on their own later.
`plan_messages` is pure (a snapshot and `now` in, messages out); `plan_due` feeds it from the
database and writes the ledger.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from db.models import (
    Delivery,
    FirstContact,
    Person,
    ServiceRequest,
    StaffRole,
    VolunteerApplication,
)
from db.uow import UnitOfWork
from knowledge.reminders import ReminderSchedule
from services import delivery
from services.cases import OverdueCase, overdue_cases
from services.delivery import PlannedMessage
from services.people import ADMIN, STATION_HEAD, SUPERVISOR, WORKER
from services.quota import MET, QuotaStatus, month_end, month_of, previous_month, quota_for_stations

# kinds (the renderer each message is drawn with)
DIGEST = "digest"
QUOTA_WARNING = "quota_warning"
QUOTA_FINAL = "quota_final"
MONTH_CLOSE = "month_close"
REQUEST_WAITING = "request_waiting"
VOLUNTEER_WAITING = "volunteer_waiting"
CASE_OVERDUE = "case_overdue"
URGENT_WAITING = "urgent_waiting"
KINDS = (
    DIGEST, QUOTA_WARNING, QUOTA_FINAL, MONTH_CLOSE, REQUEST_WAITING, VOLUNTEER_WAITING,
    CASE_OVERDUE, URGENT_WAITING,
)  # fmt: skip
CONDITION_KINDS = (REQUEST_WAITING, VOLUNTEER_WAITING, CASE_OVERDUE, URGENT_WAITING)
CALENDAR_KINDS = (QUOTA_FINAL, QUOTA_WARNING, DIGEST, MONTH_CLOSE)  # also: which leads a merge
COMBINED = "combined"  # last_error of a folded ledger row

SUBMITTED = "submitted"  # service_requests.status of a request nobody has accepted yet
PENDING = "pending"  # volunteer_applications.status awaiting a decision
LIST_LIMIT = 40  # names listed per group in a month-close message (the rest are counted)


@dataclass(frozen=True)
class Occasion:
    """One calendar occasion, open from `at` until `until` (local, aware)."""

    kind: str
    name: str  # the ledger's `occasion`: monday, day20, last, close …
    period: str  # the ledger's `period`: 2026-W47, 2026-11 …
    month: date  # the month it is about (for a month close: the month just closed)
    at: datetime
    until: datetime


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def _next_month(month: date) -> date:
    return (month_end(month) + timedelta(days=1)).replace(day=1)


def calendar_occasions(
    schedule: ReminderSchedule, *, now: datetime, zone: ZoneInfo
) -> list[Occasion]:
    """The calendar occasions whose window contains `now` (read in `zone`)."""
    local = now.astimezone(zone)
    today = local.date()
    found: list[Occasion] = []

    # Weekly digest: the latest digest time at or before now, open for six days.
    back = (today.weekday() - schedule.digest_weekday) % 7
    digest_at = _at(today - timedelta(days=back), schedule.digest_time, zone)
    if digest_at > local:
        digest_at -= timedelta(days=7)
    iso = digest_at.date().isocalendar()
    # Late is still useful, but not on the eve of the next one.
    digest_until = digest_at + timedelta(days=6)
    if local < digest_until:
        found.append(
            Occasion(
                kind=DIGEST,
                name=calendar.day_name[schedule.digest_weekday].lower(),
                period=f"{iso.year}-W{iso.week:02d}",
                month=month_of(now, zone),
                at=digest_at,
                until=digest_until,
            )
        )

    # Quota warnings: the series day20 → day25 → last, each open until the next one's time.
    month = month_of(now, zone)
    last_day = month_end(month)
    series = [
        (QUOTA_WARNING, f"day{d}", _at(month.replace(day=d), schedule.warning_time, zone))
        for d in schedule.warning_days
        if d < last_day.day
    ]
    series.append((QUOTA_FINAL, "last", _at(last_day, schedule.final_time, zone)))
    month_over = _at(_next_month(month), time(0, 0), zone)
    for index, (kind, name, at) in enumerate(series):
        until = series[index + 1][2] if index + 1 < len(series) else month_over
        if at <= local < until:
            found.append(
                Occasion(
                    kind=kind, name=name, period=f"{month:%Y-%m}", month=month, at=at, until=until
                )
            )

    # Month close: about last month, open from its time until this month is over.
    close_at = _at(month.replace(day=schedule.close_day), schedule.close_time, zone)
    if close_at <= local < month_over:
        closed = previous_month(month)
        found.append(
            Occasion(
                kind=MONTH_CLOSE,
                name="close",
                period=f"{closed:%Y-%m}",
                month=closed,
                at=close_at,
                until=month_over,
            )
        )
    return found


def is_quiet(schedule: ReminderSchedule, *, now: datetime, zone: ZoneInfo) -> bool:
    quiet = schedule.quiet_hours
    return quiet is not None and quiet.contains(now.astimezone(zone).time().replace(tzinfo=None))


def silent(schedule: ReminderSchedule, *, now: datetime, zone: ZoneInfo, urgent: bool) -> bool:
    """Whether a notification sent at `now` goes without sound (Telegram's
    `disable_notification`): ordinary ones in the quiet hours do; urgent ones always ring."""
    return not urgent and is_quiet(schedule, now=now, zone=zone)


def quiet_end(schedule: ReminderSchedule, *, now: datetime, zone: ZoneInfo) -> datetime | None:
    """When the quiet hours containing `now` end (local, aware); None when `now` is not quiet."""
    quiet = schedule.quiet_hours
    if quiet is None or not is_quiet(schedule, now=now, zone=zone):
        return None
    local = now.astimezone(zone)
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    return end if end > local else end + timedelta(days=1)


# --- the snapshot the planner decides on ----------------------------------------------------


@dataclass(frozen=True)
class StaffEntry:
    tg_id: int
    display_name: str | None
    role: str
    station_code: str | None
    unreachable: bool  # blocked the bot
    started: bool = True  # has written to the bot (a bot cannot write first)


@dataclass(frozen=True)
class WaitingItem:
    """A request (or volunteer application) nobody has acted on."""

    id: int
    ref: str | None
    station_code: str
    created_at: datetime
    urgent: bool = False


@dataclass(frozen=True)
class Snapshot:
    staff: tuple[StaffEntry, ...]
    admin_ids: frozenset[int]
    quota: dict[str, QuotaStatus]  # this month, by station
    closed_quota: dict[str, QuotaStatus]  # last month, by station (for a month close)
    requests: tuple[WaitingItem, ...] = ()
    applications: tuple[WaitingItem, ...] = ()
    undelivered: tuple[delivery.Undelivered, ...] = ()
    cases: tuple[OverdueCase, ...] = ()

    @cached_property
    def _reachable_index(self) -> dict[tuple[str, str | None], list[StaffEntry]]:
        index: dict[tuple[str, str | None], list[StaffEntry]] = {}
        for entry in self.staff:
            if not entry.unreachable and entry.started:
                index.setdefault((entry.role, None), []).append(entry)
                index.setdefault((entry.role, entry.station_code), []).append(entry)
        return index

    def reachable(self, role: str, station_code: str | None = None) -> list[StaffEntry]:
        """The role's holders (at the station) who have not blocked the bot."""
        return self._reachable_index.get((role, station_code), [])

    def admins(self) -> list[int]:
        """Reachable administrators (`admin_ids` holds only settings admins who started)."""
        blocked = {s.tg_id for s in self.staff if s.unreachable or not s.started}
        ids = {s.tg_id for s in self.staff if s.role == ADMIN} | set(self.admin_ids)
        return sorted(ids - blocked)


def _hours(value: float) -> float:
    return round(value, 2)


def _quota_payload(status: QuotaStatus) -> dict[str, Any]:
    return {
        "station": status.station_code,
        "online": _hours(status.online_hours),
        "offline": _hours(status.offline_hours),
        "done": _hours(status.total_hours),
        "quota": _hours(status.quota_hours),
        "needed": _hours(status.hours_needed),
        "per_week": _hours(status.hours_per_week_needed),
        "days_left": status.days_left,
        "status": status.status,
    }


def plan_messages(
    schedule: ReminderSchedule, snapshot: Snapshot, *, now: datetime, zone: ZoneInfo
) -> list[PlannedMessage]:
    """Everything that should be in the ledger at `now` (the ledger drops what already is)."""
    urgent = _urgent(schedule, snapshot, now=now)
    if is_quiet(schedule, now=now, zone=zone):
        return urgent
    messages: list[PlannedMessage] = list(urgent)
    for occasion in calendar_occasions(schedule, now=now, zone=zone):
        if occasion.kind == DIGEST:
            messages.extend(_digests(occasion, snapshot, now=now, zone=zone))
        elif occasion.kind in (QUOTA_WARNING, QUOTA_FINAL):
            messages.extend(_warnings(occasion, snapshot))
        elif occasion.kind == MONTH_CLOSE:
            messages.extend(_month_close(occasion, snapshot))
    messages.extend(_waiting(schedule, snapshot, now=now))
    messages.extend(cases_overdue(schedule, snapshot, now=now, zone=zone))
    return messages


def cases_overdue(
    schedule: ReminderSchedule, snapshot: Snapshot, *, now: datetime, zone: ZoneInfo
) -> list[PlannedMessage]:
    """The worker the morning after a missed next contact; the head some days later."""
    local = now.astimezone(zone)
    staff_at = {
        (e.tg_id, e.station_code)
        for e in snapshot.staff
        if not e.unreachable and e.role in (WORKER, STATION_HEAD)
    }
    messages = []
    for case in snapshot.cases:
        worker_at = _at(case.due + timedelta(days=1), schedule.case_worker_time, zone)
        if local < worker_at:
            continue
        payload = {
            "id": case.id,
            "number": case.number,
            "station": case.station_code,
            "due": case.due.isoformat(),
            "days": (local.date() - case.due).days,
        }
        if (case.worker_tg_id, case.station_code) in staff_at:
            messages.append(
                PlannedMessage(
                    kind=CASE_OVERDUE,
                    period=f"c{case.id}",
                    occasion=f"worker-{case.due:%Y%m%d}",
                    recipient_tg_id=case.worker_tg_id,
                    station_code=case.station_code,
                    payload={**payload, "audience": WORKER},
                )
            )
        if local < worker_at + schedule.case_head_after:
            continue
        for entry in snapshot.reachable(STATION_HEAD, case.station_code):
            messages.append(
                PlannedMessage(
                    kind=CASE_OVERDUE,
                    period=f"c{case.id}",
                    occasion=f"head-{case.due:%Y%m%d}",
                    recipient_tg_id=entry.tg_id,
                    station_code=case.station_code,
                    payload={**payload, "audience": STATION_HEAD},
                )
            )
    return messages


def _digests(
    occasion: Occasion, snapshot: Snapshot, *, now: datetime, zone: ZoneInfo
) -> list[PlannedMessage]:
    by_supervisor: dict[int, list[str]] = {}
    for entry in snapshot.reachable(SUPERVISOR):
        if entry.station_code in snapshot.quota:
            by_supervisor.setdefault(entry.tg_id, []).append(entry.station_code)
    return [
        PlannedMessage(
            kind=DIGEST,
            period=occasion.period,
            occasion=occasion.name,
            recipient_tg_id=tg_id,
            station_code=None,
            payload={
                "date": now.astimezone(zone).date().isoformat(),
                "month": f"{occasion.month:%Y-%m}",
                "stations": [_quota_payload(snapshot.quota[code]) for code in sorted(codes)],
            },
        )
        for tg_id, codes in sorted(by_supervisor.items())
    ]


def _warnings(occasion: Occasion, snapshot: Snapshot) -> list[PlannedMessage]:
    """Each supervisor of each station still below its quota (met stations get nothing)."""
    messages = []
    for entry in snapshot.reachable(SUPERVISOR):
        status = snapshot.quota.get(entry.station_code or "")
        if status is None or status.status == MET:
            continue
        messages.append(
            PlannedMessage(
                kind=occasion.kind,
                period=occasion.period,
                occasion=occasion.name,
                recipient_tg_id=entry.tg_id,
                station_code=entry.station_code,
                payload={"month": f"{occasion.month:%Y-%m}", **_quota_payload(status)},
            )
        )
    return messages


def _person_label(entry: StaffEntry) -> str:
    return entry.display_name or f"#{entry.tg_id}"


def _month_close(occasion: Occasion, snapshot: Snapshot) -> list[PlannedMessage]:
    if not snapshot.closed_quota:  # the bot was not in use that month
        return []
    month = f"{occasion.month:%Y-%m}"
    statuses = sorted(snapshot.closed_quota.values(), key=lambda s: s.station_code)
    # A station nobody supervises in the bot cannot have logged its hours here: counting it as
    # "missed" would blame a station for a gap in the bot's staffing. It is listed on its own
    # (the bureau must still see the gap). Blocked supervisors are still assigned.
    supervised = {e.station_code for e in snapshot.staff if e.role == SUPERVISOR}
    met = [
        [s.station_code, _hours(s.total_hours)]
        for s in statuses
        if s.station_code in supervised and s.status == MET
    ]
    missed = [
        [s.station_code, _hours(s.total_hours)]
        for s in statuses
        if s.station_code in supervised and s.status != MET
    ]
    unsupervised = [
        [s.station_code, _hours(s.total_hours)]
        for s in statuses
        if s.station_code not in supervised
    ]
    # Staff who blocked the bot: one line per person, their roles and stations.
    blocked: dict[int, dict[str, Any]] = {}
    for entry in snapshot.staff:
        if entry.unreachable:
            line = blocked.setdefault(
                entry.tg_id,
                {"name": _person_label(entry), "roles": [], "stations": []},
            )
            if entry.role not in line["roles"]:
                line["roles"].append(entry.role)
            if entry.station_code and entry.station_code not in line["stations"]:
                line["stations"].append(entry.station_code)
    undelivered: dict[int, dict[str, Any]] = {}
    for item in snapshot.undelivered:
        line = undelivered.setdefault(
            item.recipient_tg_id,
            {"name": item.display_name or f"#{item.recipient_tg_id}", "count": 0, "kinds": []},
        )
        line["count"] += 1
        if item.kind not in line["kinds"]:
            line["kinds"].append(item.kind)
    admin_payload = {
        "audience": ADMIN,
        "month": month,
        "quota": _hours(statuses[0].quota_hours) if statuses else 0,
        "met": met,
        "missed": missed,
        "unsupervised": unsupervised,
        "unreachable": list(blocked.values()),
        "undelivered": list(undelivered.values()),
    }
    messages = [
        PlannedMessage(
            kind=MONTH_CLOSE,
            period=month,
            occasion=occasion.name,
            recipient_tg_id=tg_id,
            station_code=None,
            payload=admin_payload,
        )
        for tg_id in snapshot.admins()
    ]
    for entry in snapshot.reachable(STATION_HEAD):
        status = snapshot.closed_quota.get(entry.station_code or "")
        if status is None:
            continue
        messages.append(
            PlannedMessage(
                kind=MONTH_CLOSE,
                period=month,
                occasion=occasion.name,
                recipient_tg_id=entry.tg_id,
                station_code=entry.station_code,
                payload={
                    "audience": STATION_HEAD,
                    "month": month,
                    **_quota_payload(status),
                    "supervised": status.station_code in supervised,
                },
            )
        )
    return messages


def _waiting(
    schedule: ReminderSchedule, snapshot: Snapshot, *, now: datetime
) -> list[PlannedMessage]:
    messages = []
    rules = (
        (
            REQUEST_WAITING,
            snapshot.requests,
            WORKER,
            "workers",
            schedule.request_workers_after,
            "r",
        ),
        (
            REQUEST_WAITING,
            snapshot.requests,
            STATION_HEAD,
            "head",
            schedule.request_head_after,
            "r",
        ),
        (
            VOLUNTEER_WAITING,
            snapshot.applications,
            WORKER,
            "workers",
            schedule.volunteer_workers_after,
            "a",
        ),
    )
    for kind, items, role, occasion, after, prefix in rules:
        for item in items:
            if item.created_at > now - after:
                continue
            for entry in snapshot.reachable(role, item.station_code):
                messages.append(
                    PlannedMessage(
                        kind=kind,
                        period=f"{prefix}{item.id}",
                        occasion=occasion,
                        recipient_tg_id=entry.tg_id,
                        station_code=item.station_code,
                        payload={
                            "id": item.id,
                            "ref": item.ref,
                            "station": item.station_code,
                            "since": item.created_at.isoformat(),
                            "hours": round(after.total_seconds() / 3600),
                        },
                    )
                )
    return messages


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _urgent(
    schedule: ReminderSchedule, snapshot: Snapshot, *, now: datetime
) -> list[PlannedMessage]:
    """An urgent request nobody accepted in time: its head and the administrators, once each."""
    after = schedule.urgent_escalate_after
    messages = []
    for item in snapshot.requests:
        if not item.urgent or item.created_at > now - after:
            continue
        recipients = [e.tg_id for e in snapshot.reachable(STATION_HEAD, item.station_code)]
        recipients += [tg for tg in snapshot.admins() if tg not in recipients]
        for tg_id in recipients:
            messages.append(
                PlannedMessage(
                    kind=URGENT_WAITING,
                    period=f"u{item.id}",
                    occasion="escalate",
                    recipient_tg_id=tg_id,
                    station_code=item.station_code,
                    payload={
                        "id": item.id,
                        "ref": item.ref,
                        "station": item.station_code,
                        "since": item.created_at.isoformat(),
                        "minutes": round(after.total_seconds() / 60),
                        "hours": _whole(after.total_seconds() / 3600),
                        "urgent": True,
                        "silent": False,  # rings, also at night
                    },
                )
            )
    return messages


def combine(
    messages: Sequence[PlannedMessage],
) -> tuple[list[PlannedMessage], list[PlannedMessage]]:
    """Fold calendar reminders due to one person at the same planning into one message (pure).

    Returns (to send, folded). Per recipient, the most pressing calendar message (final warning
    before a warning before a digest before a month close) leads and carries the others in
    `payload["also"]` as `[{"kind", "station_code", "payload"}, …]` for the renderer to append;
    the folded ones are recorded in the ledger (skipped) so they never go out on their own.
    Waiting and urgent reminders are never folded: each is about one request and rings alone.
    """
    by_recipient: dict[int, list[PlannedMessage]] = {}
    for message in messages:
        if message.kind in CALENDAR_KINDS:
            by_recipient.setdefault(message.recipient_tg_id, []).append(message)
    leads: dict[str, PlannedMessage] = {}
    folded: list[PlannedMessage] = []
    for group in by_recipient.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=lambda m: (CALENDAR_KINDS.index(m.kind), m.key))
        lead, rest = ordered[0], ordered[1:]
        also = [
            {"kind": m.kind, "station_code": m.station_code, "payload": m.payload} for m in rest
        ]
        leads[lead.key] = PlannedMessage(
            kind=lead.kind,
            period=lead.period,
            occasion=lead.occasion,
            recipient_tg_id=lead.recipient_tg_id,
            station_code=lead.station_code,
            payload={**lead.payload, "also": also},
        )
        folded.extend(rest)
    folded_keys = {m.key for m in folded}
    send = [leads.get(m.key, m) for m in messages if m.key not in folded_keys]
    return send, folded


# --- from the database --------------------------------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    planned: int  # new ledger rows
    skipped: int  # planned rows that stopped being true (request accepted meanwhile)


async def snapshot(
    uow: UnitOfWork,
    *,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
    admin_ids: Iterable[int],
) -> Snapshot:
    """Read what `plan_messages` needs, and only what the open occasions need."""
    occasions = {o.kind: o for o in calendar_occasions(schedule, now=now, zone=zone)}
    staff_rows = (
        await uow.session.execute(
            select(
                Person.tg_id,
                Person.display_name,
                StaffRole.role,
                StaffRole.station_code,
                Person.unreachable_at,
                FirstContact.tg_id,
            )
            .join(Person, Person.id == StaffRole.person_id)
            .outerjoin(FirstContact, FirstContact.tg_id == Person.tg_id)
            .where(StaffRole.revoked_at.is_(None), Person.erased_at.is_(None))
            .order_by(StaffRole.id)
        )
    ).all()
    staff = tuple(
        StaffEntry(
            tg_id=tg,
            display_name=name,
            role=role,
            station_code=code,
            unreachable=blocked is not None,
            started=started is not None,
        )
        for tg, name, role, code, blocked, started in staff_rows
    )
    # Administrators named in the settings who never opened the bot cannot be written to.
    settings_admins = await _started_among(uow, admin_ids)
    month = month_of(now, zone)
    quota: dict[str, QuotaStatus] = {}
    if {DIGEST, QUOTA_WARNING, QUOTA_FINAL} & occasions.keys():
        for status in await quota_for_stations(
            uow, station_codes=None, month=month, now=now, zone=zone
        ):
            quota[status.station_code] = status
    closed: dict[str, QuotaStatus] = {}
    undelivered: tuple[delivery.Undelivered, ...] = ()
    if MONTH_CLOSE in occasions and await _in_use_during(uow, occasions[MONTH_CLOSE], zone):
        close = occasions[MONTH_CLOSE]
        for status in await quota_for_stations(
            uow, station_codes=None, month=close.month, now=now, zone=zone
        ):
            closed[status.station_code] = status
        since = datetime.combine(close.month, time(0, 0), tzinfo=zone)
        undelivered = tuple(await delivery.undelivered(uow, since=since, until=close.at))
    ordinary_since = now - min(schedule.request_workers_after, schedule.request_head_after)
    requests = tuple(
        WaitingItem(id=i, ref=ref, station_code=code, created_at=created, urgent=bool(urgent))
        for i, ref, code, created, urgent in (
            await uow.session.execute(
                select(
                    ServiceRequest.id,
                    ServiceRequest.ref,
                    ServiceRequest.station_code,
                    ServiceRequest.created_at,
                    ServiceRequest.urgent,
                )
                .where(
                    ServiceRequest.status == SUBMITTED,
                    ServiceRequest.accepted_at.is_(None),
                    or_(
                        ServiceRequest.created_at <= ordinary_since,
                        and_(
                            ServiceRequest.urgent.is_(True),
                            ServiceRequest.created_at <= now - schedule.urgent_escalate_after,
                        ),
                    ),
                )
                .order_by(ServiceRequest.id)
            )
        ).all()
    )
    applications = tuple(
        WaitingItem(id=i, ref=None, station_code=code, created_at=created)
        for i, code, created in (
            await uow.session.execute(
                select(
                    VolunteerApplication.id,
                    VolunteerApplication.station_code,
                    VolunteerApplication.created_at,
                )
                .where(
                    VolunteerApplication.status == PENDING,
                    VolunteerApplication.erased.is_(False),
                    VolunteerApplication.created_at <= now - schedule.volunteer_workers_after,
                )
                .order_by(VolunteerApplication.id)
            )
        ).all()
    )
    return Snapshot(
        staff=staff,
        admin_ids=frozenset(settings_admins),
        quota=quota,
        closed_quota=closed,
        requests=requests,
        applications=applications,
        undelivered=undelivered,
        cases=tuple(await overdue_cases(uow, today=now.astimezone(zone).date())),
    )


async def _started_among(uow: UnitOfWork, tg_ids: Iterable[int]) -> set[int]:
    ids = list(set(tg_ids))
    if not ids:
        return set()
    rows = await uow.session.scalars(select(FirstContact.tg_id).where(FirstContact.tg_id.in_(ids)))
    return {int(tg) for tg in rows.all()}


async def _in_use_during(uow: UnitOfWork, close: Occasion, zone: ZoneInfo) -> bool:
    """Whether anyone held a staff role before the closed month ended. A bot deployed in
    mid-December has nothing to say about November (every station would show 0 hours)."""
    month_over = datetime.combine(_next_month(close.month), time(0, 0), tzinfo=zone)
    first = await uow.session.scalar(select(func.min(StaffRole.granted_at)))
    return first is not None and first < month_over


async def _obsolete(uow: UnitOfWork, *, today: date) -> list[int]:
    """Planned waiting-reminders whose request (or application) has been acted on since, and
    overdue-case reminders whose case has been contacted, closed or moved since."""
    rows = (
        await uow.session.execute(
            select(Delivery.id, Delivery.kind, Delivery.payload).where(
                Delivery.status == delivery.PLANNED, Delivery.kind.in_(CONDITION_KINDS)
            )
        )
    ).all()
    if not rows:
        return []
    request_kinds = (REQUEST_WAITING, URGENT_WAITING)
    request_ids = {int(p["id"]) for _, k, p in rows if k in request_kinds}
    application_ids = {int(p["id"]) for _, k, p in rows if k == VOLUNTEER_WAITING}
    still_requests = set(
        (
            await uow.session.scalars(
                select(ServiceRequest.id).where(
                    ServiceRequest.id.in_(request_ids),
                    ServiceRequest.status == SUBMITTED,
                    ServiceRequest.accepted_at.is_(None),
                )
            )
        ).all()
    )
    still_applications = set(
        (
            await uow.session.scalars(
                select(VolunteerApplication.id).where(
                    VolunteerApplication.id.in_(application_ids),
                    VolunteerApplication.status == PENDING,
                )
            )
        ).all()
    )
    still_cases = {
        (c.id, c.due.isoformat(), c.station_code) for c in await overdue_cases(uow, today=today)
    } if any(k == CASE_OVERDUE for _, k, _ in rows) else set()  # fmt: skip
    return [
        i
        for i, k, p in rows
        if (k in request_kinds and int(p["id"]) not in still_requests)
        or (k == VOLUNTEER_WAITING and int(p["id"]) not in still_applications)
        or (k == CASE_OVERDUE and (int(p["id"]), p.get("due"), p.get("station")) not in still_cases)
    ]


async def plan_due(
    uow: UnitOfWork,
    *,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
    admin_ids: Iterable[int],
) -> PlanResult:
    """Plan into the ledger whatever is due at `now`; planning twice adds nothing."""
    seen = await snapshot(uow, schedule=schedule, now=now, zone=zone, admin_ids=admin_ids)
    wanted = plan_messages(schedule, seen, now=now, zone=zone)
    known = await delivery.existing_keys(uow, (m.key for m in wanted))
    send, folded = combine([m for m in wanted if m.key not in known])
    planned = await delivery.plan(uow, messages=send, now=now, folded=folded)
    skipped = await delivery.skip(
        uow, delivery_ids=await _obsolete(uow, today=now.astimezone(zone).date()), reason="resolved"
    )
    return PlanResult(planned=planned, skipped=skipped)


@dataclass(frozen=True)
class Preview:
    """A message a dry run would send (not yet in the ledger, or in it and due)."""

    message: PlannedMessage
    display_name: str | None
    already_planned: bool


async def preview(
    uow: UnitOfWork,
    *,
    schedule: ReminderSchedule,
    now: datetime,
    zone: ZoneInfo,
    admin_ids: Iterable[int],
) -> list[Preview]:
    """What `plan_due` + delivery would send at `now`, writing nothing."""
    seen = await snapshot(uow, schedule=schedule, now=now, zone=zone, admin_ids=admin_ids)
    wanted = plan_messages(schedule, seen, now=now, zone=zone)
    known = await delivery.existing_keys(uow, (m.key for m in wanted))
    fresh, _ = combine([m for m in wanted if m.key not in known])
    due = (
        await uow.session.scalars(
            select(Delivery).where(delivery.is_due(now)).order_by(Delivery.id)
        )
    ).all()
    queued = [
        PlannedMessage(
            kind=row.kind,
            period=row.period,
            occasion=row.occasion,
            recipient_tg_id=row.recipient_tg_id,
            station_code=row.station_code,
            payload=dict(row.payload),
        )
        for row in due
    ]
    names = await names_of(uow, [m.recipient_tg_id for m in (*queued, *fresh)])
    blocked = await delivery.unreachable_among(uow, names)
    return [
        Preview(message=m, display_name=names.get(m.recipient_tg_id), already_planned=planned)
        for planned, group in ((True, queued), (False, fresh))
        for m in group
        if m.recipient_tg_id not in blocked
    ]


async def names_of(uow: UnitOfWork, tg_ids: Sequence[int]) -> dict[int, str | None]:
    ids = list(set(tg_ids))
    found: dict[int, str | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for tg, name in (
            await uow.session.execute(
                select(Person.tg_id, Person.display_name).where(Person.tg_id.in_(chunk))
            )
        ).all():
            found[tg] = name
    return found
