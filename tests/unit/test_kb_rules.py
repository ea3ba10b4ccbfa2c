"""The matcher's rules beyond the scores: pinyin, emergencies, small talk, out of scope,
intents, and the thresholds read from `faq/matching.yaml`."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.bundle import load_knowledge
from knowledge.faq import load_faq
from knowledge.loading import DEFAULT_DIR, CatalogError
from knowledge.matcher import (
    ANSWER,
    HANDOFF,
    OUT_OF_SCOPE,
    Concept,
    Document,
    Emergency,
    Matcher,
    SmallTalk,
    Thresholds,
    Weights,
    reading,
)
from knowledge.stations import load_stations


def _two_entries(weights: Weights) -> Matcher:
    return Matcher(
        [
            Document("enrol", "zh", "暑假托管怎么报名"),
            Document("enrol", "zh", "报名托管"),
            Document("arrive", "zh", "暑假托管怎么报到"),
            Document("arrive", "zh", "报到托管"),
        ],
        weights=weights,
    )


def test_reading_is_toneless_pinyin() -> None:
    assert reading("报") == "bao"
    assert reading("明") == reading("名") == "ming"
    assert reading("a") == "a"


def test_the_pinyin_signal_matches_a_homophone_typo() -> None:
    """报明 shares no character pair with 报名, only its sound; without the pinyin signal
    the two entries are tied."""
    with_pinyin = _two_entries(Weights(pinyin=1.0)).rank("暑假托管怎么报明")[1]
    assert with_pinyin[0].entry_id == "enrol"
    assert with_pinyin[0].score > with_pinyin[1].score + 5
    without = _two_entries(Weights(pinyin=0.0)).rank("暑假托管怎么报明")[1]
    assert abs(without[0].score - without[1].score) < 1


def test_homophone_typos_on_the_shipped_base() -> None:
    faq = load_knowledge().faq
    assert faq.match("暑假托管怎么报明").ranked[0].entry_id == "summer_enrol"
    # A station named with homophones is still that station.
    assert faq.match("方言镇社工站电话").ranked[0].entry_id == "station_fangyan"


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("谢谢你", "thanks"),
        ("好的谢谢", "thanks"),
        ("谢谢你们 帮了大忙了", "thanks"),
        ("thank you so much", "thanks"),
        ("你好", "greeting"),
        ("在吗", "greeting"),
        ("hello", "greeting"),
        # Praise, goodbyes and "I need nothing more": they had been matched to whichever
        # entry shared a character ("服务很好" answered with how to complain, "不用了" with how
        # to erase one's data, "随便" with meals, "完成" with the staff's quota).
        ("服务很好", "thanks"),
        ("你们服务真好", "thanks"),
        ("great service, well done", "thanks"),
        ("再见", "goodbye"),
        ("好的，拜拜", "goodbye"),
        ("bye", "goodbye"),
        ("不用了", "never_mind"),
        ("没事了", "never_mind"),
        ("随便", "never_mind"),
        ("完成", "never_mind"),
        ("嗯嗯", "okay"),  # a nod, not "never mind" (kb11: mid-form that says how to stop)
        ("never mind", "never_mind"),
        ("no", "never_mind"),
    ],
)
def test_small_talk_is_answered_not_suggested(text: str, entry: str) -> None:
    result = load_knowledge().faq.match(text)
    assert result.outcome == ANSWER
    assert result.best is not None and result.best.entry_id == entry
    assert result.rule == "small_talk"


def test_a_question_with_a_greeting_is_still_the_question() -> None:
    result = load_knowledge().faq.match("你好，暑假托管怎么报名")
    assert result.best is not None and result.best.entry_id == "summer_enrol"
    assert result.rule is None


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("不用了，怎么取消我的申请", "service_cancel_request"),
        ("没事了，老人助餐在哪里吃", "elderly_meals"),
    ],
)
def test_never_mind_with_a_question_is_still_the_question(text: str, entry: str) -> None:
    result = load_knowledge().faq.match(text)
    assert result.best is not None and result.best.entry_id == entry
    assert result.rule is None


def test_a_fall_with_no_matter_is_not_small_talk() -> None:
    # "没事" inside a worry about a fall: never answered as "all right, ask me any time".
    result = load_knowledge().faq.match("我妈摔倒了起不来，没事吧")
    assert result.emergency and result.rule != "small_talk"


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("我妈摔倒了起不来", "emergency_numbers"),
        ("老人摔倒了起不来 社工能上门吗", "emergency_numbers"),  # wins over a home visit
        ("我爸呼吸不上来 脸发紫", "emergency_numbers"),
        ("家里着火了", "emergency_numbers"),
        ("我不想活了", "emergency_numbers"),
        ("胸口疼得厉害", "emergency_numbers"),
        ("孩子不见了", "child_emergency_numbers"),
        ("I think my dad is having a heart attack", "emergency_numbers"),
        ("my grandma fell and cannot get up", "emergency_numbers"),
    ],
)
def test_emergency_descriptions_win(text: str, entry: str) -> None:
    result = load_knowledge().faq.match(text)
    assert result.emergency and result.outcome == ANSWER and result.rule == "emergency"
    assert result.best is not None and result.best.entry_id == entry


def test_not_every_mention_of_illness_is_an_emergency() -> None:
    result = load_knowledge().faq.match("我爸中风以后想办残疾证")
    assert not result.emergency
    assert result.best is not None and result.best.entry_id == "disability_certificate"


def test_emergency_cues_need_every_part_and_survive_a_homophone() -> None:
    matcher = Matcher(
        [Document("sos", "zh", "紧急电话"), Document("other", "zh", "开门时间")],
        emergency=Emergency(("sos",), {"zh": ("不见了+孩子", "喘不上气")}),
    )
    assert matcher.match("孩子不见了").emergency
    assert not matcher.match("钥匙不见了").emergency  # only one part
    assert matcher.match("他喘不上起").emergency  # 起 reads like 气: a three-character cue


def test_small_talk_needs_nothing_but_courtesies() -> None:
    talk = SmallTalk({"thanks": {"zh": ("谢谢",)}}, {"zh": ("你",)})
    matcher = Matcher([Document("thanks", "zh", "谢谢"), Document("x", "zh", "开门时间")],
                      small_talk=talk)  # fmt: skip
    assert matcher.match("谢谢你").rule == "small_talk"
    assert matcher.match("谢谢你开门时间呢").rule is None


def test_out_of_scope_phrasings_hand_off_and_stay_out_of_sight() -> None:
    faq = load_knowledge().faq
    for text in ("护照怎么办理", "明天会下雨吗", "which phone should i buy"):
        result = faq.match(text)
        assert result.outcome == HANDOFF, text
        assert all(s.entry_id != OUT_OF_SCOPE for s in result.ranked)
    # An in-scope question that shares words with one is not pushed away.
    assert faq.match("怎么报明").outcome != HANDOFF


def test_own_status_entries_carry_an_intent() -> None:
    faq = load_knowledge().faq
    requests = faq.match("我的申请怎么样了")
    assert requests.outcome == ANSWER and requests.intent == "own_requests"
    volunteer = faq.match("我的志愿者申请通过了吗")
    assert volunteer.outcome == ANSWER and volunteer.intent == "own_volunteer_application"
    assert faq.match("暑假托管怎么报名").intent is None


def _copy_base(tmp_path: Path) -> Path:
    shutil.copytree(DEFAULT_DIR / "faq", tmp_path / "faq")
    return tmp_path / "faq" / "matching.yaml"


def test_thresholds_and_weights_are_read_from_data(tmp_path: Path) -> None:
    path = _copy_base(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("  thresholds:")
    end = text.index("\n", start)
    path.write_text(
        text[:start] + "  thresholds: {answer: 77, suggest: 33, margin: 5, relative: 0.2}"
        + text[end:],
        encoding="utf-8",
    )  # fmt: skip
    faq = load_faq(tmp_path, load_stations())
    assert faq.matcher.thresholds == Thresholds(77, 33, 5, 0.2)
    assert faq.matcher.weights == replace(load_knowledge().faq.matcher.weights)


def test_bad_matching_settings_are_refused(tmp_path: Path) -> None:
    path = _copy_base(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("answer: ", "answr: ", 1), encoding="utf-8")
    with pytest.raises(CatalogError, match="thresholds"):
        load_faq(tmp_path, load_stations())
    path.write_text(text.replace("entries: [emergency_numbers", "entries: [no_such_entry"),
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(CatalogError, match="no_such_entry"):
        load_faq(tmp_path, load_stations())


def test_an_emergency_entry_that_would_be_suggested_is_answered() -> None:
    matcher = Matcher(
        [
            Document("sos", "zh", "老人倒下了叫不答应"),
            Document("visit", "zh", "老人在家需要人上门"),
        ],
        thresholds=Thresholds(answer=200, suggest=1),  # nothing is answered on its score
        emergency=Emergency(
            ("sos",),
            {},
            {"fall": Concept(0.5, {"zh": ("倒下",)}), "who": Concept(0.3, {"zh": ("老人",)})},
        ),
    )
    # 0.8: short of an emergency by itself, but most of one, and the emergency entry is first
    result = matcher.match("老人倒下了")
    assert result.outcome == ANSWER and result.emergency
    assert result.best is not None and result.best.entry_id == "sos"
    assert matcher.match("老人需要人上门").outcome != ANSWER


@pytest.mark.parametrize(
    "text", ["防诈骗讲座", "有没有给老人讲防骗的课", "fire safety talks for old people"]
)
def test_safety_talks_are_the_activities_for_older_people(text: str) -> None:
    # The answer lists them (健康讲座、防诈骗讲座…), but no phrasing did: "防诈骗讲座" was handed
    # to a person, ranked nearest to how staff log their work.
    result = load_knowledge().faq.match(text)
    assert result.best is not None and result.best.entry_id == "elderly_activities"


def test_a_mask_hides_the_beating_in_a_phone_call_but_not_a_real_one() -> None:
    # Weight-0 concepts mask their words: the 打 of "电话打了半日" is no beating (a worker's
    # complaint about an unanswered phone had the alarm), while "他打我" beside it still is.
    matcher = load_knowledge().faq.matcher
    assert "violence" not in matcher.emergency_concepts("气煞我了 电话打了半日没人接", "zh")
    assert "violence" in matcher.emergency_concepts("电话打了好几次没人接 他打我了", "zh")
    assert not load_knowledge().faq.match("气煞我了 电话打了半日没人接").emergency
    assert load_knowledge().faq.match("电话打了好几次没人接 他打我了 快来").emergency


def test_a_past_poisoning_and_a_wish_to_talk_is_no_alarm() -> None:
    result = load_knowledge().faq.match("我爸前年喝过农药 现在想找人聊聊")
    assert not result.emergency and result.caution  # the numbers on top, then the answer


@pytest.mark.parametrize(
    "text", ["给我讲个笑话吧", "can you book a flight for me", "call me a taxi", "sell my old car"]
)
def test_what_no_station_does_goes_to_a_person(text: str) -> None:
    # Round 8's out-of-scope phrasings (bookings, phone apps, medicine, jokes, parcels): these
    # had been answered or suggested (the station's services, a visit, response times).
    result = load_knowledge().faq.match(text)
    assert result.outcome == HANDOFF, (text, result.best)
