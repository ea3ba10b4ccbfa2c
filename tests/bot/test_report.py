"""/report as station heads, admins and everyone else see it; the workbook's cells checked
against the hand-counted October 2026 (`tests/report_fixtures.py`)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.harness import BotHarness
from tests.report_fixtures import seed_october


def workbook_of(message: object):  # type: ignore[no-untyped-def]
    assert getattr(message, "kind", None) == "document"
    return load_workbook(io.BytesIO(message.file_bytes))  # type: ignore[attr-defined]


async def test_station_head_gets_last_month_for_their_station(bot: BotHarness) -> None:
    await seed_october(bot.database)
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    await head.send("/report")
    assert "Which period" in head.last_text
    await head.press("rep:p:last")  # a head with one station skips the station step
    summary, photo, document = head.messages[-3:]
    assert summary.text.startswith("Report: Jiangnan Street Social Work Station, October 2026")
    assert "Activities: 3 (4.5 hours), 33 person-times." in summary.text
    assert "Requests: 5 received, 2 completed, 2 accepted within 24 hours." in summary.text
    assert "Average rating: 4.5 of 5 (2 ratings)." in summary.text
    assert "Supervision: 13 of 13 hours (met)." in summary.text
    assert photo.kind == "photo" and photo.file_bytes is not None
    assert photo.file_bytes.startswith(b"\x89PNG")
    assert document.file_name == "report-2026-10-jiangnan.xlsx"
    book = workbook_of(document)
    assert book.sheetnames == [
        "Summary", "Activities", "Person-times by group", "Requests", "Volunteers",
        "Volunteer hours", "Cases", "Supervision sessions", "Quota per month",
    ]  # fmt: skip
    summary_sheet = book["Summary"]
    assert [c.value for c in summary_sheet[2]][:12] == [
        "Jiangnan Street Social Work Station", 3, 4.5, 33, 5, 2, 2, 4.5, 5, 2, 13, 1,
    ]  # fmt: skip
    activities = book["Activities"]
    assert activities.max_row == 4  # header, two template rows, total
    assert [c.value for c in activities[4]] == ["Total", None, None, 3, 4.5, 33]
    groups = book["Person-times by group"]
    header = [c.value for c in groups[1]]
    total = dict(zip(header, [c.value for c in groups[groups.max_row]], strict=True))
    assert total["Elderly people (60+)"] == 23
    assert total["Children in difficulty or left behind"] == 4
    assert total["People with disabilities"] == 1
    assert total["Other residents"] == 5 and total["Ethnic minorities"] == 0
    assert total["Total"] == 33
    requests = book["Requests"]
    assert requests.max_row == 7  # six requests made in October
    first = [c.value for c in requests[2]]
    assert first[3] == "completed" and first[7] == 6.0 and first[8] == 72.0 and first[9] == 5
    assert str(first[4]) == "2026-10-02 09:00:00"  # local time, as the station lived it
    volunteers = [c.value for c in book["Volunteers"][2]]
    assert volunteers == ["Jiangnan Street Social Work Station", 5, 2, 1, 1, 1, 2]
    sessions = book["Supervision sessions"]
    assert sessions.max_row == 6  # four sessions, a total; the deleted one is left out
    assert sessions.cell(6, 4).value == 13
    # the chosen topic by its name, and what the supervisor typed beside it
    assert sessions.cell(2, 5).value == "Case work"
    assert sessions.cell(3, 5).value == "Case work; Two high-risk cases"
    quota = [c.value for c in book["Quota per month"][2]]
    assert quota == ["2026-10", "Jiangnan Street Social Work Station", 5, 8, 13, 13, "met"]


async def test_admin_picks_all_stations_for_a_chosen_month_in_chinese(bot: BotHarness) -> None:
    await seed_october(bot.database)
    admin = await bot.admin()
    await admin.send("/report")
    await admin.press("rep:p:month")
    await admin.press("rep:my:2026")
    assert "12月" not in admin.button_labels()  # December 2026 has not begun
    await admin.press("10月")
    assert "全部社工站" in " ".join(admin.button_labels())
    await admin.press("rep:s:all")
    summary, _photo, document = admin.messages[-3:]
    assert summary.text.startswith("数据报表：全部社工站，2026年10月")
    assert "服务记录：4 条（7.5小时），服务73人次。" in summary.text
    assert "14 个站中 1 个达标" in summary.text
    book = workbook_of(document)
    sheet = book["概况"]
    assert sheet.cell(15, 1).value == "花街镇社工站"  # header, then the 14 stations in order
    total = [c.value for c in sheet[16]]
    assert total[:7] == ["合计", 4, 7.5, 73, 6, 3, 3]
    assert total[7] == 4.0 and total[10] == 18
    statuses = [row[6].value for row in book["每月督导达标"].iter_rows(min_row=2)]
    assert statuses.count("已达标") == 1 and statuses.count("未达标") == 13


async def test_a_year_and_a_station_without_data(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/report")
    await admin.press("rep:p:year")
    await admin.press("rep:y:2026")
    await admin.press("rep:s:huajie")
    summary, photo, document = admin.messages[-3:]
    assert "Nothing was recorded in this period." in summary.text
    assert "the quota was met in 0 of 11 months" in summary.text
    assert photo.kind == "photo"
    book = workbook_of(document)
    assert book["Activities"].max_row == 2  # only the total row
    assert [c.value for c in book["Activities"][2]] == ["Total", None, None, 0, 0, 0]
    assert book["Quota per month"].max_row == 12  # January to November


async def test_supervisors_and_residents_cannot_report(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/report")
    assert supervisor.last_text == (
        "Sorry, this is only for social workers, station heads and administrators. Send /menu to see what you can use."
    )
    resident = await bot.person(lang="en")
    await resident.send("/report")
    assert (
        resident.last_text
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    await resident.press_data("rep:s:all", message=resident.last)  # forged, no conversation
    assert "expired" in bot.telegram.callback_answers[-1]["text"]
    assert all(m.kind == "text" for m in resident.messages)


async def test_a_head_cannot_open_another_station(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan", "xicheng"), lang="en")
    await head.send("/report")
    await head.press("rep:p:this")
    labels = head.button_labels()
    assert "Jiangnan Street Social Work Station" in labels and "All stations" not in " ".join(
        labels
    )
    await head.press_data("rep:s:huajie")
    assert head.last_text == "You can only see reports for your own station."
    assert all(m.kind == "text" for m in head.messages)


async def test_typing_back_and_cancel(bot: BotHarness) -> None:
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    await head.send("/report")
    await head.send("November please")
    assert head.last_text.startswith("Please choose one of the buttons")
    await head.send_photo()
    assert head.last_text.startswith("Please choose one of the buttons")
    await head.press("rep:p:year")
    await head.press("rep:back")
    assert "Which period" in head.last_with_buttons().text  # the question is edited in place
    await head.press("rep:cancel")
    assert head.last_text == "Cancelled. Nothing was saved."  # the one "cancelled" of the kit
    await head.press_data("rep:p:this", message=head.messages[0])  # the old button, later
    assert "expired" in bot.telegram.callback_answers[-1]["text"]


async def test_report_survives_a_restart_mid_conversation(bot: BotHarness) -> None:
    await seed_october(bot.database)
    admin = await bot.admin(lang="en")
    await admin.send("/report")
    await admin.press("rep:p:last")
    await bot.restart()
    await admin.press("rep:s:jiangnan")
    assert admin.messages[-1].file_name == "report-2026-10-jiangnan.xlsx"


async def test_this_months_supervision_early_in_the_month_says_just_started(
    bot: BotHarness,
) -> None:
    # As /quota says it: on the 3rd, behind the line is no cause for alarm. The report had
    # said "(behind)" / "（进度落后）" the same day /quota said "month just started".
    from datetime import datetime
    from zoneinfo import ZoneInfo

    bot.clock.current = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for lang, said in (("en", "(month just started)"), ("zh", "（本月刚开始）")):
        head = await bot.person(role="station_head", stations=("jiangnan",), lang=lang)
        await head.send("/report")
        await head.press("rep:p:this")
        summary = next(m for m in head.messages if "Supervision" in m.text or "督导" in m.text)
        assert said in summary.text, summary.text
