"""Preprocessing, thresholds and matching on the shipped knowledge base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.bundle import load_knowledge
from knowledge.loading import DEFAULT_DIR
from knowledge.matcher import (
    ANSWER,
    HANDOFF,
    SUGGEST,
    Document,
    Matcher,
    Scored,
    Synonyms,
    Thresholds,
    Weights,
    decide,
    normalise,
    script_of,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＩＤ卡要带吗？", "id卡要带"),  # full-width letters and punctuation
        ("１．５小时", "几小时"),  # full-width digits; amounts are folded
        ("服務要收錢嗎", "服务要收钱"),  # traditional → simplified, final particle dropped
        ("請問一下，社工站幾點開門？？", "社工站几点开门"),  # fillers and punctuation
        ("我想问问：暑期托管, 报名!!", "暑期托管报名"),
        ("干嘛的", "干嘛"),  # 嘛 is part of a word here, not a final particle (的 is padding)
        ("你好", "你好"),  # nothing but filler: keep it, so the greeting entry can match
        ("四岁的孩子", "几岁孩子"),
    ],
)
def test_normalise_chinese(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_english() -> None:
    assert normalise("Hello, could you please tell me the OPENING hours?!") == "opening hours"
    assert normalise("Ｗｈａｔ ｉｓ ｔｈｅ ｐｈｏｎｅ？") == "what phone"
    assert normalise("thanks") == "thanks"  # only filler: kept


def test_script_decides_the_index() -> None:
    assert script_of("社工站") == "zh"
    assert script_of("ＩＤ卡") == "zh"
    assert script_of("summer fee") == "en"


def test_synonyms_fold_longest_first_and_keep_the_kept_word() -> None:
    fold = Synonyms({"zh": {"删掉": "删除", "删": "删除", "删除": "删除"}})
    assert fold.fold("删掉我的资料", "zh") == "删除我的资料"
    assert fold.fold("删除资料", "zh") == "删除资料"  # not 删除除
    english = Synonyms({"en": {"kids": "child", "child": "child"}})
    assert english.fold("kids club", "en") == "child club"
    assert english.fold("kidsclub", "en") == "kidsclub"  # whole words only


def test_thresholds_give_three_outcomes() -> None:
    t = Thresholds(answer=80, suggest=40, margin=5)
    assert decide([Scored("a", 90), Scored("b", 60)], t) == ANSWER
    assert decide([Scored("a", 90), Scored("b", 87)], t) == SUGGEST  # too close to call
    assert decide([Scored("a", 60)], t) == SUGGEST
    assert decide([Scored("a", 39.9)], t) == HANDOFF
    assert decide([], t) == HANDOFF


def test_matcher_ranks_and_hands_off() -> None:
    matcher = Matcher(
        [
            Document("hours", "zh", "社工站几点开门"),
            Document("hours", "zh", "开放时间"),
            Document("fee", "zh", "服务收费吗"),
            Document("fee", "zh", "要不要钱"),
        ],
        thresholds=Thresholds(answer=70, suggest=35, margin=5),
    )
    assert matcher.match("社工站幾點開門？").ranked[0].entry_id == "hours"
    assert matcher.match("明天股票涨不涨").outcome == HANDOFF


def test_keywords_pick_the_named_station() -> None:
    faq = load_knowledge().faq
    assert faq.match("古山镇社工站电话多少").ranked[0].entry_id == "station_gushan"
    assert faq.match("江南街道社工站的地址").ranked[0].entry_id == "station_jiangnan"
    # No station named: the general entry, not one station's.
    assert faq.match("社工站电话多少").ranked[0].entry_id == "station_contacts"


@pytest.mark.parametrize(
    "query",
    ["社工站几点开门", "社工站幾點開門", "社工站几点开门？？？", "请问一下，社工站几点开门呢"],
)
def test_spellings_of_one_question_land_on_one_entry(query: str) -> None:
    assert load_knowledge().faq.match(query).ranked[0].entry_id == "station_hours"


def test_shipped_base_answers_the_common_questions() -> None:
    faq = load_knowledge().faq
    assert faq.match("暑期托管怎么报名").outcome == ANSWER
    assert faq.match("培训").outcome == SUGGEST  # one word, several entries: ask which
    assert faq.match("明天天气怎么样").outcome == HANDOFF


def test_station_answers_come_from_stations_yaml(tmp_path: Path) -> None:
    """A deployment that replaces stations.yaml gets its own facts in the answers."""
    text = (DEFAULT_DIR / "stations.yaml").read_text(encoding="utf-8")
    (tmp_path / "stations.yaml").write_text(
        text.replace('"0579-8000 0003"', '"0579-1234 5678"'), encoding="utf-8"
    )
    faq = load_knowledge(tmp_path).faq
    jiangnan = faq.get("station_jiangnan")
    assert jiangnan is not None and "0579-1234 5678" in jiangnan.answer_zh
    contacts = faq.get("station_contacts")
    assert contacts is not None and "0579-1234 5678" in contacts.answer_en
    assert "0579-8000 0003" not in contacts.answer_zh


def test_a_deployment_faq_folder_replaces_the_shipped_one(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_DIR / "faq", tmp_path / "faq")
    path = tmp_path / "faq" / "practical.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("发送 /language", "请发送 /language"),
        encoding="utf-8",
    )
    faq = load_knowledge(tmp_path).faq
    entry = faq.get("bot_language")
    assert entry is not None and entry.answer_zh.startswith("请发送 /language")


def test_a_homophone_slip_weighs_less_than_an_unknown_word() -> None:
    """ "站张" reads like 站长: the slip lowers the score less than a word no entry knows."""
    docs = [
        Document("staff", "zh", "站长是谁"),
        Document("staff", "zh", "站里有几个人"),
        Document("hours", "zh", "几点开门"),
        Document("hours", "zh", "周末开不开"),
    ]

    def score(text: str, typo: float) -> float:
        _, ranked = Matcher(docs, weights=Weights(typo=typo)).rank(text)
        return next(s.score for s in ranked if s.entry_id == "staff")

    assert score("站张是谁", 0.2) > score("站张是谁", 1.0)
    assert score("站长是谁", 0.2) == score("站长是谁", 1.0)  # nothing to forgive
    assert score("站猫是谁", 0.2) == score("站猫是谁", 1.0)  # 猫 reads like nothing known
