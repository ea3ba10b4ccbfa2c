"""Every msgid in our .po files is used (kb11): words10 replaced every role refusal by
`kit.words.only_for`, and 39 sentences no code could say any more were still translated. A msgid
is used when the code has it as a string literal (how `_()`, `gettext()`, `N_()` and
`ngettext_of(_)(…)` all receive it; adjacent literals are one string to the parser) or the
knowledge YAML has it (text from data, translated where it is shown)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

from handlers.kit.i18n import LOCALE_OF_LANGUAGE, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
CODE = ("bot", "db", "handlers", "knowledge", "services")


def _literals() -> set[str]:
    found: set[str] = set()
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found.update(
                node.value
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            )
    return found


def _data_texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        yield value.strip()
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _data_texts(key)
            yield from _data_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _data_texts(item)


def _msgids() -> Iterator[tuple[str, str]]:
    for locale in LOCALE_OF_LANGUAGE.values():
        for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            for message in catalog:
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                if msgid:
                    yield f"{locale}/{path.name}", str(msgid)


def test_every_msgid_is_used_by_the_code_or_the_data() -> None:
    used = _literals()
    for path in (ROOT / "knowledge").rglob("*.yaml"):
        used.update(_data_texts(yaml.safe_load(path.read_text(encoding="utf-8"))))
    unused = [(where, msgid) for where, msgid in _msgids() if msgid not in used]
    assert unused == []


def test_the_check_finds_an_unused_msgid() -> None:
    """The literal search is not blind: a sentence no code says any more is not among the
    literals, one said across two adjacent literals is."""
    literals = _literals()
    assert "Sorry, this is for administrators only." not in literals
    assert (
        "I don't have a ready answer to that. A social worker of your station can answer "
        "it, here in this chat. Shall I pass your question on?"
    ) in literals
