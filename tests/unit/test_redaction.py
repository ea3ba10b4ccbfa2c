"""Personal details out of what residents typed, before administrators see it in /kbgaps."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import FixedClock
from db.uow import Database
from services import questions
from services.redaction import redact


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("我叫王秀英今年78岁住在古山镇前黄村电话13812345678",
         "我叫[name]今年[age]住在[address]电话[phone]"),
        ("王阿姨家的孙子没人管，电话 138 1234 5678", "[name]家的孙子没人管，电话 [phone]"),
        ("我是李建国，住永康市江南街道金城路12号3单元501室，想问低保怎么申请",
         "我是[name]，住[address]，想问低保怎么申请"),
        ("我妈妈八十二岁了腿脚不好", "我妈妈[age]了腿脚不好"),
        ("我爸爸今年七十八，一个人在家", "我爸爸今年[age]，一个人在家"),
        ("身份证330784195001011234怎么补办", "身份证[id]怎么补办"),
        ("座机0579-8712 3456打不通", "座机[phone]打不通"),
        ("我姓张，家住前仓镇大路村3组", "我姓[name]，家住[address]"),
        ("欧阳奶奶想找人陪她去医院", "[name]想找人陪她去医院"),
        ("My name is Ann Lee, I am 80 years old", "My name is [name], [age]"),
    ],
)  # fmt: skip
def test_personal_details_are_replaced(typed: str, shown: str) -> None:
    assert redact(typed) == shown


@pytest.mark.parametrize(
    "question",
    [
        "老年人能申请什么补助",
        "江南街道社工站在哪里",
        "怎么去社工站的路",
        "村里的老人怎么申请",
        "社区活动什么时候有",
        "小候鸟暑期托管怎么报名",
        "我是残疾人，能申请什么",
        "请问石柱镇的社工站电话是多少",
        "孩子在学校被欺负了怎么办",
    ],
)
def test_questions_without_personal_details_are_kept_as_typed(question: str) -> None:
    assert redact(question) == question


async def test_kbgaps_shows_redacted_questions_counted_together(
    database: Database, clock: FixedClock
) -> None:
    now = clock.now()
    for typed in ("我叫王秀英今年78岁，低保怎么申请", "我叫李桂兰今年81岁，低保怎么申请"):
        async with database.uow() as uow:
            await questions.record_feedback(
                uow, kind=questions.UNMATCHED, person_id=None, lang="zh", now=now, query=typed
            )
    async with database.uow() as uow:
        found = await questions.gaps(uow, now=now + timedelta(minutes=1))
    assert [(g.query, g.count, g.unmatched) for g in found] == [
        ("我叫[name]今年[age]，低保怎么申请", 2, 2)
    ]
    assert isinstance(found[0].last_at, datetime)
