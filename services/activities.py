"""Social workers' activity logs: saving one, listing their last ten, deleting within a day.

An activity is one piece of work in one of the city's record templates, on one day, for one
station. Templates that serve residents carry person-times (人次) and the groups served:

- the activity's `person_times` is how many person-times it served, counted once;
- each chosen group gets its own figure in `activity_groups`. With one group, it is the whole
  number. With several, the worker says how many of them belonged to each group, each between
  1 and the total, and together at least the total (every person served is in some chosen
  group; "other residents" is there for everyone else). A person in two groups (an older
  person with a disability) counts in both, the way stations report; so group figures may add
  up to more than the activity's total, and totals are never summed from the groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, func, insert, select

from db.models import ActivityGroup, ActivityLog, RecordFieldValue
from db.uow import UnitOfWork, inserted_id
from knowledge.record_rules import RecordRules
from knowledge.record_templates import TemplateCatalog
from services import audit
from services.entry_window import check_entry_date
from services.errors import Conflict, InvalidValue, NotFound
from services.people import WORKER
from services.record_forms import check_form_values, missing_items
from services.station_roles import person_id_of, require_station_role

MIN_MINUTES, MAX_MINUTES = 15, 12 * 60  # 0.25 to 12 hours
MIN_PERSON_TIMES, MAX_PERSON_TIMES = 1, 1000
MAX_NOTE = 500
DELETE_WINDOW = timedelta(hours=24)
RECENT = 10


class DeleteWindowClosed(Conflict):
    """The activity was entered more than 24 hours ago; it stays (ask the station head)."""


class AlreadyDeleted(Conflict):
    """The activity was deleted already (a second press, or from another device)."""


class DayLimitExceeded(InvalidValue):
    """One person's hours on one day would pass the plausible limit (knowledge/record_rules).

    `logged_minutes` is what the day holds already (without this entry), `limit_minutes` the
    rule, so the refusal can say both."""

    def __init__(self, field: str, *, logged_minutes: int, limit_minutes: int) -> None:
        super().__init__(field, "day_limit")
        self.logged_minutes = logged_minutes
        self.limit_minutes = limit_minutes


async def worker_minutes_on(
    uow: UnitOfWork, *, worker_id: int, day: date, except_id: int | None = None
) -> int:
    """Minutes a worker has logged for `day` over every station, deleted entries left out."""
    if except_id is None:
        found = await uow.rows(_MINUTES_ON, {"worker_id": worker_id, "day": day})
    else:
        found = await uow.rows(
            _MINUTES_ON_BUT, {"worker_id": worker_id, "day": day, "except_id": except_id}
        )
    return int(found[0][0] or 0) if found else 0


_MINUTES_ON = select(func.coalesce(func.sum(ActivityLog.minutes), 0)).where(
    ActivityLog.worker_id == bindparam("worker_id"),
    ActivityLog.activity_date == bindparam("day"),
    ActivityLog.deleted_at.is_(None),
)  # prebuilt Core reads (`uow.rows`): every /log save asks
_MINUTES_ON_BUT = _MINUTES_ON.where(ActivityLog.id != bindparam("except_id"))


async def check_worker_day(
    uow: UnitOfWork,
    *,
    worker_id: int,
    day: date,
    minutes: int,
    rules: RecordRules,
    except_id: int | None = None,
) -> None:
    logged = await worker_minutes_on(uow, worker_id=worker_id, day=day, except_id=except_id)
    if logged + minutes > rules.max_activity_minutes_per_day:
        raise DayLimitExceeded(
            "hours", logged_minutes=logged, limit_minutes=rules.max_activity_minutes_per_day
        )


@dataclass(frozen=True)
class ActivityEntry:
    id: int
    station_code: str
    category_code: str
    template_code: str
    activity_date: date
    minutes: int
    person_times: int
    groups: tuple[tuple[str, int], ...]  # (group code, person-times), catalogue order
    note: str | None
    created_at: datetime
    deleted_at: datetime | None
    # What the record lacks, as `records.RecordView.missing`, when known without a read: set
    # by `log_activity` on a new record (no evidence yet); None elsewhere.
    missing: tuple[str, ...] | None = None

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def deletable(self, now: datetime) -> bool:
        return self.deleted_at is None and now - self.created_at < DELETE_WINDOW


def _entry(row: ActivityLog, groups: Iterable[tuple[str, int]]) -> ActivityEntry:
    return ActivityEntry(
        id=row.id,
        station_code=row.station_code,
        category_code=row.category_code,
        template_code=row.template_code,
        activity_date=row.activity_date,
        minutes=row.minutes,
        person_times=row.person_times,
        groups=tuple(groups),
        note=row.note,
        created_at=row.created_at,
        deleted_at=row.deleted_at,
    )


async def _groups_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    found: dict[int, list[tuple[str, int]]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await uow.session.execute(
        select(ActivityGroup.activity_id, ActivityGroup.group_code, ActivityGroup.person_times)
        .where(ActivityGroup.activity_id.in_(ids))
        .order_by(ActivityGroup.activity_id)
    )
    for activity_id, code, person_times in rows:
        found[activity_id].append((code, person_times))
    return found


def check_groups(
    groups: Mapping[str, int], *, person_times: int, known: Iterable[str]
) -> dict[str, int]:
    """The person-times rule (module docstring), in catalogue order; InvalidValue otherwise."""
    order = list(known)
    if not groups:
        raise InvalidValue("groups", "empty")
    if any(code not in order for code in groups):
        raise InvalidValue("groups", "unknown")
    if len(groups) == 1:
        return {next(iter(groups)): person_times}
    for value in groups.values():
        if not MIN_PERSON_TIMES <= value <= person_times:
            raise InvalidValue("groups", "out_of_range")
    if sum(groups.values()) < person_times:
        raise InvalidValue("groups", "short")
    return {code: groups[code] for code in order if code in groups}


@dataclass(frozen=True)
class SplitQuestion:
    """The next group whose person-times the worker is asked for, and the figures allowed."""

    group: str
    low: int
    high: int


def split_asked(groups: Sequence[str]) -> bool:
    """Whether the worker is asked for each group's person-times: only with several groups
    (one group takes the whole number)."""
    return len(groups) > 1


def next_split_question(
    *, groups: Sequence[str], person_times: int, split: Mapping[str, int]
) -> SplitQuestion | None:
    """The next unanswered group of the split (the rule of the module docstring), or None
    when every group has its figure or no split is asked. Each group takes 1 to the total;
    the last one at least what the others leave uncovered."""
    if not split_asked(groups):
        return None
    remaining = [g for g in groups if g not in split]
    if not remaining:
        return None
    low = MIN_PERSON_TIMES
    if len(remaining) == 1:
        low = max(MIN_PERSON_TIMES, person_times - sum(split.get(g, 0) for g in groups))
    return SplitQuestion(group=remaining[0], low=low, high=person_times)


def group_figures(
    *, groups: Sequence[str], person_times: int | None, split: Mapping[str, int]
) -> dict[str, int]:
    """What each chosen group counts: one group the whole number, several their split."""
    if not split_asked(groups):
        return {g: int(person_times or 0) for g in groups}
    return {g: int(split.get(g, 0)) for g in groups}


async def log_activity(
    uow: UnitOfWork,
    *,
    worker_tg_id: int,
    station_code: str,
    template_code: str,
    activity_date: date,
    minutes: int,
    person_times: int | None,
    groups: Mapping[str, int],
    note: str | None,
    client_token: str,
    now: datetime,
    zone: ZoneInfo,
    templates: TemplateCatalog,
    group_codes: Iterable[str],
    fields: Mapping[str, str] | None = None,
    rules: RecordRules | None = None,
) -> ActivityEntry:
    """Save one activity. The same `client_token` twice returns the first save.

    `fields` are the form's values as typed (`services.record_forms`); required ones may be
    left out, which leaves the record incomplete until they are added."""
    rules = rules or RecordRules()
    worker_id = await require_station_role(
        uow, tg_id=worker_tg_id, role=WORKER, station_code=station_code
    )
    existing = await uow.session.scalar(
        select(ActivityLog).where(ActivityLog.client_token == client_token)
    )
    if existing is not None and existing.worker_id == worker_id:
        return _entry(existing, (await _groups_of(uow, [existing.id]))[existing.id])
    template = templates.template(template_code)
    if template is None:
        raise InvalidValue("template", "unknown")
    check_entry_date(activity_date, now.astimezone(zone).date(), late_days=rules.late_entry_days)
    if minutes < MIN_MINUTES:
        raise InvalidValue("hours", "too_small")
    if minutes > MAX_MINUTES:
        raise InvalidValue("hours", "too_large")
    values = check_form_values(template, fields or {}, rules)
    await check_worker_day(
        uow, worker_id=worker_id, day=activity_date, minutes=minutes, rules=rules
    )
    chosen: dict[str, int] = {}
    if template.counts_people:
        if person_times is None or person_times < MIN_PERSON_TIMES:
            raise InvalidValue("person_times", "too_small")
        if person_times > MAX_PERSON_TIMES:
            raise InvalidValue("person_times", "too_large")
        chosen = check_groups(groups, person_times=person_times, known=group_codes)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidValue("note", "too_long")
    stored_times = person_times if template.counts_people and person_times else 0

    def write(connection: Connection) -> int:  # one Core transaction: no ORM flush
        created = connection.execute(
            insert(ActivityLog),
            {
                "worker_id": worker_id,
                "station_code": station_code,
                "category_code": template.category_code,
                "template_code": template.code,
                "activity_date": activity_date,
                "minutes": minutes,
                "person_times": stored_times,
                "note": note,
                "created_at": now,
                "client_token": client_token,
            },
        )
        activity_id = inserted_id(created)
        if chosen:
            connection.execute(
                insert(ActivityGroup),
                [
                    {"activity_id": activity_id, "group_code": c, "person_times": v}
                    for c, v in chosen.items()
                ],
            )
        if values:
            connection.execute(
                insert(RecordFieldValue),
                [
                    {"activity_id": activity_id, "field_code": c, "value": v}
                    for c, v in values.items()
                ],
            )
        return activity_id

    activity_id = await uow.write(write)
    return ActivityEntry(
        id=activity_id,
        station_code=station_code,
        category_code=template.category_code,
        template_code=template.code,
        activity_date=activity_date,
        minutes=minutes,
        person_times=stored_times,
        groups=tuple(chosen.items()),
        note=note,
        created_at=now,
        deleted_at=None,
        missing=missing_items(template, values, photos=0),
    )


async def recent_activities(
    uow: UnitOfWork, *, worker_tg_id: int, limit: int = RECENT
) -> list[ActivityEntry]:
    """The worker's last entries (newest first), deleted ones left out."""
    worker_id = await person_id_of(uow, tg_id=worker_tg_id)
    if worker_id is None:
        return []
    rows = (
        await uow.session.scalars(
            select(ActivityLog)
            .where(ActivityLog.worker_id == worker_id, ActivityLog.deleted_at.is_(None))
            .order_by(ActivityLog.created_at.desc(), ActivityLog.id.desc())
            .limit(limit)
        )
    ).all()
    groups = await _groups_of(uow, [r.id for r in rows])
    return [_entry(r, groups[r.id]) for r in rows]


