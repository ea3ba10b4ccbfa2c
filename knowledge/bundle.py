"""Every catalogue the bot loads at start, validated together so a bad file stops the start."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.reminders import ReminderSchedule, default_schedule, load_reminders
from knowledge.stations import StationCatalog, load_stations


@dataclass(frozen=True)
class Knowledge:
    stations: StationCatalog
    reminders: ReminderSchedule = field(default_factory=default_schedule)


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Raises `knowledge.loading.CatalogError` naming the file, entry and problem."""
    return Knowledge(stations=load_stations(directory), reminders=load_reminders(directory))
