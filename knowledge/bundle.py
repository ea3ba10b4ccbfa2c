"""Every catalogue the bot loads at start, validated together so a bad file stops the start."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.request_rules import RequestRules, load_request_rules
from knowledge.services import ServiceCatalog, load_services
from knowledge.stations import StationCatalog, load_stations
from knowledge.volunteer_skills import SkillCatalog, load_volunteer_skills


@dataclass(frozen=True)
class Knowledge:
    stations: StationCatalog
    # Defaults (the shipped files) so code that builds a Knowledge by hand keeps working.
    services: ServiceCatalog = field(default_factory=load_services)
    volunteer_skills: SkillCatalog = field(default_factory=load_volunteer_skills)
    request_rules: RequestRules = field(default_factory=load_request_rules)


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Raises `knowledge.loading.CatalogError` naming the file, entry and problem."""
    return Knowledge(
        stations=load_stations(directory),
        services=load_services(directory),
        volunteer_skills=load_volunteer_skills(directory),
        request_rules=load_request_rules(directory),
    )
