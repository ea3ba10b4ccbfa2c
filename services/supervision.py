"""Supervisors' sessions: saving one for an assigned station, and the quota it counts toward.

A session is half an hour to eight hours, in half hours, online or offline, on a day in the
entry window (`services.entry_window`), about a catalogue topic or a topic typed in. Its date
decides its month, so a session entered on the 2nd for the 30th counts for last month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import SupervisionSession
from db.uow import UnitOfWork
from services.entry_window import check_entry_date
from services.errors import InvalidValue
from services.people import SUPERVISOR
from services.quota import OFFLINE, ONLINE, QuotaStatus, quota_for_stations
from services.station_roles import require_station_role

MIN_MINUTES, MAX_MINUTES, STEP_MINUTES = 30, 8 * 60, 30
MODES = (ONLINE, OFFLINE)
MAX_TOPIC = 200


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

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True)
class SessionLogged:
    session: SupervisionEntry
    # The station's standing for the session's month, this session included (None only for a
    # station since removed from the catalogue).
    quota: QuotaStatus | None


def _entry(row: SupervisionSession) -> SupervisionEntry:
    return SupervisionEntry(
        id=row.id,
        station_code=row.station_code,
        session_date=row.session_date,
        minutes=row.minutes,
        mode=row.mode,
        topic_code=row.topic_code,
        topic_text=row.topic_text,
        created_at=row.created_at,
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
) -> SessionLogged:
    """Save one session for a station assigned to the supervisor; the same token twice
    returns the first save."""
    supervisor_id = await require_station_role(
        uow, tg_id=supervisor_tg_id, role=SUPERVISOR, station_code=station_code
    )
    row = await uow.session.scalar(
        select(SupervisionSession).where(SupervisionSession.client_token == client_token)
    )
    if row is None or row.supervisor_id != supervisor_id:
        check_entry_date(session_date, now.astimezone(zone).date())
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
        row = SupervisionSession(
            supervisor_id=supervisor_id,
            station_code=station_code,
            session_date=session_date,
            minutes=minutes,
            mode=mode,
            topic_code=topic_code,
            topic_text=topic_text if topic_code is None else None,
            created_at=now,
            client_token=client_token,
        )
        uow.session.add(row)
        await uow.commit()
    month = row.session_date.replace(day=1)
    statuses = await quota_for_stations(
        uow, station_codes=[station_code], month=month, now=now, zone=zone
    )
    return SessionLogged(session=_entry(row), quota=statuses[0] if statuses else None)
