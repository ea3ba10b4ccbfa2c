"""A question the station does not handle is still offered to a social worker, and the reply
also names the office that handles it (legal aid 12348, 12333, 12367 …), in the person's
language; staff get the same pointer beside the note that the question is a gap."""

from __future__ import annotations

from tests.harness import BotHarness


async def test_a_lawsuit_points_to_legal_aid_beside_the_offer(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("我跟老公要离婚了，孩子抚养权怎么争取")
    text = resident.last_text
    assert "要帮您转" in text
    assert "您也可以直接问：\n• 法律援助热线 12348：免费法律咨询" in text
    assert "📨 好的，转给社工" in resident.button_labels()


async def test_unpaid_wages_in_english_get_the_office_in_english(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("My boss hasn't paid my wages for three months, wages not paid at all")
    assert "Shall I pass your question on?" in resident.last_text
    assert (
        "You can also ask directly:\n• the human resources and social security hotline 12333"
        in (resident.last_text)
    )


async def test_a_question_naming_no_office_gets_only_the_offer(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("我家隔壁在装修，吵得睡不着怎么办")
    assert "要帮您转过去吗" in resident.last_text
    assert "您也可以直接问" not in resident.last_text


async def test_what_a_station_does_not_handle_is_said_plainly(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("帮我买张去杭州的火车票")
    assert "这类事不归社工站办" in resident.last_text
    assert "铁路客服 12306" in resident.last_text
    assert "📨 好的，转给社工" in resident.button_labels()  # a person may still point the way
    english = await bot.person(lang="en")
    await english.send("what's the weather tomorrow")
    assert "This is not something the social work station handles" in english.last_text
    assert "the weather line 12121" in english.last_text


async def test_a_scam_call_gets_what_to_do_and_the_lines(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("有人打电话说我医保卡出问题叫我转账")
    assert "先挂断电话，不要转账" in resident.last_text
    assert "96110" in resident.last_text and "110" in resident.last_text
    assert "👍" in resident.button_labels()


async def test_dancing_and_skipping_are_no_danger(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("跳广场舞的活动有吗")
    assert "🆘 如果现在有人有危险" not in resident.last_text
    worker = await bot.person(role="worker", stations=("jiangnan",))
    for text in ("12人次", "12月10日", "跳过"):
        await worker.send(text)
        assert "🆘 如果现在有人有危险" not in worker.last_text, text


async def test_staff_get_the_pointer_beside_the_gap_note(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await worker.send("居民问护照过期了去哪里换")
    assert "移民管理服务热线 12367" in worker.last_text
    assert "转给社工" not in " ".join(worker.button_labels())


async def test_a_jump_from_a_roof_is_still_one(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("她要跳 在楼顶上")
    assert "110" in resident.last_text and "👍" not in resident.button_labels()
