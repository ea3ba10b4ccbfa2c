"""A station's month as its 台账 (ledger): every record with its form and evidence, every
supervision session, and the cover figures, as plain values for the pack renderer.

The figures are computed from the same rows and the same rules as `/stats`
(`services.station_figures`): deleted records left out, a record's month is its activity date's,
person-times by group counted per group; the month's cases and referrals by
`station_figures.case_months`, its confirmed volunteer hours by
`volunteer_activities.hours_figures` (and per activity by `hours_by_activity`, the same rule),
every month bounded by midnight in the configured zone. Nothing about residents beyond what the forms hold,
and phone numbers typed into free text are masked, so the pack can go to the bureau as it is.

Who may gather it: the station's workers and head, and admins; `gather_month` is the
unchecked read for the operator's CLI at the machine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import phonenumbers
from sqlalchemy import select

from db.models import ActivityLog, Person, StaffRole, Station, SupervisionSession
from db.uow import UnitOfWork
from knowledge.record_templates import LONG_TEXT, SHORT_TEXT, TemplateCatalog
from services.activities import _groups_of
from services.errors import NotAllowed, NotFound
from services.people import ADMIN, STATION_HEAD, WORKER
from services.quota import QuotaStatus, month_end, quota_for_stations
from services.records import PHOTO_KIND, EvidenceItem, build_view, evidence_of, values_of
from services.station_figures import CaseMonth, case_months, month_period
from services.station_roles import person_id_of
from services.supervision import SupervisionEntry, entries_for
from services.volunteer_activities import ActivityTotal, hours_by_activity, hours_figures

MASK = "***"


def mask_phones(text: str) -> str:
    """Phone numbers in typed text replaced by `***` (a worker may have written one down)."""
    pieces: list[str] = []
    last = 0
    for match in phonenumbers.PhoneNumberMatcher(text, "CN"):
        pieces.extend((text[last : match.start], MASK))
        last = match.end
    return "".join(pieces) + text[last:] if pieces else text


@dataclass(frozen=True)
class LedgerRecord:
    number: str  # e.g. JN-A000123: the station's prefix and the record's id, never reused
    id: int
    activity_date: date
    category_code: str
    template_code: str
    worker_name: str | None  # the staff member's Telegram name
    minutes: int
    person_times: int
    groups: tuple[tuple[str, int], ...]
    note: str | None
    values: tuple[tuple[str, str], ...]  # (field code, value), form order
    evidence: tuple[EvidenceItem, ...]
    missing: tuple[str, ...]
    photo_required: bool

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def photos(self) -> int:
        return sum(1 for e in self.evidence if e.kind == PHOTO_KIND)

    @property
    def title(self) -> str:
        """The form's first text value (a group's or activity's name, a case number)."""
        return next((v for _, v in self.values), "")


@dataclass(frozen=True)
class LedgerSession:
    number: str  # e.g. JN-S000045
    session: SupervisionEntry
    supervisor_name: str | None
    supervisee_names: tuple[str, ...]


@dataclass(frozen=True)
class Completeness:
    evidence_records: int  # records whose template needs a photo (group sessions, community)
    with_photo_and_attendance: int
    records: int
    complete_records: int

    @property
    def evidence_share(self) -> float | None:
        return (
            self.with_photo_and_attendance / self.evidence_records
            if self.evidence_records
            else None
        )

    @property
    def complete_share(self) -> float | None:
        return self.complete_records / self.records if self.records else None


