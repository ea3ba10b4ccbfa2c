"""A worker's records as the station's records: the form's values, completeness, evidence
files, corrections and the quick path's "last template used".

Who may change a record:
- the worker who entered it, for `worker_edit_days` (7 by default) after entering it;
- the station head of the record's station, at any time; only the head deletes after the
  24 hours in which a worker may still delete their own entry (`services.activities`).
Every change writes one audit row per field with its old and new value.

Evidence: photos and documents (PDF or images), at most `evidence_per_record` per record and
`evidence_max_bytes` each (knowledge/record_rules.yaml). Telegram's `file_id` is kept, and
the path of our own copy under STATIONBOT_MEDIA_DIR (`services.media`), so the 台账 never
depends on Telegram keeping the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select

from db.models import ActivityGroup, ActivityLog, EvidenceFile, RecordFieldValue, StaffRole
from db.uow import UnitOfWork
from knowledge.record_rules import RecordRules
from knowledge.record_templates import RecordTemplate, TemplateCatalog
from services import audit
from services.activities import (
    MAX_MINUTES,
    MAX_NOTE,
    MAX_PERSON_TIMES,
    MIN_MINUTES,
    MIN_PERSON_TIMES,
    ActivityEntry,
    AlreadyDeleted,
    _entry,
    _groups_of,
    check_groups,
    check_worker_day,
)
from services.entry_window import check_entry_date
from services.errors import Conflict, InvalidValue, NotAllowed, NotFound
from services.people import STATION_HEAD
from services.record_forms import check_field_value, missing_items
from services.station_roles import person_id_of

PHOTO_KIND, DOCUMENT_KIND = "photo", "document"
EVIDENCE_KINDS = (PHOTO_KIND, DOCUMENT_KIND)
OWNER, HEAD = "owner", "head"
# Documents the 台账 can use: PDFs and images (a photographed sign-in sheet sent as a file).
DOCUMENT_MIMES = ("application/pdf",)


class EditWindowClosed(Conflict):
    """The worker's correction window for this record has passed (the head can still edit)."""


class EvidenceLimitReached(Conflict):
    """The record holds the most evidence files allowed; `limit` says how many that is."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"evidence limit {limit}")
        self.limit = limit


class EvidenceTooLarge(InvalidValue):
    """A file is bigger than the rule allows; `max_bytes` says the limit."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__("evidence", "too_large")
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    activity_id: int
    kind: str  # photo | document
    file_id: str
    file_unique_id: str
    mime: str | None
    size: int
    local_path: str | None  # relative to STATIONBOT_MEDIA_DIR; None: no copy yet
    created_at: datetime


@dataclass(frozen=True)
class RecordView:
    """One record as its form: the activity, the typed values, the evidence, what is missing."""

    entry: ActivityEntry
    worker_id: int
    values: tuple[tuple[str, str], ...]  # (field code, stored value), form order
    evidence: tuple[EvidenceItem, ...]
    missing: tuple[str, ...]  # required field codes without a value, then "photo"

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def photos(self) -> int:
        return sum(1 for e in self.evidence if e.kind == PHOTO_KIND)

    def value(self, code: str) -> str | None:
        return dict(self.values).get(code)

    def editable_by_worker_until(self, rules: RecordRules) -> datetime:
        return self.entry.created_at + timedelta(days=rules.worker_edit_days)


@dataclass(frozen=True)
class RecordChanges:
    """What a correction changes; a left-out (None) base value stays as it is.

    `note=""` clears the note; in `fields`, None or "" clears a form value."""

    activity_date: date | None = None
    minutes: int | None = None
    person_times: int | None = None
    groups: Mapping[str, int] | None = None
    note: str | None = None
    fields: Mapping[str, str | None] = field(default_factory=dict)


def _evidence_item(row: EvidenceFile) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        activity_id=row.activity_id,
        kind=row.kind,
        file_id=row.file_id,
        file_unique_id=row.file_unique_id,
        mime=row.mime,
        size=row.size,
        local_path=row.local_path,
        created_at=row.created_at,
    )


