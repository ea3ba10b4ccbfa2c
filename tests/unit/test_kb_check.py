"""`stationbot kb check` on broken FAQ folders: every problem names file, entry and what."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.bundle import load_knowledge
from knowledge.faq import check_faq
from knowledge.loading import DEFAULT_DIR, CatalogError
from knowledge.stations import load_stations

GOOD = """\
  - id: {id}
    tags: [test]
    question: {{zh: "{zh}", en: "{en}"}}
    variants:
      zh: [{zh_variants}]
      en: [{en_variants}]
    answer: {{zh: 回答, en: An answer}}
"""


def entry(entry_id: str, zh: str, en: str, zh_variants: str, en_variants: str) -> str:
    return GOOD.format(id=entry_id, zh=zh, en=en, zh_variants=zh_variants, en_variants=en_variants)


HOURS = entry(
    "hours",
    "开放时间",
    "Opening hours",
    "几点开门, 几点上班, 周末开吗",
    "when open, hours, weekend",
)
FEES = entry(
    "fees", "收费吗", "Is it free", "要不要钱, 收不收费, 免费吗", "any fee, cost, do i pay"
)


def write(folder: Path, name: str, body: str) -> Path:
    (folder / "faq").mkdir(exist_ok=True)
    path = folder / "faq" / name
    path.write_text(body, encoding="utf-8")
    return path


def problems(folder: Path) -> list[str]:
    return [str(p) for p in check_faq(folder, load_stations())]


def test_a_good_folder_has_no_problems(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "entries:\n" + HOURS + FEES)
    assert problems(tmp_path) == []


def test_missing_translation_names_file_entry_and_field(tmp_path: Path) -> None:
    broken = HOURS.replace("answer: {zh: 回答, en: An answer}", "answer: {zh: 回答}")
    path = write(tmp_path, "a.yaml", "entries:\n" + broken + FEES)
    assert problems(tmp_path) == [f"{path}: hours: missing translation: `answer.en`"]


def test_missing_variant_language_and_too_few_variants(tmp_path: Path) -> None:
    broken = HOURS.replace("      en: [when open, hours, weekend]\n", "")
    short = FEES.replace("要不要钱, 收不收费, 免费吗", "要不要钱")
    path = write(tmp_path, "a.yaml", "entries:\n" + broken + short)
    found = problems(tmp_path)
    assert f"{path}: hours: missing translation: `variants.en`" in found
    assert any(p.startswith(f"{path}: fees: `variants.zh` has 1") for p in found)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "entries:\n" + HOURS)
    second = write(tmp_path, "b.yaml", "entries:\n" + HOURS.replace("几点开门", "开门时间"))
    found = problems(tmp_path)
    assert any(p.startswith(f"{second}: hours: duplicate id") for p in found)


def test_schema_problems(tmp_path: Path) -> None:
    bad = (
        HOURS.replace("tags: [test]", "tags: []")
        .replace("    variants:", "    varients: oops\n    variants:")
        .replace("answer: {zh: 回答, en: An answer}", 'answer: {zh: "回答{oops}", en: An answer}')
    )
    bad += "    related: [nowhere]\n    action: {call: 110}\n"
    path = write(tmp_path, "a.yaml", "entries:\n" + bad + FEES)
    found = "\n".join(problems(tmp_path))
    assert f"{path}: hours: unknown keys: varients" in found
    assert f"{path}: hours: `tags` must be a list of codes" in found
    assert f"{path}: hours: unknown placeholder {{oops}}" in found
    assert f"{path}: hours: `action` must be `{{request: <service code>}}`" in found


def test_dangling_related_id(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "entries:\n" + HOURS + "    related: [nowhere]\n" + FEES)
    assert problems(tmp_path) == [f"{path}: hours: related id 'nowhere' is unknown"]


def test_not_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "entries: [\n")
    assert problems(tmp_path)[0].startswith(f"{path}: not valid YAML")


def test_a_variant_closer_to_another_entry(tmp_path: Path) -> None:
    """A variant misfiled under the wrong entry, in a copy of the shipped base."""
    shutil.copytree(DEFAULT_DIR / "faq", tmp_path / "faq")
    path = tmp_path / "faq" / "stations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("        - 社工站主要干啥\n", "        - 暑假托管班要交多少钱啊\n"),
        encoding="utf-8",
    )
    found = problems(tmp_path)
    expected = (
        f"{path}: station_what: zh variant '暑假托管班要交多少钱啊' is closer to 'summer_cost' ("
    )
    assert any(p.startswith(expected) and p.endswith("for its own entry)") for p in found)
    # …and nothing else, unless an entry it copies now looks like station_what too (with
    # many real questions as summer_cost's variants, it no longer does).
    assert all("station_what" in p for p in found) and 1 <= len(found) <= 2


def test_load_refuses_a_broken_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "entries:\n" + HOURS.replace("answer: {zh: 回答, en: An answer}", ""))
    with pytest.raises(CatalogError, match="hours"):
        load_knowledge(tmp_path)


def test_the_shipped_base_passes(tmp_path: Path) -> None:
    assert check_faq(None, load_stations()) == []
    faq = load_knowledge().faq
    hand_written = [e for e in faq.entries if e.station_code is None]
    assert len(hand_written) >= 60
    for e in faq.entries:
        assert len(e.variants_zh) >= 3 and len(e.variants_en) >= 3, e.id


def test_cli_check_exit_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATIONBOT_KNOWLEDGE_DIR", str(tmp_path))
    write(tmp_path, "a.yaml", "entries:\n" + HOURS + HOURS)
    assert main(["kb", "check"]) == 1
    out = capsys.readouterr().out
    assert "a.yaml: hours: duplicate id" in out
    write(tmp_path, "a.yaml", "entries:\n" + HOURS + FEES)
    assert main(["kb", "check"]) == 0
    assert "knowledge base OK: 2 entries" in capsys.readouterr().out


def test_cli_ask(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STATIONBOT_KNOWLEDGE_DIR", raising=False)
    assert main(["kb", "ask", "暑期托管收费吗", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["best"]["id"] == "summer_cost"
    assert shown["outcome"] == "answer"
    assert len(shown["runners_up"]) == 3
    assert main(["kb", "ask", "summer fee", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "best:       summer_cost" in out and "托管" in out and "runners-up:" in out


def test_more_variants_join_their_entry_and_unknown_ids_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "entries:\n" + HOURS + FEES)
    write(
        tmp_path,
        "more_variants.yaml",
        "more_variants:\n  hours: {zh: [礼拜天你们上不上班], en: [are you there on sundays]}\n",
    )
    assert problems(tmp_path) == []
    faq = load_knowledge(tmp_path).faq
    hours = faq.get("hours")
    assert hours is not None
    assert "礼拜天你们上不上班" in hours.variants_zh and "几点开门" in hours.variants_zh
    assert "are you there on sundays" in hours.variants_en
    best = faq.matcher.match("礼拜天你们上不上班").best
    assert best is not None and best.entry_id == "hours"

    write(tmp_path, "more_variants.yaml", "more_variants:\n  nowhere: {zh: [随便问问]}\n")
    assert any("more_variants.nowhere" in p and "unknown entry" in p for p in problems(tmp_path))


@pytest.mark.parametrize("question", ["救命", "救命啊", "谢谢"])
def test_cli_ask_an_emergency_or_small_talk_lists_only_real_entries(
    question: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emergency and small-talk answers put their entry first and keep the rest of the
    ranking: the out-of-scope pseudo-entry was among it, and `kb ask` failed on it."""
    monkeypatch.delenv("STATIONBOT_KNOWLEDGE_DIR", raising=False)
    assert main(["kb", "ask", question, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["outcome"] == "answer"
    assert all(not r["id"].startswith("_") for r in shown["runners_up"])


def test_may_stop_form_is_true_or_false(tmp_path: Path) -> None:
    flagged = HOURS.replace(
        "    tags: [test]\n", "    tags: [test]\n    may_stop_form: yes please\n"
    )
    path = write(tmp_path, "a.yaml", "entries:\n" + flagged + FEES)
    assert problems(tmp_path) == [f"{path}: hours: `may_stop_form` must be true or false"]


def test_the_never_mind_entry_says_it_may_stop_a_form() -> None:
    # What the form says to "不用了" is the entry's data, not its id in handler code.
    flagged = [e.id for e in load_knowledge().faq.entries if e.may_stop_form]
    assert flagged == ["never_mind"]
