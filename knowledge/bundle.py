"""Every catalogue the bot loads at start, validated together so a bad file stops the start."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.record_templates import TemplateCatalog, load_record_templates
from knowledge.served_groups import ServedGroup, load_served_groups
from knowledge.stations import StationCatalog, load_stations
from knowledge.supervision_topics import SupervisionTopic, load_supervision_topics


@dataclass(frozen=True)
class Knowledge:
    stations: StationCatalog
    record_templates: TemplateCatalog = field(default_factory=load_record_templates)
    served_groups: tuple[ServedGroup, ...] = field(default_factory=load_served_groups)
    supervision_topics: tuple[SupervisionTopic, ...] = field(
        default_factory=load_supervision_topics
    )


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Raises `knowledge.loading.CatalogError` naming the file, entry and problem."""
    return Knowledge(
        stations=load_stations(directory),
        record_templates=load_record_templates(directory),
        served_groups=load_served_groups(directory),
        supervision_topics=load_supervision_topics(directory),
    )