async def values_of(uow: UnitOfWork, ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {i: {} for i in ids}
    if ids:
        rows = await uow.session.execute(
            select(
                RecordFieldValue.activity_id, RecordFieldValue.field_code, RecordFieldValue.value
            ).where(RecordFieldValue.activity_id.in_(ids))
        )
        for activity_id, code, value in rows:
            found[activity_id][code] = value
    return found


async def evidence_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[EvidenceItem]]:
    found: dict[int, list[EvidenceItem]] = {i: [] for i in ids}
    if ids:
        rows = await uow.session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.activity_id.in_(ids))
            .order_by(EvidenceFile.activity_id, EvidenceFile.id)
        )
        for row in rows:
            found[row.activity_id].append(_evidence_item(row))
    return found


def build_view(
    row: ActivityLog,
    groups: list[tuple[str, int]],
    values: dict[str, str],
    evidence: list[EvidenceItem],
    template: RecordTemplate | None,
) -> RecordView:
    missing: tuple[str, ...] = ()
    if template is None:  # a template since removed from the catalogue: keep what is stored
        ordered = tuple(sorted(values.items()))
    else:
        known = [f.code for f in template.form]
        ordered = tuple((c, values[c]) for c in known if c in values) + tuple(
            sorted((c, v) for c, v in values.items() if c not in known)
        )
        photos = sum(1 for e in evidence if e.kind == PHOTO_KIND)
        missing = missing_items(template, values, photos)
    return RecordView(
        entry=_entry(row, groups),
        worker_id=row.worker_id,
        values=ordered,
        evidence=tuple(evidence),
        missing=missing,
    )


async def _views(
    uow: UnitOfWork, rows: list[ActivityLog], templates: TemplateCatalog
) -> list[RecordView]:
    ids = [r.id for r in rows]
    groups, values, evidence = (
        await _groups_of(uow, ids),
        await values_of(uow, ids),
        await evidence_of(uow, ids),
    )
    return [
        build_view(
            r, groups[r.id], values[r.id], evidence[r.id], templates.template(r.template_code)
        )
        for r in rows
    ]


async def _is_head(uow: UnitOfWork, *, person_id: int, station_code: str) -> bool:
    found = await uow.session.scalar(
        select(StaffRole.id).where(
            StaffRole.person_id == person_id,
            StaffRole.role == STATION_HEAD,
            StaffRole.station_code == station_code,
            StaffRole.revoked_at.is_(None),
        )
    )
    return found is not None


async def _visible(
    uow: UnitOfWork, *, actor_tg_id: int, activity_id: int
) -> tuple[ActivityLog, int, str]:
    """The record, the actor's person id and how they may act (owner or head); NotFound for
    anyone else, so another station's record does not even "exist"."""
    actor_id = await person_id_of(uow, tg_id=actor_tg_id)
    row = await uow.session.get(ActivityLog, activity_id)
    if row is None or actor_id is None or row.deleted_at is not None:
        raise NotFound(f"activity {activity_id}")
    if await _is_head(uow, person_id=actor_id, station_code=row.station_code):
        return row, actor_id, HEAD
    if row.worker_id == actor_id:
        return row, actor_id, OWNER
    raise NotFound(f"activity {activity_id}")


async def _editable(
    uow: UnitOfWork, *, actor_tg_id: int, activity_id: int, now: datetime, rules: RecordRules
) -> tuple[ActivityLog, int, str]:
    row, actor_id, role = await _visible(uow, actor_tg_id=actor_tg_id, activity_id=activity_id)
    if role == OWNER and now - row.created_at >= timedelta(days=rules.worker_edit_days):
        raise EditWindowClosed(f"activity {activity_id}")
    return row, actor_id, role


async def record_view(
    uow: UnitOfWork, *, actor_tg_id: int, activity_id: int, templates: TemplateCatalog
) -> RecordView:
    """One record, for its worker or the head of its station."""
    row, _, _ = await _visible(uow, actor_tg_id=actor_tg_id, activity_id=activity_id)
    return (await _views(uow, [row], templates))[0]


