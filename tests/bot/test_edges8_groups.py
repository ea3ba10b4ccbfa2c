"""A group chat at the edges (edges8): the bot points people to a private chat when they
command it there, and keeps quiet about commands meant for another bot in the same group."""

from __future__ import annotations

from tests.harness import BotHarness

GROUP = -100_123


async def test_a_command_for_another_bot_in_the_group_gets_no_answer(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    await resident.send_in_group("/start@other_helper_bot")
    await resident.send_in_group("/help@Other_Helper_Bot now")
    assert bot.telegram.messages(GROUP) == []
    assert resident.messages == []


async def test_a_command_for_this_bot_by_name_is_pointed_to_a_private_chat(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="zh")
    username = bot.telegram.bot_user["username"]
    await resident.send_in_group(f"/request@{username.upper()}")
    await resident.send_in_group("/start")
    said = [m.text for m in bot.telegram.messages(GROUP)]
    assert said == ["为了保护您的隐私，我只在私聊里回答。请直接私信我。"] * 2
    assert resident.messages == []
