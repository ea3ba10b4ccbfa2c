"""How staff are addressed in a greeting, from `forms_of_address.yaml`: the titles a name may
already end with, so that the greeting does not add a second one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, resolve

FILE_NAME = "forms_of_address.yaml"
# A name given a role's title: Chinese characters only, a surname or a short full name.
CHINESE_NAME = re.compile(r"^[\u3400-\u9fff]{1,4}$")


@dataclass(frozen=True)
class FormsOfAddress:
    titles: tuple[str, ...]

    def takes_title(self, name: str) -> bool:
        """A Chinese name of one to four characters not already ending with a title."""
        return bool(CHINESE_NAME.match(name)) and not name.endswith(self.titles)


def load_forms_of_address(directory: Path | None = None) -> FormsOfAddress:
    path = resolve(directory, FILE_NAME)
    data = read_yaml(path)
    titles = data.get("titles") if isinstance(data, dict) else None
    if not isinstance(titles, list) or not titles:
        raise CatalogError(path, None, "expected a non-empty top-level `titles:` list")
    for index, title in enumerate(titles):
        if not isinstance(title, str) or not title.strip():
            raise CatalogError(path, f"titles[{index}]", "must be a non-empty text")
    return FormsOfAddress(tuple(t.strip() for t in titles))
