"""/log and /mylogs, as a social worker sees them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityGroup, ActivityLog, AuditEntry, PersistedState
from tests.bot.log_steps import skip_record_steps
from tests.harness import BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _logs(bot: BotHarness) -> list[ActivityLog]:
    async with bot.database.uow() as uow:
        rows = list((await uow.session.scalars(select(ActivityLog).order_by(ActivityLog.id))).all())
        uow.session.expunge_all()  # keep the loaded values after the unit of work ends
        return rows


async def _groups(bot: BotHarness, activity_id: int) -> dict[str, int]:
    async with bot.database.uow() as uow:
        rows = await uow.session.scalars(
            select(ActivityGroup).where(ActivityGroup.activity_id == activity_id)
        )
        return {r.group_code: r.person_times for r in rows}


async def _to_duration(
    worker: OfflinePerson, template: str = "case_record", category: str = "casework"
) -> None:
    await worker.send("/log")
    await worker.press(f"log:cat:{category}")
    await worker.press(f"log:tpl:{template}")
    await worker.press("log:date:today")


async def test_four_taps_and_a_number_in_chinese(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await worker.send("/log")
    assert "江南街道社工站" in worker.last_text
    assert "个案工作" in worker.button_labels()
    await worker.press("个案工作")
    await worker.press("个案服务记录表")
    assert "今天（11月16日）" in worker.button_labels()
    await worker.press("今天（11月16日）")
    await worker.press("1.5 小时")
    await worker.press("60岁以上老年人")
    assert "☑️ 60岁以上老年人" in worker.button_labels()  # the one toggle style
    await worker.press("选好了 ✔")
    await worker.send("12")
    await worker.press("跳过 »")
    await skip_record_steps(worker)
    assert "请核对后保存" in worker.last_text
    assert "按人群：60岁以上老年人 12" in worker.last_text
    await worker.press("✅ 保存")
    assert worker.last_text.startswith("✅ 已保存。")
    assert "日期：11月16日" in worker.last_text
    (saved,) = await _logs(bot)
    assert (saved.station_code, saved.template_code, saved.minutes, saved.person_times) == (
        "jiangnan", "case_record", 90, 12,
    )  # fmt: skip
    assert await _groups(bot, saved.id) == {"elderly": 12}


async def test_several_groups_are_split_and_back_goes_one_group_back(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_duration(worker, "comm_record", "community")
    await worker.send("2")
    for group in ("log:grp:elderly", "log:grp:children", "log:grp:disabled"):
        await worker.press(group)
    await worker.press("log:grp:disabled")  # pressed twice: chosen, then not
    await worker.press("log:grp:done")
    await worker.send("40")
    assert "How many of them were elderly people (60+)?" in worker.last_text
    await worker.send("30")
    assert "children in difficulty" in worker.last_text
    assert "from 10 to 40" in worker.last_text  # together they must cover all 40
    await worker.send("5")
    assert "too few: at least 10" in worker.last_text
    await worker.press("« Back")  # one group back, not the whole split
    assert "elderly people (60+)" in worker.last_text
    await worker.press("log:split:all")
    await worker.send("12")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    assert "By group: Elderly people (60+) 40, Children in difficulty or left behind 12" in (
        worker.last_text
    )
    await worker.press("log:ok")
    (saved,) = await _logs(bot)
    assert saved.person_times == 40
    assert await _groups(bot, saved.id) == {"elderly": 40, "children": 12}


async def test_bad_hours_are_reasked_and_full_width_and_comma_understood(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_duration(worker)
    expectations = {
        "0": "too little: the shortest is 0.25 hours",
        "-1": "too little",
        "25": "too much: the longest is 12 hours",
        "abc": "type the hours as a number",
    }
    for text, reason in expectations.items():
        await worker.send(text)
        assert reason in worker.last_text, text
        assert "How many hours" in worker.last_text
    await worker.send_photo()
    assert "Please type a number, or use the buttons." in worker.last_text
    await worker.send("１．５")
    assert "Who was served?" in worker.last_text
    await worker.press("log:back")
    await worker.send("1,5")
    assert "Who was served?" in worker.last_text
    await worker.press("log:grp:done")
    assert "at least one group" in worker.last_text
    await worker.press("log:grp:other")
    await worker.press("log:grp:done")
    for text, reason in (("0", "at least 1"), ("1001", "at most 1000"), ("2.5", "whole number")):
        await worker.send(text)
        assert reason in worker.last_text
    await worker.send("３")
    await worker.send("很长" * 251)
    assert "502 characters long; please keep it under 500" in worker.last_text
    await worker.send("<b>家访</b> & *跟进* _记录_ 🙂")
    await skip_record_steps(worker)
    assert "Note: <b>家访</b> & *跟进* _记录_ 🙂" in worker.last_text
    await worker.press("log:ok")
    (saved,) = await _logs(bot)
    assert (saved.minutes, saved.person_times) == (90, 3)
    assert saved.note == "<b>家访</b> & *跟进* _记录_ 🙂"


async def test_text_where_a_button_is_expected_is_reasked(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    await worker.send("case work please")
    assert "choose one of the buttons" in worker.last_text
    assert "What kind of work" in worker.last_text
    await worker.send("/register")  # another form (fix11a: /stats puts this one aside)
    assert "in the middle of logging an activity" in worker.last_text
    await worker.send_sticker()
    assert "choose one of the buttons" in worker.last_text


async def test_dates_outside_the_window_are_reasked_with_the_reason(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    await worker.press("log:cat:casework")
    await worker.press("log:tpl:case_record")
    await worker.send("10-31")
    assert "too long ago" in worker.last_text
    assert "any day from Nov 1 to Nov 16" in worker.last_text
    await worker.send("11-20")
    assert "has not come yet" in worker.last_text
    await worker.send("someday")
    assert "could not read that date" in worker.last_text
    await worker.press("log:date:pick")
    labels = worker.button_labels()
    assert "16" in labels and "17" not in labels and "« Oct" not in labels
    await worker.press_data("log:day:2026-10-30")  # forged: a day no button offers
    assert "too long ago" in worker.last_text
    await worker.press("3")
    assert "How many hours" in worker.last_text
    await worker.send("2")
    await worker.press("log:grp:elderly")
    await worker.press("log:grp:done")
    await worker.press("log:pt:5")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    assert "Day: Nov 3" in worker.last_text


async def test_last_month_is_open_for_a_week_into_the_next(bot: BotHarness) -> None:
    bot.clock.current = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
    # The form stays open six days here: /log is a record form (`Flow(idle=WORK_IDLE)`, 7 days),
    # which STATIONBOT_DRAFT_IDLE_MINUTES (2 hours) does not put aside.
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    await worker.press("log:cat:admin")
    await worker.press("log:tpl:admin_monthly")
    await worker.press("log:date:pick")
    await worker.press("« Nov")
    await worker.press("30")
    assert "How many hours" in worker.last_text
    await worker.press("log:dur:120")
    assert "Add a short note" in worker.last_text  # desk work: no groups, no person-times
    await worker.send("十一月月报")
    await skip_record_steps(worker)
    # The 8th comes before the worker presses Save: November is closed now (the grace
    # period is 7 days, knowledge/record_rules.yaml).
    bot.clock.current = datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI)
    await worker.press("log:ok")
    assert "last month could be entered until Dec 7." in worker.last_text
    assert await _logs(bot) == []
    await worker.press("log:date:yesterday")
    await worker.press("log:dur:120")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    await worker.press("log:ok")
    (saved,) = await _logs(bot)
    assert (str(saved.activity_date), saved.person_times) == ("2026-12-07", 0)


async def test_a_restart_mid_way_loses_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_duration(worker)
    await worker.send("2")
    await worker.press("log:grp:children")
    await bot.restart()
    await worker.press("log:grp:done")
    await worker.send("7")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    await worker.press("log:ok")
    (saved,) = await _logs(bot)
    assert (saved.minutes, saved.person_times) == (120, 7)


async def test_save_pressed_twice_saves_once(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_duration(worker)
    await worker.press("log:dur:60")
    await worker.press("log:grp:elderly")
    await worker.press("log:grp:done")
    await worker.press("log:pt:1")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    confirm = worker.last_with_buttons()
    await worker.press("log:ok", message=confirm)
    await worker.press_data("log:ok", message=confirm)
    assert len(await _logs(bot)) == 1
    assert "expired" in bot.telegram.callback_answers[-1]["text"]


async def test_log_another_like_this_repeats_for_today(bot: BotHarness) -> None:
    bot.clock.current = datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    await worker.press("log:cat:groupwork")
    await worker.press("log:tpl:group_session")
    await worker.press("log:date:yesterday")
    await worker.press("log:dur:90")
    await worker.press("log:grp:elderly")
    await worker.press("log:grp:minority")
    await worker.press("log:grp:done")
    await worker.send("10")
    await worker.send("6")
    await worker.send("10")
    await worker.send("石榴籽小组第3次")
    await skip_record_steps(worker)
    await worker.press("log:ok")
    await worker.press("Log another like this")
    assert "A copy of that entry, dated today" in worker.last_text
    assert "Day: Nov 16" in worker.last_text
    assert "Elderly people (60+) 6, Ethnic minorities 10" in worker.last_text
    await worker.press("log:ok")
    first, second = await _logs(bot)
    assert (str(first.activity_date), str(second.activity_date)) == ("2026-11-15", "2026-11-16")
    assert second.note == "石榴籽小组第3次" and second.template_code == "group_session"
    assert await _groups(bot, second.id) == {"elderly": 6, "minority": 10}


async def test_cancel_saves_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_duration(worker)
    await worker.press("log:cancel")
    assert "Nothing was saved" in worker.last_text
    await worker.send("/log")
    await worker.send("/cancel")
    assert "Nothing was saved" in worker.last_text
    assert await _logs(bot) == []
    await worker.press_data("log:cat:casework")
    assert "expired" in bot.telegram.callback_answers[-1]["text"]


async def test_an_old_button_of_an_earlier_step_changes_nothing(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    await worker.press("log:cat:casework")
    await worker.press("log:tpl:case_record")
    await worker.press_data("log:cat:admin")  # the kit re-shows the current step
    assert "which day" in worker.last_text
    await worker.press_data("log:tpl:pub_news")  # a template of another category
    assert "which day" in worker.last_text


async def _log_one(worker: OfflinePerson, pt: str = "log:pt:5") -> None:
    await _to_duration(worker)
    await worker.press("log:dur:60")
    await worker.press("log:grp:elderly")
    await worker.press("log:grp:done")
    await worker.press(pt)
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    await worker.press("log:ok")


async def test_mylogs_lists_and_deletes_within_24_hours(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/mylogs")
    assert "no activity logs yet" in worker.last_text
    await _log_one(worker, "log:pt:5")
    bot.clock.advance(timedelta(hours=25))
    await _log_one(worker, "log:pt:10")
    await worker.send("/mylogs")
    # fix11a: each entry by the record's own number, as its card says it (newest first)
    assert "No. 2 · Nov 17 · Case record · 1 h · 10 person-times" in worker.last_text
    assert "No. 1 · Nov 16 · Case record · 1 h · 5 person-times" in worker.last_text
    deletes = [label for label in worker.button_labels() if label.startswith("🗑")]
    assert deletes == ["🗑 2"]  # the older one is past its 24 hours
    await worker.press("🗑 2")
    assert "Delete this entry?" in worker.last_text and "No. 2 · Nov 17" in worker.last_text
    await worker.press("« Keep it")
    await worker.press("🗑 2")
    await worker.send("yes")
    assert "delete the entry, or keep it" in worker.last_text
    await worker.press("Yes, delete it")
    assert worker.last_text.startswith("🗑 Deleted.")
    assert "10 person-times" not in worker.last_text
    first, second = await _logs(bot)
    assert first.deleted_at is None and second.deleted_at is not None
    async with bot.database.uow() as uow:
        subjects = (
            await uow.session.scalars(
                select(AuditEntry.subject).where(AuditEntry.action == "activity.delete")
            )
        ).all()
    assert list(subjects) == [f"activity:{second.id}"]
    # The old entry, forged into a delete: refused, kept.
    await worker.press_data(f"mylogs:del:{first.id}")
    await worker.press_data(f"mylogs:yes:{first.id}")
    assert any("more than 24 hours ago" in m.text for m in worker.messages)
    assert (await _logs(bot))[0].deleted_at is None


async def test_nobody_deletes_another_workers_log(bot: BotHarness) -> None:
    owner = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _log_one(owner)
    (entry,) = await _logs(bot)
    other = await bot.person(role="worker", stations=("xicheng",), lang="en")
    await other.send("/mylogs")
    await other.press_data(f"mylogs:del:{entry.id}", message=other.last)
    assert "could not find that entry" in other.last_text
    await other.press_data(f"log:again:{entry.id}", message=other.last)
    assert "could not find that entry" in bot.telegram.callback_answers[-1]["text"]
    assert (await _logs(bot))[0].deleted_at is None


async def test_a_log_begun_in_the_earlier_release_goes_on_from_its_state_row(
    bot: BotHarness,
) -> None:
    """A worker mid-way through /log when this version starts: the state row and draft as the
    earlier release wrote them (integer state 7 = person-times, `user_data["log"]` with its
    "step"), and the worker goes on at the same step with the draft."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await bot.stop()
    draft = {
        "token": "release-1-token", "several_stations": False, "station": "jiangnan",
        "category": "groupwork", "template": "group_session", "date": "2026-11-15",
        "picked": False, "minutes": 90, "groups": ["elderly", "disabled"], "split": {},
        "step": 7, "lang": "en",
    }  # fmt: skip
    key = json.dumps([worker.user_id, worker.user_id])
    async with bot.database.uow() as uow:
        await uow.session.merge(PersistedState(kind="conversation:log", key=key, data=7))
        await uow.session.merge(
            PersistedState(kind="user", key=str(worker.user_id), data={"log": draft, "lang": "en"})
        )
        await uow.commit()
    await bot.restart()
    await worker.send("20")
    assert "How many of them were elderly people (60+)?" in worker.last_text
    await worker.send("20")
    assert "from 1 to 20" in worker.last_text  # the elderly cover everyone: any figure
    await worker.send("5")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    assert "Day: Nov 15" in worker.last_text
    assert "By group: Elderly people (60+) 20, People with disabilities 5" in worker.last_text
    await worker.press("log:ok")
    (saved,) = await _logs(bot)
    assert (saved.template_code, saved.minutes, saved.person_times) == ("group_session", 90, 20)
    assert await _groups(bot, saved.id) == {"elderly": 20, "disabled": 5}