async def my_records(
    uow: UnitOfWork, *, worker_tg_id: int, templates: TemplateCatalog, limit: int = 10
) -> list[RecordView]:
    """The worker's last `limit` records, incomplete ones first, newest first within each."""
    worker_id = await person_id_of(uow, tg_id=worker_tg_id)
    if worker_id is None:
        return []
    rows = list(
        (
            await uow.session.scalars(
                select(ActivityLog)
                .where(ActivityLog.worker_id == worker_id, ActivityLog.deleted_at.is_(None))
                .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())
                .limit(limit)
            )
        ).all()
    )
    views = await _views(uow, rows, templates)
    return sorted(views, key=lambda v: v.complete)  # stable: newest first within each


async def last_template(uow: UnitOfWork, *, worker_tg_id: int) -> str | None:
    """The template of the worker's latest record (deleted ones too: a slip is still a habit),
    for /log to offer first."""
    worker_id = await person_id_of(uow, tg_id=worker_tg_id)
    if worker_id is None:
        return None
    found = await uow.rows(_LAST_TEMPLATE, {"worker_id": worker_id})
    return found[0][0] if found else None


_LAST_TEMPLATE = (
    select(ActivityLog.template_code)
    .where(ActivityLog.worker_id == bindparam("worker_id"))
    .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())
    .limit(1)
)  # a prebuilt Core read: /log asks it at every start


def _audit_change(
    uow: UnitOfWork, *, actor_id: int, role: str, row: ActivityLog, field_code: str,
    old: object, new: object, now: datetime,
) -> None:  # fmt: skip
    audit.record(
        uow,
        actor_id=actor_id,
        action="record.correct",
        subject=f"activity:{row.id}",
        now=now,
        detail={
            "station": row.station_code,
            "by": role,
            "field": field_code,
            "old": old,
            "new": new,
        },
    )


async def correct_record(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    activity_id: int,
    changes: RecordChanges,
    now: datetime,
    zone: ZoneInfo,
    templates: TemplateCatalog,
    group_codes: list[str],
    rules: RecordRules,
) -> RecordView:
    """Change any field of a record (see the module docstring for who may); one audit row
    per changed field with its old and new value. Completing a record is a correction too."""
    row, actor_id, role = await _editable(
        uow, actor_tg_id=actor_tg_id, activity_id=activity_id, now=now, rules=rules
    )
    template = templates.template(row.template_code)
    if template is None:
        raise InvalidValue("template", "unknown")
    groups_now = dict((await _groups_of(uow, [row.id]))[row.id])
    values_now = (await values_of(uow, [row.id]))[row.id]
    audits: list[tuple[str, object, object]] = []

    new_date = changes.activity_date or row.activity_date
    new_minutes = changes.minutes if changes.minutes is not None else row.minutes
    if changes.activity_date is not None and changes.activity_date != row.activity_date:
        if role == OWNER:  # the head corrects closed months too; a worker stays in the window
            check_entry_date(
                changes.activity_date, now.astimezone(zone).date(), late_days=rules.late_entry_days
            )
        elif changes.activity_date > now.astimezone(zone).date():
            raise InvalidValue("date", "future")
        audits.append(("date", row.activity_date.isoformat(), changes.activity_date.isoformat()))
    if changes.minutes is not None and changes.minutes != row.minutes:
        if changes.minutes < MIN_MINUTES:
            raise InvalidValue("hours", "too_small")
        if changes.minutes > MAX_MINUTES:
            raise InvalidValue("hours", "too_large")
        audits.append(("minutes", row.minutes, changes.minutes))
    if new_date != row.activity_date or new_minutes != row.minutes:
        await check_worker_day(
            uow, worker_id=row.worker_id, day=new_date, minutes=new_minutes, rules=rules,
            except_id=row.id,
        )  # fmt: skip

    new_person_times = row.person_times
    new_groups = groups_now
    if template.counts_people and (changes.person_times is not None or changes.groups is not None):
        new_person_times = (
            changes.person_times if changes.person_times is not None else row.person_times
        )
        if new_person_times < MIN_PERSON_TIMES:
            raise InvalidValue("person_times", "too_small")
        if new_person_times > MAX_PERSON_TIMES:
            raise InvalidValue("person_times", "too_large")
        asked = changes.groups if changes.groups is not None else groups_now
        if changes.groups is None and len(asked) > 1 and new_person_times != row.person_times:
            raise InvalidValue("groups", "resplit")  # several groups: say the split again
        new_groups = check_groups(asked, person_times=new_person_times, known=group_codes)
        if new_person_times != row.person_times:
            audits.append(("person_times", row.person_times, new_person_times))
        if new_groups != groups_now:
            audits.append(("groups", groups_now, new_groups))

    new_note = row.note
    if changes.note is not None:
        new_note = changes.note.strip() or None
        if new_note is not None and len(new_note) > MAX_NOTE:
            raise InvalidValue("note", "too_long")
        if new_note != row.note:
            audits.append(("note", row.note, new_note))

    new_values = dict(values_now)
    for code, raw in changes.fields.items():
        form_field = template.form_field(code)
        if form_field is None:
            raise InvalidValue(code, "unknown_field")
        if raw is None or raw == "":
            new_values.pop(code, None)
        else:
            new_values[code] = check_field_value(form_field, raw, rules)
        if new_values.get(code) != values_now.get(code):
            audits.append((code, values_now.get(code), new_values.get(code)))

    # Everything checked: write.
    row.activity_date, row.minutes, row.note = new_date, new_minutes, new_note
    row.person_times = new_person_times
    if new_groups != groups_now:
        for old in (
            await uow.session.scalars(
                select(ActivityGroup).where(ActivityGroup.activity_id == row.id)
            )
        ).all():
            await uow.session.delete(old)
        await uow.session.flush()
        for code, value in new_groups.items():
            uow.session.add(ActivityGroup(activity_id=row.id, group_code=code, person_times=value))
    for code in set(values_now) | set(new_values):
        if values_now.get(code) == new_values.get(code):
            continue
        stored = await uow.session.get(RecordFieldValue, (row.id, code))
        if code not in new_values:
            if stored is not None:
                await uow.session.delete(stored)
        elif stored is None:
            uow.session.add(
                RecordFieldValue(activity_id=row.id, field_code=code, value=new_values[code])
            )
        else:
            stored.value = new_values[code]
    for code, old_value, new_value in audits:
        _audit_change(
            uow,
            actor_id=actor_id,
            role=role,
            row=row,
            field_code=code,
            old=old_value,
            new=new_value,
            now=now,
        )
    await uow.commit()
    return (await _views(uow, [row], templates))[0]


