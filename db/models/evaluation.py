"""The yearly evaluation: scores an administrator enters, and every computed result, kept so
a past year's ranking can be opened again exactly as it was decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class EvaluationEntry(Base):
    """Points an administrator typed for one entered indicator of one station in one year."""

    __tablename__ = "evaluation_entries"
    __table_args__ = (UniqueConstraint("year", "station_code", "indicator_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    indicator_code: Mapped[str] = mapped_column(String(32))
    points: Mapped[float] = mapped_column(Float)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EvaluationRun(Base):
    """One computed ranking. `rules` is the scoring sheet as it was (indicators, weights, tiers),
    so reopening an old result never depends on today's `evaluation.yaml`."""

    __tablename__ = "evaluation_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    pass_mark: Mapped[float] = mapped_column(Float)
    funding_percent: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)


class EvaluationResult(Base):
    """One station's line in a run: its values, points per indicator, total, rank and tier."""

    __tablename__ = "evaluation_results"
    __table_args__ = (UniqueConstraint("run_id", "station_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id"), index=True)
    station_code: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    tier_code: Mapped[str | None] = mapped_column(String(32))
    below_pass: Mapped[bool] = mapped_column(Boolean)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)  # measured indicator → value or null
    points: Mapped[dict[str, Any]] = mapped_column(JSON)  # indicator → points
    missing: Mapped[list[str]] = mapped_column(JSON)  # entered indicators nobody typed
