"""The groups of residents whose person-times a station reports, from `served_groups.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.coded_names import load_coded_names
from knowledge.loading import CatalogError, resolve

FILE_NAME = "served_groups.yaml"
# Reports and the `activity_groups` table rely on these codes; a deployment may rename the
# groups but not drop or recode them.
REQUIRED_CODES = ("elderly", "disabled", "children", "low_income", "minority", "other")


@dataclass(frozen=True)
class ServedGroup:
    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


def load_served_groups(directory: Path | None = None) -> tuple[ServedGroup, ...]:
    path = resolve(directory, FILE_NAME)
    groups = tuple(ServedGroup(*row) for row in load_coded_names(path, "groups", max_len=24))
    codes = {g.code for g in groups}
    for code in REQUIRED_CODES:
        if code not in codes:
            raise CatalogError(path, code, "this group is required (reports count it)")
    return groups