async def _deletable(
    uow: UnitOfWork, *, head_tg_id: int, activity_id: int
) -> tuple[ActivityLog, int]:
    """The record the station head may delete, and the head's person id. As for the card
    (`_visible`), a record that is not there, or is neither the actor's own nor of a station
    they head, is NotFound: a forged press for another station's record learns nothing of it.
    Its own worker, not the head, is NotAllowed (they delete within a day, from /mylogs)."""
    head_id = await person_id_of(uow, tg_id=head_tg_id)
    row = await uow.session.get(ActivityLog, activity_id)
    if row is None or head_id is None:
        raise NotFound(f"activity {activity_id}")
    is_head = await _is_head(uow, person_id=head_id, station_code=row.station_code)
    if not is_head and row.worker_id != head_id:
        raise NotFound(f"activity {activity_id}")
    if not is_head:
        raise NotAllowed(f"{STATION_HEAD} at {row.station_code}")
    if row.deleted_at is not None:
        raise AlreadyDeleted(f"activity {activity_id}")
    return row, head_id


async def deletable_record(uow: UnitOfWork, *, head_tg_id: int, activity_id: int) -> int:
    """Before "Delete record N?": the record's id if `delete_record` would take it, else its
    error (NotFound, NotAllowed, AlreadyDeleted), so the question is never asked for nothing."""
    row, _ = await _deletable(uow, head_tg_id=head_tg_id, activity_id=activity_id)
    return row.id


