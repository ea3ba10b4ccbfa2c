"""fix11a (probe11 item 7): "跳过", "skip", "无", "没有", "none" typed at an optional text step
with a Skip button (/log's note, a record form's field) is that Skip, not a note "跳过"."""

from __future__ import annotations

import pytest

from tests.bot.log_steps import skip_record_steps
from tests.harness import BotHarness


@pytest.mark.parametrize(
    ("lang", "typed"),
    [("zh", "跳过"), ("zh", "无"), ("zh", "没有"), ("zh", "跳过。"), ("en", "skip"),
     ("en", "None"), ("en", "Skip!")],
)  # fmt: skip
async def test_a_skip_typed_at_the_log_note_is_the_skip(
    bot: BotHarness, lang: str, typed: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工", lang=lang)
    await worker.send("/log")
    for button in ("log:cat:needs", "log:tpl:needs_visit", "log:date:today", "log:dur:60"):
        await worker.press(button)
    for button in ("log:grp:elderly", "log:grp:done", "log:pt:1"):
        await worker.press(button)
    assert any(b.callback_data == "log:note:skip" for b in worker.last.buttons)
    await worker.send(typed)
    assert not any(b.callback_data == "log:note:skip" for b in worker.last.buttons)
    await skip_record_steps(worker)
    summary = worker.last_text
    assert ("请核对后保存" if lang == "zh" else "Please check, then save") in summary
    assert "备注" not in summary and "Note" not in summary, summary
    assert typed not in summary


async def test_a_note_that_only_starts_with_skip_is_the_note(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    await worker.send("/log")
    for button in ("log:cat:needs", "log:tpl:needs_visit", "log:date:today", "log:dur:60"):
        await worker.press(button)
    for button in ("log:grp:elderly", "log:grp:done", "log:pt:1"):
        await worker.press(button)
    await worker.send("无人在家，改天再访")
    await skip_record_steps(worker)
    assert "无人在家，改天再访" in worker.last_text


async def test_a_skip_typed_at_a_record_forms_text_field_is_its_skip(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    await worker.send("/log")
    for button in ("log:cat:groupwork", "log:tpl:group_session", "log:date:today", "log:dur:60"):
        await worker.press(button)
    for button in ("log:grp:elderly", "log:grp:done", "log:pt:1", "log:note:skip"):
        await worker.press(button)
    await worker.send("跳过")  # the group's name: skipped, the record stays incomplete
    await skip_record_steps(worker)
    assert "小组名称：（未填，记录不完整）" in worker.last_text
