"""A person's rights over their data (PIPL arts. 45 and 47): export everything, erase the personal.

`export` gathers every row the bot holds about one person into a JSON-ready document
(`export_walk_in`: the same for a walk-in resident registered by staff, who has no Telegram
here, for the station head to give them).
`erase` blanks their personal fields and keeps the rest as anonymous counts:

| where | erased (set to NULL / empty) | kept, for the station's counts |
|---|---|---|
| person | display name | Telegram id (needed to talk to them at all), language, dates |
| service requests | description, phone, rating comment, completion note, decline reason | reference, station, service, for whom, age group, urgency, status, dates, rating number |
| request events | the note | who (staff id), when, from and to which status |
| volunteer applications | name, phone, guardian's name and phone, decline reason, `extra` | station, skills, availability, age group, party membership, status, dates |
| consents | (withdrawn: `withdrawn_at` set) | the record that consent was given and when |
| cases about them (linked to them, or opened from their request) | the person's name and address, timeline notes, outside-referral notes | number, station, age group, groups, risk, stage, status, dates, records' stages and sign-offs |
| conversation drafts | the stored `user_data` row | — |
| the delivery ledger's composed messages (`notice`, `message`) to them or about their requests, applications and questions | the text and buttons (payload `{"erased": true}`); one not sent yet is skipped | recipient, kind, when, status |

The notes staff write on a request (what was done, why it was declined, a hand-over note) are
about the resident's case, so they are the resident's personal information and are erased too.
The export also lists each case about the person with its records, timeline and outside
referrals, and who opened the case in the bot and when (`case_readers`, from the audit log).
Records get `erased = True` (and the person `erased_at`), so staff views can say "erased"
instead of showing blanks. Staff roles and the audit log stay: the audit log holds ids and
codes only, never personal data, and both entries written here carry counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, inspect, or_, select

from db.models import (
    ActivityLog,
    AgencyReferral,
    AuditEntry,
    Case,
    CaseEvent,
    CaseRecord,
    Consent,
    Delivery,
    FirstContact,
    HoursCertificate,
    Invite,
    PersistedState,
    Person,
    Question,
    RequestEvent,
    ResidentAttendance,
    ServiceRequest,
    StaffRole,
    SupervisionSession,
    VolunteerApplication,
    VolunteerSignup,
)
from db.uow import UnitOfWork
from services import audit, cases, delivery, questions, volunteer_certificates, walk_ins
from services.errors import NotFound
from services.people import Access

EXPORT_FORMAT = 1

# Columns left out of the export, and why: a hash is useless to the person; an activity note
# describes the people a worker served, who are other people.
_NOT_EXPORTED: dict[type[Any], frozenset[str]] = {
    Invite: frozenset({"code_hash"}),
    ActivityLog: frozenset({"note"}),
}


@dataclass(frozen=True)
class ErasureReport:
    requests: int
    applications: int
    consents_withdrawn: int
    already_erased: bool
    cases: int = 0


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(obj: Any) -> dict[str, Any]:
    """Every column of a model row as plain JSON values (new columns are included as added)."""
    skip = _NOT_EXPORTED.get(type(obj), frozenset())
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in skip
    }


async def _person(uow: UnitOfWork, tg_id: int) -> Person:
    person = await uow.session.scalar(select(Person).where(Person.tg_id == tg_id))
    if person is None:
        raise NotFound()
    return person


async def export(uow: UnitOfWork, *, tg_id: int, now: datetime) -> dict[str, Any]:
    """Everything held about the person with this Telegram id, as a JSON-ready dict."""
    person = await _person(uow, tg_id)
    pid = person.id
    session = uow.session

    async def rows(statement: Any) -> list[Any]:
        return list((await session.scalars(statement)).all())

    async def table(model: Any, condition: Any) -> list[dict[str, Any]]:
        """The model's rows that meet `condition`, oldest first, as JSON-ready dicts."""
        return [_row(r) for r in await rows(select(model).where(condition).order_by(model.id))]

    requests = await rows(
        select(ServiceRequest).where(ServiceRequest.resident_id == pid).order_by(ServiceRequest.id)
    )
    events_by_request: dict[int, list[dict[str, Any]]] = {r.id: [] for r in requests}
    if requests:
        for event in await rows(
            select(RequestEvent)
            .where(RequestEvent.request_id.in_(list(events_by_request)))
            .order_by(RequestEvent.id)
        ):
            events_by_request[event.request_id].append(_row(event))
    case_ids = await cases.cases_of_resident(uow, resident_id=pid)
    document_cases = await _cases(uow, case_ids)
    readers = await _readers(uow, case_ids)
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": now.isoformat(),
        "person": _row(person),
        "first_contact": [
            _row(r) for r in await rows(select(FirstContact).where(FirstContact.tg_id == tg_id))
        ],
        "consents": await table(Consent, Consent.person_id == pid),
        "service_requests": [{**_row(r), "events": events_by_request[r.id]} for r in requests],
        "volunteer_applications": await table(
            VolunteerApplication, VolunteerApplication.person_id == pid
        ),
        "staff_roles": await table(StaffRole, StaffRole.person_id == pid),
        "invites": await table(Invite, or_(Invite.created_by == pid, Invite.used_by == pid)),
        "activity_logs": await table(ActivityLog, ActivityLog.worker_id == pid),
        "supervision_sessions": await table(
            SupervisionSession, SupervisionSession.supervisor_id == pid
        ),
        "questions": await questions.export_for_person(uow, person_id=pid),
        "cases": document_cases,
        "case_readers": readers,
        "volunteer_signups": await table(VolunteerSignup, VolunteerSignup.person_id == pid),
        "activity_attendance": await table(ResidentAttendance, ResidentAttendance.person_id == pid),
        "hours_certificates": await table(HoursCertificate, HoursCertificate.person_id == pid),
        "deliveries": await table(Delivery, Delivery.recipient_tg_id == tg_id),
        "audit_log": await table(
            AuditEntry,
            or_(AuditEntry.subject == f"person:{pid}", AuditEntry.actor_person_id == pid),
        ),
    }
    audit.record(
        uow,
        actor_id=pid,
        action="privacy.export",
        subject=f"person:{pid}",
        now=now,
        detail={
            "requests": len(requests),
            "applications": len(document["volunteer_applications"]),
            **({"cases": len(case_ids)} if case_ids else {}),
        },
    )
    await uow.commit()
    return document


