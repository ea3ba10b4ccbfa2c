"""The yearly evaluation: the bureau scores every station, ranks them, rewards the top ones in
tiers and flags those under the pass mark.

Measured indicators come from the year's report figures (`services.reports`); entered ones are
points an administrator types per station (`enter_points`). `compute` scores, ranks and records
the result with a snapshot of the scoring sheet, so `open_run` shows a past year's ranking
exactly as it was decided even after `evaluation.yaml` changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import EvaluationEntry, EvaluationResult, EvaluationRun, Person, Station
from db.uow import UnitOfWork
from knowledge.evaluation import ENTERED, MEASURED, EvaluationRules, Indicator, Tier
from services import audit
from services.errors import InvalidValue, NotFound
from services.reports import EARLIEST_YEAR, StationFigures, gather_report, year_period


@dataclass(frozen=True)
class StationScore:
    station_code: str
    rank: int
    total: float
    tier_code: str | None
    below_pass: bool
    values: dict[str, float | None]  # measured indicator → the year's value (None: no data)
    points: dict[str, float]  # every indicator → points earned
    missing: tuple[str, ...]  # entered indicators nobody typed (counted as 0)


@dataclass(frozen=True)
class EvaluationOutcome:
    run_id: int | None  # None until recorded
    year: int
    created_at: datetime
    pass_mark: float
    funding_percent: int
    indicators: tuple[Indicator, ...]
    tiers: tuple[Tier, ...]
    rows: tuple[StationScore, ...]  # best first

    @property
    def max_points(self) -> float:
        return sum(i.weight for i in self.indicators)

    def tier(self, code: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    year: int
    created_at: datetime


@dataclass(frozen=True)
class EnteredPoints:
    year: int
    station_code: str
    indicator_code: str
    points: float


def score(
    rules: EvaluationRules,
    *,
    figures: Mapping[str, StationFigures],
    entries: Mapping[str, Mapping[str, float]],
    station_codes: Sequence[str],
) -> tuple[StationScore, ...]:
    """Score and rank (pure). Equal totals share a rank (1, 1, 3); a station under the pass
    mark earns no tier whatever its rank."""
    scored: list[StationScore] = []
    for code in station_codes:
        station_figures = figures.get(code)
        typed = entries.get(code, {})
        values: dict[str, float | None] = {}
        points: dict[str, float] = {}
        missing: list[str] = []
        for indicator in rules.indicators:
            if indicator.kind == MEASURED:
                assert indicator.measure is not None
                value = station_figures.measure(indicator.measure) if station_figures else None
                values[indicator.code] = value
                points[indicator.code] = indicator.points_for(value)
            else:
                if indicator.code not in typed:
                    missing.append(indicator.code)
                typed_points = min(typed.get(indicator.code, 0.0), indicator.weight)
                points[indicator.code] = round(typed_points, 2)
        total = round(sum(points.values()), 2)
        scored.append(
            StationScore(
                code, 0, total, None, total < rules.pass_mark, values, points, tuple(missing)
            )
        )
    scored.sort(key=lambda row: (-row.total, station_codes.index(row.station_code)))
    rows = []
    for row in scored:
        rank = 1 + sum(1 for other in scored if other.total > row.total)
        tier = None if row.below_pass else rules.tier_for(rank)
        rows.append(replace(row, rank=rank, tier_code=tier.code if tier else None))
    return tuple(rows)


def _check_year(year: int, now: datetime, zone: ZoneInfo) -> None:
    if not EARLIEST_YEAR <= year <= now.astimezone(zone).year:
        raise InvalidValue("year", "out_of_range")


async def entries_for(uow: UnitOfWork, *, year: int) -> dict[str, dict[str, float]]:
    """Points typed so far for `year`: station → indicator → points."""
    rows = (
        await uow.session.execute(
            select(
                EvaluationEntry.station_code,
                EvaluationEntry.indicator_code,
                EvaluationEntry.points,
            ).where(EvaluationEntry.year == year)
        )
    ).all()
    result: dict[str, dict[str, float]] = {}
    for station, indicator, points in rows:
        result.setdefault(station, {})[indicator] = float(points)
    return result


async def _person_id(uow: UnitOfWork, tg_id: int | None) -> int | None:
    if tg_id is None:
        return None
    found: int | None = await uow.session.scalar(select(Person.id).where(Person.tg_id == tg_id))
    return found


async def enter_points(
    uow: UnitOfWork,
    *,
    rules: EvaluationRules,
    year: int,
    station_code: str,
    indicator_code: str,
    points: float,
    actor_tg_id: int | None,
    now: datetime,
    zone: ZoneInfo,
) -> EnteredPoints:
    """Record (or correct) one station's points for one entered indicator."""
    _check_year(year, now, zone)
    indicator = rules.indicator(indicator_code)
    if indicator is None or indicator.kind != ENTERED:
        raise InvalidValue("indicator", "unknown")
    if not 0 <= points <= indicator.weight:
        raise InvalidValue("points", "out_of_range")
    if await uow.session.get(Station, station_code) is None:
        raise InvalidValue("station", "unknown")
    actor = await _person_id(uow, actor_tg_id)
    row = await uow.session.scalar(
        select(EvaluationEntry).where(
            EvaluationEntry.year == year,
            EvaluationEntry.station_code == station_code,
            EvaluationEntry.indicator_code == indicator_code,
        )
    )
    points = round(points, 2)
    if row is None:
        uow.session.add(
            EvaluationEntry(
                year=year,
                station_code=station_code,
                indicator_code=indicator_code,
                points=points,
                entered_by=actor,
                entered_at=now,
            )
        )
    else:
        row.points, row.entered_by, row.entered_at = points, actor, now
    audit.record(
        uow,
        actor_id=actor,
        action="evaluation.enter",
        subject=f"station:{station_code}",
        now=now,
        detail={"year": year, "indicator": indicator_code, "points": points},
    )
    await uow.commit()
    return EnteredPoints(year, station_code, indicator_code, points)


