"""fix11a: what the outside tester found in round 11 (probe11) about numbers typed into forms.
A minus is a minus: "-1小时" is not the «1小时» button, "-5" volunteers are not the «5»
button; a record form's number field reads "第三节" and "3节"."""

from __future__ import annotations

import pytest

from bot.offline_telegram import OfflinePerson
from tests.bot.log_steps import to_the_form
from tests.harness import BotHarness

TOO_SHORT = {"zh": "时间太短了：最少 0.25 小时。", "en": "0.25"}


async def at_the_hours(bot: BotHarness, lang: str) -> OfflinePerson:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工", lang=lang)
    await worker.send("/log")
    for button in ("log:cat:needs", "log:tpl:needs_visit", "log:date:today"):
        await worker.press(button)
    return worker


@pytest.mark.parametrize(
    ("lang", "typed"),
    [("zh", "-1小时"), ("zh", "-2小时"), ("zh", "－1小时"), ("zh", "负一小时"), ("zh", "负1小时"),
     ("en", "-1 hour"), ("en", "-2h")],
)  # fmt: skip
async def test_a_minus_at_the_log_hours_step_is_refused(
    bot: BotHarness, lang: str, typed: str
) -> None:
    worker = await at_the_hours(bot, lang)
    await worker.send(typed)
    assert any(b.callback_data == "log:dur:60" for b in worker.last.buttons)  # asked again
    assert TOO_SHORT[lang] in worker.last_text
    await worker.send("1小时" if lang == "zh" else "1 hour")  # the same without the minus
    assert any(b.callback_data == "log:grp:done" for b in worker.last.buttons)


async def test_a_minus_at_the_supervision_hours_is_refused(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), name="督导")
    await supervisor.send("/supervise")
    await supervisor.press("sup:date:today")
    hours_screen = supervisor.last_text
    await supervisor.send("-2小时")
    assert "时间太短了" in supervisor.last_text and hours_screen in supervisor.last_text
    assert any(b.callback_data == "sup:hrs:60" for b in supervisor.last.buttons)


async def at_the_volunteers_needed(bot: BotHarness, lang: str) -> OfflinePerson:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="李社工", lang=lang)
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("重阳敬老义剪")
    await worker.press("vact:day:2026-11-21")
    await worker.send("9:00-11:30")
    await worker.send("活动室")
    return worker


@pytest.mark.parametrize(
    ("lang", "typed"), [("zh", "-5"), ("zh", "－5"), ("zh", "-5人"), ("en", "-5"), ("zh", "0")]
)
async def test_a_minus_for_the_volunteers_needed_is_refused(
    bot: BotHarness, lang: str, typed: str
) -> None:
    worker = await at_the_volunteers_needed(bot, lang)
    await worker.send(typed)
    said = {"zh": "请输入 1 到 200 之间的数字。", "en": "Please give a number from 1 to 200."}
    assert worker.last_text.startswith(said[lang]), worker.last_text
    assert any(b.callback_data == "vact:need:5" for b in worker.last.buttons)


async def test_volunteers_needed_typed_with_a_unit_or_in_chinese(bot: BotHarness) -> None:
    worker = await at_the_volunteers_needed(bot, "zh")
    await worker.send("十二人")
    assert any(b.callback_data == "vact:done" for b in worker.last.buttons)


@pytest.mark.parametrize(
    ("lang", "typed", "stored"),
    [("zh", "第三节", "3"), ("zh", "3节", "3"), ("zh", "第十二节", "12"), ("zh", "三", "3"),
     ("en", "3 sessions", "3")],
)  # fmt: skip
async def test_a_record_forms_number_with_its_unit_or_an_ordinal(
    bot: BotHarness, lang: str, typed: str, stored: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工", lang=lang)
    await to_the_form(worker, "groupwork", "group_session")
    await worker.send("银龄健康小组")
    asked = worker.last_text
    await worker.send(typed)
    refused = {"zh": "请输入数字", "en": "number"}
    assert refused[lang] not in worker.last_text.split("\n")[0], worker.last_text
    assert worker.last_text != asked
    while any(b.callback_data == "log:fs" for b in worker.last_with_buttons().buttons):
        await worker.press("log:fs")
    if any(b.callback_data == "log:evd" for b in worker.last_with_buttons().buttons):
        await worker.press("log:evd")
    label = {"zh": "第几节：", "en": "Session number: "}[lang]
    assert f"{label}{stored}\n" in worker.last_text
