"""gettext catalogues for handlers: English msgids, `zh_Hans` and `en` translations.

Each journey owns its `.po` file under `locales/<locale>/LC_MESSAGES/`; they are merged at
start, so two journeys can add text without touching each other's files. The `.po` files are
the source and are read directly (no compiled `.mo` to go stale).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from weakref import WeakKeyDictionary

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent.parent / "locales"
LOCALE_OF_LANGUAGE = {"zh": "zh_Hans", "en": "en"}
Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

# The plural forms of each language's gettext, so code handed only `_` (a document renderer,
# a reminder's text) can still say "1 volunteer" / "2 volunteers": see `ngettext_of`.
_PLURAL_FORMS: WeakKeyDictionary[Gettext, Ngettext] = WeakKeyDictionary()


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def ngettext_of(gettext: Gettext) -> Ngettext:
    """The `ngettext(singular, plural, n)` of the language `gettext` speaks (call the result
    `ngettext`, so the catalogue tool extracts both forms). A gettext not made by a
    Translator (a test's identity function) gets the English rule."""
    return _PLURAL_FORMS.get(gettext, _english_plural)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level labels)."""
    return message


class Translator:
    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self.catalogs: dict[str, dict[str, str]] = {}
        self.plurals: dict[str, dict[str, tuple[str, ...]]] = {}
        # msgctxt variants (e.g. "minor": 你 instead of 您 for children and teenagers)
        self.contexts: dict[str, dict[str, dict[str, str]]] = {}
        for language, locale in LOCALE_OF_LANGUAGE.items():
            singles: dict[str, str] = {}
            plurals: dict[str, tuple[str, ...]] = {}
            variants: dict[str, dict[str, str]] = {}
            for path in sorted((locales_dir / locale / "LC_MESSAGES").glob("*.po")):
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=locale)
                for message in catalog:
                    if not message.id or message.fuzzy:
                        continue
                    if message.context and isinstance(message.id, str):
                        if message.string:
                            variants.setdefault(message.context, {})[message.id] = str(
                                message.string
                            )
                        continue
                    if isinstance(message.id, tuple):
                        forms = tuple(message.string) if isinstance(message.string, tuple) else ()
                        if all(forms):
                            plurals[message.id[0]] = forms
                    elif message.string:
                        singles[str(message.id)] = str(message.string)
            self.catalogs[language] = singles
            self.plurals[language] = plurals
            self.contexts[language] = variants

    def gettext(self, language: str, message: str) -> str:
        return self.catalogs.get(language, {}).get(message, message)

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get(language, {}).get(singular)
        if not forms:
            return singular if n == 1 else plural
        if language == "zh":
            return forms[0]
        return forms[0] if n == 1 else forms[min(1, len(forms) - 1)]

    def for_language(self, language: str, context: str | None = None) -> Gettext:
        """The language's gettext; with `context` (a msgctxt such as "minor"), its variant
        wherever the catalogue has one, else the plain translation."""
        variants = self.contexts.get(language, {}).get(context, {}) if context else {}

        def gettext(message: str) -> str:
            found = variants.get(message)
            return found if found is not None else self.gettext(language, message)

        _PLURAL_FORMS[gettext] = partial(self.ngettext, language)
        return gettext


# --- counts with their noun, in the plural form the number wants -------------------------
def hours_label(hours: float) -> str:
    """1.5 → "1.5", 2.0 → "2", 0.25 → "0.25"."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def plural_n(value: float) -> int:
    """The n to pick a plural form for a decimal figure: English says "1 hour" but "0.5 hours"
    and "1.5 hours", so only exactly one is singular."""
    return 1 if value == 1 else 2


def hours_count(
    ngettext: Ngettext, hours: float, label: Callable[[float], str] = hours_label
) -> str:
    """ "1 hour", "1.5 hours", "2 hours" (Chinese "1.5小时"); `label` writes the figure (a
    report rounds to one decimal), and the form follows what is written: "1.0" reads "1"."""
    shown = label(hours)
    return ngettext("{hours} hour", "{hours} hours", 1 if shown == label(1) else 2).format(
        hours=shown
    )


def person_times_count(ngettext: Ngettext, count: int) -> str:
    """ "1 person-time", "12 person-times" (Chinese "12人次")."""
    return ngettext("{count} person-time", "{count} person-times", count).format(count=count)


def volunteers_count(ngettext: Ngettext, count: int) -> str:
    """ "1 volunteer", "2 volunteers" (Chinese "2名志愿者")."""
    return ngettext("{count} volunteer", "{count} volunteers", count).format(count=count)


def activities_count(ngettext: Ngettext, count: int) -> str:
    """ "1 activity", "2 activities" (Chinese "活动2次")."""
    return ngettext("{count} activity", "{count} activities", count).format(count=count)