async def export_walk_in(
    uow: UnitOfWork, *, request_id: int, actor: Access, now: datetime
) -> dict[str, Any]:
    """A walk-in resident's /mydata (they have no Telegram here to ask for it themselves): what
    the station holds about the resident of one staff-registered request, in the same format
    and with the same sections as `export` where they apply: the `walk_ins` row (name, 村/社区,
    address, the verbal consent), the request with its events, the cases opened from it with
    their records, timeline and referrals, who opened those cases, and the audit entries about
    the request. For the head of the request's station only (as `walk_ins.erase`); audited."""
    request, found = await walk_ins.headed(uow, request_id=request_id, actor=actor)
    events = (
        await uow.session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.id)
        )
    ).all()
    case_ids = await cases.cases_of_request(uow, request_id=request_id)
    readers = await _readers(uow, case_ids)
    audit_rows = (
        await uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject == f"request:{request_id}")
            .order_by(AuditEntry.id)
        )
    ).all()
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": now.isoformat(),
        "walk_in": _row(found),
        "service_requests": [{**_row(request), "events": [_row(e) for e in events]}],
        "cases": await _cases(uow, case_ids),
        "case_readers": readers,
        "audit_log": [_row(a) for a in audit_rows],
    }
    audit.record(
        uow,
        actor_id=actor.person_id,
        action="walk_in.export",
        subject=f"request:{request_id}",
        now=now,
        detail={"station": request.station_code, **({"cases": len(case_ids)} if case_ids else {})},
    )
    await uow.commit()
    return document


async def _readers(uow: UnitOfWork, case_ids: list[int]) -> list[dict[str, Any]]:
    """Who opened these cases, as the export lists them."""
    return [
        {
            "case": r.case_number,
            "at": r.at.isoformat(),
            "person_id": r.person_id,
            "name": r.name,
            "roles": list(r.roles),
        }
        for r in await cases.readers(uow, case_ids=case_ids)
    ]


