"""/start or /menu mid-way in a form (edges8): the menu invites a question, so the form is put
aside with what was typed (as an idle one is) and the next message is what the menu says it
is, not the form's answer; its command then offers to continue where it was."""

from __future__ import annotations

import pytest

from bot.offline_telegram import OfflinePerson
from tests.bot.test_phone_step import to_the_phone
from tests.bot.test_requests import consent
from tests.harness import BotHarness

KEPT = {
    "zh": "您没填完的表格已经保留，发送 /request 可以接着填写。",
    "en": "Your unfinished form is kept: send /request to continue where you left off.",
}


async def to_the_description(bot: BotHarness, lang: str) -> OfflinePerson:
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    await consent(resident)
    for data in ("req:st:jiangnan", "req:svc:elderly_care", "req:who:family", "req:age:80_plus"):
        await resident.press(data)
    return resident


@pytest.mark.parametrize(("lang", "command"), [("zh", "/start"), ("en", "/menu"), ("zh", "/help")])
async def test_the_menu_mid_form_puts_the_form_aside(
    bot: BotHarness, lang: str, command: str
) -> None:
    resident = await to_the_description(bot, lang)
    asked = resident.last_text
    await resident.send(command)
    assert resident.last_text.startswith(KEPT[lang])
    if command != "/help":
        assert any(b.callback_data == "menu:request" for b in resident.last.buttons)
    await resident.send("老人补贴怎么申请？")  # a question, as the menu invites
    # Answered (an entry, rated), not taken as the description with the phone step after it.
    assert any((b.callback_data or "").startswith("kb:up:") for b in resident.last.buttons)
    assert resident.reply_keyboard() == []
    await resident.send("/request")
    await resident.press("req:resume")
    assert resident.last_text == asked  # the description step, where it was


async def test_the_menu_at_the_phone_step_takes_its_keyboard_away(bot: BotHarness) -> None:
    resident = await to_the_phone(bot, "en")
    await resident.send("/menu")
    assert resident.reply_keyboard() == []
    assert resident.messages[-2].text == KEPT["en"]
    await resident.send("/request")
    await resident.press("req:resume")
    assert any(b.request_contact for b in resident.reply_keyboard())


async def test_the_menu_outside_any_form_is_the_menu(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/menu")
    assert resident.last_text == (
        "What would you like to do? Choose below, or just type your question."
    )
