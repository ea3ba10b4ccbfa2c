"""A message near an emergency without the alarm (issue 13, `MatchResult.caution`): the reply the
person asked for, with one line of the emergency numbers on top; mid-form too, the form left
where it was. An ordinary question gets no line; the full alarm is as it was."""

from __future__ import annotations

from sqlalchemy import select

from db.models import ServiceRequest
from tests.bot.test_kb_answers import (
    EN_LINE,
    ZH_LINE,
    data_of,
    finish_request,
    has_numbers,
    start_request,
)
from tests.harness import BotHarness

ZH_ON_TOP = "🆘 如果现在有人有危险，请马上打电话：110 报警，120 急救，119 火警。"
EN_ON_TOP = (
    "🆘 If anyone is in danger right now, phone at once: 110 police, 120 ambulance, 119 fire."
)
# A fall, but last month: the bathing help asked for, with the numbers on top.
PAST_FALL = "上个月我爸在家摔了一跤，现在想找人上门帮他洗澡"


async def test_near_an_emergency_as_free_text_the_answer_has_the_numbers_on_top(
    bot: BotHarness,
) -> None:
    resident = await bot.person()
    await resident.send(PAST_FALL)
    text = resident.last_text
    assert text.startswith(ZH_ON_TOP + "\n\n")
    assert "老人助浴（上门帮忙洗澡）" in text  # the answer asked for
    data = data_of(resident)
    assert any(d.startswith("kb:up:elderly_bathing") for d in data)  # rated like any answer


async def test_near_an_emergency_via_ask_in_english_suggestions_with_the_numbers_on_top(
    bot: BotHarness,
) -> None:
    person = await bot.person(lang="en")
    await person.send("/ask What if my father falls at home?")
    text = person.last_text
    assert text.startswith(EN_ON_TOP + "\n\n")
    assert EN_LINE not in text  # the numbers once, on top, not again at the bottom
    assert any(d.startswith("kb:show:") for d in data_of(person))


async def test_an_ordinary_question_gets_no_line(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("暑期托管收费吗")
    assert "110" not in resident.last_text and ZH_ON_TOP not in resident.last_text
    assert any(d.startswith("kb:up:summer_cost") for d in data_of(resident))


async def test_the_full_alarm_is_unchanged(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("我爸晕倒了叫不醒")
    text = resident.last_text
    assert has_numbers(text) and ZH_ON_TOP not in text and ZH_LINE not in text
    assert not any(d.startswith(("kb:up:", "kb:dn:")) for d in data_of(resident))


async def test_near_an_emergency_mid_form_the_answer_with_the_numbers_then_the_step(
    bot: BotHarness,
) -> None:
    resident = await bot.person()
    await start_request(resident)  # at "for whom", a button step
    who_step = resident.last
    before = len(resident.messages)
    await resident.send(PAST_FALL)
    answer, step = resident.messages[before:]
    assert answer.text.startswith(ZH_ON_TOP + "\n\n") and "老人助浴（上门帮忙洗澡）" in answer.text
    assert not any(
        (b.callback_data or "").startswith(("menu:", "req:")) for b in answer.buttons
    )  # nothing that would leave the form
    assert step.text == "请点下面的按钮选择。\n\n" + who_step.text
    assert [b.callback_data for b in step.buttons] == [b.callback_data for b in who_step.buttons]
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    await resident.send("爸爸腿脚不便，想请人上门帮忙")
    ref = await finish_request(resident)
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(ServiceRequest).where(ServiceRequest.ref == ref))
        assert row is not None
        kept = (row.station_code, row.service_code, row.for_whom)
    assert kept == ("jiangnan", "elderly_care", "family")  # the draft was kept


async def test_near_an_emergency_mid_form_without_an_answer_the_numbers_then_the_step(
    bot: BotHarness,
) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    age_step = person.last
    before = len(person.messages)
    # (a fall last week no longer counts: "help" had weighed as "happening now", probe10)
    await person.send("my dad keeps falling, is there someone to come to the house?")
    numbers, step = person.messages[before:]
    assert numbers.text == EN_ON_TOP
    assert [b.callback_data for b in step.buttons] == [b.callback_data for b in age_step.buttons]
    await person.press("vol:age:18_59")
    assert "vol:cons:yes" in data_of(person)
