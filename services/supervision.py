"""Supervisors' sessions: saving one for an assigned station, and the quota it counts toward.

A session is half an hour to eight hours, in half hours, online or offline, on a day in the
entry window (`services.entry_window`), about a catalogue topic, a topic typed in, or both.
Its date decides its month, so a session entered on the 2nd for the 30th counts for last month.

As a supervision record (督导记录表) a session also carries whom it supervised (one worker of
the station, several, or the whole team), its form (individual or group), its key points and
suggestions. One supervisor's sessions on one day may not pass `max_supervision_hours_per_day`
(knowledge/record_rules.yaml) over every station. A supervisor sees their own sessions and
corrects them for `worker_edit_days` after entering them, each change audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from db.models import (
    Person,
    StaffRole,
    SupervisionDetail,
    SupervisionSession,
    SupervisionSupervisee,
)
from db.uow import UnitOfWork
from knowledge.record_rules import RecordRules
from services import audit
from services.activities import DayLimitExceeded
from services.entry_window import check_entry_date
from services.errors import Conflict, InvalidValue, NotFound
from services.people import SUPERVISOR, WORKER
from services.quota import OFFLINE, ONLINE, QuotaStatus, quota_for_stations
from services.station_roles import person_id_of, require_station_role

MIN_MINUTES, MAX_MINUTES, STEP_MINUTES = 30, 8 * 60, 30
MODES = (ONLINE, OFFLINE)
INDIVIDUAL, GROUP = "individual", "group"
FORMS = (INDIVIDUAL, GROUP)
MAX_TOPIC = 200
MAX_NOTES = 2000
RECENT = 10


class SessionEditWindowClosed(Conflict):
    """The supervisor's correction window for this session has passed."""


@dataclass(frozen=True)
class Supervisee:
    person_id: int
    display_name: str | None


@dataclass(frozen=True)
class SupervisionEntry:
    id: int
    station_code: str
    session_date: date
    minutes: int
    mode: str
    topic_code: str | None
    topic_text: str | None
    created_at: datetime
    form: str | None = None  # individual | group; None: not recorded (older sessions)
    whole_team: bool = False
    supervisee_ids: tuple[int, ...] = ()  # person ids, when not the whole team
    key_points: str | None = None
    suggestions: str | None = None
    deleted_at: datetime | None = None

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class SessionLogged:
    session: SupervisionEntry
    # The station's standing for the session's month, this session included (None only for a
    # station since removed from the catalogue).
    quota: QuotaStatus | None


def _entry(
    row: SupervisionSession,
    detail: SupervisionDetail | None = None,
    supervisee_ids: Iterable[int] = (),
) -> SupervisionEntry:
    return SupervisionEntry(
        id=row.id,
        station_code=row.station_code,
        session_date=row.session_date,
        minutes=row.minutes,
        mode=row.mode,
        topic_code=row.topic_code,
        topic_text=row.topic_text,
        created_at=row.created_at,
        form=detail.form if detail else None,
        whole_team=bool(detail.whole_team) if detail else False,
        supervisee_ids=tuple(sorted(supervisee_ids)),
        key_points=detail.key_points if detail else None,
        suggestions=detail.suggestions if detail else None,
        deleted_at=row.deleted_at,
    )


async def entries_for(
    uow: UnitOfWork, rows: Sequence[SupervisionSession]
) -> list[SupervisionEntry]:
    ids = [r.id for r in rows]
    details: dict[int, SupervisionDetail] = {}
    supervisees: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for detail in await uow.session.scalars(
            select(SupervisionDetail).where(SupervisionDetail.session_id.in_(ids))
        ):
            details[detail.session_id] = detail
        for session_id, person_id in await uow.session.execute(
            select(SupervisionSupervisee.session_id, SupervisionSupervisee.person_id).where(
                SupervisionSupervisee.session_id.in_(ids)
            )
        ):
            supervisees[session_id].append(person_id)
    return [_entry(r, details.get(r.id), supervisees[r.id]) for r in rows]


async def station_workers(
    uow: UnitOfWork, *, supervisor_tg_id: int, station_code: str
) -> list[Supervisee]:
    """The workers a supervisor may name as supervisees at an assigned station."""
    await require_station_role(
        uow, tg_id=supervisor_tg_id, role=SUPERVISOR, station_code=station_code
    )
    rows = await uow.session.execute(
        select(Person.id, Person.display_name)
        .join(StaffRole, StaffRole.person_id == Person.id)
        .where(
            StaffRole.role == WORKER,
            StaffRole.station_code == station_code,
            StaffRole.revoked_at.is_(None),
        )
        .distinct()
        .order_by(Person.id)
    )
    return [Supervisee(person_id, name) for person_id, name in rows]


