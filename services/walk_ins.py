"""Requests that staff register for a resident who came in, phoned, was met on an outreach
visit, or was referred by the village or another agency.

Most older residents never open Telegram, so a worker (or the head) answers the request steps
for them and adds what a home visit needs: the resident's name, phone, 村/社区 and address, whom
it is for, and how it came. The resident's consent is given verbally to the member of staff,
who ticks it; it is stored as such (channel, notice version, who recorded it and when) on the
`walk_ins` row, since the resident is no bot user to hold a `consents` row.

The request then joins the ordinary lifecycle in `services.requests` (accept, start,
complete …), its figures and reports, with its `source`. Registering it can also take it on
at once (`take_it`): the registering worker becomes its assignee.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.counters import take_next_number
from db.models import Person, RequestEvent, ServiceRequest, Station, WalkIn
from db.uow import UnitOfWork
from knowledge.cases import CaseCatalog
from services import audit, cases, consent
from services import requests as rq
from services.errors import InvalidValue, NotAllowed, NotFound
from services.names import looks_like_a_name
from services.people import Access
from services.phones import normalise_cn_phone

VERBAL_TO_STAFF = "verbal_to_staff"
TELEGRAM = "telegram"  # the resident's own request: not a source staff can register
MAX_NAME = 64
MAX_VILLAGE = 64
MAX_ADDRESS = 300


@dataclass(frozen=True)
class WalkInView:
    request_id: int
    resident_name: str | None  # None once erased
    village: str | None
    address: str | None
    registered_by: int
    registered_by_name: str | None
    consent_channel: str
    consent_version: str
    consent_recorded_by: int
    consent_recorded_at: datetime


@dataclass(frozen=True)
class Registered:
    request: rq.RequestView
    walk_in: WalkInView
    created: bool  # False: this draft was registered already (a second Confirm)
    notify: tuple[rq.StaffContact, ...]  # the station's staff to tell (none when taken on)


def _text(field: str, value: str | None, limit: int, *, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidValue(field, "empty")
        return None
    if len(value) > limit:
        raise InvalidValue(field, "too_long")
    return value


async def _view(uow: UnitOfWork, row: WalkIn) -> WalkInView:
    name = await uow.session.scalar(
        select(Person.display_name).where(Person.id == row.registered_by)
    )
    return WalkInView(
        request_id=row.request_id,
        resident_name=row.resident_name,
        village=row.village,
        address=row.address,
        registered_by=row.registered_by,
        registered_by_name=name,
        consent_channel=row.consent_channel,
        consent_version=row.consent_version,
        consent_recorded_by=row.consent_recorded_by,
        consent_recorded_at=row.consent_recorded_at,
    )


async def register(
    uow: UnitOfWork,
    *,
    actor: Access,
    station_code: str,
    source: str,
    service_code: str,
    for_whom: str,
    age_group: str,
    description: str,
    resident_name: str,
    phone: str | None,
    village: str,
    address: str | None,
    preferred_time: str,
    urgent: bool,
    consent_given: bool,
    take_it: bool,
    client_token: str,
    known_services: Iterable[str],
    catalog: CaseCatalog,
    now: datetime,
) -> Registered:
    """Register a request for a resident at the actor's station (worker or head).

    Refused without the resident's verbal consent (`consent.ConsentRequired`). `phone` None:
    the resident gave none, or agreed to everything but keeping it; the request is then
    stored without one (the cards say so). The same `client_token` twice returns the first
    registration (`created=False`).
    """
    if not rq.may_handle(actor, station_code):
        raise NotAllowed()
    if not client_token or len(client_token) > 64:
        raise InvalidValue("client_token", "format")
    existing = await uow.session.scalar(
        select(ServiceRequest).where(ServiceRequest.client_token == client_token)
    )
    if existing is not None:
        return await _again(uow, existing, actor)
    station = await uow.session.get(Station, station_code)
    if station is None or not station.active:
        raise InvalidValue("station", "unknown")
    if source == TELEGRAM or source not in catalog.codes(catalog.request_sources):
        raise InvalidValue("source", "unknown")
    if service_code not in set(known_services):
        raise InvalidValue("service", "unknown")
    if for_whom not in catalog.codes(catalog.for_whom):
        raise InvalidValue("for_whom", "unknown")
    if age_group not in rq.AGE_GROUPS:
        raise InvalidValue("age_group", "unknown")
    if preferred_time not in rq.PREFERRED_TIMES:
        raise InvalidValue("preferred_time", "unknown")
    description = _text("description", description, rq.MAX_DESCRIPTION, required=True) or ""
    name = _text("resident_name", resident_name, MAX_NAME, required=True)
    if name is not None and not looks_like_a_name(name):
        raise InvalidValue("resident_name", "not_a_name")
    village_text = _text("village", village, MAX_VILLAGE, required=True)
    address_text = _text("address", address, MAX_ADDRESS, required=False)
    phone = normalise_cn_phone(phone) if phone else None
    if not consent_given:
        raise consent.ConsentRequired()
    number = await take_next_number(uow.session, station_code)
    row = ServiceRequest(
        ref=f"{station.prefix}-{number:04d}",
        client_token=client_token,
        station_code=station_code,
        resident_id=None,
        source=source,
        service_code=service_code,
        for_whom=for_whom,
        age_group=age_group,
        description=description,
        phone=phone,
        preferred_time=preferred_time,
        urgent=bool(urgent),
        status=rq.SUBMITTED,
        created_at=now,
    )
    uow.session.add(row)
    try:
        await uow.session.flush()
    except IntegrityError:
        await uow.session.rollback()  # the same draft confirmed twice at once: the other won
        existing = await uow.session.scalar(
            select(ServiceRequest).where(ServiceRequest.client_token == client_token)
        )
        if existing is None:
            raise
        return await _again(uow, existing, actor)
    uow.session.add(
        RequestEvent(
            request_id=row.id, at=now, actor_id=actor.person_id, from_status=None,
            to_status=rq.SUBMITTED, note=None,
        )
    )  # fmt: skip
    if take_it:
        rq.check_transition(rq.SUBMITTED, rq.ACCEPTED)
        uow.session.add(
            RequestEvent(
                request_id=row.id, at=now, actor_id=actor.person_id, from_status=rq.SUBMITTED,
                to_status=rq.ACCEPTED, note=None,
            )
        )  # fmt: skip
        row.status = rq.ACCEPTED
        row.accepted_at = now
        row.assignee_id = actor.person_id
    walk_in = WalkIn(
        request_id=row.id,
        resident_name=name,
        village=village_text,
        address=address_text,
        registered_by=actor.person_id,
        consent_channel=VERBAL_TO_STAFF,
        consent_version=consent.VERSION,
        consent_recorded_by=actor.person_id,
        consent_recorded_at=now,
    )
    uow.session.add(walk_in)
    audit.record(
        uow,
        actor_id=actor.person_id,
        action="walk_in.register",
        subject=f"request:{row.id}",
        now=now,
        detail={
            "station": station_code,
            "source": source,
            "consent": VERBAL_TO_STAFF,
            "phone": phone is not None,
        },
    )
    await uow.commit()
    notify: tuple[rq.StaffContact, ...] = ()
    if not take_it:
        contacts, _group = await rq.new_request_recipients(uow, station_code)
        notify = tuple(c for c in contacts if c.person_id != actor.person_id)
    return Registered(
        request=await rq.detail(uow, request_id=row.id, actor=actor),
        walk_in=await _view(uow, walk_in),
        created=True,
        notify=notify,
    )


async def _again(uow: UnitOfWork, existing: ServiceRequest, actor: Access) -> Registered:
    found = await uow.session.get(WalkIn, existing.id)
    if found is None or found.registered_by != actor.person_id:
        raise NotAllowed()
    return Registered(
        request=await rq.detail(uow, request_id=existing.id, actor=actor),
        walk_in=await _view(uow, found),
        created=False,
        notify=(),
    )


async def walk_in_for(uow: UnitOfWork, *, request_id: int, actor: Access) -> WalkInView | None:
    """The resident's details of a staff-registered request (None for a resident's own
    request), for the staff of its station only."""
    request = await uow.session.get(ServiceRequest, request_id)
    if request is None:
        raise NotFound()
    if not rq.may_handle(actor, request.station_code):
        raise NotAllowed()
    found = await uow.session.get(WalkIn, request_id)
    return None if found is None else await _view(uow, found)


async def headed(
    uow: UnitOfWork, *, request_id: int, actor: Access
) -> tuple[ServiceRequest, WalkIn]:
    """A walk-in's request and its row, for the head of the request's station only (erasure
    and export are the head's: `erase`, `privacy.export_walk_in`)."""
    request = await uow.session.get(ServiceRequest, request_id)
    found = await uow.session.get(WalkIn, request_id)
    if request is None or found is None:
        raise NotFound()
    if request.station_code not in actor.head_stations:
        raise NotAllowed()
    return request, found


async def erase(uow: UnitOfWork, *, request_id: int, actor: Access, now: datetime) -> bool:
    """A walk-in resident's right to erasure (they have no /forget): the station head blanks
    the request's personal fields and those of cases opened from it, keeping the counts.
    False when it was erased already."""
    request, found = await headed(uow, request_id=request_id, actor=actor)
    if request.erased:
        return False
    found.resident_name = found.village = found.address = None
    request.description = request.phone = request.rating_comment = None
    request.completion_note = request.decline_reason = None
    request.erased = True
    for event in await uow.session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request_id)
    ):
        event.note = None
    erased_cases = await cases.blank_cases(
        uow, case_ids=await cases.cases_of_request(uow, request_id=request_id)
    )
    audit.record(
        uow,
        actor_id=actor.person_id,
        action="walk_in.erase",
        subject=f"request:{request_id}",
        now=now,
        detail={"station": request.station_code, "cases": erased_cases},
    )
    await uow.commit()
    return True
