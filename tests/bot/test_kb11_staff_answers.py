"""Staff asking the knowledge base get staff answers (kb11): where a resident's answer would
mislead them (an entry's `staff_answer`), a worker or head asking how to erase a resident's
data hears about the head's «🗑 Erase the resident's details» on a walk-in's card and that a
resident on Telegram sends /forget themselves, not "send /forget" (their own data); residents
keep their answer. Mid-form, the answer whose request button is left out tells a resident to
send /request later, a worker or head to /register a walk-in's, and other staff nothing."""

from __future__ import annotations

import pytest

from bot.offline_telegram import OfflinePerson
from tests.harness import BotHarness

RESIDENT_ERASE = {
    "zh": "发送 /forget，确认后会删除您的姓名、电话和您写的内容。",
    "en": "Send /forget and confirm: your name, phone and what you wrote are erased.",
}
STAFF_ERASE = {
    "zh": "由站长在这位居民的申请卡片上点“🗑 删除居民的个人信息”",
    "en": "the station head presses «🗑 Erase the resident's details» on that resident's request",
}


def body(person: OfflinePerson) -> str:
    """The answer under the question's bold title."""
    return person.last_text.split("\n\n", 1)[1]


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("zh", "怎么删除居民的信息"),
        ("zh", "居民要求删除资料怎么办"),
        ("en", "how do I erase a resident's data"),
    ],
)
@pytest.mark.parametrize("role", ["station_head", "worker"])
async def test_staff_asking_how_to_erase_get_the_walk_in_erasure(
    bot: BotHarness, role: str, lang: str, question: str
) -> None:
    staff = await bot.person(role=role, stations=("jiangnan",), lang=lang)
    await staff.send(question)
    assert STAFF_ERASE[lang] in body(staff)
    assert not body(staff).startswith(RESIDENT_ERASE[lang])
    assert "/register" in body(staff) and "/forget" in body(staff)


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("zh", "怎么删除居民的信息"),
        ("zh", "居民要求删除资料怎么办"),
        ("zh", "怎么删除我的个人信息？"),
        ("en", "how do I erase a resident's data"),
        ("en", "How do I erase my personal data?"),
    ],
)
async def test_a_resident_asking_the_same_is_told_forget(
    bot: BotHarness, lang: str, question: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send(question)
    assert body(resident).startswith(RESIDENT_ERASE[lang])
    assert STAFF_ERASE[lang] not in resident.last_text


async def test_a_related_entry_pressed_by_staff_is_the_staff_answer(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    await head.send("how do I export a resident's data")
    assert body(head).startswith("A resident who wants a copy of their data sends /mydata")
    await head.press("➡️ How do I erase my personal data?")
    assert STAFF_ERASE["en"] in body(head)


async def test_a_worker_asking_how_to_request_hears_of_register(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="zh")
    resident = await bot.person(lang="zh")
    for person in (worker, resident):
        await person.send("怎么申请服务")
    assert "发送 /register" in body(worker)
    assert body(resident).startswith("在这里就能申请：发送 /request")
    assert "/register" not in resident.last_text


async def test_staff_mid_form_get_the_staff_answer(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="zh")
    await head.send("/register")
    before = len(head.messages)
    await head.send("居民要求删除资料怎么办")
    answer = head.messages[before]
    assert STAFF_ERASE["zh"] in answer.text


BATHING = {
    "zh": "老人家想洗澡，有没有上门助浴的服务",
    "en": "Is there bathing help for old people at home?",
}
REGISTER_LATER = {
    "zh": "居民到站里来或打电话要这项服务的，填完或取消这张表格后，发送 /register 替居民登记。",
    "en": "For a resident who came in or phoned, /register records a request for this service "
    "once this form is finished or cancelled.",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ["worker", "station_head"])
async def test_staff_mid_form_are_pointed_to_register_not_request(
    bot: BotHarness, role: str, lang: str
) -> None:
    staff = await bot.person(role=role, stations=("jiangnan",), lang=lang)
    await staff.send("/register")  # at "which service": a button step
    before = len(staff.messages)
    await staff.send(BATHING[lang])
    answer, _step = staff.messages[before:]
    assert answer.text.endswith(REGISTER_LATER[lang])
    assert "/request" not in answer.text


async def test_a_supervisor_mid_form_is_told_neither(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    step = supervisor.last
    before = len(supervisor.messages)
    await supervisor.send(BATHING["en"])
    answer, again = supervisor.messages[before:]
    assert "button below" in answer.text
    assert "/request" not in answer.text and "/register" not in answer.text
    assert again.text.endswith(step.text)  # the same step again, below the answer
