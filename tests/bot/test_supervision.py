"""/supervise and /quota, as supervisors, station heads and admins see them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import SupervisionSession
from services import staff
from tests.bot.log_steps import past_supervisees
from tests.harness import ADMIN_ID, BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _sessions(bot: BotHarness) -> list[tuple[str, str, int, str, str | None, str | None]]:
    async with bot.database.uow() as uow:
        rows = await uow.session.execute(
            select(
                SupervisionSession.station_code,
                SupervisionSession.session_date,
                SupervisionSession.minutes,
                SupervisionSession.mode,
                SupervisionSession.topic_code,
                SupervisionSession.topic_text,
            ).order_by(SupervisionSession.id)
        )
        return [(s, str(d), m, mode, c, t) for s, d, m, mode, c, t in rows]


async def test_supervision_in_chinese_with_the_quota_after_saving(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan", "xicheng"))
    await supervisor.send("/supervise")
    assert supervisor.button_labels()[:2] == ["西城街道社工站", "江南街道社工站"]
    await supervisor.press("江南街道社工站")
    await supervisor.press("今天（11月16日）")
    await supervisor.press("3")
    await supervisor.press("🤝 线下")
    await supervisor.press("个案督导")
    await past_supervisees(supervisor)
    assert "形式：线下（面对面）" in supervisor.last_text
    await supervisor.press("✅ 保存")
    text = supervisor.last_text
    assert text.startswith("✅ 已保存。")
    assert "江南街道社工站 · 🔴 进度落后" in text
    assert "11月已督导 3 小时，要求 13 小时（线上 0 小时，线下 3 小时）" in text
    assert "还差 10 小时 · 本月还剩 15 天 · 每周约需 4.7 小时" in text
    assert await _sessions(bot) == [("jiangnan", "2026-11-16", 180, "offline", "case_work", None)]


async def test_typed_hours_and_topic(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    assert "Supervision for Jiangnan Street" in supervisor.last_text  # one station: no question
    await supervisor.press("sup:date:yesterday")
    for text, reason in (
        ("1.2", "half hours"),
        ("0", "too little"),
        ("9", "too much: the longest is 8 hours"),
        ("abc", "as a number"),
    ):
        await supervisor.send(text)
        assert reason in supervisor.last_text, text
    await supervisor.send("２,５")
    await supervisor.press("sup:mode:online")
    await supervisor.send("字" * 201)
    assert "under 200" in supervisor.last_text
    await supervisor.send("个案 <讨论> & 总结")
    await past_supervisees(supervisor)
    assert "Topic: 个案 <讨论> & 总结" in supervisor.last_text
    for _step in ("who", "form", "topic"):  # back from the summary, one step at a time
        await supervisor.press("sup:back")
    await supervisor.press("sup:topic:self_care")
    await past_supervisees(supervisor)
    await past_supervisees(supervisor)
    await supervisor.press("sup:ok")
    assert "Saved" in supervisor.last_text
    assert await _sessions(bot) == [("jiangnan", "2026-11-15", 150, "online", "self_care", None)]


async def test_a_supervisor_logs_only_for_assigned_stations(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan", "xicheng"), lang="en")
    await supervisor.send("/supervise")
    await supervisor.press_data("sup:st:dongcheng")  # forged: not assigned
    assert "choose one of your stations" in supervisor.last_text
    assert "Dongcheng" not in supervisor.last_text
    await supervisor.press("sup:st:xicheng")
    await supervisor.press("sup:date:today")
    await supervisor.press("sup:hrs:60")
    # The assignment ends while the supervisor is still entering: nothing is saved.
    async with bot.database.uow() as uow:
        roles = [m for m in await staff.list_staff(uow) if m.tg_id == supervisor.user_id]
        xicheng = next(m for m in roles if m.station_code == "xicheng")
        await staff.revoke(uow, role_id=xicheng.role_id, actor_tg_id=ADMIN_ID, now=bot.clock.now())
    await supervisor.press("sup:mode:offline")
    await supervisor.press("sup:topic:team")
    await past_supervisees(supervisor)
    await past_supervisees(supervisor)
    await supervisor.press("sup:ok")
    assert "no longer assigned to you" in supervisor.last_text
    assert await _sessions(bot) == []


async def test_a_late_entry_on_the_2nd_counts_for_last_month(bot: BotHarness) -> None:
    bot.clock.current = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    await supervisor.send("11-30")
    await supervisor.send("8")
    await supervisor.press("sup:mode:offline")
    await supervisor.press("sup:topic:records")
    await past_supervisees(supervisor)
    await past_supervisees(supervisor)
    await supervisor.press("sup:ok")
    assert "Nov: 8 h of 13" in supervisor.last_text
    assert "5 h were missing when the month ended" in supervisor.last_text
    await supervisor.send("/quota")
    assert "Dec: 0 h of 13" in supervisor.last_text


async def test_quota_for_a_supervisor_of_two_stations(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan", "xicheng"), lang="en")
    # One day holds at most 10 hours of one supervisor's sessions: three days.
    for station, hours, day in (
        ("jiangnan", "8", "today"), ("jiangnan", "5", "yesterday"), ("xicheng", "7", "pick"),
    ):  # fmt: skip
        await supervisor.send("/supervise")
        await supervisor.press(f"sup:st:{station}")
        await supervisor.press(f"sup:date:{day}")
        if day == "pick":
            await supervisor.press("14")
        await supervisor.send(hours)
        await supervisor.press("sup:mode:online" if hours == "5" else "sup:mode:offline")
        await supervisor.press("sup:topic:case_work")
        await past_supervisees(supervisor)
        await past_supervisees(supervisor)
        await supervisor.press("sup:ok")
    await supervisor.send("/quota")
    text = supervisor.last_text
    assert "Jiangnan Street Social Work Station · ✅ met" in text
    assert "Nov: 13 h of 13 (online 5, offline 8)" in text
    assert "The quota is met." in text
    assert "Xicheng Street Social Work Station · 🟢 on track" in text
    assert "Still needed: 6 h · 15 days left · about 2.8 h a week" in text
    assert "Dongcheng" not in text


async def test_station_head_sees_their_station_and_admin_sees_all_behind_first(
    bot: BotHarness,
) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    await supervisor.press("sup:date:today")
    await supervisor.send("7")
    await supervisor.press("sup:mode:online")
    await supervisor.press("sup:topic:ethics")
    await past_supervisees(supervisor)
    await past_supervisees(supervisor)
    await supervisor.press("sup:ok")
    head = await bot.person(role="station_head", stations=("gushan",), lang="en")
    await head.send("/quota")
    assert "Gushan Town Social Work Station · 🔴 behind" in head.last_text
    assert "Jiangnan" not in head.last_text
    admin = await bot.admin(lang="en")
    await admin.send("/quota")
    lines = admin.last_text.splitlines()
    assert lines[0] == "Supervision hours, Nov: all stations"
    assert lines[1] == "behind 13 · on track 1 · met 0"
    station_lines = [line for line in lines if " h" in line and "/" in line]
    assert len(station_lines) == 14
    assert station_lines[0].startswith("🔴 Dongcheng Street Social Work Station 0/13 h · needs 13")
    assert station_lines[-1] == "🟢 Jiangnan Street Social Work Station 7/13 h · needs 6"
    assert len(admin.last.raw_text) < 4096


async def test_supervise_on_the_flow_kit_resumes_and_reshows_the_step(bot: BotHarness) -> None:
    """/supervise is a kit Flow whose states keep the integers the earlier release persisted:
    a restart mid-way resumes at the same step; an earlier screen's button re-shows the step."""
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    await supervisor.press("sup:date:today")
    assert "How long was it?" in supervisor.last_text
    await bot.restart()
    await supervisor.send("2")
    assert "online or offline" in supervisor.last_text
    # The date button of the first screen again: the current step, with its buttons.
    await supervisor.press_data("sup:date:yesterday")
    assert "online or offline" in supervisor.last_text
    assert supervisor.button_labels() == ["💻 Online", "🤝 Offline", "« Back", "✖ Cancel"]
    await supervisor.send_sticker()
    assert supervisor.last_text.startswith("Please choose one of the buttons.")
    await supervisor.press("sup:mode:online")
    await supervisor.send(
        "/log"
    )  # another form: finish this one first (fix11a: /stats keeps it aside)
    assert supervisor.last_text.startswith("You are in the middle of logging supervision.")
    await supervisor.press("sup:topic:team")
    await past_supervisees(supervisor)
    assert "Day: " in supervisor.last_text and "Hours: 2" in supervisor.last_text
    await supervisor.send("/cancel")
    assert supervisor.last_text == "Cancelled. Nothing was saved."


