"""Case work (个案工作): a person served over weeks, from intake to closing.

    open ──link records (intake → assessment → plan → service … → closing)──► close ──► (head) reopen
      │                                   │
      ├─ refer to a station ─► accepted there (the case and its history move) | declined
      └─ refer to an outside agency ─► outcome recorded

- A case is opened from a request or directly, with the next number of its station's case
  series (`JN-C-0007`), the person served (name, age group, groups, address: personal data,
  erased with the resident), an assigned worker, a risk level and a stage.
- Each stage is an activity record (`services.activities`, the city's templates) linked to the
  case: the stage follows from the record's template (`knowledge/cases.yaml`). Closing needs a
  closing record linked since the case was last (re)opened; only the head reopens.
- The plan sets the next contact: a date, or every N days (then each service record moves it
  on). A case whose next contact is before today is overdue.
- Who: the workers and the head of the case's station see it; the assigned worker (or the
  head) changes it; the station's supervisor sees the cases with a record to review and signs
  off the plan and closing records. A case referred to another station is seen by that
  station's staff too, who accept it (it moves, with its history) or decline it.
- Every read of a case is written to the audit log (who, which case, when), so a resident's
  /mydata can show who looked at their records.

Each call commits once and returns frozen views; refusals are domain errors with codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from db.counters import take_next_case_number
from db.models import (
    ActivityGroup,
    ActivityLog,
    AgencyReferral,
    AuditEntry,
    Case,
    CaseEvent,
    CaseRecord,
    Person,
    RecordFieldValue,
    ServiceRequest,
    StaffRole,
    Station,
    WalkIn,
)
from db.uow import UnitOfWork
from knowledge.cases import CaseCatalog
from knowledge.record_rules import RecordRules
from knowledge.record_templates import TemplateCatalog
from services import activities, audit, consent
from services import requests as rq
from services.entry_window import check_entry_date
from services.errors import Conflict, InvalidValue, NotAllowed, NotFound
from services.people import STATION_HEAD, WORKER, Access
from services.record_forms import check_form_values

OPEN, CLOSED = "open", "closed"
VERBAL_TO_STAFF = "verbal_to_staff"
MAX_NAME = 64
MAX_ADDRESS = 300
MAX_NOTE = 1000
READ_ACTION = "case.read"

# timeline kinds
OPENED, RECORD, ASSIGNED, RISK, NEXT_CONTACT = (
    "opened",
    "record",
    "assigned",
    "risk",
    "next_contact",
)
REFERRED, REFERRAL_ACCEPTED, REFERRAL_DECLINED = (
    "referred",
    "referral_accepted",
    "referral_declined",
)
AGENCY_REFERRAL, AGENCY_OUTCOME, SIGNED_OFF = "agency_referral", "agency_outcome", "signed_off"
CLOSED_EVENT, REOPENED = "closed", "reopened"

# next steps (codes the handler turns into words)
STEP_ACCEPT_REFERRAL = "accept_referral"  # waiting for the receiving station
STEP_CONTACT = "contact"  # the next contact is due or overdue
STEP_CLOSED = "closed"


class NotAssigned(NotAllowed):
    """Only the case's worker (or the station head) changes it."""


class CaseClosed(Conflict):
    """The case is closed; the head can reopen it."""


class CaseOpen(Conflict):
    """Reopening a case that is open."""


class ClosingRecordMissing(Conflict):
    """Closing needs a closing record linked since the case was (re)opened."""


class ReferralPending(Conflict):
    """The case waits for another station to accept it; nothing else changes meanwhile."""


class NoReferral(Conflict):
    """Accepting or declining a referral that is not (or no longer) there."""


class RecordAlreadyLinked(Conflict):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"record linked to case {case_id}")
        self.case_id = case_id


class AlreadySignedOff(Conflict):
    pass


class CaseExists(Conflict):
    """The request has an open case already (file its work there)."""

    def __init__(self, case_id: int, number: str) -> None:
        super().__init__(number)
        self.case_id = case_id
        self.number = number


# --- views ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRecordView:
    id: int
    activity_id: int
    stage: str
    template_code: str
    activity_date: date
    author_id: int
    linked_at: datetime
    needs_sign_off: bool
    signed_off_by: int | None
    signed_off_by_name: str | None
    signed_off_at: datetime | None
    request_ref: str | None = None  # filed from a completed request: its reference
    service_code: str | None = None  # and its service


@dataclass(frozen=True)
class CaseEventView:
    at: datetime
    actor_id: int | None
    actor_name: str | None
    station_code: str
    kind: str
    stage: str | None
    detail: dict[str, Any]
    note: str | None


@dataclass(frozen=True)
class AgencyReferralView:
    id: int
    agency_code: str
    referred_at: datetime
    referred_by: int
    note: str | None
    outcome: str | None
    outcome_at: datetime | None


