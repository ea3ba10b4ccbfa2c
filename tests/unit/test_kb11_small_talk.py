"""A nod is small talk (kb11): "好", "哦", "哦哦", "嗯", "嗯嗯", "好吧" alone are the `okay` entry
(its own `small_talk` phrases, taken from `never_mind` where matching.yaml lists them there),
as `stationbot kb ask … --json` shows with its shape unchanged; and typed at a yes/no question
that declares its Yes, the same words are that Yes (`typed_answers.yaml`'s `accepts`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.bundle import load_knowledge
from knowledge.faq import check_faq, load_faq
from knowledge.loading import CatalogError
from knowledge.stations import load_stations
from knowledge.typed_answers import load_typed_answers
from tests.unit.test_kb_check import FEES, HOURS, write

JSON_KEYS = {"query", "normalised", "matched_in", "outcome", "emergency", "best", "runners_up"}


@pytest.mark.parametrize("typed", ["好", "哦", "哦哦", "嗯", "嗯嗯", "好吧", "好的"])
def test_kb_ask_gives_the_okay_entry_as_the_answer(
    typed: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATIONBOT_KNOWLEDGE_DIR", raising=False)
    assert main(["kb", "ask", typed, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == JSON_KEYS
    assert shown["outcome"] == "answer"
    assert shown["best"]["id"] == "okay"
    assert set(shown["best"]) == {"id", "score", "question", "answer"}
    assert all(set(r) == {"id", "score", "question"} for r in shown["runners_up"])


@pytest.mark.parametrize(
    ("typed", "entry"),
    [
        ("不用了", "never_mind"),
        ("算了", "never_mind"),
        ("你好", "greeting"),
        ("好的谢谢", "thanks"),
    ],
)
def test_the_other_courtesies_keep_their_entry(typed: str, entry: str) -> None:
    result = load_knowledge().faq.match(typed)
    assert result.rule == "small_talk" and result.best is not None
    assert result.best.entry_id == entry


def test_a_nod_inside_a_question_is_no_small_talk() -> None:
    result = load_knowledge().faq.match("好，请问社工站几点开门")
    assert result.rule != "small_talk"


def test_typed_yes_words() -> None:
    typed = load_typed_answers()
    for word in ("好", "好的。", "嗯", "是的", "OK", "Yes"):
        assert typed.means_yes(word), word
    for word in ("好的，我自己去", "不好", "不用了", "no"):
        assert not typed.means_yes(word), word


def test_accepts_is_optional_and_never_a_decline(tmp_path: Path) -> None:
    (tmp_path / "typed_answers.yaml").write_text(
        "declines:\n  zh: [不用]\n  en: [nope]\n", encoding="utf-8"
    )
    assert not load_typed_answers(tmp_path).means_yes("好")
    (tmp_path / "typed_answers.yaml").write_text(
        "accepts:\n  zh: [好, 不用]\n  en: [ok]\ndeclines:\n  zh: [不用]\n  en: [nope]\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="also a decline"):
        load_typed_answers(tmp_path)


def test_an_entry_s_own_small_talk_and_staff_answer_are_checked(tmp_path: Path) -> None:
    stations = load_stations()
    nod = HOURS + "    small_talk: {zh: [嗯]}\n    staff_answer: {zh: 员工的回答, en: For staff}\n"
    write(tmp_path, "a.yaml", "entries:\n" + nod + FEES)
    assert check_faq(tmp_path, stations) == []
    faq = load_faq(tmp_path, stations)
    result = faq.match("嗯")
    assert result.rule == "small_talk" and result.best is not None
    assert result.best.entry_id == "hours"
    hours = faq.get("hours")
    assert hours is not None
    assert hours.answer("en") == "An answer" and hours.answer("en", staff=True) == "For staff"
    fees = faq.get("fees")  # no staff answer: staff get the one answer
    assert fees is not None and fees.answer("zh", staff=True) == "回答"

    write(tmp_path, "a.yaml", "entries:\n" + HOURS + "    staff_answer: {zh: 只有中文}\n" + FEES)
    assert any(
        "missing translation: `staff_answer.en`" in str(p) for p in check_faq(tmp_path, stations)
    )
    write(tmp_path, "a.yaml", "entries:\n" + HOURS + "    small_talk: [嗯]\n" + FEES)
    assert any("`small_talk` must map" in str(p) for p in check_faq(tmp_path, stations))
