"""Every user-facing msgid is translated in both languages, with the same placeholders."""

from __future__ import annotations

import string

from handlers.i18n_tool import extracted_msgids, missing
from handlers.kit.i18n import Translator


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_no_msgid_lacks_a_translation() -> None:
    gaps = missing()
    assert gaps == {"zh": [], "en": []}, gaps


def test_translations_keep_the_placeholders() -> None:
    translator = Translator()
    wrong = []
    for msgid in extracted_msgids():
        for language in ("zh", "en"):
            translated = translator.gettext(language, msgid)
            if _fields(translated) != _fields(msgid):
                wrong.append((language, msgid, translated))
    assert wrong == []


def test_chinese_is_really_chinese() -> None:
    """A zh msgstr identical to a long English msgid is an untranslated copy."""
    translator = Translator()
    copies = [
        m for m in extracted_msgids()
        if len(m) > 12 and any(c.isalpha() and c.isascii() for c in m)
        and translator.gettext("zh", m) == m
        and m not in translator.plurals["zh"]  # an ngettext msgid: translated as plural forms
    ]  # fmt: skip
    assert copies == []
