"""What a record holds beyond its hours and person-times: the form's values, the evidence
files, and a supervision session's supervisees, form and notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class RecordFieldValue(Base):
    """One form field of one activity record, exactly as typed (a choice: its option code)."""

    __tablename__ = "record_field_values"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activity_logs.id"), primary_key=True)
    field_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class EvidenceFile(Base):
    """A photo or document attached to a record: Telegram's ids and our own copy's path."""

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("activity_id", "file_unique_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity_logs.id"), index=True)
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # photo | document
    mime: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    # Relative to STATIONBOT_MEDIA_DIR; None until the copy is downloaded.
    local_path: Mapped[str | None] = mapped_column(String(512))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SupervisionDetail(Base):
    """Who a session supervised and how, beyond the hours and mode every session has."""

    __tablename__ = "supervision_details"

    session_id: Mapped[int] = mapped_column(ForeignKey("supervision_sessions.id"), primary_key=True)
    form: Mapped[str] = mapped_column(String(16))  # individual | group
    whole_team: Mapped[bool] = mapped_column(Boolean, default=False)
    key_points: Mapped[str | None] = mapped_column(Text)
    suggestions: Mapped[str | None] = mapped_column(Text)


class SupervisionSupervisee(Base):
    """A worker supervised in a session (none when the whole team was)."""

    __tablename__ = "supervision_supervisees"

    session_id: Mapped[int] = mapped_column(ForeignKey("supervision_sessions.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
