"""Each person sees their own bot: a greeting per role on /start and /menu, and each staff
member's own "/" menu (BotCommandScopeChat, in their language) after a grant, a revoke and at
start; residents keep the default scope."""

from __future__ import annotations

import re

from tests.harness import BotHarness

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
        import json

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


async def test_every_staff_member_gets_their_menu_at_start(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    never = await bot.person(role="supervisor", stations=("jiangnan",))
    await worker.send("/help")
    bot.telegram.chat_commands.clear()
    await bot.restart()
    assert "log" in _names(bot, worker.user_id)
    assert {
        c["command"]: c["description"] for c in bot.telegram.chat_commands[(worker.user_id, "")]
    }["log"] == "Log an activity"
    assert (never.user_id, "") not in bot.telegram.chat_commands  # never started: not called
