"""The service, volunteer-skill and request-rule catalogues, and their loaders' errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.bundle import load_knowledge
from knowledge.loading import CatalogError
from knowledge.request_rules import load_request_rules
from knowledge.services import REQUIRED_CODES, load_services
from knowledge.volunteer_skills import load_volunteer_skills
from services.errors import InvalidValue
from services.phones import display_phone, from_contact, normalise_cn_phone


def test_shipped_catalogues() -> None:
    knowledge = load_knowledge()
    assert knowledge.services.codes == REQUIRED_CODES
    assert knowledge.services.name("elderly_care", "zh") == "老年人生活照料"
    assert {"elderly_company", "tutoring", "legal_advice", "driving"} <= set(
        knowledge.volunteer_skills.codes
    )
    assert knowledge.request_rules.open_request_limit == 3


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("services: 3\n", "top-level"),
        ("services:\n  - code: elderly_care\n", "name"),
        ("services:\n  - code: bad code\n    name: {zh: a, en: b}\n", "code"),
        ("services:\n  - code: other\n    name: {zh: a, en: b}\n    description: {zh: c, en: d}\n",
         "missing service codes"),
        ("services: [\n", "YAML"),
    ],
)  # fmt: skip
def test_malformed_services_file(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "services.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_services(tmp_path)
    assert problem in str(raised.value) and "services.yaml" in str(raised.value)


def test_malformed_skills_file(tmp_path: Path) -> None:
    (tmp_path / "volunteer_skills.yaml").write_text(
        "skills:\n  - code: a\n    name: {zh: 甲, en: A}\n  - code: a\n    name: {zh: 乙, en: B}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="duplicate"):
        load_volunteer_skills(tmp_path)


@pytest.mark.parametrize("value", ["0", "three", "true", "1000"])
def test_malformed_request_rules(tmp_path: Path, value: str) -> None:
    (tmp_path / "requests.yaml").write_text(f"open_request_limit: {value}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="open_request_limit"):
        load_request_rules(tmp_path)


def test_request_limit_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "requests.yaml").write_text("open_request_limit: 5\n", encoding="utf-8")
    assert load_knowledge(tmp_path).request_rules.open_request_limit == 5


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("１３８００１３８０００", "+8613800138000"),
        ("0579-8000 0001", "+8657980000001"),
        ("(010) 1234 5678", "+861012345678"),
    ],
)
def test_mainland_numbers_are_normalised(typed: str, e164: str) -> None:
    assert normalise_cn_phone(typed) == e164


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "110",
        "1380013800",
        "abc",
        "138001380001234",
        "+14155552671",
        "400-123-4567",
        "13800138000<b>",
    ],
)
def test_other_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_cn_phone(typed)


def test_contacts_and_display() -> None:
    assert from_contact("8613800138000") == "+8613800138000"
    assert display_phone("+8657980000001") == "0579 8000 0001"
