"""Residents' service requests: submitting one, and its life at the station.

    submitted ──accept──► accepted ──start──► in_progress ──complete──► completed ──rate──►
        │                    │                    │
        └──────── decline (staff, with a reason) / cancel (the resident) ──────────┘

Every change writes a `request_events` row (who, when, from, to, note). Only workers and the
head of the request's own station may see or act on it (not supervisors or the bureau, who see
anonymous figures only); once accepted, only its assignee (or the station head) moves it on.
Each call commits once and returns plain frozen views; the handler tells the people concerned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from db.counters import next_number_in
from db.models import Person, RequestEvent, ServiceRequest, StaffRole, Station, WalkIn
from db.uow import UnitOfWork, inserted_id
from services import consent, reach
from services.errors import Conflict, DomainError, InvalidValue, NotAllowed, NotFound
from services.people import STATION_HEAD, WORKER, Access
from services.phones import normalise_cn_phone

SUBMITTED, ACCEPTED, IN_PROGRESS, COMPLETED, DECLINED, CANCELLED = (
    "submitted",
    "accepted",
    "in_progress",
    "completed",
    "declined",
    "cancelled",
)
STATUSES = (SUBMITTED, ACCEPTED, IN_PROGRESS, COMPLETED, DECLINED, CANCELLED)
OPEN_STATUSES = (SUBMITTED, ACCEPTED, IN_PROGRESS)
CLOSED_STATUSES = (COMPLETED, DECLINED, CANCELLED)
TRANSITIONS: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({ACCEPTED, DECLINED, CANCELLED}),
    ACCEPTED: frozenset({IN_PROGRESS, DECLINED, CANCELLED}),
    IN_PROGRESS: frozenset({COMPLETED, DECLINED, CANCELLED}),
    COMPLETED: frozenset(),
    DECLINED: frozenset(),
    CANCELLED: frozenset(),
}

# The options the pre-kit /request shows. The full list (with neighbour and someone else, and
# their labels) is data: knowledge/requests.yaml `for_whom`, passed to `submit` as
# `for_whom_ages=knowledge.request_rules.for_whom_ages`.
FOR_WHOM = ("myself", "family", "child")
NEIGHBOUR, SOMEONE_ELSE = "neighbour", "someone_else"
AGE_GROUPS = ("0_5", "6_13", "14_17", "18_59", "60_79", "80_plus")
AGE_GROUPS_FOR = {
    "myself": ("14_17", "18_59", "60_79", "80_plus"),
    "family": AGE_GROUPS,
    "child": ("0_5", "6_13", "14_17"),
}
PREFERRED_TIMES = ("weekday_morning", "weekday_afternoon", "weekday_evening", "weekend", "any")
MAX_DESCRIPTION = 1000
MAX_NOTE = 1000
MAX_COMMENT = 1000
RATINGS = range(1, 6)


class IllegalTransition(Conflict):
    """The request is no longer in a status that allows this (e.g. completing a cancelled one)."""

    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(f"{from_status} → {to_status}")
        self.from_status = from_status
        self.to_status = to_status


class AlreadyTaken(Conflict):
    """Someone (maybe the actor) already owns the request."""

    def __init__(self, holder_id: int | None, holder_name: str | None, *, by_you: bool) -> None:
        super().__init__("already taken")
        self.holder_id = holder_id
        self.holder_name = holder_name
        self.by_you = by_you


class AlreadyRated(Conflict):
    def __init__(self, rating: int) -> None:
        super().__init__("already rated")
        self.rating = rating


class OpenLimitReached(DomainError):
    """The resident already has `limit` open requests at this station."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"limit {limit}")
        self.limit = limit


@dataclass(frozen=True)
class StaffContact:
    person_id: int
    tg_id: int
    name: str | None
    language: str


@dataclass(frozen=True)
class RequestEventView:
    at: datetime
    actor_name: str | None
    from_status: str | None
    to_status: str
    note: str | None