@dataclass(frozen=True)
class LedgerMonth:
    station_code: str
    station_prefix: str
    station_name_zh: str
    station_name_en: str
    month: date  # first day
    records: tuple[LedgerRecord, ...]  # by date, then number
    sessions: tuple[LedgerSession, ...]
    quota: QuotaStatus | None
    completeness: Completeness
    cases: CaseMonth = field(default_factory=CaseMonth)
    volunteer_activities: tuple[ActivityTotal, ...] = ()  # with confirmed hours, by date
    volunteers_with_hours: int = 0  # distinct volunteers with confirmed hours in the month
    volunteer_minutes: int = 0  # confirmed volunteer hours, as /stats counts them

    @property
    def volunteer_hours(self) -> float:
        return self.volunteer_minutes / 60

    def station_name(self, lang: str) -> str:
        return self.station_name_zh if lang.startswith("zh") else self.station_name_en

    @property
    def activities(self) -> int:
        return len(self.records)

    @property
    def minutes(self) -> int:
        return sum(r.minutes for r in self.records)

    @property
    def person_times(self) -> int:
        return sum(r.person_times for r in self.records)

    @property
    def by_group(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for record in self.records:
            for code, value in record.groups:
                totals[code] += value
        return dict(totals)

    @property
    def by_category(self) -> dict[str, int]:
        return dict(Counter(r.category_code for r in self.records))

    @property
    def by_template(self) -> dict[str, int]:
        return dict(Counter(r.template_code for r in self.records))

    @property
    def supervision_minutes(self) -> int:
        return sum(s.session.minutes for s in self.sessions)


async def may_see_ledger(
    uow: UnitOfWork, *, actor_tg_id: int, station_code: str, admin_ids: Iterable[int]
) -> bool:
    if actor_tg_id in set(admin_ids):
        return True
    person_id = await person_id_of(uow, tg_id=actor_tg_id)
    if person_id is None:
        return False
    roles = set(
        (
            await uow.session.execute(
                select(StaffRole.role, StaffRole.station_code).where(
                    StaffRole.person_id == person_id, StaffRole.revoked_at.is_(None)
                )
            )
        ).all()
    )
    return any(
        role == ADMIN or (role in (WORKER, STATION_HEAD) and station == station_code)
        for role, station in roles
    )


async def station_month(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    admin_ids: Iterable[int],
    station_code: str,
    month: date,
    now: datetime,
    zone: ZoneInfo,
    templates: TemplateCatalog,
) -> LedgerMonth:
    """The ledger for a worker or the head of the station, or an admin; NotAllowed otherwise."""
    if not await may_see_ledger(
        uow, actor_tg_id=actor_tg_id, station_code=station_code, admin_ids=admin_ids
    ):
        raise NotAllowed(f"ledger of {station_code}")
    return await gather_month(
        uow, station_code=station_code, month=month, now=now, zone=zone, templates=templates
    )


def _clean(text: str | None) -> str | None:
    return mask_phones(text) if text else text


async def gather_month(
    uow: UnitOfWork,
    *,
    station_code: str,
    month: date,
    now: datetime,
    zone: ZoneInfo,
    templates: TemplateCatalog,
) -> LedgerMonth:
    """Everything of the station's month, unchecked (the CLI); NotFound for no such station."""
    station = await uow.session.get(Station, station_code)
    if station is None:
        raise NotFound(f"station {station_code}")
    month = month.replace(day=1)
    last = month_end(month)
    rows = list(
        (
            await uow.session.scalars(
                select(ActivityLog)
                .where(
                    ActivityLog.station_code == station_code,
                    ActivityLog.deleted_at.is_(None),
                    ActivityLog.activity_date >= month,
                    ActivityLog.activity_date <= last,
                )
                .order_by(ActivityLog.activity_date, ActivityLog.id)
            )
        ).all()
    )
    ids = [r.id for r in rows]
    groups, values, evidence = (
        await _groups_of(uow, ids),
        await values_of(uow, ids),
        await evidence_of(uow, ids),
    )
    session_rows = list(
        (
            await uow.session.scalars(
                select(SupervisionSession)
                .where(
                    SupervisionSession.station_code == station_code,
                    SupervisionSession.deleted_at.is_(None),
                    SupervisionSession.session_date >= month,
                    SupervisionSession.session_date <= last,
                )
                .order_by(SupervisionSession.session_date, SupervisionSession.id)
            )
        ).all()
    )
    sessions = await entries_for(uow, session_rows)
    people = {r.worker_id for r in rows} | {r.supervisor_id for r in session_rows}
    people |= {p for s in sessions for p in s.supervisee_ids}
    names: dict[int, str | None] = {}
    if people:
        for person_id, name in await uow.session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(people))
        ):
            names[person_id] = name

    kinds = {
        (t.code, f.code): f.kind for t in templates.templates for f in t.form
    }  # which values are free text, to mask phone numbers in
    records: list[LedgerRecord] = []
    for row in rows:
        template = templates.template(row.template_code)
        view = build_view(row, groups[row.id], values[row.id], evidence[row.id], template)
        shown = tuple(
            (
                code,
                mask_phones(value)
                if kinds.get((row.template_code, code)) in (SHORT_TEXT, LONG_TEXT)
                else value,
            )
            for code, value in view.values
        )
        records.append(
            LedgerRecord(
                number=f"{station.prefix}-A{row.id:06d}",
                id=row.id,
                activity_date=row.activity_date,
                category_code=row.category_code,
                template_code=row.template_code,
                worker_name=names.get(row.worker_id),
                minutes=row.minutes,
                person_times=row.person_times,
                groups=tuple(groups[row.id]),
                note=_clean(row.note),
                values=shown,
                evidence=view.evidence,
                missing=view.missing,
                photo_required=bool(template and template.photo_required),
            )
        )
    ledger_sessions = tuple(
        LedgerSession(
            number=f"{station.prefix}-S{s.id:06d}",
            session=s,
            supervisor_name=names.get(row.supervisor_id),
            supervisee_names=tuple(names.get(p) or f"#{p}" for p in s.supervisee_ids),
        )
        for s, row in zip(sessions, session_rows, strict=True)
    )
    statuses = await quota_for_stations(
        uow, station_codes=[station_code], month=month, now=now, zone=zone
    )
    evidence_records = [r for r in records if r.photo_required]
    completeness = Completeness(
        evidence_records=len(evidence_records),
        with_photo_and_attendance=sum(
            1 for r in evidence_records if r.photos and r.person_times > 0
        ),
        records=len(records),
        complete_records=sum(1 for r in records if r.complete),
    )
    found_cases = await case_months(uow, [station_code], [month_period(month, now, zone)])
    volunteering = await hours_figures(uow, start=month, end=last, station_codes=[station_code])
    by_activity = await hours_by_activity(uow, station_code=station_code, start=month, end=last)
    return LedgerMonth(
        station_code=station.code,
        station_prefix=station.prefix,
        station_name_zh=station.name_zh,
        station_name_en=station.name_en,
        month=month,
        records=tuple(records),
        sessions=ledger_sessions,
        quota=statuses[0] if statuses else None,
        completeness=completeness,
        cases=found_cases.get(station_code, [CaseMonth()])[0],
        volunteer_activities=tuple(
            replace(a, title=mask_phones(a.title), place=mask_phones(a.place)) for a in by_activity
        ),
        volunteers_with_hours=volunteering.volunteers.get(station_code, 0),
        volunteer_minutes=sum(r.minutes for r in volunteering.rows),
    )
