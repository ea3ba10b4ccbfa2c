"""The record templates, served groups and supervision topics: the defaults, and refusing
malformed replacements with the file, the entry and the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from knowledge.bundle import load_knowledge
from knowledge.loading import CatalogError
from knowledge.record_templates import load_record_templates
from knowledge.served_groups import REQUIRED_CODES, load_served_groups
from knowledge.supervision_topics import load_supervision_topics

ROOT = Path(__file__).resolve().parents[2]


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_default_catalogue_has_10_categories_and_36_templates() -> None:
    catalog = load_record_templates()
    assert len(catalog.categories) == 10
    assert len(catalog.templates) == 36
    codes = [t.code for t in catalog.templates]
    assert len(set(codes)) == 36
    assert all(len(c) <= 24 and c.isascii() for c in codes)
    assert all(len(f"log:tpl:{c}".encode()) <= 64 for c in codes)
    for template in catalog.templates:
        assert _has_chinese(template.name("zh")) and not _has_chinese(template.name("en"))
        assert catalog.category(template.category_code) is not None
        assert "duration" in template.fields
    case = catalog.category("casework")
    assert case is not None and case.name("zh") == "个案工作"
    assert case.templates[0].name("zh") == "个案接案登记表"
    assert catalog.template("case_record") is not None
    assert catalog.template("nope") is None and catalog.category("nope") is None


def test_desk_work_asks_no_person_times() -> None:
    catalog = load_record_templates()
    monthly = catalog.template("admin_monthly")
    visit = catalog.template("needs_visit")
    assert monthly is not None and not monthly.counts_people
    assert visit is not None and visit.counts_people and visit.asks("groups")


def _write(tmp_path: Path, name: str, data: object) -> Path:
    (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


def _template(code: str = "t1", **extra: object) -> dict[str, object]:
    return {"code": code, "name": {"zh": "记录", "en": "Record"}, "fields": ["duration"], **extra}


def _catalogue(*templates: dict[str, object]) -> dict[str, object]:
    return {
        "categories": [
            {"code": "c1", "name": {"zh": "类别", "en": "Category"}, "templates": list(templates)}
        ]
    }


@pytest.mark.parametrize(
    ("data", "entry", "why"),
    [
        ({"categories": "x"}, None, "top-level `categories:` list"),
        (_catalogue(_template(), _template()), "t1", "duplicate template code"),
        (_catalogue(_template(fields=["duration", "colour"])), "t1", "unknown field 'colour'"),
        (_catalogue(_template(fields=["duration", "groups"])), "t1", "go together"),
        (_catalogue(_template(fields=["note"])), "t1", "must include `duration`"),
        (_catalogue(_template(name={"zh": "记录"})), "t1", "`name.en` is missing"),
        (_catalogue(_template(code="x" * 25)), "c1.templates[0]", "must be 1–24"),
        (_catalogue(_template(code="bad code")), "c1.templates[0]", "must be 1–24"),
        (_catalogue(), "c1", "non-empty list"),
    ],
)
def test_malformed_templates_are_refused_with_entry_and_reason(
    tmp_path: Path, data: object, entry: str | None, why: str
) -> None:
    _write(tmp_path, "record_templates.yaml", data)
    with pytest.raises(CatalogError) as error:
        load_record_templates(tmp_path)
    assert error.value.path.endswith("record_templates.yaml")
    assert error.value.entry == entry
    assert why in error.value.problem


def test_served_groups_have_the_fixed_codes() -> None:
    groups = load_served_groups()
    assert tuple(g.code for g in groups) == REQUIRED_CODES
    assert groups[0].name("zh") == "60岁以上老年人"
    assert groups[1].name("en") == "People with disabilities"


def test_served_groups_may_be_renamed_but_not_dropped(tmp_path: Path) -> None:
    groups = [{"code": c, "name": {"zh": "人群", "en": "Group"}} for c in REQUIRED_CODES[:-1]]
    _write(tmp_path, "served_groups.yaml", {"groups": groups})
    with pytest.raises(CatalogError) as error:
        load_served_groups(tmp_path)
    assert error.value.entry == "other"


def test_supervision_topics_load_and_refuse_duplicates(tmp_path: Path) -> None:
    assert load_supervision_topics()[0].name("zh") == "个案督导"
    topic = {"code": "a", "name": {"zh": "甲", "en": "A"}}
    _write(tmp_path, "supervision_topics.yaml", {"topics": [topic, topic]})
    with pytest.raises(CatalogError, match="duplicate code"):
        load_supervision_topics(tmp_path)


def test_bundle_carries_the_work_catalogues() -> None:
    knowledge = load_knowledge()
    assert len(knowledge.record_templates.templates) == 36
    assert len(knowledge.served_groups) == 6
    assert knowledge.supervision_topics


def test_stationbot_refuses_to_start_on_a_malformed_template_file(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    _write(folder, "record_templates.yaml", _catalogue(_template(fields=["duration", "x"])))
    env = {**os.environ, "STATIONBOT_KNOWLEDGE_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    env["STATIONBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        cwd=tmp_path, env=env, capture_output=True, text=True, input="", timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "record_templates.yaml: t1: unknown field 'x'" in result.stderr
    assert "Traceback" not in result.stderr
