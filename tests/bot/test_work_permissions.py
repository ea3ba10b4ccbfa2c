"""Who may use /log, /mylogs, /supervise, /stats and /quota, and what others learn: nothing.
Also the /log benchmark scenario, run once against the real bot."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench import scenario_log
from db.models import ActivityLog
from tests.harness import BotHarness

STAFF_COMMANDS = ("/log", "/mylogs", "/supervise", "/stats", "/quota")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_resident_is_told_it_is_for_staff_and_learns_nothing(
    bot: BotHarness, lang: str
) -> None:
    resident = await bot.person(lang=lang)
    for command in STAFF_COMMANDS:
        await resident.send(command)
        text = resident.last_text
        assert text in (
            "抱歉，这个功能只供社工站工作人员使用。发送 /menu 可以查看您能用的功能。",
            "Sorry, this is only for social work station staff. Send /menu to see what you can use.",
        ), command
        assert not resident.last.inline_keyboard
    for data in ("menu:log", "menu:stats", "menu:quota", "menu:supervise", "menu:mylogs"):
        await resident.press_data(data, message=resident.last)
    await resident.press_data("stats:all:0:this", message=resident.last)
    await resident.press_data("quota:pg:0", message=resident.last)
    await resident.press_data("mylogs:del:1", message=resident.last)
    await resident.press_data("log:again:1", message=resident.last)
    seen = " ".join(m.text for m in resident.messages)
    seen += " ".join(str(a.get("text")) for a in bot.telegram.callback_answers)
    for word in ("社工站：", "江南", "Jiangnan", "小时", " h ", "人次", "person-times"):
        assert word not in seen


async def test_staff_without_the_role_are_told_whose_it_is(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/supervise")
    assert (
        worker.last_text
        == "Sorry, this is only for supervisors. Send /menu to see what you can use."
    )
    await worker.send("/quota")
    assert (
        worker.last_text
        == "Sorry, this is only for station heads, supervisors and administrators. Send /menu to see what you can use."
    )
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/log")
    assert (
        supervisor.last_text
        == "Sorry, this is only for social workers. Send /menu to see what you can use."
    )
    await supervisor.send("/stats")  # their station's figures (issue 15: cases for supervisors)
    assert supervisor.last_text.startswith("📊 Jiangnan Street Social Work Station")
    admin = await bot.admin(lang="en")
    await admin.send("/log")
    assert (
        admin.last_text
        == "Sorry, this is only for social workers. Send /menu to see what you can use."
    )


async def test_a_worker_logs_only_for_their_own_stations(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan", "dongcheng"), lang="en")
    await worker.send("/log")
    assert worker.button_labels()[:2] == [
        "Dongcheng Street Social Work Station",
        "Jiangnan Street Social Work Station",
    ]
    await worker.press_data("log:st:xicheng")  # forged: not theirs
    assert "choose one of your stations" in worker.last_text
    assert "Xicheng" not in worker.last_text
    await worker.press("log:st:jiangnan")
    assert "New activity for Jiangnan Street" in worker.last_text


async def test_the_log_benchmark_scenario_runs_against_the_bot(bot: BotHarness) -> None:
    role, stations = scenario_log.ROLE
    worker = await bot.person(role=role, stations=stations, lang="en")
    counts = [await scenario_log.run_once(worker, i) for i in range(2)]
    assert scenario_log.NAME == "log"
    assert counts == [16, 20]  # the form skipped field by field, and the evidence step
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ActivityLog)) == 2