async def _cases(uow: UnitOfWork, case_ids: list[int]) -> list[dict[str, Any]]:
    """Each case about the person with its records (the activity's template, date and note:
    a case record is about them), timeline and outside referrals."""
    if not case_ids:
        return []
    session = uow.session
    found = []
    for row in (await session.scalars(select(Case).where(Case.id.in_(case_ids)))).all():
        records = [
            {
                **_row(record),
                "template_code": activity.template_code,
                "activity_date": activity.activity_date.isoformat(),
                "note": None if row.erased else activity.note,
            }
            for record, activity in (
                await session.execute(
                    select(CaseRecord, ActivityLog)
                    .join(ActivityLog, ActivityLog.id == CaseRecord.activity_id)
                    .where(CaseRecord.case_id == row.id)
                    .order_by(CaseRecord.id)
                )
            ).all()
        ]
        events = [
            _row(e)
            for e in (
                await session.scalars(
                    select(CaseEvent).where(CaseEvent.case_id == row.id).order_by(CaseEvent.id)
                )
            ).all()
        ]
        referrals = [
            _row(r)
            for r in (
                await session.scalars(
                    select(AgencyReferral)
                    .where(AgencyReferral.case_id == row.id)
                    .order_by(AgencyReferral.id)
                )
            ).all()
        ]
        found.append(
            {**_row(row), "records": records, "timeline": events, "agency_referrals": referrals}
        )
    return found


async def erase(uow: UnitOfWork, *, tg_id: int, now: datetime) -> ErasureReport:
    """Blank the person's personal fields everywhere (see the module table). Idempotent."""
    person = await _person(uow, tg_id)
    pid = person.id
    session = uow.session
    already_erased = person.erased_at is not None
    person.display_name = None
    person.erased_at = now

    requests = list(
        (
            await session.scalars(select(ServiceRequest).where(ServiceRequest.resident_id == pid))
        ).all()
    )
    for request in requests:
        request.description = None
        request.phone = None
        request.rating_comment = None
        request.completion_note = None
        request.decline_reason = None
        request.erased = True
    if requests:
        events = await session.scalars(
            select(RequestEvent).where(RequestEvent.request_id.in_([r.id for r in requests]))
        )
        for event in events:
            event.note = None

    applications = list(
        (
            await session.scalars(
                select(VolunteerApplication).where(VolunteerApplication.person_id == pid)
            )
        ).all()
    )
    for application in applications:
        application.name = None
        application.phone = None
        application.guardian_name = None
        application.guardian_phone = None
        application.decline_reason = None
        application.extra = {}
        application.erased = True

    consents = list(
        (
            await session.scalars(
                select(Consent).where(Consent.person_id == pid, Consent.withdrawn_at.is_(None))
            )
        ).all()
    )
    for consent in consents:
        consent.withdrawn_at = now

    asked = (await session.scalars(select(Question.id).where(Question.asker_id == pid))).all()
    notices = await delivery.blank_composed(
        uow,
        recipient_tg_id=tg_id,
        subjects=[
            *(f"request:{r.id}" for r in requests),
            *(f"volunteer:{a.id}" for a in applications),  # request_notices.application_period
            *(f"question:{q}" for q in asked),
        ],
    )
    question_rows = await questions.blank_for_person(uow, person_id=pid, now=now)
    erased_cases = await cases.blank_cases(
        uow, case_ids=await cases.cases_of_resident(uow, resident_id=pid)
    )
    await volunteer_certificates.erase_for_person(uow, person_id=pid)

    # Half-entered drafts (the running bot also clears its in-memory copy).
    await session.execute(
        delete(PersistedState).where(
            PersistedState.kind == "user", PersistedState.key == str(tg_id)
        )
    )
    audit.record(
        uow,
        actor_id=pid,
        action="privacy.erase",
        subject=f"person:{pid}",
        now=now,
        detail={
            "requests": len(requests),
            "applications": len(applications),
            "consents_withdrawn": len(consents),
            "question_rows": question_rows,
            **({"notices": notices} if notices else {}),
            **({"cases": erased_cases} if erased_cases else {}),
        },
    )
    await uow.commit()
    await uow.purge_old_copies()  # the erased values must not stay in the database's log
    return ErasureReport(
        requests=len(requests),
        applications=len(applications),
        consents_withdrawn=len(consents),
        already_erased=already_erased,
        cases=erased_cases,
    )


# --- /mydata in the chat: a plain summary --------------------------------------------------


@dataclass(frozen=True)
class ConsentLine:
    kind: str  # personal_info | cross_border | a purpose code (consent.PURPOSES)
    given_at: datetime  # local
    withdrawn_at: datetime | None  # local


@dataclass(frozen=True)
class RequestLine:
    ref: str
    station_code: str
    service_code: str
    for_whom: str
    age_group: str
    status: str
    created_at: datetime  # local
    has_description: bool
    has_phone: bool
    erased: bool