async def _own(uow: UnitOfWork, *, worker_tg_id: int, activity_id: int) -> ActivityLog:
    worker_id = await person_id_of(uow, tg_id=worker_tg_id)
    row = await uow.session.get(ActivityLog, activity_id)
    if row is None or worker_id is None or row.worker_id != worker_id:
        raise NotFound(f"activity {activity_id}")  # another worker's entry: not even "exists"
    return row


async def activity_to_repeat(
    uow: UnitOfWork, *, worker_tg_id: int, activity_id: int
) -> ActivityEntry:
    """One of the worker's own entries, as the model for "log another like this"."""
    row = await _own(uow, worker_tg_id=worker_tg_id, activity_id=activity_id)
    if row.deleted_at is not None:
        raise NotFound(f"activity {activity_id}")
    return _entry(row, (await _groups_of(uow, [row.id]))[row.id])


async def delete_activity(
    uow: UnitOfWork, *, worker_tg_id: int, activity_id: int, now: datetime
) -> ActivityEntry:
    """Soft-delete one of the worker's own entries within 24 hours of entering it; audited."""
    row = await _own(uow, worker_tg_id=worker_tg_id, activity_id=activity_id)
    if row.deleted_at is not None:
        raise AlreadyDeleted(f"activity {activity_id}")
    if now - row.created_at >= DELETE_WINDOW:
        raise DeleteWindowClosed(f"activity {activity_id}")
    row.deleted_at = now
    audit.record(
        uow,
        actor_id=row.worker_id,
        action="activity.delete",
        subject=f"activity:{row.id}",
        now=now,
        detail={
            "station": row.station_code,
            "template": row.template_code,
            "date": row.activity_date.isoformat(),
            "minutes": row.minutes,
            "person_times": row.person_times,
        },
    )
    groups = (await _groups_of(uow, [row.id]))[row.id]
    await uow.commit()
    return _entry(row, groups)
