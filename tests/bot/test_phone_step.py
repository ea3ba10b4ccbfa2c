"""The phone step of /request and /volunteer: one message, whose reply keyboard carries
"📱 Share my phone number" and, as typed buttons, « Back and ✖ Cancel (and "Keep: <number>"),
read back by the kit at a step whose screen is a reply keyboard; the keyboard is taken away
by every way out of the step. An inline Back / Cancel of the release that showed them in a
second message still works."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.offline_telegram import OfflinePerson
from db.models import ServiceRequest, VolunteerApplication
from tests.bot.test_requests import consent
from tests.harness import BotHarness

BACK = {"zh": "« 返回", "en": "« Back"}
CANCEL = {"zh": "✖ 取消", "en": "✖ Cancel"}
SHARE = {"zh": "📱 发送我的手机号", "en": "📱 Share my phone number"}
CANCELLED = {"zh": "已取消，没有保存任何内容。", "en": "Cancelled. Nothing was saved."}
PHONE_PROMPT = {"zh": "您的电话号码", "en": "Your phone number"}


pytestmark = pytest.mark.usefixtures("each_press_answered_once")


async def to_the_phone(bot: BotHarness, lang: str) -> OfflinePerson:
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    await resident.send("妈妈 82 岁，一个人住，需要帮忙买菜")
    return resident


async def volunteer_to_the_phone(bot: BotHarness, lang: str) -> OfflinePerson:
    person = await bot.person(lang=lang)
    await person.send("/volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("王小明")
    return person


def typed_keyboard(person: OfflinePerson) -> list[str]:
    return [b.text for b in person.reply_keyboard()]


async def requests_made(bot: BotHarness) -> int:
    async with bot.database.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(ServiceRequest)) or 0)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_phone_step_is_one_message_with_back_and_cancel_typed(
    bot: BotHarness, lang: str
) -> None:
    resident = await to_the_phone(bot, lang)
    prompt = resident.last
    assert PHONE_PROMPT[lang] in prompt.text
    assert prompt.inline_keyboard == []  # no second message with inline Back / Cancel
    assert typed_keyboard(resident) == [SHARE[lang], BACK[lang], CANCEL[lang]]
    assert prompt.reply_keyboard is not None and prompt.reply_keyboard[0][0].request_contact


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_typed_back_at_the_phone_step_goes_back_to_the_description(
    bot: BotHarness, lang: str
) -> None:
    resident = await to_the_phone(bot, lang)
    await resident.tap(BACK[lang])
    assert resident.reply_keyboard() == []  # taken away
    assert ("遇到了什么情况" if lang == "zh" else "What is the situation?") in resident.last_text
    assert resident.messages[-2].remove_keyboard  # said with the keyboard's removal
    # in words, not the button's label echoed back
    assert resident.messages[-2].text == (
        "好的，回到上一步。" if lang == "zh" else "Back to the step before."
    )
    await resident.send("爸爸 85 岁")  # the description again: the phone step again
    assert typed_keyboard(resident) == [SHARE[lang], BACK[lang], CANCEL[lang]]
    await resident.send("13800138000")
    assert resident.reply_keyboard() == []
    await resident.press("req:time:any")
    await resident.press("req:urg:no")
    assert "爸爸 85 岁" in resident.last_text and "138 0013 8000" in resident.last_text


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_typed_cancel_at_the_phone_step_cancels(bot: BotHarness, lang: str) -> None:
    resident = await to_the_phone(bot, lang)
    await resident.tap(CANCEL[lang])
    assert resident.last_text == CANCELLED[lang]  # the kit's one sentence
    assert resident.last.remove_keyboard and resident.reply_keyboard() == []
    await resident.send("13800138000")  # the form is over: not read as a phone number
    assert "📞" not in resident.last_text
    assert await requests_made(bot) == 0


async def test_labels_are_read_as_typed_with_spaces_and_full_width_forms(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "zh")
    await resident.send("  ✖ 取消 ")
    assert resident.last_text == CANCELLED["zh"]
    resident = await to_the_phone(bot, "en")
    await resident.send("✖ 取消")  # the other language's label (the keyboard of before /language)
    assert resident.last_text == CANCELLED["en"]


async def test_a_typed_number_is_still_a_number_and_takes_the_keyboard_away(
    bot: BotHarness,
) -> None:
    resident = await to_the_phone(bot, "zh")
    await resident.send("Back")  # not a label: a bad number, asked again with the keyboard
    assert "138 0013 8000" in resident.last_text
    assert typed_keyboard(resident) == [SHARE["zh"], BACK["zh"], CANCEL["zh"]]
    await resident.send("138 0013 8000")
    assert "📞 谢谢，已记下：138 0013 8000" in resident.messages[-2].text
    assert resident.messages[-2].remove_keyboard and resident.reply_keyboard() == []
    assert resident.last.inline_keyboard  # the time step below it


async def test_a_shared_contact_takes_the_keyboard_away(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "en")
    await resident.tap(SHARE["en"])
    assert "📞 Thank you, noted: 138 0013 8000" in resident.messages[-2].text
    assert resident.reply_keyboard() == []


async def test_slash_cancel_at_the_phone_step_takes_the_keyboard_away(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "en")
    await resident.send("/cancel")
    assert resident.last_text == CANCELLED["en"] and resident.reply_keyboard() == []


async def test_keep_is_a_typed_button_when_the_draft_has_a_number(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "zh")
    await resident.send("13800138000")
    await resident.press("req:back")  # from the time step
    assert typed_keyboard(resident) == [
        SHARE["zh"],
        "继续用：138 0013 8000",
        BACK["zh"],
        CANCEL["zh"],
    ]
    await resident.send("继续用:138 0013 8000")  # an ASCII colon is the same label
    assert resident.reply_keyboard() == []
    assert "什么时候联系您比较方便？" in resident.last_text


async def test_starting_again_at_the_phone_step_takes_the_keyboard_away(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "en")
    await resident.send("/request")
    assert resident.reply_keyboard() == []
    # The form under way is kept (edges8), and the person chooses to continue or start again.
    assert resident.messages[-2].text == "What you have filled in so far is kept."
    assert resident.last_text.startswith("You have an unfinished form from earlier.")
    await resident.press("req:fresh")
    assert "Step 1 of 7" in resident.last_text


async def test_an_idle_phone_step_put_aside_takes_the_keyboard_away(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "en")
    bot.clock.advance(timedelta(hours=3))
    await resident.tap(BACK["en"])
    assert "put it aside" in resident.last_text and resident.reply_keyboard() == []
    await resident.send("/request")
    await resident.press("Continue where I left off")
    assert typed_keyboard(resident) == [SHARE["en"], BACK["en"], CANCEL["en"]]
    bot.clock.advance(timedelta(hours=3))
    await resident.tap(CANCEL["en"])  # Cancel of an idle form cancels it
    assert resident.last_text == CANCELLED["en"] and resident.reply_keyboard() == []
    await resident.send("/request")
    assert not resident.last_text.startswith("You have an unfinished form")


async def test_inline_back_and_cancel_of_the_earlier_release_still_work(bot: BotHarness) -> None:
    """The release before showed Back / Cancel in a second message under the prompt: a person
    at the phone step when this one starts may still press them."""
    resident = await to_the_phone(bot, "en")
    await bot.restart()
    old = resident.messages[-1]  # stands in for "Or go back, or cancel:" with its buttons
    await resident.press_data("req:back", message=old)
    assert "What is the situation?" in resident.last_text and resident.reply_keyboard() == []
    await resident.send("Mum needs help with shopping.")
    await bot.restart()
    await resident.press_data("req:cancel", message=resident.messages[-1])
    assert resident.last_text == CANCELLED["en"] and resident.reply_keyboard() == []
    assert await requests_made(bot) == 0


# --- /volunteer's phone step: the same kit step --------------------------------------------------
async def applications(bot: BotHarness) -> int:
    async with bot.database.uow() as uow:
        query = select(func.count()).select_from(VolunteerApplication)
        return int(await uow.session.scalar(query) or 0)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_volunteer_phone_step_typed_back_and_cancel(bot: BotHarness, lang: str) -> None:
    person = await volunteer_to_the_phone(bot, lang)
    assert person.last.inline_keyboard == []
    assert typed_keyboard(person) == [SHARE[lang], BACK[lang], CANCEL[lang]]
    await person.tap(BACK[lang])
    assert person.reply_keyboard() == []
    assert ("您的姓名" if lang == "zh" else "Your name") in person.last_text
    await person.press("王小明")  # Keep: the name
    assert typed_keyboard(person) == [SHARE[lang], BACK[lang], CANCEL[lang]]
    await person.tap(CANCEL[lang])
    assert person.last_text == CANCELLED[lang] and person.reply_keyboard() == []
    assert await applications(bot) == 0


async def test_volunteer_phone_step_takes_a_typed_number(bot: BotHarness) -> None:
    person = await volunteer_to_the_phone(bot, "zh")
    await person.send("0579-8000 0001")
    assert person.reply_keyboard() == []
    assert "vol:st:jiangnan" in [b.callback_data for b in person.last.buttons]  # the station
