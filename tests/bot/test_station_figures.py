"""/stats: a station's figures for workers and heads, every station for admins."""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson
from tests.bot.log_steps import skip_record_steps
from tests.harness import BotHarness


async def _log(worker: OfflinePerson, template: str, category: str, groups: dict[str, str]) -> None:
    await worker.send("/log")
    if worker.last_with_buttons().buttons[0].callback_data.startswith("log:st:"):  # type: ignore[union-attr]
        await worker.press(1)
    await worker.press(f"log:cat:{category}")
    await worker.press(f"log:tpl:{template}")
    await worker.press("log:date:today")
    await worker.press("log:dur:120")
    for group in groups:
        await worker.press(f"log:grp:{group}")
    await worker.press("log:grp:done")
    await worker.send(str(max(int(v) for v in groups.values())))
    if len(groups) > 1:
        for value in groups.values():
            await worker.send(value)
    await worker.press("log:note:skip")
    await skip_record_steps(worker)
    await worker.press("log:ok")


async def test_a_worker_sees_their_station_by_group_and_category(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _log(worker, "case_record", "casework", {"elderly": "12"})
    await _log(worker, "group_session", "groupwork", {"elderly": "20", "disabled": "8"})
    await worker.send("/stats")
    text = worker.last_text
    assert text.startswith("📊 Jiangnan Street Social Work Station")
    assert "This month (Nov) / last month (Oct)" in text
    assert "Person-times: 32 / 0" in text
    assert "  Elderly people (60+): 32 / 0" in text
    assert "  People with disabilities: 8 / 0" in text
    assert "  Children in difficulty or left behind: 0 / 0" in text
    assert "Activities: 2 / 0" in text
    assert "  Case work: 1 / 0" in text and "  Group work: 1 / 0" in text
    assert "Hours logged: 4 / 0" in text
    assert "Requests from residents: 0 / 0" in text
    other = await bot.person(role="station_head", stations=("xicheng",))
    await other.send("/stats")
    assert "西城街道社工站" in other.last_text
    assert "服务人次：0 ／ 0" in other.last_text


async def test_someone_with_several_stations_picks_and_cannot_forge_another(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan", "dongcheng"), lang="en")
    await _log(worker, "case_record", "casework", {"children": "3"})
    await worker.send("/stats")
    assert worker.button_labels() == [
        "Dongcheng Street Social Work Station",
        "Jiangnan Street Social Work Station",
        "✖ Cancel",
    ]
    await worker.press_data("stats:st:xicheng")
    assert "only see your own station" in bot.telegram.callback_answers[-1]["text"]
    assert "Xicheng" not in worker.last_text
    await worker.press_data("stats:all:0:this")
    assert "Only administrators" in bot.telegram.callback_answers[-1]["text"]
    await worker.send("jiangnan please")
    assert "choose a station with the buttons" in worker.last_text
    await worker.press("stats:st:dongcheng")
    assert "Person-times: 3 / 0" in worker.last_text  # logged for the first station offered
    await worker.press("« Other stations")
    await worker.press("stats:st:jiangnan")
    assert "Person-times: 0 / 0" in worker.last_text


async def test_a_single_station_worker_forging_a_station_button_learns_nothing(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/stats")
    await worker.press_data("stats:st:xicheng", message=worker.last)
    assert "expired" in bot.telegram.callback_answers[-1]["text"]
    await worker.press_data("stats:pick", message=worker.last)
    assert "Xicheng" not in worker.last_text


async def test_admin_sees_every_station_in_one_table_or_picks_one(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _log(worker, "comm_record", "community", {"elderly": "30", "children": "25"})
    admin = await bot.admin(lang="en")
    await admin.send("/stats")
    assert "📋 All stations in one table" in admin.button_labels()
    assert len(admin.button_labels()) == 16  # the table, 14 stations, Cancel
    await admin.press("📋 All stations in one table")
    text = admin.last_text
    assert text.startswith("📊 All stations, Nov")
    assert "1 activity · 2 h · 30 person-times" in text
    assert "Elderly people (60+) 30, People with disabilities 0, Children in difficulty" in text
    assert "Jiangnan Street Social Work Station: 1 act. · 2 h · 30 p-t · 0 req." in text
    assert text.count("Social Work Station:") == 14
    assert len(admin.last.raw_text) < 4096
    await admin.press("« Oct")
    assert admin.last_text.startswith("📊 All stations, Oct")
    assert "0 activities" in admin.last_text
    await admin.press("« Stations")
    await admin.press("stats:st:jiangnan")
    assert "Person-times: 30 / 0" in admin.last_text