async def compute(
    uow: UnitOfWork,
    *,
    rules: EvaluationRules,
    year: int,
    actor_tg_id: int | None,
    now: datetime,
    zone: ZoneInfo,
) -> EvaluationOutcome:
    """Score every active station for `year`, rank them and record the result."""
    _check_year(year, now, zone)
    report = await gather_report(
        uow, period=year_period(year), station_code=None, now=now, zone=zone
    )
    typed = await entries_for(uow, year=year)
    rows = score(
        rules,
        figures={f.station_code: f for f in report.stations},
        entries=typed,
        station_codes=report.station_codes,
    )
    actor = await _person_id(uow, actor_tg_id)
    run = EvaluationRun(
        year=year,
        created_at=now,
        created_by=actor,
        pass_mark=rules.pass_mark,
        funding_percent=rules.funding_percent,
        rules=_snapshot(rules),
    )
    uow.session.add(run)
    await uow.session.flush()
    uow.session.add_all(
        EvaluationResult(
            run_id=run.id,
            station_code=row.station_code,
            rank=row.rank,
            total=row.total,
            tier_code=row.tier_code,
            below_pass=row.below_pass,
            values=dict(row.values),
            points=dict(row.points),
            missing=list(row.missing),
        )
        for row in rows
    )
    audit.record(
        uow,
        actor_id=actor,
        action="evaluation.compute",
        subject=f"evaluation:{run.id}",
        now=now,
        detail={"year": year, "stations": len(rows)},
    )
    await uow.commit()
    return EvaluationOutcome(
        run_id=run.id,
        year=year,
        created_at=now,
        pass_mark=rules.pass_mark,
        funding_percent=rules.funding_percent,
        indicators=rules.indicators,
        tiers=rules.tiers,
        rows=rows,
    )


async def list_runs(uow: UnitOfWork, *, limit: int = 20) -> list[RunSummary]:
    """Recorded results, newest first."""
    rows = (
        await uow.session.execute(
            select(EvaluationRun.id, EvaluationRun.year, EvaluationRun.created_at)
            .order_by(EvaluationRun.created_at.desc(), EvaluationRun.id.desc())
            .limit(limit)
        )
    ).all()
    return [RunSummary(run_id, year, created_at) for run_id, year, created_at in rows]


async def open_run(uow: UnitOfWork, *, run_id: int) -> EvaluationOutcome:
    run = await uow.session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound()
    results = (
        await uow.session.scalars(
            select(EvaluationResult)
            .where(EvaluationResult.run_id == run_id)
            .order_by(EvaluationResult.rank, EvaluationResult.id)
        )
    ).all()
    indicators, tiers = _from_snapshot(run.rules)
    return EvaluationOutcome(
        run_id=run.id,
        year=run.year,
        created_at=run.created_at,
        pass_mark=run.pass_mark,
        funding_percent=run.funding_percent,
        indicators=indicators,
        tiers=tiers,
        rows=tuple(
            StationScore(
                station_code=r.station_code,
                rank=r.rank,
                total=r.total,
                tier_code=r.tier_code,
                below_pass=r.below_pass,
                values={k: (None if v is None else float(v)) for k, v in r.values.items()},
                points={k: float(v) for k, v in r.points.items()},
                missing=tuple(r.missing),
            )
            for r in results
        ),
    )


def _snapshot(rules: EvaluationRules) -> dict[str, Any]:
    return {
        "indicators": [
            {
                "code": i.code,
                "kind": i.kind,
                "weight": i.weight,
                "name_zh": i.name_zh,
                "name_en": i.name_en,
                "measure": i.measure,
                "full_at": i.full_at,
                "zero_at": i.zero_at,
                "bonus": i.bonus,
            }
            for i in rules.indicators
        ],
        "tiers": [
            {"code": t.code, "ranks": list(t.ranks), "name_zh": t.name_zh, "name_en": t.name_en}
            for t in rules.tiers
        ],
    }


def _from_snapshot(data: dict[str, Any]) -> tuple[tuple[Indicator, ...], tuple[Tier, ...]]:
    indicators = tuple(
        Indicator(
            code=i["code"],
            kind=i["kind"],
            weight=float(i["weight"]),
            name_zh=i["name_zh"],
            name_en=i["name_en"],
            measure=i.get("measure"),
            full_at=float(i.get("full_at", 1.0)),
            zero_at=float(i.get("zero_at", 0.0)),
            bonus=bool(i.get("bonus", False)),
        )
        for i in data.get("indicators", [])
    )
    tiers = tuple(
        Tier(t["code"], tuple(t["ranks"]), t["name_zh"], t["name_en"])
        for t in data.get("tiers", [])
    )
    return indicators, tiers
