"""/start, /help, /language, /cancel, /privacy, stale buttons, unknown input, errors."""

from __future__ import annotations

from telegram.ext import CommandHandler

from tests.harness import BotHarness


async def test_start_greets_in_chinese_with_a_menu(bot: BotHarness) -> None:
    resident = await bot.person(name="王阿姨")
    await resident.send("/start")
    assert "王阿姨，您好" in resident.last_text
    labels = resident.button_labels()
    assert "🔒 隐私说明" in labels
    assert "👥 工作人员" not in labels  # staff-only buttons stay hidden


async def test_start_in_english_for_non_chinese_telegram(bot: BotHarness) -> None:
    resident = await bot.person(lang="en", name="Ann")
    await resident.send("/start")
    assert resident.last_text.startswith("Hello, Ann!")


async def test_language_switch_is_remembered(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("/language")
    await resident.press("English")
    assert "English" in resident.messages[-2].text
    await resident.send("/help")
    assert resident.last_text.startswith("Here is what I can do for you:")
    await resident.send("/language")
    await resident.press("lang:zh")
    await resident.send("/help")
    assert resident.last_text.startswith("我可以帮您做这些事")


async def test_help_lists_only_commands_the_role_can_use(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/help")
    assert "/privacy" in resident.last_text
    assert "/staff" not in resident.last_text


async def test_cancel_outside_a_conversation(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/cancel")
    assert "nothing to cancel" in resident.last_text


async def test_privacy_mentions_cross_border_transfer(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("/privacy")
    assert "中国大陆以外" in resident.last_text
    assert "/forget" in resident.last_text


async def test_stale_button_expires_and_changes_nothing(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start")
    await resident.press_data("req:svc:elderly_care")
    answer = bot.telegram.callback_answers[-1]
    assert "expired" in answer["text"]


async def test_unknown_command_and_photo_get_a_clear_answer(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/frobnicate")
    assert "don't know that command" in resident.last_text
    await resident.send_sticker()
    assert "only read text" in resident.last_text


async def test_a_failing_handler_tells_the_person_nothing_was_lost(bot: BotHarness) -> None:
    async def boom(update: object, context: object) -> None:
        raise RuntimeError("boom")

    assert bot.app is not None
    bot.app.add_handler(CommandHandler("boom", boom), group=-1)
    resident = await bot.person(lang="en")
    await resident.send("/boom")
    assert any("Nothing you entered has been lost" in m.text for m in resident.messages)


async def test_commands_are_set_for_both_languages(bot: BotHarness) -> None:
    zh = {c["command"]: c["description"] for c in bot.telegram.commands["zh"]}
    en = {c["command"]: c["description"] for c in bot.telegram.commands["en"]}
    assert zh["help"] == "使用帮助"
    assert en["help"] == "What I can do"


async def test_groups_get_pointed_to_a_private_chat(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send_in_group("/request")
    group_messages = bot.telegram.messages(-100_123)
    assert len(group_messages) == 1
    assert "private" in group_messages[0].text
    assert resident.messages == []  # nothing personal started anywhere


async def test_edited_messages_are_answered_not_reprocessed(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.edit_message("/start")
    assert "only read new messages" in resident.last_text


async def test_blocking_marks_the_person_unreachable_and_writing_again_clears_it(
    bot: BotHarness,
) -> None:
    from sqlalchemy import select

    from db.models import Person

    resident = await bot.person(lang="en")
    await resident.send("/start")
    await resident.block_bot()
    async with bot.database.uow() as uow:
        person = await uow.session.scalar(select(Person).where(Person.tg_id == resident.user_id))
        assert person is not None and person.unreachable_at is not None
    await resident.unblock_bot()
    await resident.send("/start")
    async with bot.database.uow() as uow:
        person = await uow.session.scalar(select(Person).where(Person.tg_id == resident.user_id))
        assert person is not None and person.unreachable_at is None


async def test_information_opened_from_the_menu_leads_back_to_it(bot: BotHarness) -> None:
    resident = await bot.person()
    await resident.send("/start")
    await resident.press("menu:privacy")
    assert "隐私说明" in resident.last_text
    await resident.press("🏠 主菜单")
    assert "🔒 隐私说明" in resident.button_labels()
