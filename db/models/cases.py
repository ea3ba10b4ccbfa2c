"""Case work: cases, their stage records and timeline, outside referrals, and the details a
worker records when registering a request for a resident who came in or phoned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class WalkIn(Base):
    """A request registered by staff for a resident (walk-in, phone call, outreach, referral).

    The resident has no Telegram account here, so their consent is stored as given verbally
    to the member of staff who recorded it, with who and when (not in `consents`, which is
    per bot user). Name, village and address are personal data: None once erased.
    """

    __tablename__ = "walk_ins"

    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), primary_key=True)
    resident_name: Mapped[str | None] = mapped_column(String(64))
    village: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(Text)
    registered_by: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    consent_channel: Mapped[str] = mapped_column(String(24))  # verbal_to_staff
    consent_version: Mapped[str] = mapped_column(String(16))
    consent_recorded_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    consent_recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseCounter(Base):
    """Next case number per station, for numbers like JN-C-0007."""

    __tablename__ = "case_counters"

    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class Case(Base):
    """One person served over weeks: intake to closing. status: open | closed."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_station_status", "station_code", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), index=True)
    # The bot user the case is about, when known (opened from their own request).
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    client_name: Mapped[str | None] = mapped_column(String(64))  # None once erased
    address: Mapped[str | None] = mapped_column(Text)  # None once erased
    age_group: Mapped[str] = mapped_column(String(16))
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    worker_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    risk_level: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    next_contact_on: Mapped[date | None] = mapped_column(Date)
    contact_every_days: Mapped[int | None] = mapped_column(Integer)
    # A referral to another station waits here until one of its workers accepts it.
    referred_to_station: Mapped[str | None] = mapped_column(String(32), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    opened_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erased: Mapped[bool] = mapped_column(default=False)


class CaseRecord(Base):
    """An activity record (record_templates.yaml) filed as one stage of a case."""

    __tablename__ = "case_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity_logs.id"), unique=True)
    stage: Mapped[str] = mapped_column(String(24))
    linked_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A service record filed from a completed request (its service, once per request).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id"), index=True)
    signed_off_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CaseEvent(Base):
    """The case's timeline: every change, who, when, at which station. `detail` holds codes
    and ids; `note` is free text about the person served (erased with them)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    station_code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    stage: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)


class AgencyReferral(Base):
    """A case referred to an outside agency (hospital, school, police …) and what came of it."""

    __tablename__ = "case_agency_referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(24))
    referred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    referred_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str | None] = mapped_column(Text)  # None once erased
    outcome: Mapped[str | None] = mapped_column(String(24))
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


__all__ = ["AgencyReferral", "Case", "CaseCounter", "CaseEvent", "CaseRecord", "WalkIn"]