async def test_a_supervisors_mylogs_says_whose_records_they_are(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",))
    await supervisor.send("/mylogs")
    assert supervisor.last_text == "抱歉，这个功能只供社工使用。发送 /menu 可以查看您能用的功能。"


async def test_one_log_is_one_log_and_forged_ids_are_refused(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _log_one(worker)
    await worker.send("/mylogs")
    assert "Your last activity log:" in worker.last_text
    await worker.press_data("mylogs:del:" + "9" * 40)
    assert "could not find that entry" in worker.last_text
    await worker.press_data("log:again:" + "9" * 40, message=worker.last)
    assert "could not find that entry" in bot.telegram.callback_answers[-1]["text"]
    assert (await _logs(bot))[0].deleted_at is None


async def test_a_day_the_month_does_not_have_is_named(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await worker.send("/log")
    await worker.press("log:cat:casework")
    await worker.press("log:tpl:case_record")
    await worker.send("11月31日")
    assert worker.last_text.startswith("11月没有31日。")
    await worker.send("10-5")
    assert worker.last_text.startswith(
        "这一天太早了：上个月的记录只能补登到11月7日。可以登记11月1日到11月16日之间的任意一天。"
    )
    await worker.send("90分钟")  # still the date step: not a date
    await worker.send("16")
    await worker.send("90分钟")
    assert "服务对象是哪些人群" in worker.last_text


async def test_back_through_the_split_and_a_new_total_asks_the_split_again(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_duration(worker, "comm_record", "community")
    await worker.press("log:dur:60")
    await worker.press("log:grp:elderly")
    await worker.press("log:grp:children")
    await worker.press("log:grp:done")
    await worker.send("10")
    await worker.send("10")
    await worker.send("4")
    assert "Add a short note" in worker.last_text
    await worker.press("« Back")  # from the note: the last group again
    assert "How many of them were children in difficulty" in worker.last_text
    await worker.send("6")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    assert "Elderly people (60+) 10, Children in difficulty or left behind 6" in worker.last_text
    await worker.press("« Back")  # the evidence step
    await worker.press("« Back")  # the note (every field of the form was asked)
    await worker.press("« Back")
    assert "children in difficulty" in worker.last_text
    await worker.press("« Back")
    assert "elderly people (60+)" in worker.last_text
    await worker.press("« Back")
    assert "How many person-times" in worker.last_text
    await worker.send("20")  # a new total: every group's figure is asked again
    assert "elderly people (60+)? Type a number from 1 to 20." in worker.last_text
    await worker.send("20")
    await worker.send("3")
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    await worker.press("log:ok")
    (saved,) = await _logs(bot)
    assert saved.person_times == 20
    assert await _groups(bot, saved.id) == {"elderly": 20, "children": 3}
