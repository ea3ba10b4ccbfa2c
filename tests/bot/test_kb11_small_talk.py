"""A nod ("好", "哦", "嗯", "嗯嗯", "好吧") is small talk (kb11): outside a form the `okay`
answer and the menu; in a form, where it had been "never mind" ("嗯" got the hint to send
/cancel), the step is simply asked again; and at a yes/no question that declares its Yes
(/request's "Is it urgent?", /register's "Will you take it on yourself?") it is that Yes. Not at
/forget's "Erase your data?": erasing wants the button itself."""

from __future__ import annotations

import pytest

from tests.bot.log_steps import to_the_form
from tests.bot.test_requests import consent, fill_request
from tests.harness import BotHarness

OKAY = {
    "zh": "好的。有需要随时问我，或者发送 /menu 打开菜单。",
    "en": "All right. Ask me any time, or send /menu for the menu.",
}
HINT = {
    "zh": "想停下这张表格，发送 /cancel 就行；要继续，请回答下面的问题。",
    "en": "If you want to stop this form, send /cancel; to go on, answer the question below.",
}


@pytest.mark.parametrize("typed", ["好", "哦", "哦哦", "嗯", "嗯嗯", "好吧"])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_nod_gets_the_okay_answer_and_the_menu(
    bot: BotHarness, lang: str, typed: str
) -> None:
    resident = await bot.person(lang=lang)
    before = len(resident.messages)
    await resident.send(typed)
    assert len(resident.messages) == before + 1
    assert resident.last_text == OKAY[lang]
    assert [b.callback_data for b in resident.last.buttons] == ["menu:menu"]


@pytest.mark.parametrize("typed", ["嗯", "嗯嗯", "哦哦", "好"])
async def test_a_nod_mid_form_is_no_wish_to_stop(bot: BotHarness, typed: str) -> None:
    resident = await bot.person(lang="zh")
    await resident.send("/request")  # the privacy notice: only "I agree" to press
    notice = resident.last
    before = len(resident.messages)
    await resident.send(typed)
    said = [m.text for m in resident.messages[before:]]
    assert HINT["zh"] not in said
    assert len(said) == 1 and said[0].endswith(notice.text)
    assert [b.callback_data for b in resident.last.buttons] == [
        b.callback_data for b in notice.buttons
    ]


@pytest.mark.parametrize("typed", ["好", "嗯", "是的"])
async def test_yes_typed_at_is_it_urgent(bot: BotHarness, typed: str) -> None:
    resident = await bot.person(lang="zh")
    await fill_request(resident)
    await resident.press_data("req:back")  # from the summary to "Is it urgent?"
    before = len(resident.messages)
    await resident.send(typed)
    said = [m.text for m in resident.messages[before:]]
    assert "是否紧急：🔴 是" in resident.last_text, said


async def test_yes_typed_at_a_choice_of_yes_and_no(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/register")
    for data in ("wk:service:elderly_care", "wk:who:neighbour", "wk:age:80_plus"):
        await worker.press(data)
    for typed in ("Lives alone; needs a home visit.", "Grandma Liu", "138 0013 8000", "城西村"):
        await worker.send(typed)
    for data in ("wk:skip", "wk:time:any", "wk:src:phone"):
        await worker.press(data)
    await worker.send("好")  # "Is it urgent?"
    assert "Please read this to the resident" in worker.last_text
    await worker.press("wk:agree")
    await worker.send("ok")  # "Will you take it on yourself?"
    summary = worker.last_text
    assert "Urgent: yes" in summary and "I take it myself: yes" in summary, summary


async def test_a_nod_at_erase_my_data_erases_nothing(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    await consent(resident)  # something to erase
    await resident.send("/cancel")
    await resident.send("/forget")
    question = resident.last
    await resident.send("好")
    assert resident.last_text.endswith(question.text)
    assert [b.callback_data for b in resident.last.buttons] == [
        b.callback_data for b in question.buttons
    ]


async def test_yes_typed_at_a_yes_no_field_of_the_record(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_form(worker, "casework", "case_intake")
    await worker.send("C-1")
    await worker.press_data("log:fv:referral")
    await worker.send("Lives alone")
    assert any(b.callback_data == "log:fv:yes" for b in worker.last.buttons)  # "Case accepted"
    await worker.send("嗯")
    await worker.press_data("log:evd")
    assert "Case accepted: Yes" in worker.last_text, worker.last_text
