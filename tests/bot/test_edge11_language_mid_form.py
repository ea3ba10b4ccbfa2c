"""/language in the middle of a form (edge11): once the language is chosen, the form's step
comes again in the new language, the answers kept, instead of the main menu."""

from __future__ import annotations

from tests.harness import BotHarness


async def test_zh_to_en_by_the_chooser_shows_the_step_again(bot: BotHarness) -> None:
    person = await bot.person(lang="zh")
    await person.send("/request")
    await person.press("req:cons:yes")
    await person.press("req:xb:yes")
    await person.press("req:st:jiangnan")
    await person.press("req:svc:elderly_care")
    assert "为谁申请帮助？" in person.last_text
    await person.send("/language")
    await person.press("lang:en")
    assert person.messages[-2].text == "From now on I will speak English."
    assert person.last_text == "Step 3 of 7 · Who is the help for?"
    assert "🙋 Request a service" not in person.button_labels()  # not the menu
    assert person.button_labels()[-2:] == ["« Back", "✖ Cancel"]
    await person.press("req:who:family")  # the form goes on where it was, in English
    await person.press("req:age:80_plus")
    await person.send("My mother is 82 and lives alone.")
    await person.send_contact("+8613800138000")
    await person.press("req:time:weekday_morning")
    await person.press("req:urg:no")
    summary = person.last_text
    assert "Station: Jiangnan Street Social Work Station" in summary  # answered in Chinese
    assert "Service: Daily-life care for elderly people" in summary


async def test_en_to_zh_typed_at_a_text_step_keeps_the_answers(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/register")
    await worker.press("wk:service:elderly_care")
    await worker.press("wk:who:neighbour")
    await worker.press("wk:age:80_plus")
    assert "What is the situation?" in worker.last_text
    await worker.send("/language 中文")
    assert worker.messages[-2].text == "好的，以后我用中文和您交流。"
    assert worker.last_text.startswith("📝 是什么情况？请用几句话说明")
    assert "What is the situation?" not in worker.last_text
    await worker.send("独居，行动不便，需要上门探访。")  # the form's answer, not a question
    assert "姓名" in worker.last_text, worker.last_text
    await worker.send("/language English")
    assert worker.messages[-2].text == "From now on I will speak English."
    assert worker.last_text.startswith("👤 The resident's name")


async def test_without_a_form_the_menu_as_before(bot: BotHarness) -> None:
    person = await bot.person(lang="zh")
    await person.send("/language")
    await person.press("lang:en")
    assert "🙋 Request a service" in person.button_labels()
