"""Whom to ask about what a station does not handle, from `referrals.yaml`: the legal aid
hotline 12348 for a lawsuit, 12333 for unpaid wages, 12367 for a passport. Shown beside the
offer to pass a question to a social worker, so the resident knows the direct way too."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, reject_unknown_keys, resolve
from knowledge.matcher import fold_width_and_script, script_of

FILE_NAME = "referrals.yaml"
LANGS = ("zh", "en")
SHOWN = 2  # at most this many offices in one reply: more reads as a directory, not an answer
_KEYS = ("name", "what", "zh", "en")
_NOT_WORD = re.compile(r"[^\w]+")


def _plain(text: str, lang: str) -> str:
    """Chinese without spaces or punctuation; English as " word word " (whole words)."""
    folded = fold_width_and_script(unicodedata.normalize("NFKC", text), lang).replace("'", "")
    if lang == "zh":
        return _NOT_WORD.sub("", folded)
    return " " + " ".join(_NOT_WORD.sub(" ", folded).split()) + " "


@dataclass(frozen=True)
class Referral:
    key: str
    names: dict[str, str]  # lang → "法律援助热线 12348"
    whats: dict[str, str]  # lang → what it is for
    cues: dict[str, tuple[str, ...]]  # lang → folded words

    def name(self, lang: str) -> str:
        return self.names[lang]

    def what(self, lang: str) -> str:
        return self.whats[lang]

    def named_in(self, plain: str, lang: str) -> bool:
        return any(cue in plain for cue in self.cues[lang])


@dataclass(frozen=True)
class Referrals:
    offices: tuple[Referral, ...] = ()

    def for_question(self, text: str) -> tuple[Referral, ...]:
        """The offices the question names, in the file's order, at most `SHOWN`. A Chinese
        question is read for the Chinese words, an English one for the English words."""
        lang = script_of(text)
        plain = _plain(text, lang)
        return tuple(office for office in self.offices if office.named_in(plain, lang))[:SHOWN]


def _texts(path: Path, entry: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise CatalogError(path, entry, "expected `zh` and `en` texts")
    if not all(isinstance(value[lang], str) and value[lang].strip() for lang in LANGS):
        raise CatalogError(path, entry, "`zh` and `en` must be non-empty texts")
    return {lang: value[lang].strip() for lang in LANGS}


def _cues(path: Path, entry: str, value: object, lang: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise CatalogError(path, entry, f"`{lang}` must be a non-empty list of words")
    cues = []
    for word in value:
        plain = _plain(word, lang) if isinstance(word, str) else ""
        if not plain.strip():
            raise CatalogError(path, entry, f"{word!r} in `{lang}` is not a word (quote it)")
        cues.append(plain)
    return tuple(cues)


def load_referrals(directory: Path | None = None) -> Referrals:
    path = resolve(directory, FILE_NAME)
    data = read_yaml(path)
    listed = data.get("referrals") if isinstance(data, dict) else None
    if not isinstance(listed, dict) or not listed:
        raise CatalogError(path, None, "expected `referrals:` with one entry per office")
    offices = []
    for key, office in listed.items():
        entry = f"referrals.{key}"
        if not isinstance(office, dict):
            raise CatalogError(path, entry, "expected name, what, zh and en")
        reject_unknown_keys(path, entry, office, _KEYS)
        offices.append(
            Referral(
                key=str(key),
                names=_texts(path, f"{entry}.name", office.get("name")),
                whats=_texts(path, f"{entry}.what", office.get("what")),
                cues={lang: _cues(path, entry, office.get(lang), lang) for lang in LANGS},
            )
        )
    return Referrals(tuple(offices))
