"""After /forget (edges8): the person is still this Telegram user. /myhours answers instead
of failing, "I can't come" still frees a place, and a resident's QR scan still counts them."""

from __future__ import annotations

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ResidentAttendance, VolunteerSignup
from tests.bot.test_activities_volunteer import at, payloads, publish, run, volunteer
from tests.harness import BotHarness


async def forget(person: OfflinePerson) -> None:
    await person.send("/forget")
    await person.press("forget:yes")


async def test_myhours_after_forget_answers(bot: BotHarness) -> None:
    for lang, title in (("en", "Your volunteer hours"), ("zh", "志愿服务时长")):
        resident = await bot.person(lang=lang)
        await resident.send("/start")
        await forget(resident)
        await resident.send("/myhours")
        assert title in resident.last_text
        assert "something went wrong" not in resident.last_text
        assert "出了点问题" not in resident.last_text


async def test_an_erased_volunteers_cant_come_still_frees_the_place(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    bob = await volunteer(bot, "Bob")
    await publish(bot, worker)
    await run(bot, at(2026, 11, 16, 10, 1))
    await ann.press("🙋 Sign me up")
    await bob.press("🙋 Sign me up")
    await bob.press("⏳ Join the waiting list")
    await run(bot, at(2026, 11, 20, 18, 0))
    reminder = ann.last_with_buttons()
    await forget(ann)
    await ann.press("I can't come", message=reminder)
    answered = next(m for m in ann.messages if m.message_id == reminder.message_id)
    assert "Your place goes to someone else" in answered.text  # the reminder, edited
    assert "A place freed up and it is yours" in bob.last_text
    async with bot.database.uow() as uow:
        statuses = sorted((await uow.session.scalars(select(VolunteerSignup.status))).all())
    assert statuses == ["cancelled", "signed_up"]


async def test_an_erased_resident_scanning_the_activity_code_is_counted(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    resident = await bot.person(lang="en", name="Resident")
    await publish(bot, worker, needed=2)
    _, resident_payload = payloads(worker)
    await resident.send("/start")
    await forget(resident)
    bot.clock.current = at(2026, 11, 21, 9, 2)
    await resident.send(f"/start {resident_payload}")
    assert "You are counted as a participant" in resident.last_text
    async with bot.database.uow() as uow:
        assert len((await uow.session.scalars(select(ResidentAttendance.id))).all()) == 1
