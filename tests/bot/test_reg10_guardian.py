"""/volunteer, 14–17 (round 10): the guardian's phone typed as the teenager's own number is
refused with a sentence saying so (你 in Chinese) and asked again; the name, the guardian's
name and everything else typed so far stay; a different number goes on. Their own number
changed afterwards to the guardian's is caught at «Keep» too."""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson
from tests.harness import BotHarness


async def up_to_the_guardian_phone(teen: OfflinePerson) -> None:
    await teen.send("/volunteer")
    await teen.press("vol:age:14_17")
    await teen.press("vol:cons:yes")
    await teen.press("vol:xb:yes")
    await teen.send("Xiaohong")
    await teen.send_contact("+8613800138000")
    await teen.send("Wang Mama")


async def test_the_guardian_phone_is_not_the_teens_own(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    teen = await bot.person(lang="en")
    await up_to_the_guardian_phone(teen)
    await teen.send("138 0013 8000")
    assert teen.last_text.startswith("That is your own number.")
    assert "your guardian's phone number" in teen.last_text.lower()  # the same step again
    draft = bot.app.user_data[teen.user_id]["volunteer"]
    assert (draft["name"], draft["guardian_name"]) == ("Xiaohong", "Wang Mama")
    assert "guardian_phone" not in draft
    await teen.send("139 0013 9000")
    assert "Which station" in teen.last_text
    await teen.press("vol:st:jiangnan")
    await teen.press("vol:sk:event_help")
    await teen.press("vol:skd")
    await teen.press("vol:av:weekends")
    await teen.press("vol:avd")
    assert "Guardian: Wang Mama, 139 0013 9000" in teen.last_text
    await teen.press("vol:confirm")
    assert "Guardian: Wang Mama" in worker.last_text


async def test_in_chinese_the_teen_is_spoken_to_as_ni(bot: BotHarness) -> None:
    teen = await bot.person()
    await up_to_the_guardian_phone(teen)
    await teen.send("13800138000")
    assert teen.last_text.startswith("这是你自己的号码。请输入父母或监护人的电话")
    assert "您" not in teen.last_text.split("\n\n")[0]


async def test_keep_is_refused_once_their_own_number_became_it(bot: BotHarness) -> None:
    teen = await bot.person(lang="en")
    await up_to_the_guardian_phone(teen)
    await teen.send("139 0013 9000")
    await teen.press("vol:back")  # to the guardian phone
    await teen.press("vol:back")  # to the guardian's name
    await teen.press("vol:back")  # to their own phone
    await teen.send("139 0013 9000")  # their own number, now the same as the guardian's
    await teen.press("vol:keep")  # keep the guardian's name
    await teen.press("vol:keep")  # keep the guardian's phone: it is their own now
    assert teen.last_text.startswith("That is your own number.")
