"""Typed “不用了” or “不要” at a yes/no question is its No (tidy10): the record form's yes/no
field, /request's "Is it urgent?", /forget's "Erase your data?" and a kit choice of yes and no
(the walk-in's "Will you take it on yourself?"). Before, it was read as "never mind" and got
the hint to send /cancel, where it is a plain answer. At a step with no No to press the hint
stays (`test_kb_small_talk9.py`), and at a free-text step the words are the answer."""

from __future__ import annotations

import pytest

from tests.bot.log_steps import to_the_form
from tests.bot.test_requests import consent, fill_request
from tests.harness import BotHarness

HINT = {
    "zh": "想停下这张表格，发送 /cancel 就行；要继续，请回答下面的问题。",
    "en": "If you want to stop this form, send /cancel; to go on, answer the question below.",
}


@pytest.mark.parametrize(
    ("lang", "typed"), [("en", "不用了"), ("zh", "不要。"), ("en", "No, thanks")]
)
async def test_no_typed_at_a_yes_no_field_of_the_record(
    bot: BotHarness, lang: str, typed: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    await to_the_form(worker, "casework", "case_intake")
    await worker.send("C-1")
    await worker.press_data("log:fv:referral")
    await worker.send("Lives alone")
    assert any(b.callback_data == "log:fv:no" for b in worker.last.buttons)  # "Case accepted"
    before = len(worker.messages)
    await worker.send(typed)
    assert HINT[lang] not in [m.text for m in worker.messages[before:]]
    await worker.press_data("log:evd")
    summary = worker.last_text
    assert "Case accepted: No" in summary or "是否接案：否" in summary, summary


async def test_no_typed_at_is_it_urgent(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    await fill_request(resident)
    await resident.press_data("req:back")  # from the summary to "Is it urgent?"
    before = len(resident.messages)
    await resident.send("不用")
    said = [m.text for m in resident.messages[before:]]
    assert HINT["zh"] not in said
    assert "紧急程度：否" in resident.last_text or "是否紧急：否" in resident.last_text, said


@pytest.mark.parametrize(("lang", "kept"), [
    ("zh", "没有删除任何内容，您的信息保持不变。"),
    ("en", "Nothing was erased. Your data stays as it was."),
])  # fmt: skip
async def test_no_typed_at_erase_my_data(bot: BotHarness, lang: str, kept: str) -> None:
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    await consent(resident)  # something to erase
    await resident.send("/cancel")
    await resident.send("/forget")
    await resident.send("不要" if lang == "zh" else "no")
    assert resident.last_text == kept


async def test_no_typed_at_a_choice_of_yes_and_no(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/register")
    for data in ("wk:service:elderly_care", "wk:who:neighbour", "wk:age:80_plus"):
        await worker.press(data)
    for typed in ("Lives alone; needs a home visit.", "Grandma Liu", "138 0013 8000", "城西村"):
        await worker.send(typed)
    for data in ("wk:skip", "wk:time:any", "wk:src:phone"):
        await worker.press(data)
    await worker.send("不用")  # "Is it urgent?"
    assert "Please read this to the resident" in worker.last_text
    await worker.press("wk:agree")
    before = len(worker.messages)
    await worker.send("No thanks")  # "Will you take it on yourself?"
    assert HINT["en"] not in [m.text for m in worker.messages[before:]]
    summary = worker.last_text
    assert "Urgent: no" in summary and "I take it myself: no" in summary, summary


@pytest.mark.parametrize(("lang", "typed"), [("zh", "不用了"), ("en", "no")])
async def test_no_typed_where_there_is_no_no_still_says_how_to_stop(
    bot: BotHarness, lang: str, typed: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send("/request")  # the privacy notice: only "I agree" to press
    before = len(resident.messages)
    await resident.send(typed)
    assert resident.messages[before].text == HINT[lang]
