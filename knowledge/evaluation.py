"""The yearly evaluation's scoring sheet, from `evaluation.yaml`: indicators, weights, pass mark
and incentive tiers. Pure data and the scoring arithmetic; the figures come from `services`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from knowledge.loading import CatalogError, read_yaml, require_bilingual, require_code, resolve

MEASURED, ENTERED = "measured", "entered"
MEASURES = (
    "months_quota_met",
    "accepted_within_24h",
    "completion_rate",
    "average_rating",
    "person_times",
    "volunteers_active",
    "case_sign_off_rate",
    "volunteers_with_hours",
)


@dataclass(frozen=True)
class Indicator:
    code: str
    kind: str  # measured | entered
    weight: float  # the most points it can earn
    name_zh: str
    name_en: str
    measure: str | None = None  # for measured ones
    full_at: float = 1.0
    zero_at: float = 0.0
    bonus: bool = False

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def points_for(self, value: float | None) -> float:
        """Points earned by a measured value: none below `zero_at`, all from `full_at` on."""
        if value is None:
            return 0.0
        share = (value - self.zero_at) / (self.full_at - self.zero_at)
        return round(self.weight * min(1.0, max(0.0, share)), 2)


@dataclass(frozen=True)
class Tier:
    code: str
    ranks: tuple[int, ...]
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class EvaluationRules:
    indicators: tuple[Indicator, ...]
    pass_mark: float
    tiers: tuple[Tier, ...]
    funding_percent: int

    @property
    def measured(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.kind == MEASURED)

    @property
    def entered(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.kind == ENTERED)

    @property
    def max_points(self) -> float:
        return sum(i.weight for i in self.indicators)

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def tier_for(self, rank: int) -> Tier | None:
        return next((t for t in self.tiers if rank in t.ranks), None)


def load_evaluation(directory: Path | None = None) -> EvaluationRules:
    path = resolve(directory, "evaluation.yaml")
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
        raise CatalogError(path, None, "expected a top-level `indicators:` list")
    indicators: list[Indicator] = []
    for index, raw in enumerate(data["indicators"]):
        if not isinstance(raw, dict):
            raise CatalogError(path, f"indicators[{index}]", "must be a mapping")
        indicator = _indicator(path, f"indicators[{index}]", raw)
        if any(i.code == indicator.code for i in indicators):
            raise CatalogError(path, indicator.code, "duplicate indicator code")
        indicators.append(indicator)
    if not indicators:
        raise CatalogError(path, None, "no indicators")
    total = sum(i.weight for i in indicators)
    pass_mark = data.get("pass_mark")
    if not _number(pass_mark) or not 0 < float(pass_mark) <= total:
        raise CatalogError(path, "pass_mark", f"must be a number of points in (0, {total:g}]")
    failing = data.get("failing", {})
    percent = failing.get("funding_percent", 70) if isinstance(failing, dict) else None
    if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
        raise CatalogError(path, "failing.funding_percent", "must be a whole percentage 0–100")
    return EvaluationRules(
        indicators=tuple(indicators),
        pass_mark=float(pass_mark),
        tiers=_tiers(path, data.get("tiers", [])),
        funding_percent=percent,
    )


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _indicator(path: Path, entry: str, raw: dict[str, Any]) -> Indicator:
    code = require_code(path, entry, raw.get("code"))
    kind = raw.get("kind")
    if kind not in (MEASURED, ENTERED):
        raise CatalogError(path, code, f"`kind` must be {MEASURED} or {ENTERED}")
    weight = raw.get("weight")
    if not _number(weight) or not 0 < float(weight) <= 1000:
        raise CatalogError(path, code, "`weight` must be a positive number of points")
    name_zh, name_en = require_bilingual(path, code, raw, "name")
    bonus = raw.get("bonus", False)
    if not isinstance(bonus, bool):
        raise CatalogError(path, code, "`bonus` must be true or false")
    if kind == ENTERED:
        return Indicator(code, ENTERED, float(weight), name_zh, name_en, bonus=bonus)
    measure = raw.get("measure")
    if measure not in MEASURES:
        raise CatalogError(path, code, f"`measure` must be one of {', '.join(MEASURES)}")
    full_at, zero_at = raw.get("full_at"), raw.get("zero_at", 0)
    if not _number(full_at) or not _number(zero_at) or float(full_at) <= float(zero_at):
        raise CatalogError(path, code, "`full_at` must be a number above `zero_at`")
    return Indicator(
        code,
        MEASURED,
        float(weight),
        name_zh,
        name_en,
        measure=str(measure),
        full_at=float(full_at),
        zero_at=float(zero_at),
        bonus=bonus,
    )


def _tiers(path: Path, raw_tiers: object) -> tuple[Tier, ...]:
    if not isinstance(raw_tiers, list):
        raise CatalogError(path, "tiers", "must be a list")
    tiers: list[Tier] = []
    taken: set[int] = set()
    for index, raw in enumerate(raw_tiers):
        entry = f"tiers[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, raw.get("code"))
        ranks = raw.get("ranks")
        if (
            not isinstance(ranks, list)
            or not ranks
            or not all(isinstance(r, int) and not isinstance(r, bool) and r > 0 for r in ranks)
        ):
            raise CatalogError(path, code, "`ranks` must be a list of ranks (1, 2, …)")
        if taken & set(ranks):
            raise CatalogError(path, code, "a rank belongs to two tiers")
        taken.update(ranks)
        name_zh, name_en = require_bilingual(path, code, raw, "name")
        tiers.append(Tier(code, tuple(ranks), name_zh, name_en))
    return tuple(tiers)
