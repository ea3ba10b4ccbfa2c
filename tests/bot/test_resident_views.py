"""A resident can see what they sent: /myrequests shows the request as sent with its history,
and /mydata gives a plain summary in the chat besides the JSON file."""

from __future__ import annotations

from tests.bot.test_requests import make_request
from tests.harness import BotHarness


async def test_myrequests_shows_the_request_as_sent_with_its_history(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="zh")
    ref = await make_request(resident, description="我妈妈82岁，一个人住")
    await worker.press("ib:acc:1")
    await resident.send("/myrequests")
    await resident.press(f"📄 查看 {ref}")
    text = resident.last_text
    assert text.startswith(f"您提交的申请 {ref}")
    assert "服务对象：" in text and "80" in text
    assert "情况说明：我妈妈82岁，一个人住" in text
    assert "电话：138 0013 8000" in text
    assert "方便的时间：" in text
    assert "提交时间：11月16日 10:00（北京时间）" in text
    history = text.split("处理经过", 1)[1]
    assert (
        "（您本人）" in history and "（社工站）" in history
    )  # submitted by them, accepted by the station
    await resident.press("« 我的申请")
    assert ref in resident.last_text
    # Someone else's request is not shown.
    other = await bot.person(lang="en")
    await other.send("/start")
    await other.press_data("my:see:1")
    assert "expired" in bot.telegram.callback_answers[-1]["text"]


async def test_mydata_gives_a_plain_summary_and_keeps_the_file(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    ref = await make_request(resident)
    await resident.send("/mydata")
    assert resident.last.kind == "document" and resident.last.file_name == "mydata.json"
    text = resident.messages[-2].text
    assert text.startswith("本机器人保存的您的信息")
    assert "以下时间均为北京时间。" in text
    assert "使用您的个人信息办理申请：11月16日 10:00同意" in text
    assert f"{ref}：" in text and "11月16日 10:00提交" in text and "已提交" in text
    assert "60_79" not in text and "personal_info" not in text and "UTC" not in text
    english = await bot.person(lang="en")
    await english.send("/mydata")
    assert english.messages[-2].text.startswith("What this bot holds about you")
    assert "Times are Beijing time." in english.messages[-2].text