@dataclass(frozen=True)
class RequestView:
    id: int
    ref: str
    station_code: str
    resident_id: int | None  # None: registered by staff for a walk-in or phone call
    resident_tg_id: int | None
    resident_language: str
    service_code: str
    for_whom: str
    age_group: str
    description: str | None  # None once erased
    phone: str | None  # E.164; None once erased
    preferred_time: str
    urgent: bool
    status: str
    assignee_id: int | None
    assignee_tg_id: int | None
    assignee_name: str | None
    created_at: datetime
    decline_reason: str | None
    completion_note: str | None
    rating: int | None
    rating_comment: str | None
    erased: bool
    events: tuple[RequestEventView, ...] = ()
    source: str = "telegram"  # knowledge/cases.yaml `request_sources`
    # What staff noted at /register about the resident, as consented to (None: not a walk-in,
    # or erased); the staff's card shows them.
    resident_name: str | None = None
    village: str | None = None
    address: str | None = None  # for a home visit, when given

    @property
    def registered_by_staff(self) -> bool:
        return self.resident_id is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Submitted:
    request: RequestView
    created: bool  # False when this draft had already been submitted (a second Confirm)
    notify: tuple[StaffContact, ...]  # who should hear of the new request (all reachable)
    # worker | station_head | admin | worker+station_head (urgent) | nobody | "" (resubmitted)
    notify_group: str = ""

    @property
    def nobody_reachable(self) -> bool:
        """Nobody at all can be told: the resident must hear so, with the station's phone."""
        return self.created and not self.notify


def check_transition(from_status: str, to_status: str) -> None:
    """The lifecycle rule; raises IllegalTransition for anything the diagram above lacks."""
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(from_status, to_status)


def may_handle(actor: Access, station_code: str) -> bool:
    """Workers and the head of the request's station; nobody else sees personal details."""
    return station_code in actor.worker_stations or station_code in actor.head_stations


def handled_stations(actor: Access) -> frozenset[str]:
    return actor.worker_stations | actor.head_stations


# --- reading -------------------------------------------------------------------------------

_Resident = aliased(Person)
_Assignee = aliased(Person)


def _query() -> Any:
    """Requests with the resident's tg id and language, the assignee's tg id and name, and a
    walk-in's name, village and address."""
    return (
        select(
            ServiceRequest,
            _Resident.tg_id,
            _Resident.language,
            _Assignee.tg_id,
            _Assignee.display_name,
            WalkIn.resident_name,
            WalkIn.village,
            WalkIn.address,
        )
        .outerjoin(_Resident, _Resident.id == ServiceRequest.resident_id)
        .outerjoin(_Assignee, _Assignee.id == ServiceRequest.assignee_id)
        .outerjoin(WalkIn, WalkIn.request_id == ServiceRequest.id)
    )


def _view(
    row: ServiceRequest,
    resident_tg_id: int | None,
    resident_language: str | None,
    assignee_tg_id: int | None,
    assignee_name: str | None,
    resident_name: str | None = None,
    village: str | None = None,
    address: str | None = None,
    events: Sequence[RequestEventView] = (),
) -> RequestView:
    return RequestView(
        id=row.id,
        ref=row.ref,
        station_code=row.station_code,
        resident_id=row.resident_id,
        resident_tg_id=resident_tg_id,
        resident_language=resident_language or "zh",
        service_code=row.service_code,
        for_whom=row.for_whom,
        age_group=row.age_group,
        description=None if row.erased else row.description,
        phone=None if row.erased else row.phone,
        preferred_time=row.preferred_time,
        urgent=row.urgent,
        status=row.status,
        assignee_id=row.assignee_id,
        assignee_tg_id=assignee_tg_id,
        assignee_name=assignee_name,
        created_at=row.created_at,
        decline_reason=row.decline_reason,
        completion_note=None if row.erased else row.completion_note,
        rating=row.rating,
        rating_comment=None if row.erased else row.rating_comment,
        erased=row.erased,
        events=tuple(events),
        source=row.source,
        resident_name=None if row.erased else resident_name,
        village=None if row.erased else village,
        address=None if row.erased else address,
    )


