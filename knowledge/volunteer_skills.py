"""Skills a volunteer can offer, from `volunteer_skills.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, require_bilingual, require_code, resolve

MAX_SKILLS = 30
MINOR_AGE_GROUP = "14_17"  # services.volunteers.MINOR (knowledge never imports services)  # each is a button; more would not fit a Telegram keyboard comfortably


@dataclass(frozen=True)
class Skill:
    code: str
    name_zh: str
    name_en: str
    adults_only: bool = False  # not offered to 14–17-year-olds

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class SkillCatalog:
    skills: tuple[Skill, ...]

    def get(self, code: str) -> Skill | None:
        return next((s for s in self.skills if s.code == code), None)

    def __contains__(self, code: object) -> bool:
        return any(s.code == code for s in self.skills)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.skills)

    def for_age_group(self, age_group: str) -> tuple[Skill, ...]:
        """The skills to offer a volunteer of this age group (services.volunteers codes)."""
        if age_group == MINOR_AGE_GROUP:
            return tuple(s for s in self.skills if not s.adults_only)
        return self.skills

    def name(self, code: str, lang: str) -> str:
        skill = self.get(code)
        return skill.name(lang) if skill else code


def load_volunteer_skills(directory: Path | None = None) -> SkillCatalog:
    path = resolve(directory, "volunteer_skills.yaml")
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("skills"), list):
        raise CatalogError(path, None, "expected a top-level `skills:` list")
    skills: list[Skill] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["skills"]):
        entry = f"skills[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, raw.get("code"))
        if code in seen:
            raise CatalogError(path, code, "duplicate skill code")
        seen.add(code)
        name_zh, name_en = require_bilingual(path, code, raw, "name")
        adults_only = raw.get("adults_only", False)
        if not isinstance(adults_only, bool):
            raise CatalogError(path, code, "`adults_only` must be true or false")
        skills.append(Skill(code, name_zh, name_en, adults_only=adults_only))
    if not skills:
        raise CatalogError(path, None, "no skills")
    if len(skills) > MAX_SKILLS:
        raise CatalogError(path, None, f"at most {MAX_SKILLS} skills fit on the buttons")
    return SkillCatalog(tuple(skills))