@dataclass(frozen=True)
class CaseSummary:
    """One line of a case list."""

    id: int
    number: str
    station_code: str
    client_name: str | None  # None once erased
    worker_id: int
    worker_name: str | None
    risk_level: str
    stage: str
    status: str
    next_contact_on: date | None
    referred_to_station: str | None
    overdue_days: int  # 0 when not overdue
    next_step: str  # a stage code, or one of the STEP_ codes

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class CaseView:
    id: int
    number: str
    station_code: str
    request_id: int | None
    request_ref: str | None
    resident_id: int | None
    client_name: str | None  # None once erased
    address: str | None
    village: str | None  # a walk-in request's 村/社区 (opened from it), None once erased
    age_group: str
    groups: tuple[str, ...]
    worker_id: int
    worker_tg_id: int
    worker_name: str | None
    risk_level: str
    stage: str
    status: str
    next_contact_on: date | None
    contact_every_days: int | None
    referred_to_station: str | None
    opened_at: datetime
    closed_at: datetime | None
    erased: bool
    overdue_days: int
    next_step: str
    records: tuple[CaseRecordView, ...] = ()
    timeline: tuple[CaseEventView, ...] = ()
    agency_referrals: tuple[AgencyReferralView, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class ReviewItem:
    """A plan or closing record waiting for the supervisor's sign-off."""

    record_id: int
    case_id: int
    case_number: str
    station_code: str
    stage: str
    activity_id: int
    linked_at: datetime


# --- rules ---------------------------------------------------------------------------------


def staff_stations(actor: Access) -> frozenset[str]:
    return actor.worker_stations | actor.head_stations


def works_on_cases(actor: Access) -> bool:
    """Whom case work is for at all: a station's workers and head, and its supervisor. Anyone
    else (a resident with a forged or forwarded case button) is refused before any case is
    looked up; which cases the others may see or change, each use case decides."""
    return bool(staff_stations(actor) or actor.supervisor_stations)


def _may_see(actor: Access, row: Case, reviewed: bool) -> bool:
    stations = staff_stations(actor)
    if row.station_code in stations:
        return True
    if row.referred_to_station is not None and row.referred_to_station in stations:
        return True
    return reviewed and row.station_code in actor.supervisor_stations


def _may_change(actor: Access, row: Case) -> None:
    """The assigned worker (still a worker there) or the head of the case's station."""
    if row.station_code in actor.head_stations:
        return
    if row.station_code in actor.worker_stations:
        if row.worker_id == actor.person_id:
            return
        raise NotAssigned()
    raise NotAllowed()


def overdue_days(next_contact_on: date | None, today: date, status: str = OPEN) -> int:
    """Days since the next contact fell due (the day itself is not overdue)."""
    if status != OPEN or next_contact_on is None or next_contact_on >= today:
        return 0
    return (today - next_contact_on).days


def next_step(
    catalog: CaseCatalog,
    *,
    status: str,
    referred_to_station: str | None,
    stages_done: Iterable[str],
    next_contact_on: date | None,
    today: date,
) -> str:
    """What the case needs next: accept a referral, a contact that is due, or the first stage
    up to the plan still without a record; after the plan, service records until closing."""
    if status != OPEN:
        return STEP_CLOSED
    if referred_to_station is not None:
        return STEP_ACCEPT_REFERRAL
    if next_contact_on is not None and next_contact_on <= today:
        return STEP_CONTACT
    done = set(stages_done)
    for code in catalog.stage_codes:
        if code not in done:
            if code == "referral":
                continue  # only some cases are referred
            if code in ("service", catalog.closing_stage.code) and "service" in done:
                break
            return code
    return "service"


def _local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def _text(field: str, value: str | None, limit: int, *, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidValue(field, "empty")
        return None
    if len(value) > limit:
        raise InvalidValue(field, "too_long")
    return value


# --- reading -------------------------------------------------------------------------------


async def _row(uow: UnitOfWork, case_id: int, *, lock: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    row = await uow.session.scalar(query)
    if row is None:
        raise NotFound()
    return row


async def _records(uow: UnitOfWork, case_ids: Sequence[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {i: [] for i in case_ids}
    if not case_ids:
        return found
    rows = await uow.session.execute(
        select(
            CaseRecord, ActivityLog, Person.display_name, ServiceRequest.ref,
            ServiceRequest.service_code,
        )
        .join(ActivityLog, ActivityLog.id == CaseRecord.activity_id)
        .outerjoin(Person, Person.id == CaseRecord.signed_off_by)
        .outerjoin(ServiceRequest, ServiceRequest.id == CaseRecord.request_id)
        .where(CaseRecord.case_id.in_(list(case_ids)))
        .order_by(ActivityLog.activity_date, CaseRecord.id)
    )  # fmt: skip
    for record, activity, signer, ref, service in rows:
        found[record.case_id].append((record, activity, signer, ref, service))
    return found


async def _is_reviewed(uow: UnitOfWork, row: Case, catalog: CaseCatalog) -> bool:
    """Whether the case has a record its supervisor reviews (so the supervisor may see it)."""
    stages = [s.code for s in catalog.stages if s.sign_off]
    found = await uow.session.scalar(
        select(func.count())
        .select_from(CaseRecord)
        .where(CaseRecord.case_id == row.id, CaseRecord.stage.in_(stages))
    )
    return bool(found)


async def _visible(uow: UnitOfWork, row: Case, actor: Access, catalog: CaseCatalog) -> None:
    reviewed = row.station_code in actor.supervisor_stations and await _is_reviewed(
        uow, row, catalog
    )
    if not _may_see(actor, row, reviewed):
        raise NotAllowed()


async def _view(
    uow: UnitOfWork, row: Case, catalog: CaseCatalog, today: date, *, full: bool = True
) -> CaseView:
    worker = (
        await uow.session.execute(
            select(Person.tg_id, Person.display_name).where(Person.id == row.worker_id)
        )
    ).one()
    request_ref = village = None
    if row.request_id is not None:
        request_ref = await uow.session.scalar(
            select(ServiceRequest.ref).where(ServiceRequest.id == row.request_id)
        )
        # The 村/社区 given at /register lives on the walk-in, blanked when it is erased.
        village = await uow.session.scalar(
            select(WalkIn.village).where(WalkIn.request_id == row.request_id)
        )
    records_raw = (await _records(uow, [row.id]))[row.id]
    sign_off = {s.code for s in catalog.stages if s.sign_off}
    records = tuple(
        CaseRecordView(
            id=record.id,
            activity_id=activity.id,
            stage=record.stage,
            template_code=activity.template_code,
            activity_date=activity.activity_date,
            author_id=activity.worker_id,
            linked_at=record.linked_at,
            needs_sign_off=record.stage in sign_off,
            signed_off_by=record.signed_off_by,
            signed_off_by_name=signer,
            signed_off_at=record.signed_off_at,
            request_ref=ref,
            service_code=service,
        )
        for record, activity, signer, ref, service in records_raw
    )
    timeline: list[CaseEventView] = []
    referrals: list[AgencyReferralView] = []
    if full:
        for event, name in await uow.session.execute(
            select(CaseEvent, Person.display_name)
            .outerjoin(Person, Person.id == CaseEvent.actor_id)
            .where(CaseEvent.case_id == row.id)
            .order_by(CaseEvent.at, CaseEvent.id)
        ):
            timeline.append(
                CaseEventView(
                    at=event.at,
                    actor_id=event.actor_id,
                    actor_name=name,
                    station_code=event.station_code,
                    kind=event.kind,
                    stage=event.stage,
                    detail=dict(event.detail or {}),
                    note=None if row.erased else event.note,
                )
            )
        for ref in await uow.session.scalars(
            select(AgencyReferral)
            .where(AgencyReferral.case_id == row.id)
            .order_by(AgencyReferral.id)
        ):
            referrals.append(
                AgencyReferralView(
                    id=ref.id,
                    agency_code=ref.agency_code,
                    referred_at=ref.referred_at,
                    referred_by=ref.referred_by,
                    note=None if row.erased else ref.note,
                    outcome=ref.outcome,
                    outcome_at=ref.outcome_at,
                )
            )
    return CaseView(
        id=row.id,
        number=row.number,
        station_code=row.station_code,
        request_id=row.request_id,
        request_ref=request_ref,
        resident_id=row.resident_id,
        client_name=None if row.erased else row.client_name,
        address=None if row.erased else row.address,
        village=None if row.erased else village,
        age_group=row.age_group,
        groups=tuple(row.groups or ()),
        worker_id=row.worker_id,
        worker_tg_id=int(worker[0]),
        worker_name=worker[1],
        risk_level=row.risk_level,
        stage=row.stage,
        status=row.status,
        next_contact_on=row.next_contact_on,
        contact_every_days=row.contact_every_days,
        referred_to_station=row.referred_to_station,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        erased=row.erased,
        overdue_days=overdue_days(row.next_contact_on, today, row.status),
        next_step=next_step(
            catalog,
            status=row.status,
            referred_to_station=row.referred_to_station,
            stages_done=[r.stage for r in records],
            next_contact_on=row.next_contact_on,
            today=today,
        ),
        records=records,
        timeline=tuple(timeline),
        agency_referrals=tuple(referrals),
    )


def _summary(
    row: Case,
    worker_name: str | None,
    catalog: CaseCatalog | None,
    today: date | None,
    stages_done: Sequence[str],
) -> CaseSummary:
    """One line of a list; without `today` (and the catalogue): not overdue, next step service."""
    return CaseSummary(
        id=row.id,
        number=row.number,
        station_code=row.station_code,
        client_name=None if row.erased else row.client_name,
        worker_id=row.worker_id,
        worker_name=worker_name,
        risk_level=row.risk_level,
        stage=row.stage,
        status=row.status,
        next_contact_on=row.next_contact_on,
        referred_to_station=row.referred_to_station,
        overdue_days=0 if today is None else overdue_days(row.next_contact_on, today, row.status),
        next_step="service"
        if catalog is None or today is None
        else next_step(
            catalog,
            status=row.status,
            referred_to_station=row.referred_to_station,
            stages_done=stages_done,
            next_contact_on=row.next_contact_on,
            today=today,
        ),
    )


async def detail(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """One case with its records, timeline and referrals; the read is audited."""
    row = await _row(uow, case_id)
    await _visible(uow, row, actor, catalog)
    view = await _view(uow, row, catalog, _local_today(now, zone))
    audit.record(
        uow,
        actor_id=actor.person_id,
        action=READ_ACTION,
        subject=f"case:{row.id}",
        now=now,
        detail={"station": row.station_code},
    )
    await uow.commit()
    return view


async def list_cases(
    uow: UnitOfWork,
    *,
    actor: Access,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
    include_closed: bool = False,
    limit: int = 50,
) -> list[CaseSummary]:
    """A worker's own cases (and any referred to their station); the head's: the station's.
    Open ones, overdue first (longest overdue first), then by next contact, then newest."""
    today = _local_today(now, zone)
    conditions: list[ColumnElement[bool]] = []
    heads = sorted(actor.head_stations)
    workers = sorted(actor.worker_stations - actor.head_stations)
    if heads:
        conditions.append(Case.station_code.in_(heads))
    if workers:
        conditions.append(and_(Case.station_code.in_(workers), Case.worker_id == actor.person_id))
    incoming = sorted(staff_stations(actor))
    if incoming:
        conditions.append(Case.referred_to_station.in_(incoming))
    if not conditions:
        return []
    query = select(Case, Person.display_name).join(Person, Person.id == Case.worker_id)
    query = query.where(or_(*conditions))
    if not include_closed:
        query = query.where(Case.status == OPEN)
    rows = (await uow.session.execute(query.limit(1000))).all()
    records = await _records(uow, [c.id for c, _ in rows])
    summaries = [
        _summary(c, name, catalog, today, [r[0].stage for r in records[c.id]]) for c, name in rows
    ]
    summaries.sort(
        key=lambda s: (
            s.status != OPEN,
            -s.overdue_days,
            s.next_contact_on or date.max,
            -s.id,
        )
    )
    return summaries[:limit]


@dataclass(frozen=True)
class CaseOverview:
    """What a menu badge needs: the actor's open cases, how many are overdue, referrals
    waiting for their station, and (supervisors) records waiting for a sign-off."""

    open: int
    overdue: int
    incoming: int
    to_review: int


async def overview(
    uow: UnitOfWork, *, actor: Access, catalog: CaseCatalog, now: datetime, zone: ZoneInfo
) -> CaseOverview:
    listed = await list_cases(uow, actor=actor, catalog=catalog, now=now, zone=zone, limit=1000)
    stations = staff_stations(actor)
    return CaseOverview(
        open=sum(1 for c in listed if c.referred_to_station not in stations),
        overdue=sum(1 for c in listed if c.overdue),
        incoming=sum(1 for c in listed if c.referred_to_station in stations),
        to_review=len(await for_review(uow, actor=actor, catalog=catalog)),
    )


async def assign_candidates(
    uow: UnitOfWork, *, actor: Access, case_id: int
) -> list[rq.StaffContact]:
    """The station's other workers (and its head) the case could be handed to."""
    row = await _row(uow, case_id)
    _may_change(actor, row)
    people = await rq.station_staff(
        uow, station_code=row.station_code, roles=(WORKER, STATION_HEAD)
    )
    return [p for p in people if p.person_id != row.worker_id]


async def for_review(uow: UnitOfWork, *, actor: Access, catalog: CaseCatalog) -> list[ReviewItem]:
    """Plan and closing records at the supervisor's stations still without a sign-off."""
    stations = sorted(actor.supervisor_stations)
    if not stations:
        return []
    stages = [s.code for s in catalog.stages if s.sign_off]
    rows = await uow.session.execute(
        select(CaseRecord, Case.number, Case.station_code)
        .join(Case, Case.id == CaseRecord.case_id)
        .where(
            Case.station_code.in_(stations),
            CaseRecord.stage.in_(stages),
            CaseRecord.signed_off_at.is_(None),
        )
        .order_by(CaseRecord.linked_at, CaseRecord.id)
    )
    return [
        ReviewItem(
            record_id=r.id,
            case_id=r.case_id,
            case_number=number,
            station_code=station,
            stage=r.stage,
            activity_id=r.activity_id,
            linked_at=r.linked_at,
        )
        for r, number, station in rows
    ]


async def case_for_request(
    uow: UnitOfWork, *, actor: Access, request_id: int
) -> CaseSummary | None:
    """The open case opened from this request, if any (to log a completed request's work as
    a service record of it); None when there is none, so the handler offers a new case."""
    request = await uow.session.get(ServiceRequest, request_id)
    if request is None:
        raise NotFound()
    if not rq.may_handle(actor, request.station_code):
        raise NotAllowed()
    row = await uow.session.scalar(
        select(Case)
        .where(Case.request_id == request_id, Case.status == OPEN)
        .order_by(Case.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    name = await uow.session.scalar(select(Person.display_name).where(Person.id == row.worker_id))
    return _summary(row, name, None, None, ())


# --- writing -------------------------------------------------------------------------------


def _event(
    uow: UnitOfWork,
    row: Case,
    kind: str,
    *,
    actor: Access,
    now: datetime,
    stage: str | None = None,
    detail: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    uow.session.add(
        CaseEvent(
            case_id=row.id, at=now, actor_id=actor.person_id, station_code=row.station_code,
            kind=kind, stage=stage, detail=detail or {}, note=note,
        )
    )  # fmt: skip


async def _is_worker_at(uow: UnitOfWork, person_id: int, station_code: str) -> bool:
    found = await uow.session.scalar(
        select(StaffRole.id).where(
            StaffRole.person_id == person_id,
            StaffRole.station_code == station_code,
            StaffRole.role.in_((WORKER, STATION_HEAD)),
            StaffRole.revoked_at.is_(None),
        )
    )
    return found is not None


# Who may make a change, as checks of (actor, case) for `_owned_case`; each raises the refusal.
Check = Callable[[Access, Case], None]


def _changes_open(actor: Access, row: Case) -> None:
    """The case's worker or head, on an open case that does not wait at another station."""
    _may_change(actor, row)
    if row.status != OPEN:
        raise CaseClosed()
    if row.referred_to_station is not None:
        raise ReferralPending()


def _heads_closed(actor: Access, row: Case) -> None:
    """Only the station head, on a closed case (reopening)."""
    if row.station_code not in actor.head_stations:
        raise NotAllowed()
    if row.status == OPEN:
        raise CaseOpen()


def _receives(actor: Access, row: Case) -> None:
    """The staff of the station the case is referred to (accepting or declining)."""
    target = row.referred_to_station
    if target is None:
        raise NoReferral() if row.station_code in staff_stations(actor) else NotAllowed()
    if target not in staff_stations(actor):
        raise NotAllowed()


def _supervises(actor: Access, row: Case) -> None:
    if row.station_code not in actor.supervisor_stations:
        raise NotAllowed()


async def _owned_case(
    uow: UnitOfWork, case_id: int, actor: Access, check: Check = _changes_open
) -> Case:
    """The case, locked for the change the actor is about to make, once `check` lets them."""
    row = await _row(uow, case_id, lock=True)
    check(actor, row)
    return row


async def _recorded(
    uow: UnitOfWork,
    row: Case,
    kind: str,
    *,
    actor: Access,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
    stage: str | None = None,
    detail: dict[str, Any] | None = None,
    note: str | None = None,
) -> CaseView:
    """The change on the case's timeline, committed once; the case as it now is."""
    _event(uow, row, kind, actor=actor, now=now, stage=stage, detail=detail, note=note)
    return await _done(uow, row, catalog, now, zone)


async def _done(
    uow: UnitOfWork, row: Case, catalog: CaseCatalog, now: datetime, zone: ZoneInfo
) -> CaseView:
    await uow.commit()
    return await _view(uow, row, catalog, _local_today(now, zone))


async def open_case(
    uow: UnitOfWork,
    *,
    actor: Access,
    station_code: str,
    request_id: int | None,
    client_name: str | None,
    age_group: str,
    groups: Sequence[str],
    address: str | None,
    risk_level: str,
    worker_id: int | None,
    consent_given: bool,
    client_token: str,
    catalog: CaseCatalog,
    group_codes: Iterable[str],
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """Open a case at the actor's station (worker or head), at the intake stage.

    From a request of the station: the resident (if a bot user) is linked and their consent
    must be current; a walk-in's consent given to staff covers it, and its name is the default.
    Opened directly, the person's verbal consent is ticked by staff (`consent_given`), as for
    a walk-in. `worker_id` defaults to the actor; a head may assign any worker of the station.
    """
    if not rq.may_handle(actor, station_code):
        raise NotAllowed()
    if not client_token or len(client_token) > 64:
        raise InvalidValue("client_token", "format")
    existing = await uow.session.scalar(select(Case).where(Case.client_token == client_token))
    if existing is not None:
        if existing.opened_by != actor.person_id:
            raise NotAllowed()
        return await _view(uow, existing, catalog, _local_today(now, zone))
    station = await uow.session.get(Station, station_code)
    if station is None or not station.active:
        raise InvalidValue("station", "unknown")
    resident_id: int | None = None
    consent_detail: dict[str, Any]
    if request_id is not None:
        request = await uow.session.get(ServiceRequest, request_id)
        if request is None:
            raise NotFound()
        if request.station_code != station_code:
            raise NotAllowed()
        already = (
            await uow.session.execute(
                select(Case.id, Case.number).where(
                    Case.request_id == request_id, Case.status == OPEN
                )
            )
        ).first()
        if already is not None:
            raise CaseExists(int(already[0]), already[1])
        resident_id = request.resident_id
        walk_in = await uow.session.get(WalkIn, request_id)
        if resident_id is not None:
            await consent.require(uow, person_id=resident_id)
            consent_detail = {"consent": "resident", "version": consent.VERSION}
        elif walk_in is not None:
            consent_detail = {"consent": VERBAL_TO_STAFF, "version": walk_in.consent_version}
            client_name = client_name or walk_in.resident_name
            address = address or walk_in.address
        else:  # pragma: no cover - every request has a resident or a walk-in row
            raise NotFound()
    else:
        if not consent_given:
            raise consent.ConsentRequired()
        consent_detail = {"consent": VERBAL_TO_STAFF, "version": consent.VERSION}
    name = _text("client_name", client_name, MAX_NAME, required=True)
    address_text = _text("address", address, MAX_ADDRESS, required=False)
    if age_group not in rq.AGE_GROUPS:
        raise InvalidValue("age_group", "unknown")
    known_groups = list(group_codes)
    if not groups or any(g not in known_groups for g in groups):
        raise InvalidValue("groups", "unknown" if groups else "empty")
    if risk_level not in catalog.codes(catalog.risk_levels):
        raise InvalidValue("risk_level", "unknown")
    assignee = actor.person_id if worker_id is None else worker_id
    if assignee != actor.person_id:
        if station_code not in actor.head_stations:
            raise NotAllowed()
        if not await _is_worker_at(uow, assignee, station_code):
            raise InvalidValue("worker", "not_at_station")
    number = await take_next_case_number(uow.session, station_code)
    first = catalog.stages[0].code
    row = Case(
        number=f"{station.prefix}-C-{number:04d}",
        client_token=client_token,
        station_code=station_code,
        request_id=request_id,
        resident_id=resident_id,
        client_name=name,
        address=address_text,
        age_group=age_group,
        groups=[g for g in known_groups if g in set(groups)],
        worker_id=assignee,
        risk_level=risk_level,
        stage=first,
        status=OPEN,
        opened_at=now,
        opened_by=actor.person_id,
    )
    uow.session.add(row)
    try:
        await uow.session.flush()
    except IntegrityError:
        # The same draft confirmed twice at the same moment: the other press won.
        await uow.session.rollback()
        existing = await uow.session.scalar(select(Case).where(Case.client_token == client_token))
        if existing is None or existing.opened_by != actor.person_id:
            raise
        return await _view(uow, existing, catalog, _local_today(now, zone))
    _event(
        uow, row, OPENED, actor=actor, now=now, stage=first,
        detail={"request": request_id, "worker": assignee, "risk": risk_level,
                "recorded_by": actor.person_id, **consent_detail},
    )  # fmt: skip
    audit.record(
        uow,
        actor_id=actor.person_id,
        action="case.open",
        subject=f"case:{row.id}",
        now=now,
        detail={"station": station_code, "request": request_id, **consent_detail},
    )
    return await _done(uow, row, catalog, now, zone)


def _file(
    uow: UnitOfWork,
    row: Case,
    activity: ActivityLog,
    stage: str,
    *,
    actor: Access,
    now: datetime,
    request: ServiceRequest | None,
) -> dict[str, Any]:
    """File `activity` on the case as `stage`: the case moves to that stage, a service record
    moves an "every N days" next contact on from its date. Returns the timeline's detail."""
    uow.session.add(
        CaseRecord(
            case_id=row.id, activity_id=activity.id, stage=stage, linked_by=actor.person_id,
            linked_at=now, request_id=request.id if request is not None else None,
        )
    )  # fmt: skip
    row.stage = stage
    if stage == "service" and row.contact_every_days:
        row.next_contact_on = activity.activity_date + timedelta(days=row.contact_every_days)
    detail = {"activity": activity.id, "template": activity.template_code,
              "date": activity.activity_date.isoformat(),
              "request": request.id if request is not None else None}  # fmt: skip
    if request is not None:
        detail["service"] = request.service_code
    return detail


async def _request_of_station(uow: UnitOfWork, request_id: int, row: Case) -> ServiceRequest:
    request = await uow.session.get(ServiceRequest, request_id)
    if request is None:
        raise NotFound()
    if request.station_code != row.station_code:
        raise NotAllowed()
    return request


async def link_record(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    activity_id: int,
    request_id: int | None = None,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """File an activity record of the case's station as the stage its template stands for.

    The case moves to that stage; a service record moves an "every N days" next contact on
    from the record's date. `request_id`: the record is the work done on this (completed)
    request of the station, noted on the timeline.
    """
    row = await _owned_case(uow, case_id, actor)
    activity = await uow.session.get(ActivityLog, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFound()
    if activity.station_code != row.station_code:
        raise NotAllowed()
    if activity.worker_id != actor.person_id and row.station_code not in actor.head_stations:
        raise NotAllowed()  # a worker files their own records; the head any of the station
    stage = catalog.stage_for_template(activity.template_code)
    if stage is None:
        raise InvalidValue("template", "not_a_case_record")
    linked = await uow.session.scalar(
        select(CaseRecord.case_id).where(CaseRecord.activity_id == activity_id)
    )
    if linked is not None:
        raise RecordAlreadyLinked(int(linked))
    request = None if request_id is None else await _request_of_station(uow, request_id, row)
    detail = _file(uow, row, activity, stage.code, actor=actor, now=now, request=request)
    return await _recorded(
        uow, row, RECORD, actor=actor, catalog=catalog, now=now, zone=zone, stage=stage.code,
        detail=detail,
    )  # fmt: skip


# --- a completed request filed as a service record -----------------------------------------


class RequestNotCompleted(Conflict):
    """Only a completed request's work is filed on a case."""


class RequestFiled(Conflict):
    """The request's work is filed already (on this case or another)."""

    def __init__(self, case_id: int, number: str) -> None:
        super().__init__(number)
        self.case_id = case_id
        self.number = number


def _about_request(request: ServiceRequest) -> ColumnElement[bool]:
    """The cases about the person a request is for: opened from it, or (a bot user's request)
    about the same resident, directly or from another of their requests."""
    about: ColumnElement[bool] = Case.request_id == request.id
    if request.resident_id is not None:
        theirs = select(ServiceRequest.id).where(ServiceRequest.resident_id == request.resident_id)
        about = or_(about, Case.resident_id == request.resident_id, Case.request_id.in_(theirs))
    return about


async def _filed_on(uow: UnitOfWork, request_id: int) -> tuple[int, str] | None:
    found = (
        await uow.session.execute(
            select(Case.id, Case.number)
            .join(CaseRecord, CaseRecord.case_id == Case.id)
            .where(CaseRecord.request_id == request_id)
            .limit(1)
        )
    ).first()
    return None if found is None else (int(found[0]), str(found[1]))


def _may(check: Check, actor: Access, row: Case) -> bool:
    try:
        check(actor, row)
    except (NotAllowed, Conflict):
        return False
    return True


async def cases_to_file(
    uow: UnitOfWork,
    *,
    actor: Access,
    request_id: int,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> list[CaseSummary]:
    """The open cases a completed request's work can be filed on, newest first: about the
    person it is for (`_about_request`), at its station, that the actor may change (their
    worker, or the head). Empty when the request is not completed or is filed already, so
    the handler offers a new case instead (or nothing)."""
    request = await uow.session.get(ServiceRequest, request_id)
    if request is None:
        raise NotFound()
    if not rq.may_handle(actor, request.station_code):
        raise NotAllowed()
    if request.status != rq.COMPLETED or await _filed_on(uow, request_id) is not None:
        return []
    rows = (
        await uow.session.execute(
            select(Case, Person.display_name)
            .join(Person, Person.id == Case.worker_id)
            .where(_about_request(request), Case.station_code == request.station_code,
                   Case.status == OPEN)
            .order_by(Case.id.desc())
        )
    ).all()  # fmt: skip
    mine = [(c, name) for c, name in rows if _may(_changes_open, actor, c)]
    records = await _records(uow, [c.id for c, _ in mine])
    today = _local_today(now, zone)
    return [
        _summary(c, name, catalog, today, [r[0].stage for r in records[c.id]]) for c, name in mine
    ]


async def file_request(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    request_id: int,
    minutes: int,
    client_token: str,
    catalog: CaseCatalog,
    templates: TemplateCatalog,
    rules: RecordRules,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """File a completed request's work as a service record of the case, in one unit of work:
    a record in the service stage's template, by the actor, dated the day the request was
    completed, serving the person once (in the case's groups), with the worker's completion
    note as what was done; the record keeps the request (so its service), and the timeline
    says so. The same `client_token` twice files once."""
    row = await _owned_case(uow, case_id, actor)
    request = await _request_of_station(uow, request_id, row)
    if not rq.may_handle(actor, request.station_code):
        raise NotAllowed()
    about = await uow.session.scalar(
        select(Case.id).where(Case.id == row.id, _about_request(request))
    )
    if about is None:
        raise NotAllowed()  # another person's case
    again = await uow.session.scalar(
        select(ActivityLog).where(ActivityLog.client_token == client_token)
    )
    if again is not None and again.worker_id == actor.person_id:
        return await _view(uow, row, catalog, _local_today(now, zone))
    if request.status != rq.COMPLETED or request.completed_at is None:
        raise RequestNotCompleted()
    if (filed := await _filed_on(uow, request_id)) is not None:
        raise RequestFiled(*filed)
    stage = catalog.stage("service")
    template = templates.template(stage.template_code) if stage is not None else None
    if stage is None or template is None:  # pragma: no cover - the catalogues are checked at start
        raise InvalidValue("template", "unknown")
    day = request.completed_at.astimezone(zone).date()
    check_entry_date(day, _local_today(now, zone), late_days=rules.late_entry_days)
    if not activities.MIN_MINUTES <= minutes <= activities.MAX_MINUTES:
        raise InvalidValue("hours", "out_of_range")
    await activities.check_worker_day(
        uow, worker_id=actor.person_id, day=day, minutes=minutes, rules=rules
    )
    services_so_far = await uow.session.scalar(
        select(func.count())
        .select_from(CaseRecord)
        .where(CaseRecord.case_id == row.id, CaseRecord.stage == stage.code)
    )
    typed = {"case_no": row.number, "session_no": str(int(services_so_far or 0) + 1)}
    note = None if request.erased else (request.completion_note or "").strip()
    if note:
        typed["intervention"] = note[: rules.long_text_max]
    known = {f.code for f in template.form}
    values = check_form_values(template, {k: v for k, v in typed.items() if k in known}, rules)
    activity = ActivityLog(
        worker_id=actor.person_id, station_code=row.station_code,
        category_code=template.category_code, template_code=template.code, activity_date=day,
        minutes=minutes, person_times=1 if template.counts_people else 0, note=None,
        created_at=now, client_token=client_token,
    )  # fmt: skip
    uow.session.add(activity)
    await uow.session.flush()
    if template.counts_people:  # one person served once, in each of the case's groups
        for code in row.groups or ():
            uow.session.add(ActivityGroup(activity_id=activity.id, group_code=code, person_times=1))
    for code, text in values.items():
        uow.session.add(RecordFieldValue(activity_id=activity.id, field_code=code, value=text))
    detail = _file(uow, row, activity, stage.code, actor=actor, now=now, request=request)
    return await _recorded(
        uow, row, RECORD, actor=actor, catalog=catalog, now=now, zone=zone, stage=stage.code,
        detail=detail,
    )  # fmt: skip


# --- changes -------------------------------------------------------------------------------


async def set_next_contact(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    on: date | None,
    every_days: int | None,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """The plan's next contact: a date (today or later), or every N days from today; both
    None clears it."""
    row = await _owned_case(uow, case_id, actor)
    today = _local_today(now, zone)
    if on is not None and every_days is not None:
        raise InvalidValue("next_contact", "both")
    if every_days is not None:
        if not 1 <= every_days <= catalog.max_every_days:
            raise InvalidValue("every_days", "out_of_range")
        on = today + timedelta(days=every_days)
    elif on is not None:
        if on < today:
            raise InvalidValue("next_contact", "past")
        if on > today + timedelta(days=catalog.max_days_ahead):
            raise InvalidValue("next_contact", "too_far")
    row.next_contact_on = on
    row.contact_every_days = every_days
    return await _recorded(
        uow, row, NEXT_CONTACT, actor=actor, catalog=catalog, now=now, zone=zone,
        detail={"on": on.isoformat() if on else None, "every_days": every_days},
    )  # fmt: skip


async def assign(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    worker_id: int,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """Hand the case to another worker (or the head) of its station."""
    row = await _owned_case(uow, case_id, actor)
    if worker_id == row.worker_id:
        raise InvalidValue("worker", "same")
    if not await _is_worker_at(uow, worker_id, row.station_code):
        raise InvalidValue("worker", "not_at_station")
    detail = {"from": row.worker_id, "to": worker_id}
    row.worker_id = worker_id
    return await _recorded(
        uow, row, ASSIGNED, actor=actor, catalog=catalog, now=now, zone=zone, detail=detail
    )


async def set_risk(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    risk_level: str,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    row = await _owned_case(uow, case_id, actor)
    if risk_level not in catalog.codes(catalog.risk_levels):
        raise InvalidValue("risk_level", "unknown")
    detail = {"from": row.risk_level, "to": risk_level}
    row.risk_level = risk_level
    return await _recorded(
        uow, row, RISK, actor=actor, catalog=catalog, now=now, zone=zone, detail=detail
    )


async def _last_opened(uow: UnitOfWork, row: Case) -> datetime:
    reopened = await uow.session.scalar(
        select(func.max(CaseEvent.at)).where(
            CaseEvent.case_id == row.id, CaseEvent.kind == REOPENED
        )
    )
    return reopened or row.opened_at


async def _check_closing_record(uow: UnitOfWork, row: Case, catalog: CaseCatalog) -> None:
    since = await _last_opened(uow, row)
    found = await uow.session.scalar(
        select(CaseRecord.id).where(
            CaseRecord.case_id == row.id,
            CaseRecord.stage == catalog.closing_stage.code,
            CaseRecord.linked_at >= since,
        )
    )
    if found is None:
        raise ClosingRecordMissing()


async def check_change(
    uow: UnitOfWork, *, actor: Access, case_id: int, closing: bool, catalog: CaseCatalog
) -> str:
    """Before a note is asked: the actor may change the case (and, `closing`, it has its
    closing record), else the refusal the change would give. The case's number; writes
    nothing (not a read of the case either)."""
    row = await _row(uow, case_id)
    _changes_open(actor, row)
    if closing:
        await _check_closing_record(uow, row, catalog)
    return row.number


async def close(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    note: str | None,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """Close the case with a closing note (the outcome, in a few sentences); needs a closing
    record linked since it was (re)opened."""
    row = await _owned_case(uow, case_id, actor)
    await _check_closing_record(uow, row, catalog)
    note = _text("note", note, MAX_NOTE, required=True)
    row.status = CLOSED
    row.stage = catalog.closing_stage.code
    row.closed_at = now
    return await _recorded(
        uow, row, CLOSED_EVENT, actor=actor, catalog=catalog, now=now, zone=zone,
        stage=row.stage, note=note,
    )  # fmt: skip


async def reopen(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    note: str | None,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """Only the station head reopens a closed case; it goes back to the service stage."""
    row = await _owned_case(uow, case_id, actor, _heads_closed)
    note = _text("note", note, MAX_NOTE, required=False)
    row.status = OPEN
    row.closed_at = None
    row.stage = "service"
    return await _recorded(
        uow, row, REOPENED, actor=actor, catalog=catalog, now=now, zone=zone, stage=row.stage,
        note=note,
    )  # fmt: skip


async def refer_to_station(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    to_station: str,
    note: str | None,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[CaseView, tuple[rq.StaffContact, ...]]:
    """Refer the case to another station, with a note (why, and what the receiving station
    should know); it waits there until one of its workers accepts. Returns the case and the
    receiving station's staff to tell."""
    row = await _owned_case(uow, case_id, actor)
    station = await uow.session.get(Station, to_station)
    if station is None or not station.active:
        raise InvalidValue("station", "unknown")
    if to_station == row.station_code:
        raise InvalidValue("station", "same")
    note = _text("note", note, MAX_NOTE, required=True)
    row.referred_to_station = to_station
    view = await _recorded(
        uow, row, REFERRED, actor=actor, catalog=catalog, now=now, zone=zone,
        detail={"from": row.station_code, "to": to_station}, note=note,
    )  # fmt: skip
    contacts, _group = await rq.new_request_recipients(uow, to_station)
    return view, tuple(contacts)


async def accept_referral(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """A worker (or the head) of the receiving station takes the case: it moves there, with
    its records and timeline, and the accepting person becomes its worker."""
    row = await _owned_case(uow, case_id, actor, _receives)
    detail = {"from": row.station_code, "to": row.referred_to_station}
    row.station_code = str(row.referred_to_station)
    row.referred_to_station = None
    row.worker_id = actor.person_id
    return await _recorded(
        uow, row, REFERRAL_ACCEPTED, actor=actor, catalog=catalog, now=now, zone=zone,
        detail=detail,
    )  # fmt: skip


async def decline_referral(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    note: str | None,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """The receiving station cannot take it: the case stays where it was."""
    row = await _owned_case(uow, case_id, actor, _receives)
    note = _text("note", note, MAX_NOTE, required=False)
    detail = {"from": row.station_code, "to": row.referred_to_station}
    row.referred_to_station = None
    return await _recorded(
        uow, row, REFERRAL_DECLINED, actor=actor, catalog=catalog, now=now, zone=zone,
        detail=detail, note=note,
    )  # fmt: skip


async def refer_to_agency(
    uow: UnitOfWork,
    *,
    actor: Access,
    case_id: int,
    agency_code: str,
    note: str | None,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """Record a referral to an outside agency (hospital, school, police, civil affairs …) with
    a note (to whom there, and why), kept on the referral and on the timeline."""
    row = await _owned_case(uow, case_id, actor)
    if agency_code not in catalog.codes(catalog.agencies):
        raise InvalidValue("agency", "unknown")
    note = _text("note", note, MAX_NOTE, required=True)
    referral = AgencyReferral(
        case_id=row.id, agency_code=agency_code, referred_at=now, referred_by=actor.person_id,
        note=note,
    )  # fmt: skip
    uow.session.add(referral)
    await uow.session.flush()
    return await _recorded(
        uow, row, AGENCY_REFERRAL, actor=actor, catalog=catalog, now=now, zone=zone,
        stage="referral", detail={"agency": agency_code, "referral": referral.id}, note=note,
    )  # fmt: skip


async def record_agency_outcome(
    uow: UnitOfWork,
    *,
    actor: Access,
    referral_id: int,
    outcome: str,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    referral = await uow.session.get(AgencyReferral, referral_id)
    if referral is None:
        raise NotFound()
    row = await _owned_case(uow, referral.case_id, actor, _may_change)
    if outcome not in catalog.codes(catalog.referral_outcomes):
        raise InvalidValue("outcome", "unknown")
    referral.outcome = outcome
    referral.outcome_at = now
    referral.outcome_by = actor.person_id
    return await _recorded(
        uow, row, AGENCY_OUTCOME, actor=actor, catalog=catalog, now=now, zone=zone,
        detail={"agency": referral.agency_code, "referral": referral.id, "outcome": outcome},
    )  # fmt: skip


async def sign_off(
    uow: UnitOfWork,
    *,
    actor: Access,
    record_id: int,
    catalog: CaseCatalog,
    now: datetime,
    zone: ZoneInfo,
) -> CaseView:
    """The station's supervisor marks a plan or closing record as reviewed (督导审核)."""
    record = await uow.session.get(CaseRecord, record_id)
    if record is None:
        raise NotFound()
    row = await _owned_case(uow, record.case_id, actor, _supervises)
    stage = catalog.stage(record.stage)
    if stage is None or not stage.sign_off:
        raise InvalidValue("record", "no_sign_off")
    if record.signed_off_at is not None:
        raise AlreadySignedOff()
    record.signed_off_by = actor.person_id
    record.signed_off_at = now
    return await _recorded(
        uow, row, SIGNED_OFF, actor=actor, catalog=catalog, now=now, zone=zone,
        stage=record.stage, detail={"record": record.id, "activity": record.activity_id},
    )  # fmt: skip


# --- privacy -------------------------------------------------------------------------------


def _blank(row: Case) -> None:
    row.client_name = None
    row.address = None
    row.erased = True


async def blank_cases(uow: UnitOfWork, *, case_ids: Sequence[int]) -> int:
    """Erase the personal fields of these cases (and the notes of their timeline, referrals
    and records), keeping counts and codes.
    Adds to the caller's unit of work; the caller commits."""
    ids = list(case_ids)
    if not ids:
        return 0
    for row in await uow.session.scalars(select(Case).where(Case.id.in_(ids))):
        _blank(row)
    for event in await uow.session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(ids))):
        event.note = None
    for ref in await uow.session.scalars(
        select(AgencyReferral).where(AgencyReferral.case_id.in_(ids))
    ):
        ref.note = None
    # A case record's note is about the person served; the record itself (hours, counts) stays.
    for activity in await uow.session.scalars(
        select(ActivityLog)
        .join(CaseRecord, CaseRecord.activity_id == ActivityLog.id)
        .where(CaseRecord.case_id.in_(ids))
    ):
        activity.note = None
    return len(ids)


async def cases_of_resident(uow: UnitOfWork, *, resident_id: int) -> list[int]:
    """The cases about a bot user: linked to them, or opened from one of their requests."""
    own_requests = select(ServiceRequest.id).where(ServiceRequest.resident_id == resident_id)
    return list(
        (
            await uow.session.scalars(
                select(Case.id)
                .where(or_(Case.resident_id == resident_id, Case.request_id.in_(own_requests)))
                .order_by(Case.id)
            )
        ).all()
    )


async def cases_of_request(uow: UnitOfWork, *, request_id: int) -> list[int]:
    return list(
        (await uow.session.scalars(select(Case.id).where(Case.request_id == request_id))).all()
    )


@dataclass(frozen=True)
class CaseReader:
    """Someone who opened a case about the person: for /mydata."""

    case_number: str
    at: datetime
    person_id: int | None
    name: str | None
    roles: tuple[str, ...]


async def readers(uow: UnitOfWork, *, case_ids: Sequence[int]) -> list[CaseReader]:
    ids = list(case_ids)
    if not ids:
        return []
    numbers = dict(
        (await uow.session.execute(select(Case.id, Case.number).where(Case.id.in_(ids)))).all()
    )
    rows = (
        await uow.session.execute(
            select(
                AuditEntry.subject, AuditEntry.at, AuditEntry.actor_person_id, Person.display_name
            )
            .outerjoin(Person, Person.id == AuditEntry.actor_person_id)
            .where(
                AuditEntry.action == READ_ACTION,
                AuditEntry.subject.in_([f"case:{i}" for i in ids]),
            )
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    ).all()
    people = {pid for _, _, pid, _ in rows if pid is not None}
    roles: dict[int, set[str]] = {}
    if people:
        for pid, role in await uow.session.execute(
            select(StaffRole.person_id, StaffRole.role).where(StaffRole.person_id.in_(people))
        ):
            roles.setdefault(pid, set()).add(role)
    return [
        CaseReader(
            case_number=numbers[int(subject.split(":", 1)[1])],
            at=at,
            person_id=pid,
            name=name,
            roles=tuple(sorted(roles.get(pid, set()))) if pid is not None else (),
        )
        for subject, at, pid, name in rows
    ]


# --- overdue, for the reminder planner ------------------------------------------------------


@dataclass(frozen=True)
class OverdueCase:
    id: int
    number: str
    station_code: str
    worker_tg_id: int
    due: date  # the missed next contact


async def overdue_cases(uow: UnitOfWork, *, today: date) -> list[OverdueCase]:
    """Open cases (not waiting at another station) whose next contact is before `today`."""
    rows = await uow.session.execute(
        select(Case.id, Case.number, Case.station_code, Person.tg_id, Case.next_contact_on)
        .join(Person, Person.id == Case.worker_id)
        .where(
            Case.status == OPEN,
            Case.referred_to_station.is_(None),
            Case.next_contact_on.is_not(None),
            Case.next_contact_on < today,
        )
        .order_by(Case.id)
    )
    return [
        OverdueCase(id=i, number=n, station_code=s, worker_tg_id=int(tg), due=due)
        for i, n, s, tg, due in rows
        if due is not None
    ]