async def _fetch(uow: UnitOfWork, request_id: int, *, with_events: bool = False) -> RequestView:
    found = (await uow.session.execute(_query().where(ServiceRequest.id == request_id))).first()
    if found is None:
        raise NotFound()
    events: list[RequestEventView] = []
    if with_events:
        rows = (
            await uow.session.execute(
                select(RequestEvent, Person.display_name)
                .outerjoin(Person, Person.id == RequestEvent.actor_id)
                .where(RequestEvent.request_id == request_id)
                .order_by(RequestEvent.at, RequestEvent.id)
            )
        ).all()
        events = [
            RequestEventView(
                at=event.at,
                actor_name=name,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
            )
            for event, name in rows
        ]
    row, resident_tg, resident_lang, assignee_tg, assignee_name, name, village, address = found
    return _view(
        row, resident_tg, resident_lang, assignee_tg, assignee_name, name, village, address, events
    )


async def detail(uow: UnitOfWork, *, request_id: int, actor: Access) -> RequestView:
    """One request with its history, for staff of its station only."""
    view = await _fetch(uow, request_id, with_events=True)
    if not may_handle(actor, view.station_code):
        raise NotAllowed()
    return view


async def counts_for_staff(uow: UnitOfWork, *, actor: Access) -> dict[str, int]:
    """Requests per status at the stations the person works at or heads."""
    stations = handled_stations(actor)
    counts = dict.fromkeys(STATUSES, 0)
    if not stations:
        return counts
    rows = (
        await uow.session.execute(
            select(ServiceRequest.status, func.count())
            .where(ServiceRequest.station_code.in_(stations))
            .group_by(ServiceRequest.status)
        )
    ).all()
    for status, count in rows:
        counts[status] = int(count)
    return counts


async def list_for_staff(
    uow: UnitOfWork,
    *,
    actor: Access,
    statuses: Iterable[str],
    offset: int = 0,
    limit: int = 8,
) -> tuple[list[RequestView], int]:
    """A page of the station's requests in these statuses (urgent first, oldest first while
    open so nobody waits longest; newest first once closed), and how many there are in all."""
    stations = handled_stations(actor)
    wanted = [s for s in statuses if s in STATUSES]
    if not stations or not wanted:
        return [], 0
    where = (ServiceRequest.station_code.in_(stations), ServiceRequest.status.in_(wanted))
    total = int(
        await uow.session.scalar(select(func.count()).select_from(ServiceRequest).where(*where))
        or 0
    )
    if all(s in OPEN_STATUSES for s in wanted):
        order = (ServiceRequest.urgent.desc(), ServiceRequest.created_at, ServiceRequest.id)
    else:
        order = (ServiceRequest.created_at.desc(), ServiceRequest.id.desc())  # type: ignore[assignment]  # both are ORDER BY clauses
    rows = (
        await uow.session.execute(
            _query().where(*where).order_by(*order).offset(max(0, offset)).limit(limit)
        )
    ).all()
    return [_view(*row) for row in rows], total


async def for_resident(uow: UnitOfWork, *, resident_id: int, limit: int = 10) -> list[RequestView]:
    """The resident's own requests, open ones first, newest first."""
    rows = (
        await uow.session.execute(
            _query()
            .where(ServiceRequest.resident_id == resident_id)
            .order_by(
                ServiceRequest.status.in_(OPEN_STATUSES).desc(),
                ServiceRequest.created_at.desc(),
                ServiceRequest.id.desc(),
            )
            .limit(limit)
        )
    ).all()
    return [_view(*row) for row in rows]


async def resident_request(uow: UnitOfWork, *, request_id: int, resident_id: int) -> RequestView:
    """A resident's own request; someone else's is NotFound (its existence is not revealed)."""
    view = await _fetch(uow, request_id)
    if view.resident_id != resident_id:
        raise NotFound()
    return view


@dataclass(frozen=True)
class HistoryStep:
    """One step of a request's life as the resident sees it."""

    at: datetime  # local
    status: str  # the status it moved to (a hand-over keeps the status: `handed_over`)
    by_staff: bool  # the station did it (else the resident)
    note: str | None  # a decline reason is told to the resident; other staff notes are not


@dataclass(frozen=True)
class RequestAsSent:
    """A resident's own request exactly as they sent it, and what happened since."""

    id: int
    ref: str
    station_code: str
    service_code: str
    for_whom: str
    age_group: str
    description: str | None  # None once erased
    phone: str | None  # E.164; None once erased
    preferred_time: str
    urgent: bool
    sent_at: datetime  # local
    status: str
    assignee_name: str | None
    rating: int | None
    erased: bool
    history: tuple[HistoryStep, ...]