@dataclass(frozen=True)
class ApplicationLine:
    station_code: str
    status: str
    skills: tuple[str, ...]
    availability: tuple[str, ...]
    age_group: str
    created_at: datetime  # local
    erased: bool


@dataclass(frozen=True)
class RoleLine:
    role: str
    station_code: str | None
    granted_at: datetime  # local
    revoked_at: datetime | None


@dataclass(frozen=True)
class CaseReadLine:
    """Someone who opened one of the person's case records (the audit log's `case.read`)."""

    case_number: str
    at: datetime  # local
    name: str | None
    roles: tuple[str, ...]  # their staff roles (worker, station_head, supervisor, admin)


@dataclass(frozen=True)
class DataSummary:
    """What the bot holds about the person, as codes and local times for the handler to put
    into words in the person's language (the JSON file of `export` stays, for completeness)."""

    language: str
    display_name: str | None
    first_contact_at: datetime | None  # local
    last_station_code: str | None
    broadcast_opt_out: bool
    erased: bool
    consents: tuple[ConsentLine, ...]
    requests: tuple[RequestLine, ...]
    applications: tuple[ApplicationLine, ...]
    roles: tuple[RoleLine, ...]
    questions_asked: int
    questions_open: int
    last_question_at: datetime | None  # local
    messages_received: int  # notifications and reminders the bot sent them
    case_reads: tuple[CaseReadLine, ...] = ()  # newest first


async def summary(uow: UnitOfWork, *, tg_id: int, zone: ZoneInfo) -> DataSummary:
    """The person's data in a form to read in the chat. Writes nothing (no audit entry)."""
    person = await _person(uow, tg_id)
    pid = person.id
    session = uow.session

    def local(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(zone)

    first = await session.get(FirstContact, tg_id)
    consents = (
        await session.scalars(select(Consent).where(Consent.person_id == pid).order_by(Consent.id))
    ).all()
    requests = (
        await session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.resident_id == pid)
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
        )
    ).all()
    applications = (
        await session.scalars(
            select(VolunteerApplication)
            .where(VolunteerApplication.person_id == pid)
            .order_by(VolunteerApplication.id)
        )
    ).all()
    roles = (
        await session.scalars(
            select(StaffRole).where(StaffRole.person_id == pid).order_by(StaffRole.id)
        )
    ).all()
    asked = (
        await session.execute(
            select(Question.status, Question.created_at).where(Question.asker_id == pid)
        )
    ).all()
    sent = await session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.recipient_tg_id == tg_id, Delivery.status == "sent"
        )
    )
    reads = await cases.readers(uow, case_ids=await cases.cases_of_resident(uow, resident_id=pid))
    return DataSummary(
        language=person.language or "zh",
        display_name=None if person.erased_at is not None else person.display_name,
        first_contact_at=local(first.first_at) if first else None,
        last_station_code=person.last_station_code,
        broadcast_opt_out=bool(person.broadcast_opt_out),
        erased=person.erased_at is not None,
        consents=tuple(
            ConsentLine(c.kind, c.granted_at.astimezone(zone), local(c.withdrawn_at))
            for c in consents
        ),
        requests=tuple(
            RequestLine(
                ref=r.ref,
                station_code=r.station_code,
                service_code=r.service_code,
                for_whom=r.for_whom,
                age_group=r.age_group,
                status=r.status,
                created_at=r.created_at.astimezone(zone),
                has_description=bool(r.description) and not r.erased,
                has_phone=bool(r.phone) and not r.erased,
                erased=r.erased,
            )
            for r in requests
        ),
        applications=tuple(
            ApplicationLine(
                station_code=a.station_code,
                status=a.status,
                skills=tuple(a.skills or ()),
                availability=tuple(a.availability or ()),
                age_group=a.age_group,
                created_at=a.created_at.astimezone(zone),
                erased=a.erased,
            )
            for a in applications
        ),
        roles=tuple(
            RoleLine(r.role, r.station_code, r.granted_at.astimezone(zone), local(r.revoked_at))
            for r in roles
        ),
        questions_asked=len(asked),
        questions_open=sum(1 for status, _ in asked if status != questions.CLOSED),
        last_question_at=local(max((at for _, at in asked), default=None)),
        messages_received=int(sent or 0),
        case_reads=tuple(
            CaseReadLine(r.case_number, r.at.astimezone(zone), r.name, r.roles)
            for r in sorted(reads, key=lambda r: r.at, reverse=True)
        ),
    )
