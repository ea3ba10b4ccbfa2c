"""A person's rights over their data (PIPL arts. 45 and 47): export everything, erase the personal.

`export` gathers every row the bot holds about one person into a JSON-ready document.
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

from sqlalchemy import delete, inspect, or_, select

from db.models import (
    ActivityLog,
    AgencyReferral,
    AuditEntry,
    Case,
    CaseEvent,
    CaseRecord,
    Consent,
    Delivery,
    HoursCertificate,
    Invite,
    PersistedState,
    Person,
    RequestEvent,
    ResidentAttendance,
    ServiceRequest,
    StaffRole,
    SupervisionSession,
    VolunteerApplication,
    VolunteerSignup,
)
from db.uow import UnitOfWork
from services import audit, cases, questions, volunteer_certificates
from services.errors import NotFound

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
    readers = [
        {
            "case": r.case_number,
            "at": r.at.isoformat(),
            "person_id": r.person_id,
            "name": r.name,
            "roles": list(r.roles),
        }
        for r in await cases.readers(uow, case_ids=case_ids)
    ]
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generated_at": now.isoformat(),
        "person": _row(person),
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