HANDED_OVER = "handed_over"


async def as_sent(
    uow: UnitOfWork, *, request_id: int, resident_id: int, zone: ZoneInfo
) -> RequestAsSent:
    """The resident's request (service, for whom, description, phone, time) and its history;
    someone else's is NotFound."""
    view = await _fetch(uow, request_id, with_events=True)
    if view.resident_id != resident_id:
        raise NotFound()
    actors = (
        await uow.session.scalars(
            select(RequestEvent.actor_id)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.at, RequestEvent.id)
        )
    ).all()
    history = []
    for event, actor_id in zip(view.events, actors, strict=True):
        moved = event.from_status != event.to_status
        history.append(
            HistoryStep(
                at=event.at.astimezone(zone),
                status=event.to_status if moved else HANDED_OVER,
                by_staff=actor_id != resident_id,
                note=event.note if event.to_status == DECLINED and not view.erased else None,
            )
        )
    return RequestAsSent(
        id=view.id, ref=view.ref, station_code=view.station_code,
        service_code=view.service_code, for_whom=view.for_whom, age_group=view.age_group,
        description=view.description, phone=view.phone, preferred_time=view.preferred_time,
        urgent=view.urgent, sent_at=view.created_at.astimezone(zone), status=view.status,
        assignee_name=view.assignee_name, rating=view.rating, erased=view.erased,
        history=tuple(history),
    )  # fmt: skip


_LAST_STATION = select(Person.last_station_code).where(Person.id == bindparam("person_id"))


async def last_station(uow: UnitOfWork, *, person_id: int) -> str | None:
    found = await uow.rows(_LAST_STATION, {"person_id": person_id})  # a Core read, no session
    return found[0][0] if found else None


_OPEN_COUNT = (
    select(func.count())
    .select_from(ServiceRequest)
    .where(
        ServiceRequest.resident_id == bindparam("resident_id"),
        ServiceRequest.station_code == bindparam("station_code"),
        ServiceRequest.status.in_(OPEN_STATUSES),
    )
)


async def _open_count(uow: UnitOfWork, resident_id: int, station_code: str) -> int:
    found = await uow.rows(_OPEN_COUNT, {"resident_id": resident_id, "station_code": station_code})
    return int(found[0][0] or 0) if found else 0


async def check_open_limit(
    uow: UnitOfWork, *, resident_id: int, station_code: str, open_limit: int
) -> None:
    """Raises OpenLimitReached when one more request at this station would be too many."""
    if await _open_count(uow, resident_id, station_code) >= open_limit:
        raise OpenLimitReached(open_limit)


async def station_staff(
    uow: UnitOfWork, *, station_code: str, roles: Sequence[str] = (WORKER,)
) -> list[StaffContact]:
    rows = (
        await uow.session.execute(
            select(Person.id, Person.tg_id, Person.display_name, Person.language)
            .join(StaffRole, StaffRole.person_id == Person.id)
            .where(
                StaffRole.station_code == station_code,
                StaffRole.role.in_(list(roles)),
                StaffRole.revoked_at.is_(None),
            )
            .distinct()
            .order_by(Person.id)
        )
    ).all()
    return [StaffContact(pid, tg, name, lang or "zh") for pid, tg, name, lang in rows]


async def new_request_recipients(
    uow: UnitOfWork,
    station_code: str,
    *,
    admin_tg_ids: Iterable[int] = (),
    urgent: bool = False,
) -> tuple[list[StaffContact], str]:
    """Who hears of something new at the station (services.reach: reachable workers → head →
    administrators → nobody; urgent: workers and head together), and which group that is."""
    found = await reach.station_recipients(
        uow, station_code=station_code, admin_tg_ids=admin_tg_ids, urgent=urgent
    )
    contacts = [StaffContact(c.person_id, c.tg_id, c.name, c.language) for c in found.contacts]
    return contacts, found.group


def is_urgent(*, service_code: str, urgent: bool, urgent_services: Iterable[str]) -> bool:
    """Urgent when the resident said so, or always for the services flagged `urgent: true` in
    services.yaml (minors' protection, a child in danger)."""
    return bool(urgent) or service_code in set(urgent_services)


