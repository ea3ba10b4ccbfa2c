"""Somewhere or something else (`matching.elsewhere`): another city's station or subsidy goes
to a person instead of our entry's answer; another app's account is not this assistant's
data. Written from what the words mean; the cases that must stay ours are the point."""

from __future__ import annotations

import pytest

from knowledge.bundle import load_knowledge
from knowledge.matcher import ANSWER, HANDOFF, OUT_OF_SCOPE_RULE, Matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return load_knowledge().faq.matcher


@pytest.mark.parametrize(
    "question",
    [
        "上海浦东的社工站电话多少",
        "义乌有没有社工站 地址在哪",
        "暑假去北京的研学夏令营怎么报名",
        "杭州的老年补贴标准是多少",
        "外地的补贴标准是多少",
    ],
)
def test_another_citys_service_goes_to_a_person(matcher: Matcher, question: str) -> None:
    result = matcher.match(question)
    assert (result.outcome, result.rule) == (HANDOFF, OUT_OF_SCOPE_RULE)


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("我在外地 我妈的补贴怎么领", "elderly_subsidy"),  # a family word between: ours
        ("我儿子在上海的 社工能上门吗", "elderly_home_visit"),  # someone who lives there
        ("我在杭州上班 我妈一个人在家 能不能上门看看", "elderly_living_alone"),
        ("社工站电话多少", "station_contacts"),
        ("舟山镇社工站在哪里", None),  # 舟山 is a Yongkang town too: never elsewhere
    ],
)
def test_our_own_services_stay_ours(matcher: Matcher, question: str, entry: str | None) -> None:
    result = matcher.match(question)
    assert result.rule != OUT_OF_SCOPE_RULE
    if entry is not None:
        assert result.outcome == ANSWER and result.best is not None
        assert result.best.entry_id == entry


def test_another_apps_account_is_not_ours(matcher: Matcher) -> None:
    for question in ("微信号怎么注销", "支付宝怎么切换成英文", "how do I delete my WeChat account"):
        best = matcher.match(question).best
        assert best is None or not best.entry_id.startswith(("privacy_", "bot_")), question
    # A delivery rider is not the station, a parcel is not one's request.
    for question in ("外卖骑手送餐太慢了 我要投诉他", "我的快递到哪了"):
        result = matcher.match(question)
        assert result.outcome != ANSWER, question
    for question, entry in (
        ("我要投诉社工态度不好", "complaint"),
        ("我的申请到哪一步了", "service_follow_request"),
    ):
        best = matcher.match(question).best
        assert best is not None and best.entry_id == entry, question
    # Naming this assistant as well keeps its own answers.
    for question in ("怎么删除我在你们这里的资料", "怎么删除我的资料"):
        best = matcher.match(question).best
        assert best is not None and best.entry_id == "privacy_erase"


@pytest.mark.parametrize(
    "message",
    [
        "我在天台上 不想下去了",
        "小孩掉进村口池塘了 刚捞上来 一动不动",
        "骑摩托车在村口撞了 腿一直在流血 人起不来",
    ],
)
def test_these_situations_are_emergencies(matcher: Matcher, message: str) -> None:
    assert matcher.match(message).emergency


def test_a_habit_is_not_an_event(matcher: Matcher) -> None:
    assert not matcher.match("孩子天天坐着一动不动玩手机怎么办").emergency
    assert matcher.match("他天天喝醉了打我 现在又拿刀了").emergency


def test_stopping_is_small_talk(matcher: Matcher) -> None:
    best = matcher.match("算了 不问了").best
    assert best is not None and best.entry_id == "never_mind"
