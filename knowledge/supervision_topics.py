"""What supervision sessions are about: the buttons `/supervise` offers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.coded_names import load_coded_names
from knowledge.loading import resolve

FILE_NAME = "supervision_topics.yaml"


@dataclass(frozen=True)
class SupervisionTopic:
    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


def load_supervision_topics(directory: Path | None = None) -> tuple[SupervisionTopic, ...]:
    path = resolve(directory, FILE_NAME)
    return tuple(SupervisionTopic(*row) for row in load_coded_names(path, "topics", max_len=24))
