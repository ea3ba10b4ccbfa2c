"""People, their staff roles, invitations, consents and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class Person(Base):
    """Anyone who has talked to the bot. Personal fields live with the records that need them."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tg_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(8))
    display_name: Mapped[str | None] = mapped_column(String(128))
    last_station_code: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set when Telegram answered Forbidden (blocked bot); reminders stop until they write again.
    unreachable_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    broadcast_opt_out: Mapped[bool] = mapped_column(default=False)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffRole(Base):
    """One role at one station (admins have no station). Revoked rows stay for the audit."""

    __tablename__ = "staff_roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    station_code: Mapped[str | None] = mapped_column(String(32), index=True)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Invite(Base):
    """A single-use invitation. Only the SHA-256 of the code is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    station_code: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Consent(Base):
    """A consent given (and maybe withdrawn). `kind`: personal_info or cross_border."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who did what, when. `detail` never holds personal data (names, phones, free text)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Station(Base):
    """Mirror of `knowledge/stations.yaml`, synced on start so queries can join on stations."""

    __tablename__ = "stations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8))
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    quota_hours: Mapped[float] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)


class StationCounter(Base):
    """Next request number per station, for references like JN-0007."""

    __tablename__ = "station_counters"

    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


__all__ = [
    "AuditEntry",
    "Consent",
    "Invite",
    "Person",
    "StaffRole",
    "Station",
    "StationCounter",
]
