"""The service catalogue residents request from, from `services.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, require_bilingual, require_code, resolve

# Codes the rest of the bot relies on (the knowledge base links FAQ answers to them, reports
# group by them). A replacement file may rename them in zh/en but must keep every code.
REQUIRED_CODES = (
    "elderly_care",
    "emotional_support",
    "child_protection",
    "summer_childcare",
    "employment_training",
    "disability_support",
    "minors_protection",
    "other",
)


@dataclass(frozen=True)
class Service:
    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    urgent: bool = False  # every request for it is urgent (minors' protection)

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def description(self, lang: str) -> str:
        return self.description_zh if lang.startswith("zh") else self.description_en


@dataclass(frozen=True)
class ServiceCatalog:
    services: tuple[Service, ...]

    def get(self, code: str) -> Service | None:
        return next((s for s in self.services if s.code == code), None)

    def __contains__(self, code: object) -> bool:
        return any(s.code == code for s in self.services)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.services)

    @property
    def urgent_codes(self) -> tuple[str, ...]:
        """Services whose requests are always urgent (pass to services.requests.submit)."""
        return tuple(s.code for s in self.services if s.urgent)

    def name(self, code: str, lang: str) -> str:
        """The service's name, or its code when a stored code is no longer in the catalogue."""
        service = self.get(code)
        return service.name(lang) if service else code


def load_services(directory: Path | None = None) -> ServiceCatalog:
    path = resolve(directory, "services.yaml")
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("services"), list):
        raise CatalogError(path, None, "expected a top-level `services:` list")
    services: list[Service] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["services"]):
        entry = f"services[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, raw.get("code"))
        if code in seen:
            raise CatalogError(path, code, "duplicate service code")
        seen.add(code)
        name_zh, name_en = require_bilingual(path, code, raw, "name")
        description_zh, description_en = require_bilingual(path, code, raw, "description")
        urgent = raw.get("urgent", False)
        if not isinstance(urgent, bool):
            raise CatalogError(path, code, "`urgent` must be true or false")
        services.append(
            Service(code, name_zh, name_en, description_zh, description_en, urgent=urgent)
        )
    missing = [code for code in REQUIRED_CODES if code not in seen]
    if missing:
        raise CatalogError(path, None, f"missing service codes: {', '.join(missing)}")
    return ServiceCatalog(tuple(services))
