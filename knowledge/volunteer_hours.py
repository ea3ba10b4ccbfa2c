"""Rules of volunteer activities and hours, from `volunteer_hours.yaml`. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from knowledge.loading import CatalogError, read_yaml, resolve
from knowledge.record_templates import TemplateCatalog
from knowledge.reminders import _time


@dataclass(frozen=True)
class VolunteerHoursRules:
    record_templates: tuple[str, ...]
    check_in_opens_before: timedelta
    scans_close_after: timedelta
    checkout_after: timedelta
    rounding_minutes: int
    max_minutes: int
    day_before_reminder_time: time

    @property
    def default_template(self) -> str:
        return self.record_templates[0]

    def rounded(self, minutes: float) -> int:
        """Whole minutes rounded to the nearest step (half a step rounds up), capped."""
        step = self.rounding_minutes
        return min(self.max_minutes, int((minutes + step / 2) // step) * step)


def default_volunteer_hours() -> VolunteerHoursRules:
    return load_volunteer_hours(None)


def load_volunteer_hours(
    directory: Path | None = None, *, catalog: TemplateCatalog | None = None
) -> VolunteerHoursRules:
    """`catalog`, when given, must hold every `record_templates` code, each counting people."""
    path = resolve(directory, "volunteer_hours.yaml")
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError(path, None, "expected a mapping of volunteer-hours settings")
    templates = data.get("record_templates")
    if (
        not isinstance(templates, list)
        or not templates
        or not all(isinstance(t, str) and t for t in templates)
    ):
        raise CatalogError(path, "record_templates", "must be a list of template codes")
    if catalog is not None:
        for code in templates:
            known = catalog.template(code)
            if known is None or not known.counts_people:
                raise CatalogError(
                    path, "record_templates", f"{code!r}: not a record template counting people"
                )

    def number(name: str, low: float, high: float) -> float:
        value: Any = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CatalogError(path, name, "must be a number")
        if not low <= value <= high:
            raise CatalogError(path, name, f"must be between {low:g} and {high:g}")
        return float(value)

    rounding = int(number("rounding_minutes", 1, 120))
    return VolunteerHoursRules(
        record_templates=tuple(templates),
        check_in_opens_before=timedelta(
            minutes=number("check_in_opens_minutes_before", 0, 24 * 60)
        ),
        scans_close_after=timedelta(hours=number("scans_close_hours_after", 0, 48)),
        checkout_after=timedelta(minutes=number("checkout_after_minutes", 0, 120)),
        rounding_minutes=rounding,
        max_minutes=int(number("max_hours", 0.5, 24) * 60),
        day_before_reminder_time=_time(
            path, "day_before_reminder_time", data.get("day_before_reminder_time")
        ),
    )