def supervisees_problem(form: str | None, count: int, whole_team: bool) -> str | None:
    """Individual supervision is of one worker; a group is the whole team or several workers.
    The reason a choice breaks that (`InvalidValue("supervisees", reason)`), else None. A log
    had said "individual" with the whole team, and "group" with one worker."""
    if form == INDIVIDUAL and (whole_team or count != 1):
        return "individual_is_one"
    if form == GROUP and not whole_team and count < 2:
        return "group_is_several"
    return None


async def _check_supervisees(
    uow: UnitOfWork, *, station_code: str, supervisee_ids: Sequence[int], whole_team: bool
) -> tuple[int, ...]:
    if whole_team and supervisee_ids:
        raise InvalidValue("supervisees", "team_and_names")
    ids = tuple(sorted(set(supervisee_ids)))
    if ids:
        found = set(
            (
                await uow.session.scalars(
                    select(StaffRole.person_id).where(
                        StaffRole.person_id.in_(ids),
                        StaffRole.role == WORKER,
                        StaffRole.station_code == station_code,
                        StaffRole.revoked_at.is_(None),
                    )
                )
            ).all()
        )
        if found != set(ids):
            raise InvalidValue("supervisees", "not_a_worker")
    return ids


def _notes(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_NOTES:
        raise InvalidValue(field, "too_long")
    return value  # as typed


async def _check_day(
    uow: UnitOfWork,
    *,
    supervisor_id: int,
    day: date,
    minutes: int,
    rules: RecordRules,
    except_id: int | None = None,
) -> None:
    query = select(func.coalesce(func.sum(SupervisionSession.minutes), 0)).where(
        SupervisionSession.supervisor_id == supervisor_id,
        SupervisionSession.session_date == day,
        SupervisionSession.deleted_at.is_(None),
    )
    if except_id is not None:
        query = query.where(SupervisionSession.id != except_id)
    logged = int(await uow.session.scalar(query) or 0)
    if logged + minutes > rules.max_supervision_minutes_per_day:
        raise DayLimitExceeded(
            "hours", logged_minutes=logged, limit_minutes=rules.max_supervision_minutes_per_day
        )


async def log_session(
    uow: UnitOfWork,
    *,
    supervisor_tg_id: int,
    station_code: str,
    session_date: date,
    minutes: int,
    mode: str,
    topic_code: str | None,
    topic_text: str | None,
    client_token: str,
    now: datetime,
    zone: ZoneInfo,
    topic_codes: Iterable[str],
    form: str | None = None,
    supervisee_ids: Sequence[int] = (),
    whole_team: bool = False,
    key_points: str | None = None,
    suggestions: str | None = None,
    rules: RecordRules | None = None,
) -> SessionLogged:
    """Save one session for a station assigned to the supervisor; the same token twice
    returns the first save. `supervisee_ids` are person ids of the station's workers
    (`station_workers`), or `whole_team=True`."""
    rules = rules or RecordRules()
    supervisor_id = await require_station_role(
        uow, tg_id=supervisor_tg_id, role=SUPERVISOR, station_code=station_code
    )
    row = await uow.session.scalar(
        select(SupervisionSession).where(SupervisionSession.client_token == client_token)
    )
    if row is None or row.supervisor_id != supervisor_id:
        check_entry_date(session_date, now.astimezone(zone).date(), late_days=rules.late_entry_days)
        if minutes < MIN_MINUTES:
            raise InvalidValue("hours", "too_small")
        if minutes > MAX_MINUTES:
            raise InvalidValue("hours", "too_large")
        if minutes % STEP_MINUTES:
            raise InvalidValue("hours", "wrong_step")
        if mode not in MODES:
            raise InvalidValue("mode", "unknown")
        topic_text = (topic_text or "").strip() or None
        if topic_code is not None and topic_code not in set(topic_codes):
            raise InvalidValue("topic", "unknown")
        if topic_code is None and topic_text is None:
            raise InvalidValue("topic", "empty")
        if topic_text is not None and len(topic_text) > MAX_TOPIC:
            raise InvalidValue("topic", "too_long")
        if form is not None and form not in FORMS:
            raise InvalidValue("form", "unknown")
        ids = await _check_supervisees(
            uow, station_code=station_code, supervisee_ids=supervisee_ids, whole_team=whole_team
        )
        if (ids or whole_team) and (problem := supervisees_problem(form, len(ids), whole_team)):
            raise InvalidValue("supervisees", problem)
        key_points = _notes(key_points, "key_points")
        suggestions = _notes(suggestions, "suggestions")
        await _check_day(
            uow, supervisor_id=supervisor_id, day=session_date, minutes=minutes, rules=rules
        )
        row = SupervisionSession(
            supervisor_id=supervisor_id,
            station_code=station_code,
            session_date=session_date,
            minutes=minutes,
            mode=mode,
            topic_code=topic_code,
            topic_text=topic_text,  # kept beside a chosen topic: the 台账 shows both
            created_at=now,
            client_token=client_token,
        )
        uow.session.add(row)
        await uow.session.flush()
        if form is not None or ids or whole_team or key_points or suggestions:
            uow.session.add(
                SupervisionDetail(
                    session_id=row.id,
                    form=form or (GROUP if whole_team or len(ids) > 1 else INDIVIDUAL),
                    whole_team=whole_team,
                    key_points=key_points,
                    suggestions=suggestions,
                )
            )
        for person_id in ids:
            uow.session.add(SupervisionSupervisee(session_id=row.id, person_id=person_id))
        await uow.commit()
    month = row.session_date.replace(day=1)
    statuses = await quota_for_stations(
        uow, station_codes=[station_code], month=month, now=now, zone=zone
    )
    entry = (await entries_for(uow, [row]))[0]
    return SessionLogged(session=entry, quota=statuses[0] if statuses else None)


async def my_sessions(
    uow: UnitOfWork, *, supervisor_tg_id: int, limit: int = RECENT
) -> list[SupervisionEntry]:
    """The supervisor's last sessions, newest first, deleted ones left out (`/mysessions`)."""
    supervisor_id = await person_id_of(uow, tg_id=supervisor_tg_id)
    if supervisor_id is None:
        return []
    rows = (
        await uow.session.scalars(
            select(SupervisionSession)
            .where(
                SupervisionSession.supervisor_id == supervisor_id,
                SupervisionSession.deleted_at.is_(None),
            )
            .order_by(SupervisionSession.created_at.desc(), SupervisionSession.id.desc())
            .limit(limit)
        )
    ).all()
    return await entries_for(uow, rows)


@dataclass(frozen=True)
class SessionChanges:
    """What a supervisor corrects; None leaves a value as it is. `topic_text=""` clears the
    typed topic; `supervisee_ids` together with `whole_team` replace who was supervised."""

    session_date: date | None = None
    minutes: int | None = None
    mode: str | None = None
    form: str | None = None
    topic_code: str | None = None
    topic_text: str | None = None
    supervisee_ids: Sequence[int] | None = None
    whole_team: bool | None = None
    key_points: str | None = None
    suggestions: str | None = None


async def _own_session(
    uow: UnitOfWork, *, supervisor_tg_id: int, session_id: int, now: datetime, rules: RecordRules
) -> tuple[SupervisionSession, int]:
    supervisor_id = await person_id_of(uow, tg_id=supervisor_tg_id)
    row = await uow.session.get(SupervisionSession, session_id)
    if row is None or supervisor_id is None or row.supervisor_id != supervisor_id:
        raise NotFound(f"session {session_id}")
    if row.deleted_at is not None:
        raise NotFound(f"session {session_id}")
    if now - row.created_at >= timedelta(days=rules.worker_edit_days):
        raise SessionEditWindowClosed(f"session {session_id}")
    return row, supervisor_id


async def correct_session(
    uow: UnitOfWork,
    *,
    supervisor_tg_id: int,
    session_id: int,
    changes: SessionChanges,
    now: datetime,
    zone: ZoneInfo,
    topic_codes: Iterable[str],
    rules: RecordRules,
) -> SupervisionEntry:
    """Correct one of the supervisor's own sessions within the window; one audit row per
    changed field with its old and new value."""
    row, supervisor_id = await _own_session(
        uow, supervisor_tg_id=supervisor_tg_id, session_id=session_id, now=now, rules=rules
    )
    before = (await entries_for(uow, [row]))[0]
    audits: list[tuple[str, object, object]] = []
    day = changes.session_date or row.session_date
    minutes = changes.minutes if changes.minutes is not None else row.minutes
    if changes.session_date is not None and changes.session_date != row.session_date:
        check_entry_date(
            changes.session_date, now.astimezone(zone).date(), late_days=rules.late_entry_days
        )
        audits.append(("date", row.session_date.isoformat(), day.isoformat()))
    if changes.minutes is not None and changes.minutes != row.minutes:
        if minutes < MIN_MINUTES:
            raise InvalidValue("hours", "too_small")
        if minutes > MAX_MINUTES:
            raise InvalidValue("hours", "too_large")
        if minutes % STEP_MINUTES:
            raise InvalidValue("hours", "wrong_step")
        audits.append(("minutes", row.minutes, minutes))
    if day != row.session_date or minutes != row.minutes:
        await _check_day(
            uow, supervisor_id=supervisor_id, day=day, minutes=minutes, rules=rules,
            except_id=row.id,
        )  # fmt: skip
    if changes.mode is not None and changes.mode != row.mode:
        if changes.mode not in MODES:
            raise InvalidValue("mode", "unknown")
        audits.append(("mode", row.mode, changes.mode))
    topic_code = row.topic_code
    if changes.topic_code is not None and changes.topic_code != row.topic_code:
        if changes.topic_code not in set(topic_codes):
            raise InvalidValue("topic", "unknown")
        topic_code = changes.topic_code
        audits.append(("topic_code", row.topic_code, topic_code))
    topic_text = row.topic_text
    if changes.topic_text is not None:
        topic_text = changes.topic_text.strip() or None
        if topic_text is not None and len(topic_text) > MAX_TOPIC:
            raise InvalidValue("topic", "too_long")
        if topic_text != row.topic_text:
            audits.append(("topic_text", row.topic_text, topic_text))
    if topic_code is None and topic_text is None:
        raise InvalidValue("topic", "empty")
    form = before.form
    if changes.form is not None and changes.form != before.form:
        if changes.form not in FORMS:
            raise InvalidValue("form", "unknown")
        form = changes.form
        audits.append(("form", before.form, form))
    whole_team = before.whole_team if changes.whole_team is None else changes.whole_team
    ids = before.supervisee_ids
    if changes.supervisee_ids is not None or changes.whole_team is not None:
        ids = await _check_supervisees(
            uow, station_code=row.station_code,
            supervisee_ids=list(changes.supervisee_ids or ()) if changes.supervisee_ids is not None
            else ([] if whole_team else list(before.supervisee_ids)),
            whole_team=whole_team,
        )  # fmt: skip
        if (ids, whole_team) != (before.supervisee_ids, before.whole_team):
            audits.append(
                (
                    "supervisees",
                    {"whole_team": before.whole_team, "ids": list(before.supervisee_ids)},
                    {"whole_team": whole_team, "ids": list(ids)},
                )
            )
    key_points = before.key_points
    if changes.key_points is not None:
        key_points = _notes(changes.key_points, "key_points")
        if key_points != before.key_points:
            audits.append(("key_points", before.key_points, key_points))
    suggestions = before.suggestions
    if changes.suggestions is not None:
        suggestions = _notes(changes.suggestions, "suggestions")
        if suggestions != before.suggestions:
            audits.append(("suggestions", before.suggestions, suggestions))

    row.session_date, row.minutes, row.topic_code, row.topic_text = (
        day,
        minutes,
        topic_code,
        topic_text,
    )
    row.mode = changes.mode or row.mode
    detail = await uow.session.get(SupervisionDetail, row.id)
    if detail is None and (form or whole_team or ids or key_points or suggestions):
        detail = SupervisionDetail(session_id=row.id, form=form or INDIVIDUAL)
        uow.session.add(detail)
    if detail is not None:
        detail.form = form or detail.form
        detail.whole_team, detail.key_points, detail.suggestions = (
            whole_team,
            key_points,
            suggestions,
        )
    if ids != before.supervisee_ids:
        for old_row in (
            await uow.session.scalars(
                select(SupervisionSupervisee).where(SupervisionSupervisee.session_id == row.id)
            )
        ).all():
            await uow.session.delete(old_row)
        await uow.session.flush()
        for person_id in ids:
            uow.session.add(SupervisionSupervisee(session_id=row.id, person_id=person_id))
    for field_code, old, new in audits:
        audit.record(
            uow, actor_id=supervisor_id, action="supervision.correct",
            subject=f"supervision:{row.id}", now=now,
            detail={"station": row.station_code, "field": field_code, "old": old, "new": new},
        )  # fmt: skip
    await uow.commit()
    return (await entries_for(uow, [row]))[0]


async def delete_session(
    uow: UnitOfWork, *, supervisor_tg_id: int, session_id: int, now: datetime, rules: RecordRules
) -> SupervisionEntry:
    """Soft-delete one of the supervisor's own sessions within the window; audited."""
    row, supervisor_id = await _own_session(
        uow, supervisor_tg_id=supervisor_tg_id, session_id=session_id, now=now, rules=rules
    )
    row.deleted_at = now
    audit.record(
        uow, actor_id=supervisor_id, action="supervision.delete",
        subject=f"supervision:{row.id}", now=now,
        detail={"station": row.station_code, "date": row.session_date.isoformat(),
                "minutes": row.minutes, "mode": row.mode},
    )  # fmt: skip
    await uow.commit()
    return (await entries_for(uow, [row]))[0]
