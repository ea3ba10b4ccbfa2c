"""A look typed in the middle of a form (tidy10): /quota while logging supervision, /myrequests
and /mydata mid-/request, /myhours mid-/volunteer, /mysessions mid-/supervise are answered, and
the form's step comes again below the answer, where it was, the draft kept. They are declared
looks where they are registered (`LookCommand`, `command_and_button(look=True)`). Before, /quota
mid-/supervise was refused with "You are in the middle of logging supervision". A command that
is no look still gets the form's busy sentence."""

from __future__ import annotations

import pytest

from bot.offline_telegram import OfflinePerson
from tests.bot.test_requests import consent
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")

BUSY_SUPERVISE = {
    "en": "You are in the middle of logging supervision. Finish it, or send /cancel.",
    "zh": "您正在登记督导记录。请先完成，或发送 /cancel 取消。",
}


async def supervise_to_the_topic(bot: BotHarness, lang: str) -> OfflinePerson:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang=lang)
    await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    await supervisor.send("/supervise")
    await supervisor.press("sup:date:today")
    await supervisor.send("2")
    await supervisor.press("sup:mode:offline")
    assert any(b.callback_data == "sup:topic:case_work" for b in supervisor.last.buttons)
    return supervisor


async def look_mid_form(person: OfflinePerson, command: str) -> list[str]:
    """`command` sent at the step on screen: what was said, the step again (the same text and
    buttons) last."""
    step = person.last_with_buttons()
    before = len(person.messages)
    await person.send(command)
    said = person.messages[before:]
    assert len(said) >= 2 and said[-1].text == step.text, [m.text for m in said]
    assert [b.callback_data for b in said[-1].buttons] == [b.callback_data for b in step.buttons]
    return [m.text for m in said]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_quota_mid_supervise_shows_the_quota_then_the_step(
    bot: BotHarness, lang: str
) -> None:
    supervisor = await supervise_to_the_topic(bot, lang)
    quota, again = await look_mid_form(supervisor, "/quota")
    assert quota.startswith(("⏱ Supervision quota this month", "⏱ 本月督导时长")), quota
    assert BUSY_SUPERVISE[lang] not in again
    # The form goes on where it was, with what was answered.
    await supervisor.press("sup:topic:case_work")
    await supervisor.press("sup:form:group")
    await supervisor.press("sup:team")
    assert "2" in supervisor.last_text and any(
        b.callback_data == "sup:ok" for b in supervisor.last.buttons
    )
    await supervisor.press("sup:ok")
    assert "Saved" in supervisor.last_text or "已保存" in supervisor.last_text


async def test_mysessions_mid_supervise_is_a_look_too(bot: BotHarness) -> None:
    supervisor = await supervise_to_the_topic(bot, "en")
    assert len(await look_mid_form(supervisor, "/mysessions")) == 2


async def test_a_command_that_is_no_look_still_gets_the_busy_sentence(bot: BotHarness) -> None:
    supervisor = await supervise_to_the_topic(bot, "en")
    await supervisor.send("/log")
    assert supervisor.last_text.startswith(BUSY_SUPERVISE["en"])


@pytest.mark.parametrize("command", ["/myrequests", "/mydata"])
async def test_a_residents_look_mid_request(bot: BotHarness, command: str) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    said = await look_mid_form(resident, command)
    assert "middle of a request" not in said[0]
    await resident.press("req:svc:elderly_care")  # the form takes the next answer
    assert any(b.callback_data == "req:who:family" for b in resident.last.buttons)


async def test_a_look_outside_any_form_is_only_the_look(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    before = len(supervisor.messages)
    await supervisor.send("/quota")
    assert len(supervisor.messages) == before + 1


async def test_myhours_mid_volunteer(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/volunteer")
    said = await look_mid_form(resident, "/myhours")
    assert said[0].startswith("⏱ Your volunteer hours"), said
