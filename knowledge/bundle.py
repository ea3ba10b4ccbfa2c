"""Every catalogue the bot loads at start, validated together so a bad file stops the start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.evaluation import EvaluationRules, load_evaluation
from knowledge.stations import StationCatalog, load_stations


@dataclass(frozen=True)
class Knowledge:
    stations: StationCatalog
    evaluation: EvaluationRules


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Raises `knowledge.loading.CatalogError` naming the file, entry and problem."""
    return Knowledge(
        stations=load_stations(directory),
        evaluation=load_evaluation(directory),
    )
