"""The emergency signal as one plain value (`MatchResult.level`, issue 13): the full alarm, the
usual reply with the numbers on top (caution), or nothing. Sentences written for the test,
not taken from any evaluation set."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from knowledge.bundle import load_knowledge
from knowledge.matcher import (
    ALARM,
    ANSWER,
    CAUTION,
    NONE,
    Concept,
    Document,
    Emergency,
    Matcher,
)


@pytest.fixture(scope="module")
def faq():  # type: ignore[no-untyped-def]
    return load_knowledge().faq


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("我爸晕倒了叫不醒", ALARM),
        ("上个月我爸在家摔了一跤，现在想找人上门帮他洗澡", CAUTION),  # a fall, in the past
        ("老人晕倒过一次 想申请居家养老服务", CAUTION),  # an alarm's weight, damped
        ("What if my father falls at home?", CAUTION),  # hypothetical
        ("暑期托管收费吗", NONE),
        ("how do I become a volunteer", NONE),
    ],
)
def test_levels(faq, text: str, level: str) -> None:  # type: ignore[no-untyped-def]
    result = faq.match(text)
    assert result.level == level
    assert result.emergency == (level == ALARM)


def test_caution_keeps_the_usual_outcome(faq) -> None:  # type: ignore[no-untyped-def]
    result = faq.match("上个月我爸在家摔了一跤，现在想找人上门帮他洗澡")
    assert result.outcome == ANSWER and result.best is not None
    assert result.best.entry_id == "elderly_bathing" and result.rule is None


def _matcher(caution_at: float) -> Matcher:
    docs = [
        Document("numbers", "zh", "紧急情况打什么电话"),
        Document("bathing", "zh", "老人上门助浴洗澡"),
    ]
    concepts = {
        "fall": Concept(0.5, {"zh": ("摔",)}),
        "past": Concept(-0.6, {"zh": ("上个月",)}),
        "now": Concept(0.5, {"zh": ("刚才",)}),
    }
    emergency = Emergency(("numbers",), {}, concepts, caution_at=caution_at, damped_at=1.0)
    return Matcher(docs, emergency=emergency)


def test_caution_at_and_damped_at_decide() -> None:
    assert _matcher(0.5).match("老人摔了 想找人上门助浴洗澡").level == CAUTION  # 0.5
    assert _matcher(0.6).match("老人摔了 想找人上门助浴洗澡").level == NONE
    assert _matcher(0.5).match("老人刚才摔了").level == ALARM  # 1.0
    # 0.4 in all, but 1.0 before 上个月 took 0.6 away: damped, not nothing
    assert _matcher(0.9).match("上个月老人刚才摔了 想找人上门助浴洗澡").level == CAUTION


def test_an_answer_that_is_the_numbers_needs_no_line_on_top(faq) -> None:  # type: ignore[no-untyped-def]
    result = faq.match("紧急情况打什么电话")
    assert result.best is not None and result.best.entry_id == "emergency_numbers"
    assert result.level != CAUTION


def test_kb_ask_json_adds_the_level(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATIONBOT_KNOWLEDGE_DIR", raising=False)
    assert main(["kb", "ask", "上个月我爸在家摔了一跤，现在想找人上门帮他洗澡", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["outcome"], shown["best"]["id"], shown["emergency"]) == (
        "answer",
        "elderly_bathing",
        "caution",
    )
    assert {"query", "normalised", "matched_in", "runners_up"} <= set(shown)