async def handover_candidates(
    uow: UnitOfWork, *, request_id: int, actor: Access
) -> list[StaffContact]:
    """The station's other workers (and its head) who could take the request over."""
    view = await _fetch(uow, request_id)
    if not may_handle(actor, view.station_code):
        raise NotAllowed()
    people = await station_staff(uow, station_code=view.station_code, roles=(WORKER, STATION_HEAD))
    return [p for p in people if p.person_id != view.assignee_id]


# --- submitting ----------------------------------------------------------------------------


def _check_text(field: str, text: str, limit: int) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidValue(field, "empty")
    if len(text) > limit:
        raise InvalidValue(field, "too_long")
    return text


_BY_TOKEN = select(ServiceRequest.id).where(ServiceRequest.client_token == bindparam("token"))
_STATION = select(Station.prefix, Station.active).where(Station.code == bindparam("code"))


async def _by_token(uow: UnitOfWork, client_token: str) -> ServiceRequest | None:
    found = await uow.rows(_BY_TOKEN, {"token": client_token})  # a Core read: usually none
    return await uow.session.get(ServiceRequest, found[0][0]) if found else None


# The Confirm's statements, built once (building them anew cost more than running them).
_INSERT_REQUEST = insert(ServiceRequest)
_INSERT_EVENT = insert(RequestEvent)
_SET_LAST_STATION = (
    update(Person)
    .where(Person.id == bindparam("resident"))
    .values(last_station_code=bindparam("station"))
)
_RESIDENT = select(Person.tg_id, Person.language).where(Person.id == bindparam("resident"))

_SUBMITTED_COLUMNS = (
    "ref", "client_token", "station_code", "resident_id", "source", "service_code", "for_whom",
    "age_group", "description", "phone", "preferred_time", "urgent", "status", "created_at",
    "erased",
)  # fmt: skip


async def submit(
    uow: UnitOfWork,
    *,
    resident_id: int,
    station_code: str,
    service_code: str,
    for_whom: str,
    age_group: str,
    description: str,
    phone: str,
    preferred_time: str,
    urgent: bool,
    client_token: str,
    known_services: Iterable[str],
    open_limit: int,
    now: datetime,
    urgent_services: Iterable[str] = (),
    admin_tg_ids: Iterable[int] = (),
    for_whom_ages: Mapping[str, Sequence[str]] | None = None,
) -> Submitted:
    """Create the request with the next reference of its station (e.g. JN-0007).

    `client_token` is the conversation's draft id: submitting the same draft again returns the
    request it already made (`created=False`) instead of a second one. A service listed in
    `urgent_services` is always urgent. `notify` is everyone reachable who should hear now;
    `nobody_reachable` says when nobody can be (then the handler gives the station's phone).
    """
    urgent = is_urgent(service_code=service_code, urgent=urgent, urgent_services=urgent_services)
    if not client_token or len(client_token) > 64:
        raise InvalidValue("client_token", "format")
    existing = await _by_token(uow, client_token)
    if existing is not None:
        return await _resubmitted(uow, existing, resident_id)
    station = await uow.rows(_STATION, {"code": station_code})
    if not station or not station[0].active:
        raise InvalidValue("station", "unknown")
    prefix = str(station[0].prefix)
    if service_code not in set(known_services):
        raise InvalidValue("service", "unknown")
    ages_for = AGE_GROUPS_FOR if for_whom_ages is None else for_whom_ages
    if for_whom not in ages_for:
        raise InvalidValue("for_whom", "unknown")
    if age_group not in ages_for[for_whom] or age_group not in AGE_GROUPS:
        raise InvalidValue("age_group", "unknown")
    if preferred_time not in PREFERRED_TIMES:
        raise InvalidValue("preferred_time", "unknown")
    _check_text("description", description, MAX_DESCRIPTION)
    phone = normalise_cn_phone(phone)
    await consent.require(uow, person_id=resident_id)
    await check_open_limit(
        uow, resident_id=resident_id, station_code=station_code, open_limit=open_limit
    )
    row = ServiceRequest(
        client_token=client_token,
        station_code=station_code,
        resident_id=resident_id,
        source="telegram",
        service_code=service_code,
        for_whom=for_whom,
        age_group=age_group,
        description=description,
        phone=phone,
        preferred_time=preferred_time,
        urgent=bool(urgent),
        status=SUBMITTED,
        created_at=now,
        erased=False,
    )  # not added to the session: the values written below, and the view's source

    def write(connection: Connection) -> tuple[int | None, str | None]:
        # One Core transaction: the number, the request, its first event, the resident's
        # last station (no ORM flush); the resident's tg id and language for the view.
        row.ref = f"{prefix}-{next_number_in(connection, station_code):04d}"
        values = {c: getattr(row, c) for c in _SUBMITTED_COLUMNS}
        row.id = inserted_id(connection.execute(_INSERT_REQUEST, values))
        connection.execute(
            _INSERT_EVENT,
            {
                "request_id": row.id, "at": now, "actor_id": resident_id, "from_status": None,
                "to_status": SUBMITTED, "note": None,
            },
        )  # fmt: skip
        connection.execute(_SET_LAST_STATION, {"resident": resident_id, "station": station_code})
        found = connection.execute(_RESIDENT, {"resident": resident_id}).first()
        return (found[0], found[1]) if found is not None else (None, None)

    try:
        resident_tg, resident_lang = await uow.write(write)
    except IntegrityError:
        # The same draft confirmed twice at the same moment: the other press won.
        await uow.session.rollback()
        existing = await _by_token(uow, client_token)
        if existing is None:
            raise
        return await _resubmitted(uow, existing, resident_id)
    view = _view(row, resident_tg, resident_lang, None, None)
    notify, group = await new_request_recipients(
        uow, station_code, admin_tg_ids=admin_tg_ids, urgent=view.urgent
    )
    return Submitted(request=view, created=True, notify=tuple(notify), notify_group=group)


