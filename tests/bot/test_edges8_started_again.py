"""A form's own command sent again mid-way (edges8): /request twice, the menu's button while
a request is half done, /volunteer again after the name. What was answered is kept and the
person chooses: continue where they were, or start again. Never silently an empty form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.offline_telegram import OfflinePerson
from db.models import ServiceRequest
from tests.bot.test_phone_step import to_the_phone
from tests.harness import BotHarness

CHOICE = {
    "zh": "您之前有一份没填完的表格。接着填写，还是重新开始？",
    "en": "You have an unfinished form from earlier. Continue it, or start again?",
}
DESCRIPTION = "妈妈 82 岁，一个人住，需要帮忙买菜"  # as `to_the_phone` types it


async def to_the_time_step(bot: BotHarness, lang: str) -> OfflinePerson:
    resident = await to_the_phone(bot, lang)  # with DESCRIPTION typed
    await resident.send("13800138000")
    return resident


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_request_sent_again_mid_way_keeps_the_answers(bot: BotHarness, lang: str) -> None:
    resident = await to_the_time_step(bot, lang)
    asked = resident.last_text
    await resident.send("/request")
    assert resident.last_text == CHOICE[lang]
    await resident.send("/request")  # twice quickly: the same choice, nothing lost
    assert resident.last_text == CHOICE[lang]
    await resident.press("req:resume")
    assert resident.last_text == asked  # the step it was at
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    summary = resident.last_text
    assert DESCRIPTION in summary and "138 0013 8000" in summary
    await resident.press("req:confirm")
    async with bot.database.uow() as uow:
        described = (await uow.session.scalars(select(ServiceRequest.description))).all()
    assert described == [DESCRIPTION]


async def test_the_menu_button_mid_way_offers_the_same_choice(bot: BotHarness) -> None:
    resident = await to_the_time_step(bot, "en")
    await resident.send("/menu")
    await resident.press("menu:request")
    assert resident.last_text == CHOICE["en"]
    await resident.press("req:fresh")
    assert "Step 1 of 7" in resident.last_text
    await resident.send("/cancel")
    await resident.send("/request")  # started again and cancelled: nothing is offered back
    assert resident.last_text != CHOICE["en"]


async def test_at_the_phone_step_the_keyboard_goes_and_the_draft_stays(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "zh")
    await resident.send("/request")
    assert resident.reply_keyboard() == []
    assert resident.messages[-2].text == "您已经填好的内容都还留着。"
    assert resident.last_text == CHOICE["zh"]
    await resident.press("req:resume")
    await resident.send("13800138000")
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    assert DESCRIPTION in resident.last_text


async def test_cancel_at_the_choice_keeps_nothing(bot: BotHarness) -> None:
    resident = await to_the_time_step(bot, "en")
    await resident.send("/request")
    await resident.send("/cancel")
    assert resident.last_text == "Cancelled. Nothing was saved."
    await resident.send("/request")
    assert resident.last_text != CHOICE["en"]
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0


async def test_the_first_step_again_is_simply_shown_again(bot: BotHarness) -> None:
    """Nothing answered yet (the first step on screen): /request again just starts it."""
    resident = await bot.person(lang="en")
    await resident.send("/volunteer")
    await resident.send("/volunteer")
    assert resident.last_text != CHOICE["en"]
    assert any(b.callback_data == "vol:age:18_59" for b in resident.last.buttons)


async def test_volunteer_sent_again_after_the_name_keeps_it(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("Wang Xiaoming")
    await person.send("/volunteer")
    assert person.reply_keyboard() == []  # the phone step's keyboard went
    assert person.last_text == CHOICE["en"]
    await person.press("vol:resume")
    assert "Your phone number" in person.last_text
    await person.tap("« Back")
    assert any(b.text == "Keep: Wang Xiaoming" for b in person.last.buttons)


@pytest.mark.parametrize("typed", ["/CANCEL", "/Cancel@stationbot_offline_bot", "/cancel now"])
async def test_cancel_in_any_case_or_with_a_suffix_cancels(bot: BotHarness, typed: str) -> None:
    """/request sees every command itself (it says "you are filling in a request" to the
    others), so its own /cancel is read as Telegram may deliver it, and at the choice too."""
    resident = await to_the_time_step(bot, "en")
    await resident.send(typed)
    assert resident.last_text == "Cancelled. Nothing was saved."
    resident = await to_the_time_step(bot, "en")
    await resident.send("/request")
    await resident.send(typed)
    assert resident.last_text == "Cancelled. Nothing was saved."