async def test_individual_supervision_names_one_worker_and_a_group_several(
    bot: BotHarness,
) -> None:
    # A session had been saved as "个别督导 / 督导对象：全站团队", and "团体督导" with one worker.
    await bot.person(role="worker", stations=("jiangnan",), name="李")
    await bot.person(role="worker", stations=("jiangnan",), name="王")
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    while not any((b.callback_data or "").startswith("sup:form:") for b in supervisor.last.buttons):
        await supervisor.press_data(supervisor.last.buttons[0].callback_data or "")  # day, hours…
    await supervisor.press_data("sup:form:individual")
    assert "sup:team" not in [b.callback_data for b in supervisor.last.buttons]
    workers = [
        b.callback_data
        for b in supervisor.last.buttons
        if (b.callback_data or "").startswith("sup:sw:")
    ]
    await supervisor.press_data(workers[0])
    await supervisor.press_data(workers[1])
    await supervisor.press_data("sup:swdone")
    assert "Individual supervision is of one worker: choose exactly one." in supervisor.last_text
    await supervisor.press_data("sup:team")  # forged: not offered here
    assert "Individual supervision is of one worker" in supervisor.last_text
    await supervisor.press("« Back")
    await supervisor.press_data("sup:form:group")
    chosen = [b.callback_data for b in supervisor.last.buttons if "☑️" in b.text]
    for data in chosen[1:]:
        await supervisor.press_data(data)  # one worker left
    await supervisor.press_data("sup:swdone")
    assert "A group is several workers" in supervisor.last_text
