"""Volunteer activities in the chat: /activity publishes, the offer reaches a matching volunteer,
sign-up and the waiting list, the day-before reminder at a fixed now, QR check-in and
check-out by `/start` payload, the worker's confirmation, /myhours and the certificate, /verify,
the poster and the poster's station link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityLog, VolunteerActivity, VolunteerApplication, VolunteerSignup
from handlers.delivery import reminders
from handlers.delivery.pace import Pace
from services import people
from tests.harness import ADMIN_ID, BotHarness
from tests.virtual_time import VirtualTimer

Z = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=Z)  # type: ignore[misc]


async def run(bot: BotHarness, moment: datetime) -> Any:
    bot.clock.current = moment
    assert bot.app is not None
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, Pace)
    if not isinstance(limiter.timer, VirtualTimer):
        limiter.timer = VirtualTimer()
    return await reminders.run_due(bot.app.bot_data)


async def volunteer(
    bot: BotHarness,
    name: str,
    *,
    skills: tuple[str, ...] = ("event_help",),
    availability: tuple[str, ...] = ("weekends",),
    lang: str = "en",
) -> OfflinePerson:
    who = await bot.person(lang=lang, name=name)
    async with bot.database.uow() as uow:
        access = await people.access_for(uow, tg_id=who.user_id, now=bot.clock.now())
    async with bot.database.uow() as uow:
        await people.set_language(uow, tg_id=who.user_id, language=lang, now=bot.clock.now())
    async with bot.database.uow() as uow:
        uow.session.add(
            VolunteerApplication(
                person_id=access.person_id, station_code="jiangnan", name=name,
                phone="+8613800138000", skills=list(skills), availability=list(availability),
                age_group="18_59", party_member="no", status="approved",
                created_at=bot.clock.now() - timedelta(days=30),
                decided_at=bot.clock.now() - timedelta(days=29),
            )
        )  # fmt: skip
        await uow.commit()
    return who


async def publish(bot: BotHarness, worker: OfflinePerson, needed: int = 1) -> int:
    """Saturday 21 November, 9:00–11:30, event help wanted, adults only."""
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("Double Ninth haircuts")
    await worker.press("vact:day:2026-11-21")
    await worker.send("9:00-11:30")  # the end step is skipped
    await worker.send("Activity room")
    await worker.press(f"vact:need:{needed}")
    await worker.press("vact:tog:event_help")
    await worker.press("vact:done")
    await worker.press("vact:minors:no")
    await worker.press("vact:group:elderly")
    summary = worker.last_text
    assert "When: Nov 21 9:00–11:30" in summary and "Skills wanted: Event help" in summary
    await worker.press("vact:save")
    async with bot.database.uow() as uow:
        return int(await uow.session.scalar(select(VolunteerActivity.id)) or 0)


def payloads(worker: OfflinePerson) -> tuple[str, str]:
    photos = [m for m in worker.messages if m.kind == "photo"]
    assert len(photos) == 2 and all(m.file_bytes and m.file_bytes[:4] == b"\x89PNG" for m in photos)
    found = [m.text.rsplit("?start=", 1)[1] for m in photos]
    return found[0], found[1]


async def test_publish_offer_sign_up_waiting_list_and_the_day_before(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    bob = await volunteer(bot, "Bob", skills=("haircuts", "event_help"))
    driver = await volunteer(bot, "Dan", skills=("driving",))  # no skill asked for
    weekdays = await volunteer(bot, "Wei", availability=("weekday_daytime",))  # not free
    activity_id = await publish(bot, worker)
    volunteer_payload, resident_payload = payloads(worker)
    assert volunteer_payload.startswith("act-v-") and resident_payload.startswith("act-r-")
    card = worker.last_with_buttons()
    assert "Volunteers: 0 of 1 signed up, 0 waiting" in card.text
    assert [b.callback_data for b in card.buttons][:2] == [
        f"vam:ros:{activity_id}",
        f"vam:qr:{activity_id}",
    ]
    await run(bot, at(2026, 11, 16, 10, 1))
    offer = ann.last_with_buttons()
    assert "A volunteer activity that fits you" in offer.text and "Nov 21 9:00–11:30" in offer.text
    assert driver.messages == [] and weekdays.messages == []
    await ann.press("🙋 Sign me up")
    assert ann.last_text.startswith("✅ You are signed up for Double Ninth haircuts")
    await bob.press("🙋 Sign me up")
    assert "This activity is full" in bob.last_text
    await bob.press("⏳ Join the waiting list")
    assert "waiting list, number 1" in bob.last_text

    # The day before at 17:59 nothing; at 18:00 the reminder, with its two buttons.
    await run(bot, at(2026, 11, 20, 17, 59))
    assert not any("Tomorrow you volunteer" in m.text for m in ann.messages)
    await run(bot, at(2026, 11, 20, 18, 0))
    reminder = ann.last_with_buttons()
    assert "Tomorrow you volunteer at" in reminder.text
    assert [b.text for b in reminder.buttons] == ["✅ I'll come", "I can't come"]
    assert not any("Tomorrow" in m.text for m in bob.messages)  # waiting: not reminded
    await ann.press("I can't come")
    assert "Your place goes to someone else" in ann.last_text
    assert "A place freed up and it is yours" in bob.last_text
    async with bot.database.uow() as uow:
        statuses = dict(
            (
                await uow.session.execute(select(VolunteerSignup.person_id, VolunteerSignup.status))
            ).all()
        )
    assert sorted(statuses.values()) == ["cancelled", "signed_up"]


async def test_qr_scans_confirmation_record_myhours_certificate_and_verify(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    resident = await bot.person(lang="en", name="Resident")
    activity_id = await publish(bot, worker, needed=2)
    volunteer_payload, resident_payload = payloads(worker)
    await run(bot, at(2026, 11, 16, 10, 1))
    await ann.press("🙋 Sign me up")

    bot.clock.current = at(2026, 11, 21, 7, 30)
    await ann.send(f"/start {volunteer_payload}")
    assert "Check-in opens at 8:00" in ann.last_text
    bot.clock.current = at(2026, 11, 21, 9, 2)
    await ann.send(f"/start {volunteer_payload}")
    assert ann.last_text.startswith("✅ Checked in to Double Ninth haircuts at 9:02")
    await ann.send(f"/start {volunteer_payload}")  # a double scan is not a check-out
    assert "already checked in" in ann.last_text
    await ann.send("/start act-v-" + "x" * 22)  # forged
    assert "This QR code is not valid" in ann.last_text
    await resident.send(f"/start {resident_payload}")
    assert "You are counted as a participant" in resident.last_text
    await resident.send(f"/start {resident_payload}")
    assert "already been counted" in resident.last_text
    bot.clock.current = at(2026, 11, 21, 11, 20)  # 138 minutes: 2.5 hours
    await ann.send(f"/start {volunteer_payload}")
    assert "Checked out of Double Ninth haircuts at 11:20: 2.5 hours" in ann.last_text
    await ann.send(f"/start {volunteer_payload}")  # reused
    assert "already checked out" in ann.last_text

    # The worker corrects (+0.5 h), confirms one by one, records.
    await worker.press_data(f"vam:ros:{activity_id}")
    roster = worker.last_with_buttons()
    assert "1. · Ann: 2.5 h" in roster.text and "Residents who scanned: 1" in roster.text
    await worker.press("1. +0.5")
    assert "1. · Ann: 3 h" in worker.last_text
    await ann.send("/myhours")
    assert "In all: 0 h" in ann.last_text and "3 h more are waiting" in ann.last_text
    await worker.press("1. ✅")
    assert "1. ✅ Ann: 3 h" in worker.last_text and "Confirmed: 3 h" in worker.last_text
    await worker.press_data(f"vam:rec:{activity_id}")
    assert worker.last_text.startswith("1 resident scanned the QR code.")  # not "1 residents"
    await worker.press("+5")  # five more came without scanning
    assert "6 person-times; 1 volunteer, 3 hours confirmed." in worker.last_text
    async with bot.database.uow() as uow:
        log = (
            await uow.session.execute(select(ActivityLog.person_times, ActivityLog.template_code))
        ).one()
    assert tuple(log) == (6, "vol_service")

    # /myhours → Certificate → 2026: the PDF, three taps; its code checks.
    await ann.send("/myhours")
    assert (
        "This year (2026): 3 h" in ann.last_text and "Double Ninth haircuts, 3 h" in ann.last_text
    )
    await ann.press("📜 Certificate")
    await ann.press("2026")
    document = ann.messages[-1]
    assert document.kind == "document" and document.file_bytes is not None
    assert document.file_bytes[:5] == b"%PDF-"
    code = document.text.rsplit(": ", 1)[1]
    admin = await bot.admin(lang="en")
    await admin.send(f"/verify {code.lower()}")
    assert admin.last_text.startswith("✅ A valid certificate.")
    assert "Volunteer: Ann" in admin.last_text and "Hours: 3 h" in admin.last_text
    await admin.send("/verify ABCD-EFGH-JKLM")
    assert "No certificate has this code" in admin.last_text
    await ann.send(f"/verify {code}")
    assert (
        ann.last_text
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    assert ADMIN_ID == admin.user_id


async def test_worker_of_another_station_cannot_run_the_card(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    other = await bot.person(role="worker", stations=("xicheng",), lang="en")
    activity_id = await publish(bot, worker)
    await other.send("/start")
    await other.press_data(f"vam:all:{activity_id}", message=other.last_with_buttons())
    assert "Only the station's workers" in str(other.callback_answers()[-1])


async def test_poster_for_the_head_and_the_station_link(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    await head.send("/activity")
    await head.press("🖼 Poster")
    files = [m for m in head.messages if m.kind == "document"]
    assert [f.file_name for f in files] == ["poster-jiangnan.png", "poster-jiangnan.pdf"]
    newcomer = await bot.person(lang="en")
    await newcomer.send("/start stn-jiangnan-vol")
    assert "Welcome to Jiangnan Street" in newcomer.last_text
    assert newcomer.last_with_buttons().buttons[0].callback_data == "menu:volunteer"


async def test_in_chinese_offer_sign_up_and_check_in(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="李社工")
    mei = await volunteer(bot, "小美", lang="zh")
    await worker.send("/activity")
    await worker.press("➕ 发布新活动")
    await worker.send("重阳敬老义剪")
    await worker.send("11月21日")
    await worker.send("9点")  # not a time
    assert worker.last_text.startswith("请按 14:00-16:30 的格式输入时间")
    await worker.press("9:00")
    await worker.press("11:30")
    await worker.send("活" * 500)  # too long a place: asked again, in Chinese
    assert worker.last_text.startswith("地点请控制在")
    await worker.send("活动室")
    await worker.send("3人")
    await worker.press("vact:done")  # no skill ticked: anyone
    await worker.press("vact:minors:no")
    await worker.press("60岁以上老年人")
    assert "服务对象：60岁以上老年人" in worker.last_text
    assert "时间：11月21日 9:00–11:30" in worker.last_text and "所需技能：不限" in worker.last_text
    await worker.press("📣 发布")
    volunteer_payload, _resident = payloads(worker)
    await run(bot, at(2026, 11, 16, 10, 1))
    assert (
        "🤝 有一个适合的志愿活动：" in mei.last_text
        and "时间：11月21日 9:00至11:30" in mei.last_text
    )
    await mei.press("🙋 我要报名")
    assert mei.last_text.startswith("✅ 报名成功：重阳敬老义剪")
    bot.clock.current = at(2026, 11, 21, 8, 45)
    await mei.send(f"/start {volunteer_payload}")
    assert mei.last_text.startswith("✅ 8:45已签到：重阳敬老义剪")


async def test_edit_from_the_summary_reopen_and_cancel(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("Reading club")
    await worker.send("2026-11-21")
    await worker.press("vact:start:600")
    await worker.press("vact:end:660")
    await worker.send("Library")
    await worker.send("4")
    await worker.press("vact:done")
    await worker.press("vact:minors:yes")
    await worker.press("vact:group:children")
    await worker.press("✏️ Place")
    await worker.send("Library, 2nd floor")
    summary = worker.last_text  # back at the summary after the edit
    assert "Where: Library, 2nd floor" in summary and "Minors (14–17) may join." in summary
    assert "Serves: Children in difficulty or left behind" in summary
    await worker.press("📣 Publish")
    await run(bot, at(2026, 11, 16, 10, 1))
    await ann.press("🙋 Sign me up")

    await worker.send("/activity")
    await worker.press("Nov 21 10:00 Reading club")
    assert "Volunteers: 1 of 4 signed up, 0 waiting" in worker.last_text
    await worker.press("🚫 Cancel the activity")
    await worker.press("Yes, cancel it")
    assert "Cancelled. 1 volunteer will be told." in worker.last_text
    await run(bot, at(2026, 11, 16, 10, 2))
    assert "This volunteer activity was cancelled" in ann.last_text
    old_button = next(m for m in ann.messages if m.buttons).buttons[0].callback_data or ""
    await ann.press_data(old_button.replace(":nok:", ":up:"))  # an old offer pressed again
    assert any(m.text == "This activity was cancelled." for m in ann.messages)


async def test_offers_published_in_the_quiet_hours_wait_until_morning(bot: BotHarness) -> None:
    bot.clock.current = at(2026, 11, 16, 22, 30)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    await publish(bot, worker)
    assert any(
        "They will be told at 8:00, after the quiet hours." in m.text for m in worker.messages
    )
    await run(bot, at(2026, 11, 16, 23, 0))
    assert ann.messages == []
    await run(bot, at(2026, 11, 17, 8, 0))
    assert "A volunteer activity that fits you" in ann.last_text
