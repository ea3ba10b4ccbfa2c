"""Case work's catalogue, from `cases.yaml`: stages (each with its record template), risk
levels, request sources, "for whom" options, outside agencies and referral outcomes.

Pure data. The rules (which stage may follow which, who may do what) live in `services.cases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.loading import CatalogError, read_yaml, require_bilingual, require_code, resolve
from knowledge.record_templates import TemplateCatalog

FILE_NAME = "cases.yaml"
MAX_CODE = 24
# Services and the database rely on these codes; a deployment may rename, not drop them.
REQUIRED_STAGES = ("intake", "assessment", "plan", "service", "referral", "closing")
REQUIRED_SOURCES = ("telegram", "walk_in", "phone", "outreach", "village", "agency")
REQUIRED_FOR_WHOM = ("myself", "family", "child", "neighbour", "someone_else")


@dataclass(frozen=True)
class CodedName:
    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class CaseStage:
    code: str
    template_code: str
    name_zh: str
    name_en: str
    closing: bool = False
    sign_off: bool = False

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class CaseCatalog:
    stages: tuple[CaseStage, ...]
    risk_levels: tuple[CodedName, ...]
    request_sources: tuple[CodedName, ...]
    for_whom: tuple[CodedName, ...]
    agencies: tuple[CodedName, ...]
    referral_outcomes: tuple[CodedName, ...]
    max_every_days: int = 90
    max_days_ahead: int = 366

    def stage(self, code: str) -> CaseStage | None:
        return next((s for s in self.stages if s.code == code), None)

    def stage_for_template(self, template_code: str) -> CaseStage | None:
        return next((s for s in self.stages if s.template_code == template_code), None)

    @property
    def stage_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.stages)

    @property
    def closing_stage(self) -> CaseStage:
        return next(s for s in self.stages if s.closing)

    @staticmethod
    def codes(items: tuple[CodedName, ...]) -> tuple[str, ...]:
        return tuple(i.code for i in items)


def _coded(path: Path, data: dict[str, Any], key: str) -> tuple[CodedName, ...]:
    raw = data.get(key)
    if not isinstance(raw, list) or not raw:
        raise CatalogError(path, key, "must be a non-empty list")
    found: list[CodedName] = []
    for index, item in enumerate(raw):
        entry = f"{key}[{index}]"
        if not isinstance(item, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, item.get("code"), max_len=MAX_CODE)
        if any(f.code == code for f in found):
            raise CatalogError(path, f"{key}.{code}", "duplicate code")
        found.append(CodedName(code, *require_bilingual(path, f"{key}.{code}", item, "name")))
    return tuple(found)


def _require(path: Path, key: str, have: tuple[str, ...], needed: tuple[str, ...]) -> None:
    for code in needed:
        if code not in have:
            raise CatalogError(path, f"{key}.{code}", "this code is required (the bot uses it)")


def load_cases(
    directory: Path | None = None, templates: TemplateCatalog | None = None
) -> CaseCatalog:
    """Raises CatalogError naming the file, the entry and the problem."""
    path = resolve(directory, FILE_NAME)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError(path, None, "expected a mapping")
    raw_stages = data.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise CatalogError(path, "stages", "must be a non-empty list")
    stages: list[CaseStage] = []
    for index, raw in enumerate(raw_stages):
        entry = f"stages[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, raw.get("code"), max_len=MAX_CODE)
        if any(s.code == code for s in stages):
            raise CatalogError(path, f"stages.{code}", "duplicate code")
        template = raw.get("template")
        if not isinstance(template, str) or not template:
            raise CatalogError(path, f"stages.{code}", "`template` must name a record template")
        if templates is not None and templates.template(template) is None:
            raise CatalogError(path, f"stages.{code}", f"unknown record template {template!r}")
        if any(s.template_code == template for s in stages):
            raise CatalogError(path, f"stages.{code}", "two stages share one template")
        for flag in ("closing", "sign_off"):
            if not isinstance(raw.get(flag, False), bool):
                raise CatalogError(path, f"stages.{code}.{flag}", "must be true or false")
        stages.append(
            CaseStage(
                code=code,
                template_code=template,
                name_zh=require_bilingual(path, f"stages.{code}", raw, "name")[0],
                name_en=require_bilingual(path, f"stages.{code}", raw, "name")[1],
                closing=bool(raw.get("closing", False)),
                sign_off=bool(raw.get("sign_off", False)),
            )
        )
    _require(path, "stages", tuple(s.code for s in stages), REQUIRED_STAGES)
    if sum(1 for s in stages if s.closing) != 1:
        raise CatalogError(path, "stages", "exactly one stage must be `closing: true`")
    sources = _coded(path, data, "request_sources")
    _require(path, "request_sources", CaseCatalog.codes(sources), REQUIRED_SOURCES)
    for_whom = _coded(path, data, "for_whom")
    _require(path, "for_whom", CaseCatalog.codes(for_whom), REQUIRED_FOR_WHOM)
    contact = data.get("next_contact", {})
    if not isinstance(contact, dict):
        raise CatalogError(path, "next_contact", "must be a mapping")
    bounds = []
    for key, default in (("max_every_days", 90), ("max_days_ahead", 366)):
        value = contact.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3660:
            raise CatalogError(path, f"next_contact.{key}", "must be a whole number of days")
        bounds.append(value)
    return CaseCatalog(
        stages=tuple(stages),
        risk_levels=_coded(path, data, "risk_levels"),
        request_sources=sources,
        for_whom=for_whom,
        agencies=_coded(path, data, "agencies"),
        referral_outcomes=_coded(path, data, "referral_outcomes"),
        max_every_days=bounds[0],
        max_days_ahead=bounds[1],
    )
