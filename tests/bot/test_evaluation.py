"""/evaluation as an administrator sees it: typing scores, computing, reopening a past year."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from knowledge.evaluation import load_evaluation
from services import evaluation
from tests.harness import BotHarness
from tests.report_fixtures import SH, seed_october

FULL = {"construction": 20, "operation": 20, "media": 5, "cases": 5, "model": 5, "research": 5}


async def test_admin_types_a_score_with_full_width_digits(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/evaluation")
    assert "Which year?" in admin.last_text
    await admin.press("ev:y:2026")
    assert "Scores entered for 0 of 14 stations" in admin.last_text
    await admin.press("ev:enter")
    await admin.press("ev:s:jiangnan")
    assert "Construction quality: — / 20" in admin.button_labels()
    await admin.press("ev:i:construction")
    assert "a number from 0 to 20" in admin.last_text
    await admin.send("25")
    assert admin.last_text.startswith("Please type a number from 0 to 20")
    await admin.send("lots <b>")
    assert admin.last_text.startswith("Please type a number from 0 to 20")
    await admin.send_sticker()
    assert admin.last_text.startswith("Please type a number, or use the buttons.")  # the kit's
    await admin.send("１８．５")
    assert admin.last_text.startswith("Saved: Construction quality 18.5 / 20.")
    assert "Construction quality: 18.5 / 20" in admin.button_labels()
    await admin.press("ev:i:construction")
    await admin.send("17,5分")  # a correction, decimal comma and 分 are fine
    assert "Construction quality: 17.5 / 20" in admin.button_labels()
    async with bot.database.uow() as uow:
        assert await evaluation.entries_for(uow, year=2026) == {"jiangnan": {"construction": 17.5}}
    await admin.press("ev:back")
    assert "Whose scores for 2026?" in admin.last_with_buttons().text
    await admin.press("ev:cancel")
    assert any(m.text == "Closed. The scores you saved are kept." for m in admin.messages)


async def test_compute_ranks_flags_and_reopens_the_recorded_year(bot: BotHarness) -> None:
    await seed_october(bot.database)
    rules = load_evaluation()
    async with bot.database.uow() as uow:
        for indicator, points in FULL.items():
            await evaluation.enter_points(
                uow, rules=rules, year=2026, station_code="jiangnan", indicator_code=indicator,
                points=points, actor_tg_id=None, now=bot.clock.now(), zone=SH,
            )  # fmt: skip
    bot.clock.current = datetime(2027, 1, 10, 9, 30, tzinfo=SH)
    admin = await bot.admin(lang="en")
    await admin.send("/evaluation")
    await admin.press("ev:y:2026")
    assert "Scores entered for 1 of 14 stations" in admin.last_text
    await admin.press("ev:compute")
    # A draft first: what is missing, and a question before anything is recorded.
    check = admin.last_text
    assert "Draft ranking 2026 for 14 stations: not recorded yet." in check
    assert "No scores entered yet for 13 stations: " in check
    assert "Xicheng Street Social Work Station" in check
    assert admin.button_labels()[:2] == ["✅ Record the ranking", "✏️ Enter the missing scores"]
    async with bot.database.uow() as uow:
        assert await evaluation.recorded(uow, year=2026) is None
        (draft_run,) = await evaluation.list_runs(uow)
    assert not draft_run.confirmed
    await admin.press("ev:conf")
    table, months, photo, document = admin.messages[-4:]
    assert months.text.startswith("✅ This is the recorded ranking of 2026.")
    assert "Jiangnan Street Social Work Station: " in months.text and " months" in months.text
    assert table.text.startswith("Yearly evaluation 2026")
    assert "Computed 2027-01-10 09:30; pass mark 60 of 125 points." in table.text
    assert "1. Jiangnan Street Social Work Station: 81.61 · 🥇 First tier" in table.text
    assert "2. Xicheng Street Social Work Station: " in table.text
    assert "· ⚠️ below the pass mark" in table.text
    assert (
        "Below the pass mark (70% of operating funds next year, operator contract not renewed)"
        in table.text
    )
    assert "Scores were not entered for 13 stations" in table.text
    assert photo.kind == "photo" and photo.file_bytes is not None
    assert document.file_name == "evaluation-2026.xlsx"
    book = load_workbook(io.BytesIO(document.file_bytes or b""))
    ranking = book["Ranking"]
    header = [c.value for c in ranking[1]]
    first = dict(zip(header, [c.value for c in ranking[2]], strict=True))
    assert first["Rank"] == 1 and first["Total"] == 81.61 and first["Tier"] == "🥇 First tier"
    assert first["Months the supervision quota was met"] == 3.75
    assert first["Media coverage"] == 5
    second = dict(zip(header, [c.value for c in ranking[3]], strict=True))
    assert second["Note"] == "70% of operating funds next year, operator contract not renewed"
    measured = book["Measured values"]
    assert [c.value for c in measured[2]][:3] == ["Jiangnan Street Social Work Station", 3, 0.5]

    # A year later the sheet is opened again: the same ranking, as recorded.
    bot.clock.current = datetime(2028, 2, 1, 9, 0, tzinfo=SH)
    await admin.send("/evaluation")
    await admin.press("ev:runs")
    await admin.press("2026 (computed Jan 10, 2027 9:30)")
    again = admin.messages[-4]
    assert again.text == table.text
    assert admin.messages[-1].file_name == "evaluation-2026.xlsx"


async def test_recorded_results_when_there_are_none(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/evaluation")
    await admin.press("ev:runs")
    assert admin.last_text.startswith("No result has been recorded yet.")
    await admin.press("ev:back")
    assert "Which year?" in admin.last_text


async def test_only_admins_evaluate(bot: BotHarness) -> None:
    for role, stations in (("station_head", ("jiangnan",)), ("worker", ("jiangnan",)), (None, ())):
        person = await bot.person(role=role, stations=stations, lang="en")
        await person.send("/evaluation")
        assert person.last_text == (
            "Sorry, this is only for administrators. Send /menu to see what you can use."
            if role
            else "Sorry, this is only for social work station staff. Send /menu to see what you can use."
        )
        await person.press_data("ev:compute", message=person.last)
        assert "expired" in bot.telegram.callback_answers[-1]["text"]
    async with bot.database.uow() as uow:
        assert await evaluation.list_runs(uow) == []


async def test_an_unconfirmed_run_stays_a_draft(bot: BotHarness) -> None:
    bot.clock.current = datetime(2027, 1, 10, 9, 30, tzinfo=SH)
    admin = await bot.admin(lang="en")
    await admin.send("/evaluation")
    await admin.press("ev:y:2026")
    await admin.press("ev:compute")
    assert "No scores entered yet for 14 stations" in admin.last_text
    await admin.press("ev:enter")  # back to entering scores, nothing recorded
    await admin.send("/evaluation")
    await admin.press("ev:runs")
    assert admin.button_labels()[0] == "📝 2026 draft (computed Jan 10 9:30)"
    await admin.press("📝 2026 draft (computed Jan 10 9:30)")
    assert admin.messages[-3].text.startswith("📝 This is a draft")
    async with bot.database.uow() as uow:
        assert await evaluation.recorded(uow, year=2026) is None
