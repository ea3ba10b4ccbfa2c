"""/invite and /staff: administrators invite staff by deep link, list them and revoke roles."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from db.models import AuditEntry, Invite, StaffRole
from services import people, staff
from tests.harness import BotHarness

LINK = re.compile(r"https://t\.me/stationbot_offline_bot\?start=([A-Za-z0-9_-]+)")


async def _invite_code(bot: BotHarness, role: str = "worker", station: str = "jiangnan") -> str:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press(f"inv:role:{role}")
    if role != "admin":
        await admin.press(f"inv:st:{station}")
    match = LINK.search(admin.last_text)
    assert match, admin.last_text
    return match.group(1)


async def _access(bot: BotHarness, tg_id: int) -> people.Access:
    async with bot.database.uow() as uow:
        return await people.access_for(uow, tg_id=tg_id, now=bot.clock.now())


async def test_invite_end_to_end_grants_the_role(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    assert "Choose their role" in admin.last_text
    assert admin.button_labels()[:4] == [
        "social worker", "supervisor", "station head", "administrator"
    ]  # fmt: skip
    await admin.press("social worker")
    assert "Which station" in admin.last_text
    assert "Jiangnan Street Social Work Station" in admin.button_labels()
    await admin.press("Jiangnan Street Social Work Station")
    text = admin.last_text
    assert "Role: social worker" in text
    assert "Station: Jiangnan Street Social Work Station" in text
    # 72 hours after 2026-11-16 10:00 in Shanghai, shown in the zone.
    assert "Valid until Nov 19 10:00 (Beijing time)" in text
    match = LINK.search(text)
    assert match is not None
    code = match.group(1)
    assert len(code) == 32

    newcomer = await bot.person(lang="en", name="Li")
    await newcomer.send(f"/start {code}")
    assert (
        newcomer.last_text
        == "Welcome! Your new role: social worker, Jiangnan Street Social Work Station."
    )
    access = await _access(bot, newcomer.user_id)
    assert access.worker_stations == {"jiangnan"}

    async with bot.database.uow() as uow:
        actions = (await uow.session.scalars(select(AuditEntry.action))).all()
    assert "invite.create" in actions and "role.grant" in actions


async def test_an_invited_admin_sees_the_admin_menu(bot: BotHarness) -> None:
    code = await _invite_code(bot, role="admin")
    newcomer = await bot.person(lang="en")
    await newcomer.send("/start")
    assert "👥 Staff" not in newcomer.button_labels()
    await newcomer.send(f"/start {code}")
    assert newcomer.last_text == "Welcome! Your new role: administrator."
    labels = newcomer.button_labels()
    assert "✉️ Invite staff" in labels and "👥 Staff" in labels


async def test_an_invite_works_only_once(bot: BotHarness) -> None:
    code = await _invite_code(bot)
    first = await bot.person(lang="en")
    await first.send(f"/start {code}")
    second = await bot.person(lang="en")
    await second.send(f"/start {code}")
    assert "already been used" in second.last_text
    assert not (await _access(bot, second.user_id)).is_staff


async def test_an_expired_invite_grants_nothing(bot: BotHarness) -> None:
    code = await _invite_code(bot)
    bot.clock.advance(timedelta(hours=72, minutes=1))
    late = await bot.person(lang="en")
    await late.send(f"/start {code}")
    assert "has expired" in late.last_text
    assert not (await _access(bot, late.user_id)).is_staff


async def test_unknown_and_malformed_codes_grant_nothing(bot: BotHarness) -> None:
    someone = await bot.person(lang="en")
    await someone.send("/start " + "A" * 32)
    assert "not valid" in someone.last_text
    await someone.send("/start <b>&amp;")
    assert "not valid" in someone.last_text
    assert not (await _access(bot, someone.user_id)).is_staff


async def test_a_resident_is_refused_and_learns_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Secret")
    await worker.send("/start")
    resident = await bot.person(lang="en")
    await resident.send("/invite")
    assert (
        resident.last_text
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    await resident.send("/staff")
    assert (
        resident.last_text
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    # A forged revoke button changes nothing either.
    async with bot.database.uow() as uow:
        role_id = await uow.session.scalar(select(StaffRole.id))
    await resident.send("/start")
    await resident.press_data(f"staff:rev:{role_id}:yes")
    assert (
        bot.telegram.callback_answers[-1]["text"]
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    await resident.press_data("staff:st:jiangnan:1")
    assert (
        bot.telegram.callback_answers[-1]["text"]
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    seen = "\n".join(m.text for m in resident.messages)
    assert "Secret" not in seen and "Jiangnan" not in seen
    assert (await _access(bot, worker.user_id)).worker_stations == {"jiangnan"}
    # A worker is not an administrator either.
    await worker.send("/invite")
    assert (
        worker.last_text
        == "Sorry, this is only for administrators. Send /menu to see what you can use."
    )


async def test_staff_lists_per_station_and_revokes_with_confirmation(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="<Li & Co>")
    await worker.send("/start")
    await bot.person(role="supervisor", stations=("jiangnan", "xicheng"), lang="en")
    admin = await bot.admin(lang="en")
    await admin.send("/staff")
    overview = admin.last_text
    assert "Jiangnan Street Social Work Station: social worker 1 · supervisor 1" in overview
    assert "Xicheng Street Social Work Station: supervisor 1" in overview
    assert "Jiangnan Street Social Work Station (2)" in admin.button_labels()
    await admin.press("staff:st:jiangnan:1")
    page = admin.last
    assert "1. <Li & Co>: social worker, since Nov 16" in page.text
    assert "&lt;Li &amp; Co&gt;" in page.raw_text  # escaped for HTML
    await admin.press("🚫 Revoke 1: <Li & Co>")
    assert (
        admin.last_text
        == "Revoke the role social worker at Jiangnan Street Social Work Station from <Li & Co>?"
    )
    yes = next(b.callback_data for b in admin.last.buttons if "Yes" in b.text)
    assert yes is not None
    await admin.press("🚫 Yes, revoke")
    assert (
        "Done: <Li & Co> is no longer social worker at Jiangnan Street Social Work Station."
        in admin.last_text
    )
    assert "<Li & Co>" not in admin.last_text.split("\n", 2)[2]  # gone from the list
    assert worker.last_text == (
        "Your role social worker at Jiangnan Street Social Work Station has ended. Thank you for your work!"
    )
    assert (await _access(bot, worker.user_id)).worker_stations == frozenset()
    async with bot.database.uow() as uow:
        revokes = await uow.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "role.revoke")
        )
    assert revokes == 1
    # The confirm button pressed again (a double tap, or a stale message) says so, once.
    await admin.press_data(yes, message=admin.last)
    assert bot.telegram.callback_answers[-1]["text"] == (
        "This role was already revoked; nothing changed."
    )
    async with bot.database.uow() as uow:
        revokes = await uow.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "role.revoke")
        )
    assert revokes == 1


async def test_no_keep_it_revokes_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("xicheng",), lang="en", name="Wu")
    await worker.send("/start")
    admin = await bot.admin(lang="zh")
    await admin.send("/staff")
    assert "西城街道" in admin.last_text
    await admin.press("staff:st:xicheng:1")
    await admin.press("🚫 撤销 1：Wu")
    assert admin.last_text == "确定撤销Wu在西城街道社工站的社工身份吗？"
    await admin.press("« 不，保留")
    assert "1. Wu：社工，11月16日起" in admin.last_text
    assert (await _access(bot, worker.user_id)).worker_stations == {"xicheng"}


async def test_every_press_rechecks_that_the_person_is_still_admin(bot: BotHarness) -> None:
    code = await _invite_code(bot, role="admin")
    deputy = await bot.person(lang="en")
    await deputy.send(f"/start {code}")
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/start")
    await deputy.send("/staff")
    await deputy.press("staff:st:jiangnan:1")
    page = deputy.last
    # Meanwhile the deputy's own admin role is revoked.
    async with bot.database.uow() as uow:
        deputy_role = await uow.session.scalar(
            select(StaffRole.id).where(StaffRole.role == "admin")
        )
        assert deputy_role is not None
        await staff.revoke(uow, role_id=deputy_role, actor_tg_id=1, now=bot.clock.now())
    await deputy.press(1, message=page)
    assert (
        bot.telegram.callback_answers[-1]["text"]
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    assert (await _access(bot, worker.user_id)).worker_stations == {"jiangnan"}


async def test_a_long_staff_list_is_paged_under_telegrams_limit(bot: BotHarness) -> None:
    for n in range(30):
        person = await bot.person(
            role="worker", stations=("jiangnan",), lang="en", name="名" * 60 + str(n)
        )
        await person.send("/start")
    admin = await bot.admin(lang="en")
    await admin.send("/staff")
    await admin.press("staff:st:jiangnan:1")
    assert "Page 1 of 4" in admin.last_text
    assert len(admin.last_text) < 4096
    await admin.press("Next ›")
    assert "Page 2 of 4" in admin.last_text
    assert "9. " in admin.last_text
    await admin.press("‹ Previous")
    assert "Page 1 of 4" in admin.last_text
    await admin.press("« All stations")
    assert "Jiangnan Street Social Work Station: social worker 30" in admin.last_text


async def test_invite_steps_reask_go_back_and_cancel(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.send("a worker please")
    assert admin.last_text.startswith("Please choose one of the buttons.")
    await admin.press("supervisor")
    await admin.send_photo()
    assert admin.last_text.startswith("Please choose one of the buttons.")
    assert "Which station" in admin.last_text
    await admin.press("« Back")
    assert "Choose their role" in admin.last_text
    await admin.press("supervisor")
    await admin.press("✖ Cancel")
    assert admin.last_text == "Cancelled. Nothing was saved."
    await admin.send("/invite")
    await admin.send("/cancel")
    assert admin.last_text == "Cancelled. Nothing was saved."
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Invite)) == 0
    # The old station buttons are stale now.
    await admin.press_data("inv:st:jiangnan")
    assert "expired" in bot.telegram.callback_answers[-1]["text"]


async def test_a_restart_in_the_middle_of_invite_resumes(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("station head")
    await bot.restart()
    await admin.press("Gushan Town Social Work Station")
    assert "Role: station head" in admin.last_text
    assert "Station: Gushan Town Social Work Station" in admin.last_text
    assert LINK.search(admin.last_text)


async def test_the_invite_menu_button_and_chinese_texts(bot: BotHarness) -> None:
    admin = await bot.admin(lang="zh")
    await admin.send("/start")
    await admin.press("✉️ 邀请工作人员")
    assert admin.last_text == "您要邀请谁？请选择对方的身份："
    await admin.press("督导")
    await admin.press("江南街道")
    assert "身份：督导" in admin.last_text
    assert "社工站：江南街道社工站" in admin.last_text
    assert "有效期至 11月19日 10:00（北京时间），只能使用一次。" in admin.last_text
    await admin.press("✉️ 再邀请一位")
    assert admin.last_text == "您要邀请谁？请选择对方的身份："


async def test_invite_on_the_flow_kit_handles_stale_forged_and_odd_input(bot: BotHarness) -> None:
    """/invite is the kit's reference conversation: whatever does not fit the current step
    re-shows that step with its buttons, and nothing is created."""
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("supervisor")
    assert "Which station" in admin.last_text
    # A role button of the earlier screen: the station step again, with its buttons.
    await admin.press_data("inv:role:worker")
    assert "Role: supervisor. Which station" in admin.last_text
    assert "Jiangnan Street Social Work Station" in admin.button_labels()
    assert admin.button_labels()[-2:] == ["« Back", "✖ Cancel"]
    # A forged station and a forged 40-digit value: re-asked, no invitation.
    await admin.press_data("inv:st:atlantis")
    assert admin.last_text.startswith("Please choose one of the buttons.")
    await admin.press_data("inv:st:" + "9" * 40)
    assert "Which station" in admin.last_text
    for odd in (admin.send_sticker, admin.send_location):
        await odd()
        assert admin.last_text.startswith("Please choose one of the buttons.")
        assert "Which station" in admin.last_text
    # A press of another kind of this flow: the current step again.
    await admin.press_data("inv:save")
    assert "Which station" in admin.last_text
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Invite)) == 0
    # And the step still works.
    await admin.press("Gushan Town Social Work Station")
    assert "Role: supervisor" in admin.last_text and LINK.search(admin.last_text)
