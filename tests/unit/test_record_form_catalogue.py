"""The record templates' forms and the record rules, as loaded from knowledge/."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.bundle import load_knowledge
from knowledge.loading import CatalogError
from knowledge.record_rules import RecordRules, load_record_rules
from knowledge.record_templates import FIELD_KINDS, load_record_templates


def test_every_template_has_a_form_and_every_kind_is_used() -> None:
    catalog = load_record_templates()
    assert len(catalog.templates) == 36
    assert all(t.form and t.required_fields for t in catalog.templates)
    assert {f.kind for t in catalog.templates for f in t.form} == set(FIELD_KINDS)
    group = catalog.template("group_session")
    assert group is not None and group.photo_required
    assert [f.label_zh for f in group.form] == [
        "小组名称", "第几节", "本节目标", "活动内容", "参与人数", "成效与反思",
    ]  # fmt: skip
    visit = catalog.template("needs_visit")
    assert visit is not None
    assert {"走访对象情况", "发现的需求", "处理与跟进"} <= {f.label_zh for f in visit.form}
    sup = catalog.template("sup_record")
    assert sup is not None
    assert [f.label_zh for f in sup.form][:2] == ["督导对象", "形式"]
    risk = catalog.template("case_assess").form_field("risk_level")  # type: ignore[union-attr]
    assert risk is not None and [o.code for o in risk.options] == ["low", "medium", "high"]


def test_no_form_asks_for_a_residents_name_or_phone() -> None:
    for template in load_record_templates().templates:
        for form_field in template.form:
            assert "姓名" not in form_field.label_zh and "电话" not in form_field.label_zh
            assert "phone" not in form_field.label_en.lower()


def _one_template(**field: Any) -> dict[str, Any]:
    base = {
        "code": "f1",
        "label": {"zh": "字段", "en": "Field"},
        "kind": "short_text",
        "required": True,
        "hint": {"zh": "提示", "en": "Hint"},
    }
    base.update(field)
    return {
        "categories": [
            {
                "code": "c",
                "name": {"zh": "类", "en": "C"},
                "templates": [
                    {
                        "code": "t1",
                        "name": {"zh": "表", "en": "T"},
                        "fields": ["duration"],
                        "form": [{k: v for k, v in base.items() if v is not None}],
                    }
                ],
            }
        ]
    }


@pytest.mark.parametrize(
    ("field", "entry", "why"),
    [
        ({"kind": "essay"}, "t1.f1", "is not one of"),
        ({"label": {"zh": "字段"}}, "t1.f1", "label.en"),
        ({"hint": None}, "t1.f1", "hint"),
        ({"required": "yes"}, "t1.f1", "required"),
        ({"kind": "choice"}, "t1.f1", "options"),
        (
            {
                "kind": "choice",
                "options": [{"code": "a", "zh": "甲"}, {"code": "b", "zh": "乙", "en": "B"}],
            },
            "t1.f1.options[0]",
            "label.en",
        ),
        ({"kind": "short_text", "options": []}, "t1.f1", "choice field only"),
        ({"kind": "number", "min": 5, "max": 1}, "t1.f1", "above"),
        ({"kind": "date", "max": 3}, "t1.f1", "number field only"),
        ({"code": "note"}, "t1.note", "base field"),
        ({"code": "Bad-Code"}, "t1.form[0]", "must be 1"),
    ],
)
def test_a_malformed_field_names_file_and_entry(
    tmp_path: Path, field: dict[str, Any], entry: str, why: str
) -> None:
    (tmp_path / "record_templates.yaml").write_text(
        yaml.safe_dump(_one_template(**field), allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(CatalogError) as error:
        load_record_templates(tmp_path)
    assert error.value.path.endswith("record_templates.yaml")
    assert error.value.entry == entry
    assert why in error.value.problem


def test_a_duplicate_field_and_a_bad_photo_flag_are_refused(tmp_path: Path) -> None:
    data = _one_template()
    form = data["categories"][0]["templates"][0]["form"]
    form.append(copy.deepcopy(form[0]))
    (tmp_path / "record_templates.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CatalogError, match="duplicate field code"):
        load_record_templates(tmp_path)
    data = _one_template()
    data["categories"][0]["templates"][0]["photo_required"] = "often"
    (tmp_path / "record_templates.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CatalogError, match="photo_required"):
        load_record_templates(tmp_path)


def test_the_shipped_rules_equal_the_code_defaults() -> None:
    assert load_record_rules() == RecordRules()
    assert load_knowledge().record_rules.late_entry_days == 7


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"late_entry_days": 40}, "late_entry_days"),
        ({"max_activity_hours_per_day": "lots"}, "max_activity_hours_per_day"),
        ({"evidence_per_record": 2.5}, "evidence_per_record"),
        ({"number_min": 10, "number_max": 5}, "number_min"),
    ],
)
def test_malformed_rules_stop_the_start(tmp_path: Path, change: dict[str, Any], key: str) -> None:
    data = yaml.safe_load((Path(__file__).parents[2] / "knowledge/record_rules.yaml").read_text())
    data.update(change)
    (tmp_path / "record_rules.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        load_knowledge(tmp_path)
    assert error.value.entry == key and error.value.path.endswith("record_rules.yaml")
