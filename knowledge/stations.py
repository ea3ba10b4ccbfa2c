"""The station network, from `stations.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.loading import CatalogError, read_yaml, require_bilingual, require_code, resolve

DEFAULT_QUOTA_HOURS = 13.0
KINDS = ("street", "town")


@dataclass(frozen=True)
class Station:
    code: str
    prefix: str
    name_zh: str
    name_en: str
    kind: str
    quota_hours: float
    address_zh: str
    address_en: str
    phone: str
    hours_zh: str
    hours_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def address(self, lang: str) -> str:
        return self.address_zh if lang.startswith("zh") else self.address_en

    def hours(self, lang: str) -> str:
        return self.hours_zh if lang.startswith("zh") else self.hours_en


@dataclass(frozen=True)
class StationCatalog:
    stations: tuple[Station, ...]

    def get(self, code: str) -> Station | None:
        return next((s for s in self.stations if s.code == code), None)

    def __contains__(self, code: object) -> bool:
        return any(s.code == code for s in self.stations)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.stations)


def load_stations(directory: Path | None = None) -> StationCatalog:
    path = resolve(directory, "stations.yaml")
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("stations"), list):
        raise CatalogError(path, None, "expected a top-level `stations:` list")
    default_quota = data.get("default_quota_hours", DEFAULT_QUOTA_HOURS)
    if not isinstance(default_quota, (int, float)) or not 0 < default_quota <= 200:
        raise CatalogError(path, "default_quota_hours", "must be a number of hours (0–200]")
    stations: list[Station] = []
    seen_codes: set[str] = set()
    seen_prefixes: set[str] = set()
    for index, raw in enumerate(data["stations"]):
        entry = f"stations[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        stations.append(_parse_station(path, entry, raw, float(default_quota)))
        station = stations[-1]
        if station.code in seen_codes:
            raise CatalogError(path, station.code, "duplicate station code")
        if station.prefix in seen_prefixes:
            raise CatalogError(path, station.code, f"duplicate prefix {station.prefix!r}")
        seen_codes.add(station.code)
        seen_prefixes.add(station.prefix)
    if not stations:
        raise CatalogError(path, None, "no stations")
    return StationCatalog(tuple(stations))


def _parse_station(path: Path, entry: str, raw: dict[str, Any], default_quota: float) -> Station:
    code = require_code(path, entry, raw.get("code"))
    prefix = raw.get("prefix")
    if not isinstance(prefix, str) or not (1 <= len(prefix) <= 4) or not prefix.isalpha():
        raise CatalogError(path, code, "`prefix` must be 1–4 letters")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CatalogError(path, code, f"`kind` must be one of {', '.join(KINDS)}")
    quota = raw.get("quota_hours", default_quota)
    if not isinstance(quota, (int, float)) or not 0 < quota <= 200:
        raise CatalogError(path, code, "`quota_hours` must be a number of hours (0–200]")
    name_zh, name_en = require_bilingual(path, code, raw, "name")
    address_zh, address_en = require_bilingual(path, code, raw, "address")
    hours_zh, hours_en = require_bilingual(path, code, raw, "hours")
    phone = raw.get("phone")
    if not isinstance(phone, str) or not phone.strip():
        raise CatalogError(path, code, "`phone` is missing")
    return Station(
        code=code,
        prefix=prefix.upper(),
        name_zh=name_zh,
        name_en=name_en,
        kind=str(kind),
        quota_hours=float(quota),
        address_zh=address_zh,
        address_en=address_en,
        phone=phone.strip(),
        hours_zh=hours_zh,
        hours_en=hours_en,
    )
