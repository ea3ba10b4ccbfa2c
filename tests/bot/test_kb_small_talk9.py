"""Praise, goodbyes and "I need nothing more" are small talk (issue 13): answered at once with
the menu, never a guess at an entry that shares a character ("服务很好" had answered how to
complain, "不用了" how to erase one's data, "随便" where the canteens are)."""

from __future__ import annotations

import pytest

from tests.harness import BotHarness


@pytest.mark.parametrize(
    ("lang", "typed", "reply"),
    [
        ("zh", "服务很好", "不客气！还有什么需要，随时问我，或者发送 /menu 打开菜单。"),
        ("zh", "再见", "再见！有需要随时来问我，或者发送 /menu 打开菜单。"),
        ("zh", "不用了", "好的。有需要随时问我，或者发送 /menu 打开菜单。"),
        ("zh", "随便", "好的。有需要随时问我，或者发送 /menu 打开菜单。"),
        ("en", "bye", "Goodbye! Ask me any time, or send /menu for the menu."),
        ("en", "never mind", "All right. Ask me any time, or send /menu for the menu."),
    ],
)
async def test_small_talk_gets_its_answer_and_the_menu(
    bot: BotHarness, lang: str, typed: str, reply: str
) -> None:
    resident = await bot.person(lang=lang)
    before = len(resident.messages)
    await resident.send(typed)
    assert len(resident.messages) == before + 1
    assert resident.last_text == reply
    assert [b.callback_data for b in resident.last.buttons] == ["menu:menu"]


@pytest.mark.parametrize(
    ("lang", "typed", "hint"),
    [
        ("zh", "不用了", "想停下这张表格，发送 /cancel 就行；要继续，请回答下面的问题。"),
        (
            "en",
            "never mind",
            "If you want to stop this form, send /cancel; to go on, answer the question below.",
        ),
    ],
)
async def test_never_mind_mid_form_says_how_to_stop_and_keeps_the_step(
    bot: BotHarness, lang: str, typed: str, hint: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    notice = resident.last
    before = len(resident.messages)
    await resident.send(typed)
    said, step = resident.messages[before:]
    assert said.text == hint
    assert step.text.endswith(notice.text)
    assert [b.callback_data for b in step.buttons] == [b.callback_data for b in notice.buttons]
    await resident.send("/cancel")
    assert resident.last_text in ("已取消，没有保存任何内容。", "Cancelled. Nothing was saved.")
