"""Every catalogue the bot loads at start, validated together so a bad file stops the start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.faq import Faq, load_faq
from knowledge.stations import StationCatalog, load_stations


@dataclass(frozen=True)
class Knowledge:
    stations: StationCatalog
    faq: Faq


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Raises `knowledge.loading.CatalogError` naming the file, entry and problem."""
    stations = load_stations(directory)
    return Knowledge(stations=stations, faq=load_faq(directory, stations))
