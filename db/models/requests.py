"""Residents' service requests, their history, and volunteer applications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class ServiceRequest(Base):
    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(24), unique=True)
    # The conversation's draft id: a second Confirm press finds the first request.
    client_token: Mapped[str] = mapped_column(String(64), unique=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), index=True)
    # None for a request staff registered for a resident who came in or phoned (walk_ins).
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # How it reached the station (knowledge/cases.yaml `request_sources`).
    source: Mapped[str] = mapped_column(String(16), default="telegram", server_default="telegram")
    service_code: Mapped[str] = mapped_column(String(48))
    for_whom: Mapped[str] = mapped_column(String(16))
    age_group: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)  # None once erased
    phone: Mapped[str | None] = mapped_column(String(32))  # E.164; None once erased
    preferred_time: Mapped[str] = mapped_column(String(24))
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    completion_note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    erased: Mapped[bool] = mapped_column(default=False)


class RequestEvent(Base):
    """Every status change: who, when, from what to what, and a note."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class VolunteerApplication(Base):
    __tablename__ = "volunteer_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), index=True)
    name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    age_group: Mapped[str] = mapped_column(String(16))
    party_member: Mapped[str] = mapped_column(String(16))
    guardian_name: Mapped[str | None] = mapped_column(String(64))
    guardian_phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    erased: Mapped[bool] = mapped_column(default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
