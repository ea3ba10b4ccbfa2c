"""The city's record templates (文书套表), from `record_templates.yaml`.

Ten categories and thirty-six templates by default; a deployment may ship its own file. Each
template lists the fields `/log` asks for, so desk work (a plan, a monthly report) never asks
for person-times and never inflates the figures a station reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.loading import (
    CatalogError,
    read_yaml,
    reject_unknown_keys,
    require_bilingual,
    require_code,
    resolve,
)

FILE_NAME = "record_templates.yaml"
MAX_CODE = 24  # codes travel in callback_data (64 bytes) with a prefix
DURATION, GROUPS, PERSON_TIMES, NOTE = "duration", "groups", "person_times", "note"
KNOWN_FIELDS = (DURATION, GROUPS, PERSON_TIMES, NOTE)


@dataclass(frozen=True)
class RecordTemplate:
    code: str
    category_code: str
    name_zh: str
    name_en: str
    fields: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def asks(self, field: str) -> bool:
        return field in self.fields

    @property
    def counts_people(self) -> bool:
        """Whether an activity in this template serves residents (groups and person-times)."""
        return PERSON_TIMES in self.fields


@dataclass(frozen=True)
class TemplateCategory:
    code: str
    name_zh: str
    name_en: str
    templates: tuple[RecordTemplate, ...]

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class TemplateCatalog:
    categories: tuple[TemplateCategory, ...]

    def template(self, code: str) -> RecordTemplate | None:
        return next((t for t in self.templates if t.code == code), None)

    def category(self, code: str) -> TemplateCategory | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def templates(self) -> tuple[RecordTemplate, ...]:
        return tuple(t for c in self.categories for t in c.templates)


def load_record_templates(directory: Path | None = None) -> TemplateCatalog:
    """Raises CatalogError naming the file, the entry and what is wrong with it."""
    path = resolve(directory, FILE_NAME)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise CatalogError(path, None, "expected a top-level `categories:` list")
    categories: list[TemplateCategory] = []
    category_codes: set[str] = set()
    template_codes: set[str] = set()
    for index, raw in enumerate(data["categories"]):
        entry = f"categories[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, raw.get("code"), max_len=MAX_CODE)
        reject_unknown_keys(path, code, raw, ("code", "name", "templates"))
        if code in category_codes:
            raise CatalogError(path, code, "duplicate category code")
        category_codes.add(code)
        name_zh, name_en = require_bilingual(path, code, raw, "name")
        raw_templates = raw.get("templates")
        if not isinstance(raw_templates, list) or not raw_templates:
            raise CatalogError(path, code, "`templates` must be a non-empty list")
        templates = []
        for t_index, raw_template in enumerate(raw_templates):
            template = _parse_template(path, f"{code}.templates[{t_index}]", code, raw_template)
            if template.code in template_codes:
                raise CatalogError(path, template.code, "duplicate template code")
            template_codes.add(template.code)
            templates.append(template)
        categories.append(TemplateCategory(code, name_zh, name_en, tuple(templates)))
    if not categories:
        raise CatalogError(path, None, "no categories")
    return TemplateCatalog(tuple(categories))


def _parse_template(path: Path, entry: str, category: str, raw: Any) -> RecordTemplate:
    if not isinstance(raw, dict):
        raise CatalogError(path, entry, "must be a mapping")
    code = require_code(path, entry, raw.get("code"), max_len=MAX_CODE)
    reject_unknown_keys(path, code, raw, ("code", "name", "fields"))
    name_zh, name_en = require_bilingual(path, code, raw, "name")
    fields = raw.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise CatalogError(path, code, "`fields` must be a list of field names")
    unknown = [f for f in fields if f not in KNOWN_FIELDS]
    if unknown:
        raise CatalogError(
            path, code, f"unknown field {unknown[0]!r} (known: {', '.join(KNOWN_FIELDS)})"
        )
    if len(set(fields)) != len(fields):
        raise CatalogError(path, code, "a field is listed twice")
    if DURATION not in fields:
        raise CatalogError(path, code, "`fields` must include `duration`")
    if (GROUPS in fields) != (PERSON_TIMES in fields):
        raise CatalogError(path, code, "`groups` and `person_times` go together")
    ordered = tuple(f for f in KNOWN_FIELDS if f in fields)
    return RecordTemplate(code, category, name_zh, name_en, ordered)