async def _resubmitted(uow: UnitOfWork, existing: ServiceRequest, resident_id: int) -> Submitted:
    if existing.resident_id is None or existing.resident_id != resident_id:
        raise NotAllowed()
    return Submitted(request=await _fetch(uow, existing.id), created=False, notify=())


# --- the lifecycle -------------------------------------------------------------------------


async def _locked(uow: UnitOfWork, request_id: int) -> ServiceRequest:
    row = await uow.session.scalar(
        select(ServiceRequest).where(ServiceRequest.id == request_id).with_for_update()
    )
    if row is None:
        raise NotFound()
    return row


async def _holder(uow: UnitOfWork, row: ServiceRequest, actor: Access) -> AlreadyTaken:
    name = None
    if row.assignee_id is not None:
        name = await uow.session.scalar(
            select(Person.display_name).where(Person.id == row.assignee_id)
        )
    return AlreadyTaken(row.assignee_id, name, by_you=row.assignee_id == actor.person_id)


async def _require_owner(uow: UnitOfWork, row: ServiceRequest, actor: Access) -> None:
    """After acceptance only the assignee, or the head of the station, moves it on."""
    if not may_handle(actor, row.station_code):
        raise NotAllowed()
    if row.assignee_id == actor.person_id or row.station_code in actor.head_stations:
        return
    if row.status == SUBMITTED:
        return
    raise await _holder(uow, row, actor)


def _move(
    uow: UnitOfWork,
    row: ServiceRequest,
    to_status: str,
    *,
    actor_id: int | None,
    note: str | None,
    now: datetime,
) -> None:
    check_transition(row.status, to_status)
    uow.session.add(
        RequestEvent(
            request_id=row.id, at=now, actor_id=actor_id, from_status=row.status,
            to_status=to_status, note=note,
        )
    )  # fmt: skip
    row.status = to_status
    if to_status == ACCEPTED:
        row.accepted_at = now
    elif to_status == IN_PROGRESS:
        row.started_at = now
    elif to_status == COMPLETED:
        row.completed_at = now
    if to_status in CLOSED_STATUSES:
        row.closed_at = now


