"""English never says "1 volunteers": a count placed before a counted noun is a plural form.

The scan reads every English catalogue: a singular msgid (no msgid_plural) in which a
placeholder is followed, at most one word later, by one of the plural nouns the bot counts
("{count} volunteers", "{count} matching volunteers", "{hours} confirmed hours") fails; such a
line must go through `ngettext` (`ngettext_for` or `ngettext_of` in the kit). Not flagged:
placeholders that are configured bounds ("at most {limit} characters", "the shortest is
{minimum} hours"), abbreviations ("{hours} h"), and the length of a text refused as too long
("That is {count} characters; … at most 64"), which is always above a limit of dozens.
"""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from bot.commands.english import count_of
from handlers.kit.i18n import LOCALES_DIR, Translator, ngettext_of
from handlers.kit.words import hours_count, ngettext_for, volunteers_count

NOUNS = (
    "activities", "applications", "cases", "characters", "days", "files", "hours", "logs",
    "minutes", "months", "person-times", "questions", "ratings", "records", "requests",
    "residents", "sessions", "stations", "volunteers", "weeks",
)  # fmt: skip
BOUNDS = {"limit", "max", "maximum", "minimum", "low"}
COUNTED = re.compile(r"\{(\w+)\}\s+(?:[a-z]+\s+)?(" + "|".join(map(re.escape, NOUNS)) + r")\b")


TOO_LONG = re.compile(r"at most|keep it (?:under|to)|keep the \w+ under|or fewer")


def counted_without_plural(msgid: str) -> list[str]:
    return [
        m.group(0)
        for m in COUNTED.finditer(msgid)
        if m.group(1) not in BOUNDS and not (m.group(2) == "characters" and TOO_LONG.search(msgid))
    ]


def test_the_scan_finds_what_it_should_and_only_that() -> None:
    assert counted_without_plural("✅ Published. {count} matching volunteers will be told.")
    assert counted_without_plural("{people} person-times, {volunteers} volunteers")
    assert counted_without_plural("overdue by {days} days")
    assert not counted_without_plural("That is too much: the longest is {maximum} hours.")
    assert not counted_without_plural("{done} h logged this month of the {quota} h required")
    assert not counted_without_plural("Request {ref} at {station} has still not been accepted.")
    assert not counted_without_plural("That is {count} characters; a name can have at most 64.")
    assert counted_without_plural("You typed {count} characters.")


def test_no_english_line_counts_without_a_plural_form() -> None:
    found = []
    for path in sorted((LOCALES_DIR / "en" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id and isinstance(message.id, str):
                for hit in counted_without_plural(message.id):
                    found.append(f"{path.name}: {hit!r} in {message.id!r}")
    assert found == []


def test_one_and_two_in_english_and_chinese() -> None:
    translator = Translator()
    en, zh = ngettext_for(translator, "en"), ngettext_for(translator, "zh")
    assert [volunteers_count(en, n) for n in (0, 1, 2)] == [
        "0 volunteers", "1 volunteer", "2 volunteers",
    ]  # fmt: skip
    assert [hours_count(en, h) for h in (0.5, 1, 1.5, 2)] == [
        "0.5 hours", "1 hour", "1.5 hours", "2 hours",
    ]  # fmt: skip
    assert volunteers_count(zh, 1) == "1名志愿者" and hours_count(zh, 1.5) == "1.5小时"


def test_a_bare_gettext_still_pluralises() -> None:
    """Renderers get only `_`; `ngettext_of(_)` finds its language's plural forms."""
    translator = Translator()
    zh = ngettext_of(translator.for_language("zh"))
    assert zh("{count} volunteer", "{count} volunteers", 2) == "{count}名志愿者"
    english = ngettext_of(lambda message: message)  # not from a Translator: the English rule
    assert english("{n} day", "{n} days", 1) == "{n} day"


def test_the_operators_commands_count_in_english() -> None:
    assert [count_of(n, "record") for n in (0, 1, 2)] == ["0 records", "1 record", "2 records"]
    assert count_of(1, "activity", "activities") == "1 activity"
    assert count_of(3, "activity", "activities") == "3 activities"
