"""/broadcast, /unsubscribe and /subscribe as senders and recipients see them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import Delivery, Person
from handlers.kit.i18n import Translator
from handlers.management.broadcast import wait_for_sends
from tests.harness import BotHarness
from tests.report_fixtures import SH, add_request, add_volunteer

ZH = Translator().for_language("zh")


async def person_id(bot: BotHarness, who: OfflinePerson) -> int:
    async with bot.database.uow() as uow:
        found = await uow.session.scalar(select(Person.id).where(Person.tg_id == who.user_id))
    assert found is not None
    return found


async def resident_of(bot: BotHarness, station: str, *, lang: str = "zh") -> OfflinePerson:
    """Someone who wrote to the bot and made a request at `station`."""
    resident = await bot.person(lang=lang, name="居民")
    await resident.send("/start")
    await add_request(
        bot.database, resident_id=await person_id(bot, resident), station=station,
        created="2026-10-02 09:00", status="completed",
    )  # fmt: skip
    return resident


async def volunteer_of(bot: BotHarness, station: str, status: str = "approved") -> OfflinePerson:
    volunteer = await bot.person(name="志愿者")
    await volunteer.send("/start")
    await add_volunteer(
        bot.database, person_id=await person_id(bot, volunteer), station=station,
        created="2026-10-05 10:00", status=status, decided="2026-10-06 10:00",
    )  # fmt: skip
    return volunteer


async def mark_blocked(bot: BotHarness, who: OfflinePerson) -> None:
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(Person).where(Person.tg_id == who.user_id))
        assert row is not None
        row.unreachable_at = datetime(2026, 11, 1, tzinfo=SH)
        await uow.commit()


async def test_head_broadcasts_to_residents_with_preview_and_outcome(bot: BotHarness) -> None:
    english = await resident_of(bot, "jiangnan", lang="en")
    chinese = await resident_of(bot, "jiangnan")
    blocks_now = await resident_of(bot, "jiangnan")
    blocked_before = await resident_of(bot, "jiangnan")
    opted_out = await resident_of(bot, "jiangnan")
    elsewhere = await resident_of(bot, "xicheng")
    await mark_blocked(bot, blocked_before)
    await opted_out.send("/unsubscribe")
    bot.telegram.block(blocks_now.user_id)

    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    await head.send("/broadcast")
    assert "🙋 Residents (3)" in head.button_labels()  # short buttons (WORDING.md)
    await head.press("bc:a:residents")
    await head.send("Free health checks on Saturday, 9:00 <b> & more")
    preview = head.last
    assert preview.text.startswith("Preview: this is what people will see.")
    assert "A message from Jiangnan Street Social Work Station" in preview.text
    assert "Free health checks on Saturday, 9:00 <b> & more" in preview.text
    assert "It will go to 3 people." in preview.text
    assert "Left out: 1 unsubscribed, 1 blocked the bot." in preview.text
    await head.press("bc:send")
    assert head.last_text.startswith("📣 Sending to 3 people.")
    await wait_for_sends(bot.app.bot_data)  # type: ignore[union-attr]

    assert english.last_text.startswith("📣 A message from Jiangnan Street Social Work Station")
    assert "To stop these messages, send /unsubscribe." in english.last_text
    assert chinese.last_text.startswith("📣 来自江南街道社工站的消息")
    assert "Free health checks on Saturday" in chinese.last_text
    for left_out in (blocks_now, blocked_before, opted_out, elsewhere):
        assert "Free health checks" not in left_out.last_text
    outcome = head.last_text
    assert outcome.startswith("📣 Broadcast done: 2 delivered.")
    assert "2 people have blocked the bot and were not sent it." in outcome
    assert "1 person unsubscribed from broadcasts." in outcome
    async with bot.database.uow() as uow:
        rows = (
            (await uow.session.execute(select(Delivery.status).where(Delivery.kind == "broadcast")))
            .scalars()
            .all()
        )
        newly_blocked = await uow.session.scalar(
            select(Person.unreachable_at).where(Person.tg_id == blocks_now.user_id)
        )
    assert sorted(rows) == ["sent", "sent", "unreachable"]
    assert newly_blocked is not None

    # The next broadcast leaves the newly blocked person out instead of retrying them.
    await head.send("/broadcast")
    await head.press("bc:a:residents")
    await head.send("Second notice")
    assert "It will go to 2 people." in head.last_text
    assert "Left out: 1 unsubscribed, 2 blocked the bot." in head.last_text


async def test_admin_sends_to_one_stations_volunteers_and_a_second_press_sends_nothing(
    bot: BotHarness,
) -> None:
    approved = await volunteer_of(bot, "xicheng")
    pending = await volunteer_of(bot, "xicheng", status="pending")
    other = await volunteer_of(bot, "jiangnan")
    admin = await bot.admin(lang="en")
    await admin.send("/broadcast")
    await admin.press("bc:s:xicheng")
    assert "Volunteers (1)" in " ".join(admin.button_labels())
    await admin.press("bc:a:volunteers")
    await admin.send("Volunteer meeting tonight")
    preview = admin.last
    await admin.press("bc:send")
    await admin.press_data("bc:send", message=preview)  # a double tap: the conversation is over
    await wait_for_sends(bot.app.bot_data)  # type: ignore[union-attr]
    assert sum("Volunteer meeting tonight" in m.text for m in approved.messages) == 1
    assert not any("Volunteer meeting" in m.text for m in pending.messages + other.messages)
    assert "expired" in bot.telegram.callback_answers[-1]["text"]


async def test_everyone_from_the_bureau_and_changing_the_text(bot: BotHarness) -> None:
    resident = await resident_of(bot, "jiangnan")
    volunteer = await volunteer_of(bot, "huajie")
    worker = await bot.person(role="worker", stations=("gushan",))
    await worker.send("/start")
    admin = await bot.admin()
    await admin.send("/broadcast")
    await admin.press("bc:s:huajie")
    await admin.press("bc:back")
    assert "发给哪个站的人" in admin.last_with_buttons().text
    await admin.press("bc:s:all")
    labels = " ".join(admin.button_labels())
    assert "📢 所有人（3）" in labels  # the admin, the sender, is not counted
    await admin.press("bc:a:everyone")
    await admin.send("x" * 3501)
    assert "3501" in admin.last_text and "3500" in admin.last_text
    await admin.send_photo()
    assert ZH("Please type your answer as text, or use the buttons.") in admin.last_text
    await admin.send("第一稿")
    await admin.send("还有一句")  # typing on the preview step: a gentle re-ask, nothing lost
    assert ZH("Please choose one of the buttons.") in admin.last_text  # the kit's one re-ask
    await admin.press("bc:edit")
    await admin.send("春节慰问活动通知")
    assert "来自民政局的消息" in admin.last_text
    await admin.press("bc:send")
    await wait_for_sends(bot.app.bot_data)  # type: ignore[union-attr]
    for recipient in (resident, volunteer, worker):
        assert "春节慰问活动通知" in recipient.last_text
        assert not any("第一稿" in m.text for m in recipient.messages)


async def test_unsubscribe_and_subscribe(bot: BotHarness) -> None:
    resident = await resident_of(bot, "jiangnan", lang="en")
    await resident.send("/unsubscribe")
    assert resident.last_text.startswith("You will no longer receive broadcasts.")
    await resident.send("/unsubscribe")
    assert resident.last_text.startswith("You had already unsubscribed.")
    await resident.send("/subscribe")
    assert resident.last_text.startswith("You will receive broadcasts again.")
    await resident.send("/subscribe")
    assert resident.last_text.startswith("You already receive broadcasts.")
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/unsubscribe")
    assert "Reminders about your own work still come." in worker.last_text


async def test_workers_and_residents_cannot_broadcast(bot: BotHarness) -> None:
    for role, stations in (("worker", ("jiangnan",)), ("supervisor", ("jiangnan",)), (None, ())):
        person = await bot.person(role=role, stations=stations, lang="en")
        await person.send("/broadcast")
        assert person.last_text == (
            "Sorry, this is only for station heads and administrators. Send /menu to see what you can use."
            if role
            else "Sorry, this is only for social work station staff. Send /menu to see what you can use."
        )
    async with bot.database.uow() as uow:
        assert (await uow.session.scalars(select(Delivery.id))).all() == []


async def test_a_head_cannot_pick_another_station(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan", "xicheng"), lang="en")
    await head.send("/broadcast")
    labels = head.button_labels()
    assert "Jiangnan Street Social Work Station" in labels and "All stations" not in " ".join(
        labels
    )
    await head.press_data("bc:s:all")
    assert head.last_text == "You can only send broadcasts to your own station's people."
    await head.send("/broadcast")
    await head.press_data("bc:s:huajie")
    assert head.last_text == "You can only send broadcasts to your own station's people."
