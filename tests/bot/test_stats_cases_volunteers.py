"""/stats shows cases (open, opened, closed, overdue, referred) and confirmed volunteer hours
(the month's and the year's) to each person for their stations only (issues 15 and 16)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from bot.offline_telegram import OfflinePerson
from services import volunteer_activities as va
from tests.figures_scenario import AFTER, at, seed
from tests.harness import BotHarness
from tests.unit.test_cases import person as staff_person
from tests.unit.test_volunteer_activities import links, publish, scan, sign_up, volunteer

JIANGNAN = [
    "Open cases: 3 / 2",
    "  opened: 1 / 2",
    "  closed: 0 / 1",
    "  overdue for a contact: 1 / 1",
    "  referred to another station: 0 / 1",
    "  referred to an agency: 0 / 1",
    "Volunteer hours (confirmed): 2 / 3.5",
    "  volunteers with confirmed hours: 1 / 2",
    "  2026 so far: 5.5 hours, 2 volunteers",
]


def lines_of(person: OfflinePerson) -> list[str]:
    return person.last_text.splitlines()


async def _seeded(bot: BotHarness) -> None:
    await seed(bot.database)
    bot.clock.current = AFTER  # 2 December: this month December, last month November


async def test_a_worker_head_and_supervisor_see_their_stations_cases_and_hours(
    bot: BotHarness,
) -> None:
    await _seeded(bot)
    for role in ("worker", "station_head", "supervisor"):
        someone = await bot.person(role=role, stations=("jiangnan",), lang="en")
        await someone.send("/stats")
        text = lines_of(someone)
        assert text[0] == "📊 Jiangnan Street Social Work Station", role
        assert "This month (Dec) / last month (Nov)" in text
        for line in JIANGNAN:
            assert line in text, (role, line)
    supervisor = await bot.person(role="supervisor", stations=("xicheng",), lang="en")
    await supervisor.send("/menu")
    assert "📊 Figures" in supervisor.button_labels()  # /stats is in a supervisor's menu
    await supervisor.send("/stats")
    text = lines_of(supervisor)
    assert text[0] == "📊 Xicheng Street Social Work Station"
    assert "Open cases: 1 / 1" in text and "  opened: 0 / 1" in text  # its own case only
    assert "  2026 so far: 0 hours, 0 volunteers" in text
    await supervisor.press_data("stats:st:jiangnan", message=supervisor.last)  # forged
    assert "expired" in bot.telegram.callback_answers[-1]["text"]
    assert "Jiangnan" not in supervisor.last_text

    head = await bot.person(role="station_head", stations=("jiangnan",))
    await head.send("/stats")
    text = lines_of(head)
    assert "在案个案：3 ／ 2" in text
    assert "  转介到机构：0 ／ 1" in text
    assert "志愿服务时长（小时，已确认）：2 ／ 3.5" in text
    assert "  2026年至今：5.5小时，2名志愿者" in text


async def test_a_resident_sees_no_figures_and_another_station_learns_nothing(
    bot: BotHarness,
) -> None:
    await _seeded(bot)
    resident = await bot.person(lang="en")
    await resident.send("/stats")
    assert (
        resident.last_text
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    await resident.press_data("stats:st:jiangnan", message=resident.last)
    seen = " ".join(m.text for m in resident.messages)
    assert "cases" not in seen and "Volunteer hours" not in seen

    two = await bot.person(role="worker", stations=("xicheng", "huajie"), lang="en")
    await two.send("/stats")
    await two.press_data("stats:st:jiangnan")  # forged, within the picker
    assert "only see your own station" in bot.telegram.callback_answers[-1]["text"]
    assert "Open cases: 3" not in " ".join(m.text for m in two.messages)


async def test_the_admin_sees_any_stations_cases_and_hours(bot: BotHarness) -> None:
    await _seeded(bot)
    admin = await bot.admin(lang="en")
    await admin.send("/stats")
    await admin.press("stats:st:jiangnan")
    text = lines_of(admin)
    for line in JIANGNAN:
        assert line in text, line


async def test_one_hour_and_one_volunteer_are_said_in_the_singular(bot: BotHarness) -> None:
    """A station whose year has one volunteer with one hour: "1 hour, 1 volunteer"."""
    worker = await staff_person(bot.database, at(11, 1), roles=(("worker", "xicheng"),))
    one = await volunteer(bot.database, station="xicheng", name="丁")
    activity = (
        await publish(bot.database, worker, station_code="xicheng", volunteers_needed=1)
    ).activity
    await sign_up(bot.database, activity.id, one)
    qr = await links(bot.database, worker, activity.id)
    await scan(bot.database, qr.volunteer_payload, one, at(11, 21, 9))
    await scan(bot.database, qr.volunteer_payload, one, at(11, 21, 10))
    someone = await bot.person(role="station_head", stations=("xicheng",), lang="en")
    await someone.send("/stats")
    assert "  2026 so far: 0 hours, 0 volunteers" in lines_of(someone)  # not confirmed yet
    async with bot.database.uow() as uow:
        await va.confirm_hours(
            uow, actor_tg_id=worker.tg_id, activity_id=activity.id, signup_ids=None,
            now=at(11, 21, 12),
        )  # fmt: skip
    bot.clock.current = at(11, 22)
    await someone.send("/stats")
    text = lines_of(someone)
    assert "Volunteer hours (confirmed): 1 / 0" in text
    assert "  2026 so far: 1 hour, 1 volunteer" in text


async def test_the_ledger_pack_from_the_chat_has_the_hours_stats_shows(bot: BotHarness) -> None:
    """Last month's 台账, pressed for in /report, carries /stats' last-month cases and hours."""
    await _seeded(bot)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/stats")
    assert "Volunteer hours (confirmed): 2 / 3.5" in lines_of(worker)
    await worker.send("/report")
    await worker.press("rep:p:pack")
    await worker.press("rep:pm:last")  # November; one station, so no station step
    document = worker.messages[-1]
    assert document.kind == "document" and document.file_bytes is not None
    book = load_workbook(
        io.BytesIO(zipfile.ZipFile(io.BytesIO(document.file_bytes)).read("index.xlsx")),
        read_only=True,
    )
    cover = dict(book["Cover"].iter_rows(min_row=2, values_only=True))
    assert cover["Confirmed volunteer hours"] == 3.5
    assert cover["Volunteers with confirmed hours"] == 2
    assert (cover["Cases opened"], cover["Cases referred to an agency"]) == (2, 1)
    sheet = list(book["Volunteer hours"].iter_rows(min_row=2, values_only=True))
    assert [(day, hours) for day, _title, _place, _people, hours in sheet] == [("2026-11-21", 3.5)]
