"""Rules for residents' service requests, from `requests.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.loading import CatalogError, read_yaml, require_bilingual, require_code, resolve

DEFAULT_OPEN_LIMIT = 3
AGE_GROUPS = ("0_5", "6_13", "14_17", "18_59", "60_79", "80_plus")


@dataclass(frozen=True)
class ForWhom:
    """One "who is the help for?" option."""

    code: str
    name_zh: str
    name_en: str
    staff_name_zh: str  # the request card seen by staff: 申请人本人, not 我自己
    staff_name_en: str
    ages: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def staff_name(self, lang: str) -> str:
        return self.staff_name_zh if lang.startswith("zh") else self.staff_name_en


def _default_for_whom() -> tuple[ForWhom, ...]:
    everyone = AGE_GROUPS
    return (
        ForWhom("myself", "我自己", "Myself", "申请人本人", "The applicant", AGE_GROUPS[2:]),
        ForWhom("family", "家人", "A family member", "申请人的家人", "A family member", everyone),
        ForWhom("child", "孩子", "A child", "一名孩子", "A child", AGE_GROUPS[:3]),
    )


@dataclass(frozen=True)
class RequestRules:
    # Open (submitted, accepted, in progress) requests one resident may have at one station.
    open_request_limit: int = DEFAULT_OPEN_LIMIT
    for_whom: tuple[ForWhom, ...] = field(default_factory=_default_for_whom)

    @property
    def for_whom_ages(self) -> dict[str, tuple[str, ...]]:
        """code → age groups: what services.requests.submit checks against."""
        return {option.code: option.ages for option in self.for_whom}

    def for_whom_option(self, code: str) -> ForWhom | None:
        return next((o for o in self.for_whom if o.code == code), None)


def _for_whom(path: Path, raw: Any) -> tuple[ForWhom, ...]:
    if not isinstance(raw, list) or not raw:
        raise CatalogError(path, "for_whom", "must be a non-empty list of options")
    options: list[ForWhom] = []
    for index, item in enumerate(raw):
        entry = f"for_whom[{index}]"
        if not isinstance(item, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, item.get("code"), max_len=16)
        if any(o.code == code for o in options):
            raise CatalogError(path, code, "duplicate code")
        name_zh, name_en = require_bilingual(path, code, item, "name")
        staff_zh, staff_en = require_bilingual(path, code, item, "staff_name")
        ages = item.get("ages")
        if not isinstance(ages, list) or not ages or any(a not in AGE_GROUPS for a in ages):
            raise CatalogError(path, f"{code}.ages", f"must list age groups of {AGE_GROUPS}")
        options.append(ForWhom(code, name_zh, name_en, staff_zh, staff_en, tuple(ages)))
    return tuple(options)


def load_request_rules(directory: Path | None = None) -> RequestRules:
    path = resolve(directory, "requests.yaml")
    data = read_yaml(path)
    if data is None:
        return RequestRules()
    if not isinstance(data, dict):
        raise CatalogError(path, None, "expected a mapping of settings")
    unknown = sorted(set(data) - {"open_request_limit", "for_whom"})
    if unknown:
        raise CatalogError(path, unknown[0], "unknown setting")
    limit = data.get("open_request_limit", DEFAULT_OPEN_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise CatalogError(path, "open_request_limit", "must be a whole number from 1 to 100")
    if "for_whom" not in data:
        return RequestRules(open_request_limit=limit)
    return RequestRules(open_request_limit=limit, for_whom=_for_whom(path, data["for_whom"]))
