"""Answers typed at a yes/no question instead of pressing its button, from
`typed_answers.yaml`: the words that mean its No ("不用了", "不要", "no thanks"), optional its
Yes ("好", "嗯", "ok"), and those that mean an optional step's Skip ("跳过", "无", "skip")."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, resolve

FILE_NAME = "typed_answers.yaml"
LANGS = ("zh", "en")


def fold(text: str) -> str:
    """`text` as compared: NFKC (full-width letters), case folded, punctuation and symbols
    dropped, words one space apart ("No, thanks!" is "no thanks", "不用了。" is "不用了")."""
    kept = (
        " " if unicodedata.category(ch)[0] in "PSZ" else ch
        for ch in unicodedata.normalize("NFKC", text).casefold()
    )
    return " ".join("".join(kept).split())


@dataclass(frozen=True)
class TypedAnswers:
    declines: frozenset[str]  # folded
    accepts: frozenset[str] = frozenset()  # folded
    skips: frozenset[str] = frozenset()  # folded

    def means_no(self, text: str) -> bool:
        """The whole of `text` is a No, in either language."""
        return fold(text) in self.declines

    def means_yes(self, text: str) -> bool:
        """The whole of `text` is a Yes, in either language."""
        return fold(text) in self.accepts

    def means_skip(self, text: str) -> bool:
        """The whole of `text` is a Skip (typed, or a Skip button's label), in either language."""
        return fold(text) in self.skips


def load_typed_answers(directory: Path | None = None) -> TypedAnswers:
    path = resolve(directory, FILE_NAME)
    data = read_yaml(path)
    declines = data.get("declines") if isinstance(data, dict) else None
    if not isinstance(declines, dict) or set(declines) != set(LANGS):
        raise CatalogError(path, None, "expected `declines:` with `zh` and `en` lists")
    no = _words(path, "declines", declines)
    accepts = data.get("accepts")  # optional: a deployment's older file has none
    yes: frozenset[str] = frozenset()
    if accepts is not None:
        if not isinstance(accepts, dict) or set(accepts) != set(LANGS):
            raise CatalogError(path, None, "expected `accepts:` with `zh` and `en` lists")
        yes = _words(path, "accepts", accepts)
    if no & yes:
        raise CatalogError(path, "accepts", f"also a decline: {', '.join(sorted(no & yes))}")
    skips = data.get("skips", {lang: [] for lang in LANGS})  # optional too
    if not isinstance(skips, dict) or set(skips) != set(LANGS):
        raise CatalogError(path, None, "expected `skips:` with `zh` and `en` lists")
    return TypedAnswers(no, yes, _words(path, "skips", skips, empty=True))


def _words(
    path: Path, key: str, by_lang: dict[str, object], *, empty: bool = False
) -> frozenset[str]:
    words: set[str] = set()
    for lang in LANGS:
        listed = by_lang[lang]
        if not isinstance(listed, list) or not (listed or empty):
            raise CatalogError(path, f"{key}.{lang}", "must be a non-empty list of texts")
        for word in listed:
            if not isinstance(word, str) or not fold(word):
                # A bare `no` (or `yes`) is YAML's boolean: say so rather than "not a text".
                raise CatalogError(path, f"{key}.{lang}", f"{word!r} is not a text (quote it)")
            words.add(fold(word))
    return frozenset(words)
