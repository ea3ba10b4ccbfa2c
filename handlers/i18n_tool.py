"""Developers' tool: which msgids lack a translation, and add them to a journey's `.po` files.

    python -m handlers.i18n_tool missing            # list msgids missing in zh_Hans or en
    python -m handlers.i18n_tool add requests       # append missing msgids to requests.po
                                                    # (en prefilled with the msgid, zh empty)
    python -m handlers.i18n_tool fill requests zh.json  # fill empty zh msgstrs from {msgid: zh}

Babel extracts `_()`, `N_()` and `ngettext()` calls from every module in `handlers/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from handlers.kit.i18n import LOCALE_OF_LANGUAGE, LOCALES_DIR, Translator

HANDLERS_DIR = Path(__file__).parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extracted_msgids() -> dict[str, tuple[str, int]]:
    """msgid → (file, line) of its first use."""
    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(HANDLERS_DIR), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, (filename, lineno))
    return found


def missing() -> dict[str, list[str]]:
    translator = Translator()
    wanted = extracted_msgids()
    result: dict[str, list[str]] = {}
    for language in LOCALE_OF_LANGUAGE:
        have = set(translator.catalogs[language]) | set(translator.plurals[language])
        result[language] = sorted(m for m in wanted if m not in have)
    return result


def add(domain: str) -> None:
    gaps = missing()
    for language, locale in LOCALE_OF_LANGUAGE.items():
        path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="stationbot", charset="utf-8")
        for msgid in gaps[language]:
            if msgid not in catalog:
                # msgids are English, so the English catalogue starts out as a copy.
                catalog.add(msgid, msgid if language == "en" else "")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, include_previous=False)


def fill(domain: str, table_path: str) -> list[str]:
    """Set empty zh_Hans msgstrs of `domain.po` from a JSON {msgid: translation}; return the rest."""
    import json

    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    path = LOCALES_DIR / LOCALE_OF_LANGUAGE["zh"] / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALE_OF_LANGUAGE["zh"])
    left = []
    for message in catalog:
        if message.id and not message.string:
            if message.id in table:
                message.string = table[message.id]
            else:
                left.append(str(message.id))
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0)
    return left


def main(argv: list[str]) -> int:
    if argv[:1] == ["missing"]:
        gaps = missing()
        for language, msgids in gaps.items():
            for msgid in msgids:
                print(f"{language}\t{msgid!r}")
        return 1 if any(gaps.values()) else 0
    if len(argv) == 3 and argv[0] == "fill":
        left = fill(argv[1], argv[2])
        for msgid in left:
            print(f"untranslated\t{msgid!r}")
        return 1 if left else 0
    if len(argv) == 2 and argv[0] == "add":
        add(argv[1])
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