async def delete_record(
    uow: UnitOfWork, *, head_tg_id: int, activity_id: int, now: datetime
) -> ActivityEntry:
    """The station head deletes any record of their station, at any time; audited with what
    the record held. Refused as `_deletable` says."""
    row, head_id = await _deletable(uow, head_tg_id=head_tg_id, activity_id=activity_id)
    groups = (await _groups_of(uow, [row.id]))[row.id]
    values = (await values_of(uow, [row.id]))[row.id]
    row.deleted_at = now
    audit.record(
        uow,
        actor_id=head_id,
        action="record.delete",
        subject=f"activity:{row.id}",
        now=now,
        detail={
            "station": row.station_code, "by": HEAD, "worker_id": row.worker_id,
            "template": row.template_code, "date": row.activity_date.isoformat(),
            "minutes": row.minutes, "person_times": row.person_times,
            "groups": dict(groups), "note": row.note, "fields": values,
        },
    )  # fmt: skip
    await uow.commit()
    return _entry(row, groups)


def check_evidence_file(*, kind: str, mime: str | None, size: int, rules: RecordRules) -> None:
    """Before downloading: a photo, or a PDF or image document, within the size limit."""
    if kind not in EVIDENCE_KINDS:
        raise InvalidValue("evidence", "kind")
    if kind == DOCUMENT_KIND and not (mime in DOCUMENT_MIMES or (mime or "").startswith("image/")):
        raise InvalidValue("evidence", "kind")
    if size > rules.evidence_max_bytes:
        raise EvidenceTooLarge(rules.evidence_max_bytes)
    if size < 0:
        raise InvalidValue("evidence", "size")


async def evidence_slots_left(
    uow: UnitOfWork, *, actor_tg_id: int, activity_id: int, now: datetime, rules: RecordRules
) -> int:
    """How many more files the record takes (0: full); EditWindowClosed/NotFound as editing."""
    row, _, _ = await _editable(
        uow, actor_tg_id=actor_tg_id, activity_id=activity_id, now=now, rules=rules
    )
    count = await uow.session.scalar(
        select(func.count()).select_from(EvidenceFile).where(EvidenceFile.activity_id == row.id)
    )
    return max(0, rules.evidence_per_record - int(count or 0))


async def add_evidence(
    uow: UnitOfWork,
    *,
    actor_tg_id: int,
    activity_id: int,
    kind: str,
    file_id: str,
    file_unique_id: str,
    mime: str | None,
    size: int,
    local_path: str | None,
    now: datetime,
    rules: RecordRules,
) -> EvidenceItem:
    """Attach one file to a record (its worker within the window, or the head). The same file
    twice returns the first; a file past the limit or too large is refused and nothing that
    is already attached changes."""
    row, actor_id, role = await _editable(
        uow, actor_tg_id=actor_tg_id, activity_id=activity_id, now=now, rules=rules
    )
    existing = await uow.session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.activity_id == row.id, EvidenceFile.file_unique_id == file_unique_id
        )
    )
    if existing is not None:
        if local_path is not None and existing.local_path is None:
            existing.local_path = local_path
            await uow.commit()
        return _evidence_item(existing)
    check_evidence_file(kind=kind, mime=mime, size=size, rules=rules)
    count = await uow.session.scalar(
        select(func.count()).select_from(EvidenceFile).where(EvidenceFile.activity_id == row.id)
    )
    if int(count or 0) >= rules.evidence_per_record:
        raise EvidenceLimitReached(rules.evidence_per_record)
    item = EvidenceFile(
        activity_id=row.id, file_id=file_id[:256], file_unique_id=file_unique_id[:64],
        kind=kind, mime=mime, size=size, local_path=local_path, added_by=actor_id,
        created_at=now,
    )  # fmt: skip
    uow.session.add(item)
    await uow.session.flush()
    audit.record(
        uow,
        actor_id=actor_id,
        action="record.evidence_add",
        subject=f"activity:{row.id}",
        now=now,
        detail={"station": row.station_code, "by": role, "kind": kind, "evidence_id": item.id},
    )
    await uow.commit()
    return _evidence_item(item)


async def set_evidence_copy(uow: UnitOfWork, *, evidence_id: int, local_path: str) -> None:
    """Record where a later (retried) download put our copy."""
    row = await uow.session.get(EvidenceFile, evidence_id)
    if row is None:
        raise NotFound(f"evidence {evidence_id}")
    row.local_path = local_path
    await uow.commit()
