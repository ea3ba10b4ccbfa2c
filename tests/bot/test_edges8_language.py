"""/language with the language named after it (edges8): chosen at once, as the chooser's
button would; anything else still shows the chooser."""

from __future__ import annotations

from tests.harness import BotHarness


async def test_language_named_after_the_command_is_chosen(bot: BotHarness) -> None:
    person = await bot.person(lang="zh")
    await person.send("/language en")
    assert person.messages[-2].text == "From now on I will speak English."
    assert "🙋 Request a service" in person.button_labels()
    await person.send("/language 中文")
    assert person.messages[-2].text == "好的，以后我用中文和您交流。"
    await person.send("/LANGUAGE English")
    assert person.messages[-2].text == "From now on I will speak English."


async def test_anything_else_after_language_shows_the_chooser(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/language klingon")
    assert person.last_text == "Choose your language:"
    assert [b.callback_data for b in person.last.buttons] == ["lang:zh", "lang:en"]
