"""Each person sees their own bot: a greeting per role on /start and /menu, and each staff
member's own "/" menu (BotCommandScopeChat, in their language) after a grant, a revoke and at
start; residents keep the default scope."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from db.models import Person
from tests.harness import ADMIN_ID, BotHarness

LINK = re.compile(r"https://t\.me/stationbot_offline_bot\?start=([A-Za-z0-9_-]+)")


def _names(bot: BotHarness, tg_id: int) -> list[str]:
    return [c["command"] for c in bot.telegram.chat_commands.get((tg_id, ""), [])]


async def test_greetings_per_role_in_both_languages(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="李")
    await worker.send("/start")
    assert worker.messages[-1].text.startswith(
        "李社工，您好！您可以在这里接单、登记服务记录、查看本站数据。"
    )
    await worker.send("/menu")
    assert "接单" in worker.last_text
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en", name="Wang")
    await head.send("/start")
    assert head.last_text.startswith("Hello, Wang! Here you can see your station's requests")
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), name="陈")
    await supervisor.send("/start")
    assert supervisor.last_text.startswith("陈督导，您好！")
    admin = await bot.admin()
    await admin.send("/start")
    assert "各站数据" in admin.last_text
    assert "📊 各站数据" in admin.button_labels()
    resident = await bot.person(name="张")
    await resident.send("/start")
    assert "社工" not in resident.last_text.split("！")[0]  # no title for a resident
    await resident.send("/menu")
    assert "接单" not in resident.last_text


async def test_scoped_commands_after_a_grant_and_a_revoke(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("inv:role:worker")
    await admin.press("inv:st:jiangnan")
    match = LINK.search(admin.last_text)
    assert match is not None
    newcomer = await bot.person(lang="zh", name="李")
    await newcomer.send(f"/start {match.group(1)}")
    calls = [c for c in bot.telegram.calls_to("setMyCommands") if c.params.get("scope") is not None]
    assert calls, "no scoped setMyCommands after the grant"
    scope = calls[-1].params["scope"]
    if isinstance(scope, str):
        scope = json.loads(scope)
    assert scope == {"type": "chat", "chat_id": newcomer.user_id}
    menu = bot.telegram.chat_commands[(newcomer.user_id, "")]
    names = [c["command"] for c in menu]
    assert {"inbox", "log", "mylogs", "stats"} <= set(names)
    assert "evaluation" not in names and "start" not in names
    assert {c["command"]: c["description"] for c in menu}["log"] == "登记服务记录"
    # A resident keeps the default scope: nothing of their own.
    resident = await bot.person()
    await resident.send("/start")
    assert (resident.user_id, "") not in bot.telegram.chat_commands

    await admin.send("/staff")
    await admin.press("staff:st:jiangnan:1")
    revoke = next(b.text for b in admin.last.buttons if b.text.startswith("🚫 Revoke"))
    await admin.press(revoke)
    await admin.press("🚫 Yes, revoke")
    assert (newcomer.user_id, "") not in bot.telegram.chat_commands  # back to the default
    deletes = bot.telegram.calls_to("deleteMyCommands")
    assert deletes and deletes[-1].params.get("scope") is not None


def _scoped_chats(bot: BotHarness) -> list[int]:
    """The chats named by every scoped setMyCommands call so far (refused ones too)."""
    chats = []
    for call in bot.telegram.calls_to("setMyCommands"):
        scope = call.params.get("scope")
        if isinstance(scope, str):
            scope = json.loads(scope)
        if isinstance(scope, dict) and scope.get("type") == "chat":
            chats.append(int(scope["chat_id"]))
    return chats


async def test_every_staff_member_gets_their_menu_at_start(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    silent = await bot.person(role="station_head", stations=("jiangnan",))  # uses the bot
    never = await bot.person(role="supervisor", stations=("jiangnan",), started=False)
    await worker.send("/help")
    bot.telegram.chat_commands.clear()
    bot.telegram.calls.clear()
    await bot.restart()
    assert "log" in _names(bot, worker.user_id)
    assert {
        c["command"]: c["description"] for c in bot.telegram.chat_commands[(worker.user_id, "")]
    }["log"] == "Log an activity"
    assert "stats" in _names(bot, silent.user_id)
    # Never started (nor the administrator of the settings, who has not written): not called.
    assert sorted(_scoped_chats(bot)) == sorted([worker.user_id, silent.user_id])
    assert never.user_id not in bot.telegram.started and ADMIN_ID not in bot.telegram.started


async def test_a_staff_member_who_blocked_the_bot_is_not_called_again(bot: BotHarness) -> None:
    """Telegram refuses the menu with 403 for a person who blocked the bot (the database did
    not know yet): marked unreachable, the next start does not call their chat."""
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await worker.send("/start")
    bot.telegram.block(worker.user_id)
    bot.telegram.calls.clear()
    await bot.restart()
    assert _scoped_chats(bot) == [worker.user_id]  # tried once, refused
    async with bot.database.uow() as uow:
        person = await uow.session.scalar(select(Person).where(Person.tg_id == worker.user_id))
        assert person is not None and person.unreachable_at is not None
    bot.telegram.calls.clear()
    await bot.restart()
    assert _scoped_chats(bot) == []
    bot.telegram.blocked.discard(worker.user_id)  # unblocked: writing makes them reachable
    await worker.send("/start")
    bot.telegram.calls.clear()
    await bot.restart()
    assert _scoped_chats(bot) == [worker.user_id]
    assert "log" in _names(bot, worker.user_id)
