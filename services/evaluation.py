"""The yearly evaluation: the bureau scores every station, ranks them, rewards the top ones in
tiers and flags those under the pass mark.

Measured indicators come from the year's report figures (`services.reports`); entered ones are
points an administrator types per station (`enter_points`). `compute` scores, ranks and records
the result with a snapshot of the scoring sheet, so `open_run` shows a past year's ranking
exactly as it was decided even after `evaluation.yaml` changes.

A computed run is a draft: it says what is missing (stations with no entered scores at all,
`missing_stations`) and counts for nothing until an administrator confirms it (`confirm`).
Only confirmed runs are the recorded ranking (`recorded`); drafts stay for the record. Each
station's line says how many months were counted (months before the station was in the bot
are not missed months, see services.reports).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import (
    EvaluationConfirmation,
    EvaluationEntry,
    EvaluationResult,
    EvaluationRun,
    Person,
    Station,
)
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
    months_counted: int | None = None  # months of the year the quota was counted for
    months_begun: int | None = None  # months of the year begun (counted or before the bot)


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
    confirmed: bool = False  # only confirmed runs are the recorded ranking
    confirmed_at: datetime | None = None

    @property
    def is_draft(self) -> bool:
        return not self.confirmed

    @property
    def missing_stations(self) -> tuple[str, ...]:
        """Stations for which no entered indicator was typed at all: ranking them now would
        give them 0 for work nobody scored yet."""
        entered = sum(1 for i in self.indicators if i.kind == ENTERED)
        return tuple(r.station_code for r in self.rows if entered and len(r.missing) == entered)

    @property
    def incomplete_stations(self) -> tuple[str, ...]:
        """Stations with some, not all, entered indicators typed."""
        return tuple(
            r.station_code
            for r in self.rows
            if r.missing and r.station_code not in self.missing_stations
        )

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
    confirmed: bool = False


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
                code, 0, total, None, total < rules.pass_mark, values, points, tuple(missing),
                months_counted=station_figures.months_counted if station_figures else None,
                months_begun=station_figures.months_begun if station_figures else None,
            )
        )  # fmt: skip
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
    """Score every active station for `year`, rank them and record the result as a draft:
    show `missing_stations` and ask before `confirm` makes it the recorded ranking."""
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
            values={**row.values, **_months(row)},
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


async def list_runs(
    uow: UnitOfWork, *, limit: int = 20, include_drafts: bool = True
) -> list[RunSummary]:
    """Computed runs, newest first, each saying whether it was confirmed."""
    query = (
        select(
            EvaluationRun.id,
            EvaluationRun.year,
            EvaluationRun.created_at,
            EvaluationConfirmation.run_id,
        )
        .outerjoin(EvaluationConfirmation, EvaluationConfirmation.run_id == EvaluationRun.id)
        .order_by(EvaluationRun.created_at.desc(), EvaluationRun.id.desc())
        .limit(limit)
    )
    if not include_drafts:
        query = query.where(EvaluationConfirmation.run_id.is_not(None))
    rows = (await uow.session.execute(query)).all()
    return [
        RunSummary(run_id, year, created_at, confirmed=confirmed is not None)
        for run_id, year, created_at, confirmed in rows
    ]


def year_over(year: int, *, now: datetime, zone: ZoneInfo) -> bool:
    """Whether `year` has ended in the configured zone. Until then its months still to come
    count as nothing (no supervision, no records yet), so a ranking undervalues everyone."""
    return now.astimezone(zone).year > year


async def confirm(
    uow: UnitOfWork,
    *,
    run_id: int,
    actor_tg_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    before_year_end: bool = False,
) -> EvaluationOutcome:
    """Make a draft the recorded ranking of its year (confirming twice changes nothing). A
    later confirmed run of the same year supersedes it in `recorded`. Before the year has
    ended it takes `before_year_end=True`, the administrator's answer to the warning that the
    rest of the year counts as nothing; else InvalidValue('year', 'not_over')."""
    run = await uow.session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound()
    if await uow.session.get(EvaluationConfirmation, run_id) is None:
        if not before_year_end and not year_over(run.year, now=now, zone=zone):
            raise InvalidValue("year", "not_over")
        actor = await _person_id(uow, actor_tg_id)
        uow.session.add(EvaluationConfirmation(run_id=run_id, confirmed_at=now, confirmed_by=actor))
        audit.record(
            uow,
            actor_id=actor,
            action="evaluation.confirm",
            subject=f"evaluation:{run_id}",
            now=now,
            detail={"year": run.year},
        )
        await uow.commit()
    return await open_run(uow, run_id=run_id)


async def recorded(uow: UnitOfWork, *, year: int) -> EvaluationOutcome | None:
    """The year's recorded ranking: its latest confirmed run (drafts never count)."""
    run_id = await uow.session.scalar(
        select(EvaluationRun.id)
        .join(EvaluationConfirmation, EvaluationConfirmation.run_id == EvaluationRun.id)
        .where(EvaluationRun.year == year)
        .order_by(EvaluationConfirmation.confirmed_at.desc(), EvaluationRun.id.desc())
        .limit(1)
    )
    return None if run_id is None else await open_run(uow, run_id=run_id)


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
    confirmation = await uow.session.get(EvaluationConfirmation, run_id)
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
                values={
                    k: (None if v is None else float(v))
                    for k, v in r.values.items()
                    if k not in _MONTH_KEYS
                },
                points={k: float(v) for k, v in r.points.items()},
                missing=tuple(r.missing),
                months_counted=_int_or_none(r.values.get(_COUNTED)),
                months_begun=_int_or_none(r.values.get(_BEGUN)),
            )
            for r in results
        ),
        confirmed=confirmation is not None,
        confirmed_at=confirmation.confirmed_at if confirmation is not None else None,
    )


# Kept with a result's measured values (a JSON column) under keys no indicator code can take
# (codes are [A-Za-z0-9_], no dots), so old rows without them still open.
_COUNTED, _BEGUN = "months.counted", "months.begun"
_MONTH_KEYS = (_COUNTED, _BEGUN)


def _months(row: StationScore) -> dict[str, float | None]:
    return {
        _COUNTED: None if row.months_counted is None else float(row.months_counted),
        _BEGUN: None if row.months_begun is None else float(row.months_begun),
    }


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]  # a row's value: int, str or Decimal


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
