"""Reminders as people see them: at fixed times, through the offline Telegram, no sleeping.

The pacer runs on a virtual clock (`VirtualTimer`): its waits (one second per chat, 429s,
backoff) pass at once and can be read back. The bot's own clock is the harness's FixedClock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram.error import TimedOut

from bot.offline_telegram import OfflinePerson, TelegramRefusal
from db.models import (
    Delivery,
    Person,
    ServiceRequest,
    StaffRole,
    SupervisionSession,
    VolunteerApplication,
)
from handlers.delivery import reminders
from handlers.delivery.outbox import OutgoingMessage
from handlers.delivery.pace import Pace
from services import delivery
from tests.harness import BotHarness
from tests.virtual_time import VirtualTimer

SHANGHAI = ZoneInfo("Asia/Shanghai")
WARNING = "Supervision quota:"  # the English quota warning's first line
WARNING_ZH = "督导时长提醒"
DIGEST = "Supervision this month"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def virtual_time(bot: BotHarness) -> VirtualTimer:
    assert bot.app is not None
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, Pace)
    limiter.timer = VirtualTimer()
    return limiter.timer


async def run(bot: BotHarness, moment: datetime | None = None) -> Any:
    if moment is not None:
        bot.clock.current = moment
    assert bot.app is not None
    if not isinstance(bot.app.bot.rate_limiter.timer, VirtualTimer):  # type: ignore[union-attr]
        virtual_time(bot)
    return await reminders.run_due(bot.app.bot_data)


async def supervisor(
    bot: BotHarness, station: str = "jiangnan", lang: str = "en", name: str = "Sup"
) -> OfflinePerson:
    return await bot.person(role="supervisor", stations=(station,), lang=lang, name=name)


async def log_hours(bot: BotHarness, who: OfflinePerson, station: str, hours: float) -> None:
    async with bot.database.uow() as uow:
        person = await uow.session.scalar(select(Person.id).where(Person.tg_id == who.user_id))
        assert person is not None
        uow.session.add(
            SupervisionSession(
                supervisor_id=person, station_code=station, session_date=date(2026, 11, 3),
                minutes=round(hours * 60), mode="offline", created_at=at(2026, 11, 3),
            )
        )  # fmt: skip
        await uow.commit()


def seen(person: OfflinePerson, marker: str) -> list[str]:
    return [m.text for m in person.messages if marker in m.text]


async def ledger(bot: BotHarness, kind: str | None = None) -> list[tuple[int, str, str | None]]:
    async with bot.database.uow() as uow:
        query = select(Delivery.recipient_tg_id, Delivery.status, Delivery.last_error)
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        return [tuple(r) for r in (await uow.session.execute(query.order_by(Delivery.id))).all()]  # type: ignore[misc]


def sends_to(bot: BotHarness, chat_id: int) -> int:
    return sum(1 for c in bot.telegram.calls_to("sendMessage") if c.params["chat_id"] == chat_id)


# --- each occasion ----------------------------------------------------------------------------


async def test_weekly_digest_on_monday_in_each_supervisors_language(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    chen = await bot.person(role="supervisor", stations=("jiangnan", "xicheng"), name="陈督导")
    await log_hours(bot, ann, "jiangnan", 8.5)
    await run(bot, at(2026, 11, 16, 8, 59))
    assert ann.messages == []
    await run(bot, at(2026, 11, 16, 9, 0))
    (text,) = seen(ann, DIGEST)
    assert "(11/2026, as of 2026-11-16)" in text
    assert "Jiangnan Street" in text and "8.5 h of 13 h" in text
    assert ann.last_with_buttons().buttons[0].callback_data == "menu:supervise"
    (zh,) = seen(chen, "本月督导情况")
    assert "江南街道" in zh and "西城街道" in zh  # one digest listing both stations
    assert chen.button_labels() == ["🧭 登记督导"]


async def test_quota_warnings_on_the_20th_and_25th_with_the_pace_needed(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    chen = await supervisor(bot, "xicheng", "zh", "陈督导")
    await log_hours(bot, ann, "jiangnan", 8.5)
    await run(bot, at(2026, 11, 20, 9, 0))
    assert len(seen(ann, WARNING)) == 1
    await run(bot, at(2026, 11, 25, 9, 0))
    warnings = seen(ann, WARNING)
    assert len(warnings) == 2
    assert "8.5 h logged this month of the 13 h required: 4.5 h to go in 6 days" in warnings[1]
    assert "about 5.2 h a week" not in warnings[1]  # under a week left: the whole 4.5 h
    assert "还差 13 小时，剩余 6 天" in seen(chen, WARNING_ZH)[-1]
    assert ann.last_with_buttons().buttons[0].callback_data == "menu:supervise"


async def test_final_warning_on_the_last_day(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    await log_hours(bot, ann, "jiangnan", 12)
    await run(bot, at(2026, 11, 30, 9, 0))
    (text,) = seen(ann, "Last day of the month")
    assert "12 h of supervision logged of the 13 h required; 1 h still to go" in text
    assert ann.last_with_buttons().buttons[0].callback_data == "menu:supervise"


async def test_month_close_to_admins_and_station_heads(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    await supervisor(bot, "xicheng", "en", "Bo")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en", name="Head")
    admin = await bot.person(role="admin", lang="en", name="Admin")
    settings_admin = await bot.admin()  # from STATIONBOT_ADMINS, not yet written: Chinese
    await log_hours(bot, ann, "jiangnan", 13)
    await run(bot, at(2026, 12, 1, 8, 59))
    assert not seen(admin, "Supervision quota, ")
    await run(bot, at(2026, 12, 1, 9, 0))
    (text,) = seen(admin, "Supervision quota, 11/2026")
    assert "✅ Met (1): Jiangnan Street Social Work Station 13 h" in text
    # Only stations with a supervisor in the bot can miss; the other 12 are listed on their own.
    assert "❌ Missed (1): Xicheng Street Social Work Station 0 h\n" in text
    assert (
        "⚪ No supervisor assigned in the bot (12): Dongcheng Street Social Work Station 0 h, "
        in text
    )
    (mine,) = seen(head, "Supervision quota, 11/2026")
    assert "13 h of 13 h: ✅ met." in mine
    # The settings admin never opened the bot: Telegram is never called for them …
    assert not seen(settings_admin, "2026年11月督导时长汇总")
    assert not [c for c in bot.telegram.calls if c.params.get("chat_id") == settings_admin.user_id]
    # … until they do: the month close, still open, reaches them at the next check.
    await settings_admin.send("/start")
    await run(bot, at(2026, 12, 1, 9, 5))
    (zh,) = seen(settings_admin, "2026年11月督导时长汇总")
    assert "❌ 未达标（1 个站）：" in zh and "⚪ 未在机器人中指定督导（12 个站）：" in zh
    assert head.last_with_buttons().buttons[0].callback_data == "menu:menu"


async def test_month_close_sets_stations_without_a_supervisor_apart(bot: BotHarness) -> None:
    behind = await supervisor(bot, "jiangnan", "en", "Behind")
    await log_hours(bot, behind, "jiangnan", 12.5)
    # Xicheng has a head and 14 h logged (by someone whose role was revoked) but no supervisor.
    gone = await supervisor(bot, "xicheng", "en", "Gone")
    await log_hours(bot, gone, "xicheng", 14)
    async with bot.database.uow() as uow:
        person = await uow.session.scalar(select(Person.id).where(Person.tg_id == gone.user_id))
        role = await uow.session.scalar(select(StaffRole).where(StaffRole.person_id == person))
        assert role is not None
        role.revoked_at = at(2026, 11, 20)
        await uow.commit()
    head = await bot.person(role="station_head", stations=("xicheng",), lang="en", name="Head")
    head_zh = await bot.person(role="station_head", stations=("xicheng",), lang="zh", name="张站长")
    jn_head = await bot.person(role="station_head", stations=("jiangnan",), lang="en", name="JN")
    admin = await bot.person(role="admin", lang="en", name="Admin")
    await run(bot, at(2026, 12, 1, 9, 0))
    (text,) = seen(admin, "Supervision quota, 11/2026")
    lines = text.splitlines()
    assert "✅ Met (0): —" in lines
    assert "❌ Missed (1): Jiangnan Street Social Work Station 12.5 h" in lines
    (group,) = [line for line in lines if line.startswith("⚪ No supervisor assigned in the bot")]
    assert group.startswith("⚪ No supervisor assigned in the bot (13): ")
    assert "Xicheng Street Social Work Station 14 h" in group
    assert "Jiangnan" not in group
    (mine,) = seen(head, "Supervision quota, 11/2026: Xicheng")
    assert "No supervisor is assigned to this station in the bot" in mine
    assert "❌ missed" not in mine and "✅ met" not in mine
    (mine_zh,) = seen(head_zh, "督导时长")
    assert "本站未在机器人中指定督导" in mine_zh
    (theirs,) = seen(jn_head, "Supervision quota, 11/2026: Jiangnan")
    assert "12.5 h of 13 h: ❌ missed." in theirs


async def _seed_request(bot: BotHarness, created: datetime) -> None:
    async with bot.database.uow() as uow:
        resident = Person(tg_id=777, created_at=created)
        uow.session.add(resident)
        await uow.session.flush()
        uow.session.add(
            ServiceRequest(
                ref="JN-0007", client_token="tok", station_code="jiangnan",
                resident_id=resident.id, service_code="elderly_care", for_whom="self",
                age_group="60plus", preferred_time="any", status="submitted", created_at=created,
            )
        )  # fmt: skip
        await uow.commit()


async def test_a_request_waiting_reminds_workers_then_the_head(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="zh", name="张")
    other = await bot.person(role="worker", stations=("xicheng",), lang="en", name="Other")
    await _seed_request(bot, at(2026, 11, 17, 10, 0))
    await run(bot, at(2026, 11, 18, 10, 0))
    (text,) = seen(worker, "A request is waiting")
    assert "Request JN-0007 at Jiangnan Street" in text and "submitted Nov 17 10:00" in text
    assert worker.last_with_buttons().buttons[0].callback_data == "menu:inbox"
    assert worker.button_labels() == ["📥 Open the inbox"]
    assert head.messages == [] and other.messages == []
    await run(bot, at(2026, 11, 19, 10, 0))
    assert len(seen(worker, "A request is waiting")) == 1
    (zh,) = seen(head, "有服务申请已等待超过 48 小时")
    assert "JN-0007" in zh and head.button_labels() == ["📥 打开待办"]


async def test_a_volunteer_application_waiting_three_days_reminds_workers(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    async with bot.database.uow() as uow:
        applicant = Person(tg_id=778, created_at=at(2026, 11, 1))
        uow.session.add(applicant)
        await uow.session.flush()
        uow.session.add(
            VolunteerApplication(
                person_id=applicant.id, station_code="jiangnan", age_group="adult",
                party_member="no", status="pending", created_at=at(2026, 11, 13, 9, 0),
            )
        )  # fmt: skip
        await uow.commit()
    await run(bot, at(2026, 11, 16, 10, 0))
    (text,) = seen(worker, "volunteer application is waiting")
    assert "not been decided after 3 days" in text
    assert worker.last_with_buttons().buttons[0].callback_data == "menu:inbox"


# --- who gets nothing -------------------------------------------------------------------------


async def test_a_supervisor_who_met_the_quota_gets_no_warning(bot: BotHarness) -> None:
    done = await supervisor(bot, "jiangnan", "en", "Done")
    behind = await supervisor(bot, "xicheng", "en", "Behind")
    await log_hours(bot, done, "jiangnan", 13)
    for day in (20, 25, 30):
        await run(bot, at(2026, 11, day, 9, 0))
    assert seen(done, WARNING) == [] and seen(done, "Last day") == []
    assert "✅ Quota met." in seen(done, DIGEST)[0]  # the digest still tells them
    assert len(seen(behind, WARNING)) == 2 and len(seen(behind, "Last day")) == 1


async def test_a_blocked_person_is_marked_unreachable_and_listed_for_admins(
    bot: BotHarness,
) -> None:
    blocked = await supervisor(bot, "jiangnan", "en", "Blocky")
    fine = await supervisor(bot, "xicheng", "en", "Fine")
    admin = await bot.person(role="admin", lang="en", name="Admin")
    await blocked.send("/help")  # they wrote to the bot once (so it knows their name)
    bot.telegram.block(blocked.user_id)
    _planned, report = await run(bot, at(2026, 11, 20, 9, 0))
    assert blocked.user_id in report.unreachable
    assert len(seen(fine, WARNING)) == 1
    statuses = {s for tg, s, _ in await ledger(bot) if tg == blocked.user_id}
    # The week's digest was folded into the warning (one message): recorded as skipped.
    assert statuses == {delivery.UNREACHABLE, delivery.SKIPPED}
    tries = sends_to(bot, blocked.user_id)
    await run(bot, at(2026, 11, 25, 9, 0))
    await run(bot, at(2026, 11, 30, 9, 0))
    assert sends_to(bot, blocked.user_id) == tries  # nothing more is even attempted
    await run(bot, at(2026, 12, 1, 9, 0))
    (text,) = seen(admin, "Supervision quota, 11/2026")
    assert "🚫 Blocked the bot, so they get no reminders (1): Blocky (supervisor; Jiangnan" in text


async def test_writing_to_the_bot_again_makes_a_blocked_person_reachable(bot: BotHarness) -> None:
    blocked = await supervisor(bot, "jiangnan", "en", "Blocky")
    bot.telegram.block(blocked.user_id)
    await run(bot, at(2026, 11, 20, 9, 0))
    bot.telegram.blocked.clear()
    await blocked.send("/help")
    await run(bot, at(2026, 11, 25, 9, 0))
    assert len(seen(blocked, WARNING)) == 1


async def test_notifications_skip_people_who_blocked_the_bot(bot: BotHarness) -> None:
    assert bot.app is not None
    virtual_time(bot)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    outbox = bot.app.bot_data.outbox
    bot.telegram.block(worker.user_id)
    assert not await outbox.send(OutgoingMessage(worker.user_id, "New request"))
    calls = sends_to(bot, worker.user_id)
    report = await outbox.send_many([OutgoingMessage(worker.user_id, "Another")])
    assert report.unreachable == [worker.user_id] and sends_to(bot, worker.user_id) == calls


# --- Telegram trouble ---------------------------------------------------------------------------


async def test_429_then_success_waits_as_told_and_sends_once(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    timer = virtual_time(bot)
    refusals = [TelegramRefusal(429, "Too Many Requests: retry after 7", retry_after=7)]

    def hook(method: str, params: dict[str, Any]) -> TelegramRefusal | None:
        if method == "sendMessage" and refusals:
            return refusals.pop()
        return None

    bot.telegram.fault_hook = hook
    start = timer.monotonic()
    _, report = await run(bot, at(2026, 11, 20, 9, 0))
    assert report.sent == 1 and report.failed == []  # the warning with the digest folded in
    assert timer.monotonic() - start >= 7
    assert len(seen(ann, WARNING)) == 1 and len(seen(ann, DIGEST)) == 1
    assert sends_to(bot, ann.user_id) == 2  # the refused call, then the message


async def test_5xx_is_retried_with_backoff_then_succeeds(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    timer = virtual_time(bot)
    failures = [TelegramRefusal(502, "Bad Gateway"), TelegramRefusal(500, "Internal Server Error")]
    unlucky: list[str] = []  # the first message tried takes both failures, whichever it is

    def hook(method: str, params: dict[str, Any]) -> TelegramRefusal | None:
        if method != "sendMessage" or not failures:
            return None
        if not unlucky:
            unlucky.append(params["text"])
        return failures.pop() if params["text"] == unlucky[0] else None

    bot.telegram.fault_hook = hook
    _, report = await run(bot, at(2026, 11, 30, 9, 0))
    assert report.sent == 1  # the final warning with the Monday digest folded in
    assert 1.0 in timer.slept and 5.0 in timer.slept
    assert len(seen(ann, "Last day")) == 1


async def test_5xx_that_never_ends_is_recorded_failed_and_listed_for_admins(
    bot: BotHarness,
) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    admin = await bot.person(role="admin", lang="en", name="Admin")
    await ann.send("/help")  # the bot learns her name
    before = sends_to(bot, ann.user_id)

    def hook(method: str, params: dict[str, Any]) -> TelegramRefusal | None:
        if method == "sendMessage" and params["chat_id"] == ann.user_id:
            return TelegramRefusal(503, "Service Unavailable")
        return None

    bot.telegram.fault_hook = hook
    _, report = await run(bot, at(2026, 11, 20, 9, 0))
    assert report.failed == [ann.user_id]  # the warning, the digest folded into it
    assert sends_to(bot, ann.user_id) - before == 4  # one try and three retries
    assert {s for _, s, _ in await ledger(bot)} == {delivery.FAILED, delivery.SKIPPED}
    bot.telegram.fault_hook = None
    await run(bot, at(2026, 12, 1, 9, 0))
    (text,) = seen(admin, "Supervision quota, 11/2026")
    assert "📭 Messages that could not be delivered last month (1): Ann" in text


async def test_a_timeout_is_unknown_and_retried_once_after_ten_minutes(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    timeouts = [1]

    def hook(method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and WARNING in params["text"] and timeouts:
            timeouts.pop()
            raise TimedOut()

    bot.telegram.fault_hook = hook
    _, report = await run(bot, at(2026, 11, 20, 9, 0))
    assert report.unknown == [ann.user_id]
    assert (ann.user_id, delivery.UNKNOWN, "timed_out") in await ledger(bot, "quota_warning")
    await run(bot, at(2026, 11, 20, 9, 9))
    assert seen(ann, WARNING) == []  # not yet: it may have arrived after all
    await run(bot, at(2026, 11, 20, 9, 10))
    assert len(seen(ann, WARNING)) == 1
    assert await ledger(bot, "quota_warning") == [(ann.user_id, delivery.SENT, None)]


async def test_a_second_timeout_is_final_never_a_third_try(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")

    def hook(method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and WARNING in params["text"]:
            # Telegram delivered it, but the answer never came back.
            bot.telegram._api_sendMessage(params, None)
            raise TimedOut()

    bot.telegram.fault_hook = hook
    await run(bot, at(2026, 11, 20, 9, 0))
    await run(bot, at(2026, 11, 20, 9, 10))
    await run(bot, at(2026, 11, 20, 9, 30))
    await run(bot, at(2026, 11, 21, 9, 0))
    # The policy's known cost: a delivered-but-timed-out message is seen twice, never more.
    assert len(seen(ann, WARNING)) == 2
    assert await ledger(bot, "quota_warning") == [(ann.user_id, delivery.UNKNOWN, "timed_out")]


# --- once, and only once ------------------------------------------------------------------------


async def test_two_runs_of_the_same_occasion_send_once(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    assert bot.app is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(reminders.JOB_NAME)  # type: ignore[union-attr]
    virtual_time(bot)
    bot.clock.current = at(2026, 11, 20, 9, 0)
    await job.run(bot.app)  # the scheduled job itself
    await job.run(bot.app)
    await run(bot, at(2026, 11, 20, 9, 5))
    await bot.restart()
    await run(bot, at(2026, 11, 20, 9, 6))
    assert len(seen(ann, WARNING)) == 1 and len(seen(ann, DIGEST)) == 1


async def test_a_restart_halfway_through_a_send_neither_repeats_nor_loses(
    bot: BotHarness,
) -> None:
    # Twelve messages (each a warning with the digest folded in): more than the 3 delivered
    # and the outbox's 8 in flight at the crash.
    people = [await supervisor(bot, "jiangnan", "en", f"S{i}") for i in range(12)]
    assert bot.app is not None
    workers = bot.app.bot_data.outbox.concurrency
    delivered = 0
    stuck = 0
    all_stuck = asyncio.Event()
    never = asyncio.Event()

    async def hook(method: str, params: dict[str, Any]) -> None:
        nonlocal delivered, stuck
        if method != "sendMessage":
            return
        if delivered < 3:
            delivered += 1
            return
        stuck += 1  # the process is about to die with these in flight
        if stuck == workers:
            all_stuck.set()
        await never.wait()

    bot.telegram.fault_hook = hook
    bot.clock.current = at(2026, 11, 20, 9, 0)
    virtual_time(bot)
    halfway = asyncio.create_task(reminders.run_due(bot.app.bot_data))
    await all_stuck.wait()
    halfway.cancel()
    await asyncio.gather(halfway, return_exceptions=True)
    bot.telegram.fault_hook = None
    await bot.restart()
    await run(bot, at(2026, 11, 20, 9, 1))
    # The ones in flight at the crash are unknown: each gets its one retry ten minutes on.
    statuses = Counter(s for _, s, _ in await ledger(bot))
    assert statuses == {
        delivery.SENT: 12 - workers,
        delivery.UNKNOWN: workers,
        delivery.SKIPPED: 12,
    }
    await run(bot, at(2026, 11, 20, 9, 11))
    for person in people:
        assert len(seen(person, WARNING)) == 1, person.first_name
        assert len(seen(person, DIGEST)) == 1, person.first_name
    assert Counter(s for _, s, _ in await ledger(bot)) == {delivery.SENT: 12, delivery.SKIPPED: 12}


async def test_catch_up_after_two_days_down(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    admin = await bot.person(role="admin", lang="en", name="Admin")
    await bot.stop()  # down from the 19th to the 21st: the 20th's warning goes on the 21st
    bot.clock.current = at(2026, 11, 21, 10, 0)
    await bot.start()
    for person in (ann, admin):
        person.app = bot.app  # type: ignore[assignment]
    await run(bot)
    (text,) = seen(ann, WARNING)
    assert "in 10 days" in text
    await bot.stop()  # down from the 24th to the 26th: the 25th's goes, not the 20th's again
    await bot.start()
    await run(bot, at(2026, 11, 26, 10, 0))
    assert len(seen(ann, WARNING)) == 2 and "in 5 days" in seen(ann, WARNING)[-1]
    await run(bot, at(2026, 12, 3, 10, 0))  # the month close, two days late
    assert seen(admin, "Supervision quota, 11/2026")
    assert seen(ann, "Last day") == []  # November's final warning is no use in December


async def test_a_missed_20th_does_not_go_once_the_25ths_has_gone(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    await run(bot, at(2026, 11, 25, 9, 0))
    await run(bot, at(2026, 11, 25, 9, 1))
    (text,) = seen(ann, WARNING)
    assert "in 6 days" in text
    async with bot.database.uow() as uow:
        occasions = (
            await uow.session.scalars(
                select(Delivery.occasion).where(Delivery.kind == "quota_warning")
            )
        ).all()
    assert occasions == ["day25"]


async def test_month_and_year_boundaries_in_shanghai(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    admin = await bot.person(role="admin", lang="zh", name="管理员")
    await run(bot, datetime(2026, 12, 31, 0, 30, tzinfo=UTC))  # 08:30 in Shanghai: too early
    assert seen(ann, "Last day") == []
    await run(bot, datetime(2026, 12, 31, 1, 0, tzinfo=UTC))  # 09:00 on the 31st in Shanghai
    assert len(seen(ann, "Last day")) == 1
    bot.telegram.chats.clear()
    # Still the 31st in UTC, already 2027-01-01 00:30 in Shanghai: December is over.
    await run(bot, datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert ann.messages == [] and admin.messages == []
    await run(bot, datetime(2027, 1, 1, 1, 0, tzinfo=UTC))  # 09:00 on New Year's Day
    (text,) = seen(admin, "2026年12月督导时长汇总")
    assert "❌ 未达标（1 个站）：江南街道社工站 0 小时\n" in text
    assert "⚪ 未在机器人中指定督导（13 个站）：东城街道社工站 0 小时、方岩镇社工站 0 小时" in text
    assert ann.messages == []  # ISO week 2026-W53's digest went on the 31st; no January warning


async def test_the_job_is_scheduled_with_a_delay_for_the_catch_up(bot: BotHarness) -> None:
    assert bot.app is not None and bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(reminders.JOB_NAME)
    assert job.job.trigger.interval == timedelta(seconds=60)
    assert job.next_t is not None
    assert timedelta(seconds=50) < job.next_t - datetime.now(UTC) <= timedelta(seconds=60)


def test_a_provinces_month_close_stays_within_telegrams_length() -> None:
    from bot.offline_telegram import MAX_TEXT, html_to_plain
    from handlers.kit.i18n import Translator
    from knowledge.stations import Station, StationCatalog
    from services.delivery import PendingDelivery

    catalog = StationCatalog(
        tuple(
            Station(f"s{i}", f"P{i}", f"第{i}站", f"Station {i}", "town", 13.0, "", "", "", "", "")
            for i in range(3000)
        )
    )
    payload = {
        "audience": "admin", "month": "2026-11", "quota": 13,
        "met": [[s.code, 13.5] for s in catalog.stations[:1000]],
        "missed": [[s.code, 2.0] for s in catalog.stations[1000:2500]],
        "unsupervised": [[s.code, 0.0] for s in catalog.stations[2500:]],
        "unreachable": [
            {"name": f"督导{i}", "roles": ["supervisor"], "stations": [s.code for s in catalog.stations[:5]]}
            for i in range(300)
        ],
        "undelivered": [{"name": f"社工{i}", "count": 2, "kinds": ["digest"]} for i in range(300)],
    }  # fmt: skip
    item = PendingDelivery(0, "k", "month_close", "2026-11", "close", 1, None, payload, 0)
    for lang in ("zh", "en"):
        renderer = reminders.Renderers(catalog, SHANGHAI)
        text, _markup = renderer.month_close(item, Translator().for_language(lang), lang)
        assert len(html_to_plain(text)) <= MAX_TEXT
    assert "❌ Missed (1500): " in text and "… and 1490 more" in text  # 10 named, the rest counted
    assert "⚪ No supervisor assigned in the bot (500): " in text


async def test_last_days_digest_and_final_warning_arrive_as_one_message(bot: BotHarness) -> None:
    ann = await supervisor(bot, "jiangnan", "en", "Ann")
    await log_hours(bot, ann, "jiangnan", 12)
    before = len(ann.messages)
    await run(bot, at(2026, 11, 30, 9, 0))  # a Monday, and the last day of November
    assert len(ann.messages) == before + 1
    text = ann.last_text
    assert "Last day of the month" in text and DIGEST in text
    assert text.index("Last day of the month") < text.index(DIGEST)
    await run(bot, at(2026, 11, 30, 10, 0))
    assert len(ann.messages) == before + 1  # the digest never follows on its own


async def test_an_urgent_request_at_night_reminds_head_and_admins_after_two_hours(
    bot: BotHarness,
) -> None:
    from tests.bot.test_requests import make_request

    await bot.person(role="worker", stations=("gushan",), lang="en", name="Li")
    head = await bot.person(role="station_head", stations=("gushan",), lang="en", name="Zhang")
    admin = await bot.person(role="admin", lang="en", name="Admin")
    resident = await bot.person(lang="en", name="Wang")
    bot.clock.current = at(2026, 11, 21, 3, 30)
    ref = await make_request(resident, station="gushan", urgent=True)
    assert [m for m in head.messages if ref in m.text]  # told at once, with the workers
    await run(bot, at(2026, 11, 21, 5, 29))
    assert not seen(head, "🚨")
    await run(bot, at(2026, 11, 21, 5, 30))  # in the quiet hours, all the same
    (to_head,) = seen(head, "🚨")
    (to_admin,) = seen(admin, "🚨")
    assert ref in to_head and ref in to_admin and "over 2 hours" in to_head
    await run(bot, at(2026, 11, 21, 5, 45))
    assert len(seen(head, "🚨")) == 1  # once
