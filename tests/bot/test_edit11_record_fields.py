"""The record card's Edit offers the day, the hours and the groups served with the person-times
too (probe11 item 8), asked with /log's own steps and refusals, then /log's summary and one
Save through `records.correct_record` (audited, the worker's window and the day limit
checked)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityLog, AuditEntry
from services import activities
from tests.harness import BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _record(
    bot: BotHarness, worker: OfflinePerson, minutes: int = 120, token: str = "t-edit11"
) -> int:
    now = bot.clock.now()
    assert bot.app is not None
    async with bot.database.uow() as uow:
        entry = await activities.log_activity(
            uow, worker_tg_id=worker.user_id, station_code="jiangnan", template_code="case_plan",
            activity_date=now.astimezone(SHANGHAI).date(), minutes=minutes, person_times=1,
            groups={"elderly": 1}, note=None, client_token=token, now=now,
            zone=SHANGHAI, templates=bot.app.bot_data.knowledge.record_templates,
            group_codes=["elderly"], fields={"case_no": "C-1", "goals": "g", "measures": "m"},
            rules=bot.app.bot_data.knowledge.record_rules,
        )  # fmt: skip
    return entry.id


async def _corrections(bot: BotHarness) -> list[tuple[str, str, object, object]]:
    async with bot.database.uow() as uow:
        rows = (
            await uow.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "record.correct")
                .order_by(AuditEntry.id)
            )
        ).all()
        found = [
            (r.detail["by"], r.detail["field"], r.detail["old"], r.detail["new"]) for r in rows
        ]
        uow.session.expunge_all()
    return found


async def _row(bot: BotHarness, record_id: int) -> tuple[date, int, int | None]:
    async with bot.database.uow() as uow:
        row = await uow.session.get(ActivityLog, record_id)
        assert row is not None
        found = (row.activity_date, row.minutes, row.person_times)
        uow.session.expunge_all()
    return found


async def _problem(worker: OfflinePerson) -> str:
    """The sentence above the step asked again."""
    return worker.last_text.split("\n\n")[0]


async def test_a_worker_corrects_the_hours_and_the_day(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    record_id = await _record(bot, worker, minutes=120)
    today = bot.clock.now().astimezone(SHANGHAI).date()
    await worker.send("/mylogs")
    await worker.press(f"📋 {record_id}")
    assert "Hours: 2" in worker.last_text
    await worker.press("✏️ Edit a field")
    assert {"📅 The day", "⏱ The hours", "Goals"} <= set(worker.button_labels())
    await worker.press("⏱ The hours")
    assert "How many hours did it take?" in worker.last_text  # /log's step
    await worker.send("1.5")
    assert "Please check, then save:" in worker.last_text
    assert "Hours: 1.5" in worker.last_text
    await worker.press("✅ Save")
    assert worker.last_text.startswith("✅ Saved.")
    assert "Hours: 1.5" in worker.last_text and "Day: Nov 16" in worker.last_text
    await worker.press("✏️ Edit a field")
    await worker.press("📅 The day")
    await worker.press("Yesterday (Nov 15)")
    assert "Day: Nov 15" in worker.last_text and "Hours: 1.5" in worker.last_text
    await worker.press("✅ Save")
    assert "Day: Nov 15" in worker.last_text and "Hours: 1.5" in worker.last_text
    assert await _row(bot, record_id) == (today - timedelta(days=1), 90, 1)
    assert await _corrections(bot) == [
        ("owner", "minutes", 120, 90),
        ("owner", "date", today.isoformat(), (today - timedelta(days=1)).isoformat()),
    ]


async def test_bad_input_is_refused_as_log_refuses_it(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="zh")
    record_id = await _record(bot, worker, minutes=120)
    said: dict[str, str] = {}
    for typed in ("-1小时", "abc"):  # what /log says at its hours step
        await worker.send("/log")
        await worker.press("log:cat:casework")
        await worker.press("log:tpl:case_record")
        await worker.press("log:date:today")
        await worker.send(typed)
        said[typed] = await _problem(worker)
        await worker.send("/cancel")
    for typed in ("明天", "10月1日"):  # and at its day step
        await worker.send("/log")
        await worker.press("log:cat:casework")
        await worker.press("log:tpl:case_record")
        await worker.send(typed)
        said[typed] = await _problem(worker)
        await worker.send("/cancel")
    assert said["-1小时"] == "时间太短了：最少 0.25 小时。"
    assert said["abc"] == "请用数字输入小时数，如 1.5。"
    assert said["明天"].startswith("这一天还没到。")
    assert said["10月1日"].startswith("这一天太早了")
    await worker.send(f"/record {record_id}")
    await worker.press("✏️ 修改一项")
    await worker.press("⏱ 时长")
    for typed in ("-1小时", "abc"):
        await worker.send(typed)
        assert await _problem(worker) == said[typed]
    await worker.press("« 返回")
    await worker.press("📅 日期")
    for typed in ("明天", "10月1日"):  # a future day; a day beyond the window
        await worker.send(typed)
        assert await _problem(worker) == said[typed]
    await worker.press_data("rec:date:pick")
    await worker.press_data("rec:day:2026-10-01")  # forged: a day the calendar does not offer
    assert await _problem(worker) == said["10月1日"].split("可以登记")[0]
    await worker.send("/cancel")
    assert await _row(bot, record_id) == (date(2026, 11, 16), 120, 1)
    assert await _corrections(bot) == []


async def test_the_day_limit_asks_the_hours_again(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    record_id = await _record(bot, worker, minutes=120)
    other = await _record(bot, worker, minutes=12 * 60, token="t-other")  # 16 h a day at most
    assert other != record_id
    await worker.send(f"/record {record_id}")
    await worker.press("✏️ Edit a field")
    await worker.press("⏱ The hours")
    await worker.send("5")
    await worker.press("✅ Save")
    assert "the most one day can hold is 16 h" in worker.last_text
    assert "How many hours did it take?" in worker.last_text  # asked again, as /log does
    assert (await _row(bot, record_id))[1] == 120
    await worker.send("4")
    await worker.press("✅ Save")
    assert "Hours: 4" in worker.last_text
    assert (await _row(bot, record_id))[1] == 240


async def test_the_head_corrects_a_closed_record(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="zh")
    record_id = await _record(bot, worker, minutes=120)
    bot.clock.advance(timedelta(days=8))  # past the worker's 7 days
    await worker.send(f"/record {record_id}")
    assert not worker.messages[-1].buttons
    await head.send(f"/record {record_id}")
    await head.press("✏️ 修改一项")
    await head.press("⏱ 时长")
    await head.press("1.5 小时")
    await head.press("✅ 保存")
    assert "时长：1.5 小时" in head.last_text
    await head.press("✏️ 修改一项")
    await head.press("👥 服务人群和人次")
    await head.press_data("rec:grp:disabled")
    await head.press_data("rec:grp:done")
    await head.send("3")
    assert "一共 3 人次，其中60岁以上老年人有多少人次？" in head.last_text  # /log's split
    await head.send("2")
    await head.send("1")
    assert "按人群：60岁以上老年人 2，残障人士 1" in head.last_text
    await head.press("✅ 保存")
    assert "服务人次：3" in head.last_text
    assert (await _row(bot, record_id))[1:] == (90, 3)
    assert await _corrections(bot) == [
        ("head", "minutes", 120, 90),
        ("head", "person_times", 1, 3),
        ("head", "groups", {"elderly": 1}, {"elderly": 2, "disabled": 1}),
    ]


async def test_back_to_the_choice_puts_back_what_was_changed(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    record_id = await _record(bot, worker, minutes=120)
    await worker.send(f"/record {record_id}")
    await worker.press("✏️ Edit a field")
    await worker.press("⏱ The hours")
    await worker.send("1.5")
    await worker.press("« Back")
    assert "How many hours did it take?" in worker.last_text
    await worker.press("« Back")
    assert "Which field do you want to change?" in worker.last_text
    await worker.press("📅 The day")  # only the day changes now: the summary says so
    await worker.press("Yesterday (Nov 15)")
    assert "Day: Nov 15" in worker.last_text and "Hours: 2" in worker.last_text
    await worker.press("✅ Save")
    assert "Day: Nov 15" in worker.last_text and "Hours: 2" in worker.last_text
    await worker.press("✏️ Edit a field")
    await worker.press("Goals")
    await worker.send("new goal")
    assert worker.last_text.startswith("✅ Saved.")
    assert "Hours: 2" in worker.last_text and "Goals: new goal" in worker.last_text
    assert (await _row(bot, record_id))[1] == 120
    assert [c[1] for c in await _corrections(bot)] == ["date", "goals"]