async def accept(uow: UnitOfWork, *, request_id: int, actor: Access, now: datetime) -> RequestView:
    """The first worker (or head) of the station to accept owns the request."""
    row = await _locked(uow, request_id)
    if not may_handle(actor, row.station_code):
        raise NotAllowed()
    if row.status in (ACCEPTED, IN_PROGRESS):
        raise await _holder(uow, row, actor)
    _move(uow, row, ACCEPTED, actor_id=actor.person_id, note=None, now=now)
    row.assignee_id = actor.person_id
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)


async def start(uow: UnitOfWork, *, request_id: int, actor: Access, now: datetime) -> RequestView:
    row = await _locked(uow, request_id)
    await _require_owner(uow, row, actor)
    _move(uow, row, IN_PROGRESS, actor_id=actor.person_id, note=None, now=now)
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)


async def complete(
    uow: UnitOfWork, *, request_id: int, actor: Access, note: str, now: datetime
) -> RequestView:
    """Close the request with a short note of what was done (1–1000 characters)."""
    row = await _locked(uow, request_id)
    await _require_owner(uow, row, actor)
    check_transition(row.status, COMPLETED)
    _check_text("note", note, MAX_NOTE)
    _move(uow, row, COMPLETED, actor_id=actor.person_id, note=note, now=now)
    row.completion_note = note
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)


async def decline(
    uow: UnitOfWork, *, request_id: int, actor: Access, reason: str, now: datetime
) -> RequestView:
    """The station cannot take it on; the reason is told to the resident."""
    row = await _locked(uow, request_id)
    await _require_owner(uow, row, actor)
    check_transition(row.status, DECLINED)
    _check_text("reason", reason, MAX_NOTE)
    _move(uow, row, DECLINED, actor_id=actor.person_id, note=reason, now=now)
    row.decline_reason = reason
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)


async def cancel(
    uow: UnitOfWork, *, request_id: int, resident_id: int, now: datetime
) -> RequestView:
    """The resident withdraws an open request of their own."""
    row = await _locked(uow, request_id)
    if row.resident_id != resident_id:
        raise NotFound()
    _move(uow, row, CANCELLED, actor_id=resident_id, note=None, now=now)
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)


async def hand_over(
    uow: UnitOfWork, *, request_id: int, actor: Access, to_person_id: int, now: datetime
) -> RequestView:
    """Give an accepted or in-progress request to another worker (or the head) of the station."""
    row = await _locked(uow, request_id)
    await _require_owner(uow, row, actor)
    if row.status not in (ACCEPTED, IN_PROGRESS):
        raise IllegalTransition(row.status, row.status)
    if to_person_id == row.assignee_id:
        raise InvalidValue("assignee", "same")
    colleagues = await station_staff(
        uow, station_code=row.station_code, roles=(WORKER, STATION_HEAD)
    )
    target = next((c for c in colleagues if c.person_id == to_person_id), None)
    if target is None:
        raise InvalidValue("assignee", "not_at_station")
    uow.session.add(
        RequestEvent(
            request_id=row.id, at=now, actor_id=actor.person_id, from_status=row.status,
            to_status=row.status, note=target.name or f"#{target.person_id}",
        )
    )  # fmt: skip
    row.assignee_id = to_person_id
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)


async def rate(
    uow: UnitOfWork, *, request_id: int, resident_id: int, rating: int, now: datetime
) -> RequestView:
    """1–5 stars for a completed request, once."""
    if rating not in RATINGS:
        raise InvalidValue("rating", "out_of_range")
    row = await _locked(uow, request_id)
    if row.resident_id != resident_id:
        raise NotFound()
    if row.status != COMPLETED:
        raise IllegalTransition(row.status, "rated")
    if row.rating is not None:
        raise AlreadyRated(row.rating)
    row.rating = rating
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)


async def add_comment(
    uow: UnitOfWork, *, request_id: int, resident_id: int, comment: str, now: datetime
) -> RequestView:
    """An optional comment after the rating (1–1000 characters, stored as typed)."""
    row = await _locked(uow, request_id)
    if row.resident_id != resident_id:
        raise NotFound()
    if row.status != COMPLETED or row.rating is None:
        raise IllegalTransition(row.status, "commented")
    _check_text("comment", comment, MAX_COMMENT)
    row.rating_comment = comment
    await uow.commit()
    return await _fetch(uow, request_id, with_events=True)
