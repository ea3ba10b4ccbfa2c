"""knowledge/cases.yaml and the overdue-case timings in reminders.yaml: shipped and malformed."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from knowledge.cases import REQUIRED_FOR_WHOM, REQUIRED_SOURCES, REQUIRED_STAGES, load_cases
from knowledge.loading import DEFAULT_DIR, CatalogError
from knowledge.record_templates import load_record_templates
from knowledge.reminders import load_reminders

SHIPPED = (DEFAULT_DIR / "cases.yaml").read_text(encoding="utf-8")


def test_the_shipped_case_catalogue() -> None:
    catalog = load_cases(None, load_record_templates())
    assert catalog.stage_codes == REQUIRED_STAGES
    assert [s.template_code for s in catalog.stages] == [
        "case_intake", "case_assess", "case_plan", "case_record", "case_referral", "case_closing"
    ]  # fmt: skip
    assert catalog.closing_stage.code == "closing"
    assert [s.code for s in catalog.stages if s.sign_off] == ["plan", "closing"]
    assert catalog.codes(catalog.request_sources) == REQUIRED_SOURCES
    assert set(REQUIRED_FOR_WHOM) <= set(catalog.codes(catalog.for_whom))
    assert {"hospital", "school", "police", "civil_affairs"} <= set(catalog.codes(catalog.agencies))
    assert catalog.stage_for_template("case_plan") is not None
    assert catalog.stage_for_template("group_session") is None
    assert catalog.risk_levels[0].name("zh") == "低风险"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("template: case_assess", "template: no_such_form"), "unknown record template"),
        (("{code: referral, template: case_referral,", "{code: refer, template: case_referral,"), "required"),
        (("closing: true, sign_off", "sign_off"), "exactly one stage"),
        (("{code: phone,", "{code: walk_in,"), "duplicate"),
        (("max_every_days: 90", "max_every_days: lots"), "whole number"),
    ],
)  # fmt: skip
def test_a_malformed_case_catalogue_names_the_entry(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    assert change[0] in SHIPPED
    (tmp_path / "cases.yaml").write_text(SHIPPED.replace(*change), encoding="utf-8")
    with pytest.raises(CatalogError, match=problem) as raised:
        load_cases(tmp_path, load_record_templates())
    assert raised.value.path.endswith("cases.yaml")


def test_overdue_case_timings(tmp_path: Path) -> None:
    shipped = load_reminders(None)
    assert shipped.case_worker_time == time(9, 0) and shipped.case_head_after == timedelta(days=3)
    text = (DEFAULT_DIR / "reminders.yaml").read_text(encoding="utf-8")
    # an older file without the section still loads, with the defaults
    start = text.index("# A case whose next contact")
    (tmp_path / "reminders.yaml").write_text(text[:start], encoding="utf-8")
    older = load_reminders(tmp_path)
    assert older.case_worker_time == time(9, 0) and older.case_head_after == timedelta(days=3)
    (tmp_path / "reminders.yaml").write_text(
        text.replace('worker_time: "09:00"', 'worker_time: "22:30"'), encoding="utf-8"
    )
    with pytest.raises(CatalogError, match="quiet hours"):
        load_reminders(tmp_path)


def test_an_unquoted_comma_in_a_text_is_refused(tmp_path: Path) -> None:
    # `{zh: …, en: If not, say where}`: YAML reads ", say where" as a key of its own, and the
    # English hint stopped at the comma ("Case accepted / If not"). Fifteen hints did.
    from knowledge.loading import require_bilingual

    with pytest.raises(CatalogError, match="quote a text with a comma"):
        require_bilingual(
            tmp_path,
            "x",
            {"hint": {"zh": "不接案时说明。", "en": "If not", "say where": None}},
            "hint",
        )


def test_the_shipped_record_hints_keep_their_commas() -> None:
    from knowledge.bundle import load_knowledge

    catalog = load_knowledge().record_templates
    hints = [f.hint("en") for c in catalog.categories for t in c.templates for f in t.form]
    assert "If not, say in the note where it went." in hints
