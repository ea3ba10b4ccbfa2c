"""/volunteer at the edges (edges8): what a 14–17-year-old sees when the guardian's number is
not one, in both languages."""

from __future__ import annotations

import pytest

from tests.harness import BotHarness


@pytest.mark.parametrize(
    ("lang", "wrong", "example"),
    [
        ("en", "Sorry, that does not look like a phone number I can use.", "Please type it like"),
        ("zh", "抱歉，这个号码好像不对。", "请按这样的格式输入"),
    ],
    ids=["en", "zh"],
)
async def test_a_wrong_guardian_number_is_not_told_to_press_a_share_button_there_is_not(
    bot: BotHarness, lang: str, wrong: str, example: str
) -> None:
    """The guardian's number is typed (the share button would send the teenager's own): the
    refusal says how to type it, and points to no "📱 Share my phone number" button."""
    teen = await bot.person(lang=lang)
    await teen.send("/volunteer")
    await teen.press("vol:age:14_17")
    await teen.press("vol:cons:yes")
    await teen.press("vol:xb:yes")
    await teen.send("小明")
    await teen.send("13800138000")
    await teen.send("王妈妈")
    await teen.send("张三")  # a name where the guardian's number goes

    refusal = teen.last_text
    assert wrong in refusal
    assert example in refusal
    assert "📱" not in refusal
    assert teen.reply_keyboard() == []  # and no such button was put there either
    assert [b.callback_data for b in teen.last.buttons] == ["vol:back", "vol:cancel"]

    await teen.send("0579-8000 0001")  # then typed right: the form goes on
    assert any(b.callback_data == "vol:st:jiangnan" for b in teen.last.buttons)
