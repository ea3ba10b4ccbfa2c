"""Limits around records and sessions, from `record_rules.yaml` (see that file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, resolve

FILE_NAME = "record_rules.yaml"


@dataclass(frozen=True)
class RecordRules:
    # Defaults equal the shipped file, so code building rules by hand behaves the same.
    short_text_max: int = 200
    long_text_max: int = 2000
    number_min: int = 0
    number_max: int = 100000
    evidence_per_record: int = 9
    evidence_max_bytes: int = 20_000_000
    worker_edit_days: int = 7
    max_activity_hours_per_day: float = 16
    max_supervision_hours_per_day: float = 10
    late_entry_days: int = 7

    @property
    def max_activity_minutes_per_day(self) -> int:
        return round(self.max_activity_hours_per_day * 60)

    @property
    def max_supervision_minutes_per_day(self) -> int:
        return round(self.max_supervision_hours_per_day * 60)


# (key, type, lowest allowed, highest allowed)
_KEYS: tuple[tuple[str, type, float, float], ...] = (
    ("short_text_max", int, 1, 4096),
    ("long_text_max", int, 1, 4096),  # a Telegram message is at most 4,096 characters
    ("number_min", int, -(10**9), 10**9),
    ("number_max", int, -(10**9), 10**9),
    ("evidence_per_record", int, 0, 100),
    ("evidence_max_bytes", int, 1, 2_000_000_000),
    ("worker_edit_days", int, 0, 366),
    ("max_activity_hours_per_day", float, 0.5, 24),
    ("max_supervision_hours_per_day", float, 0.5, 24),
    ("late_entry_days", int, 0, 28),
)


def load_record_rules(directory: Path | None = None) -> RecordRules:
    """Raises CatalogError naming the file, the key and what is wrong with it."""
    path = resolve(directory, FILE_NAME)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError(path, None, "expected a mapping of rule: value")
    values: dict[str, int | float] = {}
    for key, kind, low, high in _KEYS:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CatalogError(path, key, "must be a number")
        if kind is int and not float(value).is_integer():
            raise CatalogError(path, key, "must be a whole number")
        if not low <= value <= high:
            raise CatalogError(path, key, f"must be between {low:g} and {high:g}")
        values[key] = int(value) if kind is int else float(value)
    if values["number_min"] > values["number_max"]:
        raise CatalogError(path, "number_min", "must not be above number_max")
    return RecordRules(**values)  # type: ignore[arg-type]  # each value checked above
