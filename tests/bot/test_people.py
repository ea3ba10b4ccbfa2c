"""people/: the apology after a failure, /start throttling, presses outside a conversation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.offline_telegram import TelegramRefusal
from db.models import AuditEntry, Invite, PersistedState, StaffRole
from services import staff
from tests.harness import BotHarness

APOLOGY = "Sorry, something went wrong on our side."
TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


async def test_the_apology_is_sent_even_when_the_press_can_no_longer_be_answered(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start")

    def hook(method: str, params: dict[str, Any]) -> TelegramRefusal | None:
        if method == "answerCallbackQuery":
            return TelegramRefusal(400, TOO_OLD)  # already answered / too old
        if method == "editMessageText":
            return TelegramRefusal(500, "Internal Server Error")  # the handler fails
        return None

    bot.telegram.fault_hook = hook
    await resident.press("menu:privacy")
    assert resident.last_text.startswith(APOLOGY)


async def _audit(bot: BotHarness, action: str) -> list[dict[str, Any]]:
    async with bot.database.uow() as uow:
        return list(
            await uow.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == action))
        )


async def test_wrong_invite_codes_slow_the_person_down_and_are_audited(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("inv:role:worker")
    await admin.press("inv:st:jiangnan")
    good = admin.last_text.split("?start=")[1].split()[0]

    guesser = await bot.person(lang="en")
    for n in range(staff.WRONG_CODES_LIMIT):
        await guesser.send(f"/start {'A' * 31}{n}")
        assert "not valid" in guesser.last_text
    assert len(await _audit(bot, staff.WRONG_CODE)) == staff.WRONG_CODES_LIMIT
    (throttled,) = await _audit(bot, staff.THROTTLED)
    assert throttled["wrong_codes"] == staff.WRONG_CODES_LIMIT
    assert "A" * 31 not in str(throttled)  # no code in the audit log

    # Even the right code is not read while slowed down; the message says until when.
    await guesser.send(f"/start {good}")
    assert "Too many invitation codes were wrong" in guesser.last_text
    assert "(Beijing time)" in guesser.last_text
    async with bot.database.uow() as uow:
        assert list(await uow.session.scalars(select(StaffRole.id))) == []
    assert len(await _audit(bot, staff.WRONG_CODE)) == staff.WRONG_CODES_LIMIT  # not counted

    # Someone else is not slowed down by the guesser.
    other = await bot.person(lang="zh")
    await other.send("/start " + "B" * 32)
    assert "邀请链接无效" in other.last_text or "无效" in other.last_text

    bot.clock.advance(staff.WRONG_CODES_WINDOW + timedelta(seconds=1))
    await guesser.send(f"/start {good}")
    assert "Welcome! Your new role" in guesser.last_text


async def test_the_throttle_message_is_translated(bot: BotHarness) -> None:
    guesser = await bot.person(lang="zh")
    for _ in range(staff.WRONG_CODES_LIMIT + 1):
        await guesser.send("/start bad")
    assert "北京时间" in guesser.last_text
    assert "邀请码" in guesser.last_text


async def _persisted(bot: BotHarness) -> list[tuple[str, str, Any]]:
    async with bot.database.uow() as uow:
        rows = await uow.session.execute(
            select(PersistedState.kind, PersistedState.key, PersistedState.data).order_by(
                PersistedState.kind, PersistedState.key
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_lost_conversation_state_resumes_at_the_step_on_screen(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("inv:role:worker")
    station_step = admin.last_with_buttons()
    assert "Which station will they work for?" in station_step.text
    await bot.restart(lose_conversations=True)  # user_data (the draft) is kept

    await admin.press("inv:st:jiangnan", message=station_step)
    assert "expired" not in str(bot.telegram.callback_answers[-1:])
    assert "Which station will they work for?" in admin.last_text  # the same step, again
    assert any(b.callback_data == "inv:st:jiangnan" for b in admin.last_with_buttons().buttons)
    async with bot.database.uow() as uow:
        assert list(await uow.session.scalars(select(Invite.id))) == []  # nothing was done

    await admin.press("inv:st:jiangnan")  # the conversation continues from there
    assert "?start=" in admin.last_text


async def test_a_button_of_another_conversation_reshows_the_current_step(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("inv:role:worker")
    before = await _persisted(bot)
    await admin.press_data("sup:st:jiangnan")  # an old /supervise button, long finished
    assert "Which station will they work for?" in admin.last_text
    assert admin.last_with_buttons().buttons[0].callback_data.startswith("inv:")
    assert await _persisted(bot) == before


async def test_a_button_outside_any_conversation_says_so_with_the_menu(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start")
    old = resident.last_with_buttons()
    before = await bot.rows()
    await resident.press_data("inv:st:jiangnan", message=old)  # forged or from long ago
    assert "expired" in bot.telegram.callback_answers[-1]["text"]
    assert resident.last_text.startswith("That conversation is over")
    assert "🙋 Request a service" in resident.button_labels()  # the menu comes with it
    # Not one of that message's buttons, which still work (the menu's): they stay (edges8).
    assert [b.callback_data for b in old.buttons][:1] == ["menu:request"]
    await resident.press_data("forget:yes", message=old)  # /forget's button, no /forget open
    assert resident.last_text.startswith("That conversation is over")
    assert await bot.rows() == before  # nothing changed, nothing erased


async def test_bot_tests_never_sleep(bot: BotHarness) -> None:
    """The harness's pacer (and the outbox's backoff through it) waits in virtual time."""
    assert bot.app is not None
    assert bot.app.bot.rate_limiter.timer is bot.timer  # type: ignore[union-attr]
    started = bot.timer.now
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    bot.telegram.fault_hook = lambda method, params: (
        TelegramRefusal(500, "Internal Server Error")
        if method == "sendMessage" and params.get("chat_id") == worker.user_id
        else None
    )
    resident = await bot.person(lang="en")
    await resident.send("What is the weather tomorrow")
    await resident.press("ask a social worker")
    await resident.press("✅ Agree")  # the notice before a question first goes to a person
    await resident.press("Jiangnan Street Social Work Station")
    assert "has been passed to" in resident.last_text
    assert bot.timer.now > started  # the retries waited, on the virtual clock only


async def test_the_admin_menu_says_all_stations(bot: BotHarness) -> None:
    admin = await bot.admin(lang="zh")
    await admin.send("/menu")
    assert "📊 各站数据" in admin.button_labels()
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="zh")
    await head.send("/menu")
    assert "📊 本站数据" in head.button_labels()


async def test_mid_way_in_a_flow_a_stray_press_of_another_flow_reshows_the_step(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/request")
    step_text = resident.last_text
    await resident.press_data("sup:st:jiangnan", message=resident.last_with_buttons())
    # a stray press of another flow: the person sees the step they are on, with its buttons
    assert resident.last_text.endswith(step_text.split("\n")[-1])
    assert resident.last_with_buttons().buttons
    assert not resident.last_text.startswith("That conversation is over")
