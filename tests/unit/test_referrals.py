"""Whom to ask directly about what a station does not handle (`referrals.yaml`): words found
after width and script are folded, English words whole, at most two offices in the file's
order; a malformed file refused with its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.bundle import load_knowledge
from knowledge.loading import CatalogError
from knowledge.referrals import load_referrals


@pytest.mark.parametrize(
    ("question", "offices"),
    [
        ("老公要跟我离婚，孩子抚养权怎么争取", ["legal_aid"]),
        ("想請個律師打官司", ["legal_aid"]),  # traditional characters folded
        ("老板拖欠我三个月工资了怎么办", ["labour_and_social_insurance"]),
        ("护照过期了去哪里换", ["immigration"]),
        ("明天天气怎么样", ["weather"]),
        ("How do I renew my PASSPORT?", ["immigration"]),
        ("can I sue my landlord", ["legal_aid"]),
        ("is there an issue with my form", []),  # "sue" is a whole word, not in "issue"
        ("离婚登记要带什么", ["legal_aid", "government"]),  # both, the file's order
        ("社工站几点开门", []),
        ("老年人有什么补贴", []),  # what a station does is never sent elsewhere
    ],
)
def test_the_offices_a_question_names(question: str, offices: list[str]) -> None:
    found = load_knowledge().referrals.for_question(question)
    assert [office.key for office in found] == offices


def test_never_more_than_two() -> None:
    found = load_knowledge().referrals.for_question("离婚打官司要律师，社保停了，护照也丢了")
    assert len(found) == 2


def test_each_office_has_its_number_in_both_languages() -> None:
    for office in load_knowledge().referrals.offices:
        numbers = [part for part in office.name("zh").split() if part.isdigit()]
        assert numbers and all(n in office.name("en") for n in numbers), office.key


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("offices: {}\n", "expected `referrals:`"),
        ("referrals: {x: {name: {zh: 甲}, what: {zh: 乙, en: b}, zh: [丙], en: [c]}}\n",
         "expected `zh` and `en` texts"),
        ("referrals: {x: {name: {zh: 甲, en: a}, what: {zh: 乙, en: b}, zh: [], en: [c]}}\n",
         "non-empty list"),
        ("referrals: {x: {name: {zh: 甲, en: a}, what: {zh: 乙, en: b}, zh: [丙], en: [c],"
         " phone: 1}}\n", "unknown key 'phone'"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "referrals.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_referrals(tmp_path)
    assert problem in str(error.value) and "referrals.yaml" in str(error.value)
