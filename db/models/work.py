"""Social workers' activity logs and supervisors' sessions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class ActivityLog(Base):
    """One activity in one of the city's record templates. Duration in whole minutes."""

    __tablename__ = "activity_logs"
    __table_args__ = (Index("ix_activity_logs_station_date", "station_code", "activity_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    category_code: Mapped[str] = mapped_column(String(48))
    template_code: Mapped[str] = mapped_column(String(48))
    activity_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    person_times: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The conversation's draft id: a second Confirm press (or a replay after a restart)
    # finds the first entry instead of saving the activity twice.
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)


class ActivityGroup(Base):
    """Person-times of one activity attributed to one served group (elderly, disabled, …)."""

    __tablename__ = "activity_groups"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity_logs.id"), primary_key=True)
    group_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_times: Mapped[int] = mapped_column(Integer)


class SupervisionSession(Base):
    """A supervision session for one station; `session_date` is local to the configured zone."""

    __tablename__ = "supervision_sessions"
    __table_args__ = (
        Index("ix_supervision_sessions_station_date", "station_code", "session_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    session_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(8))  # online | offline
    topic_code: Mapped[str | None] = mapped_column(String(48))
    topic_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
