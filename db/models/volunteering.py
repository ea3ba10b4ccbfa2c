"""Volunteer activities, who signed up, their scans and hours, residents' scans, certificates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class VolunteerActivity(Base):
    """One activity a station publishes for its volunteers.

    status: open → recorded (it became an activity record) | cancelled.
    The two tokens are the QR codes' secrets (volunteers check in and out; residents count).
    """

    __tablename__ = "volunteer_activities"
    __table_args__ = (Index("ix_volunteer_activities_station_date", "station_code", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    title: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(128))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    local_date: Mapped[date] = mapped_column(Date)  # the start's date in the configured zone
    volunteers_needed: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    minors_allowed: Mapped[bool] = mapped_column(default=False)
    template_code: Mapped[str] = mapped_column(String(48))
    served_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    volunteer_token: Mapped[str] = mapped_column(String(32), unique=True)
    resident_token: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)


class VolunteerSignup(Base):
    """A volunteer's place in an activity, their scans and their hours.

    status: signed_up | waiting (the waiting list, in order of `created_at`, `id`) | cancelled.
    `minutes` is the rounded time between the scans (or the worker's correction); only rows
    with `confirmed_at` count as the volunteer's hours.
    """

    __tablename__ = "volunteer_signups"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activities.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("volunteer_applications.id"))
    status: Mapped[str] = mapped_column(String(16))
    walk_in: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    coming: Mapped[bool | None] = mapped_column()  # the answer to the day-before reminder
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    minutes: Mapped[int | None] = mapped_column(Integer)
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class ResidentAttendance(Base):
    """A resident who scanned an activity's resident QR: one person-time, once per person."""

    __tablename__ = "resident_attendances"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activities.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HoursCertificate(Base):
    """A certificate issued for a volunteer's confirmed hours at one station.

    The figures are those certified at `issued_at`; `code` is what `stationbot verify` checks.
    `holder_name` and `guardian_name` are a copy of the application's (erased with it).
    """

    __tablename__ = "hours_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    year: Mapped[int | None] = mapped_column(Integer)  # None: all their hours
    holder_name: Mapped[str | None] = mapped_column(String(64))
    guardian_name: Mapped[str | None] = mapped_column(String(64))
    minutes: Mapped[int] = mapped_column(Integer)
    activities: Mapped[int] = mapped_column(Integer)
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    detail: Mapped[list[Any]] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


__all__ = ["HoursCertificate", "ResidentAttendance", "VolunteerActivity", "VolunteerSignup"]
