"""The report and evaluation queries give the hand-counted figures on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from db.uow import Database
from knowledge.bundle import load_knowledge
from services import evaluation, reports
from services.stations import sync_stations
from tests.report_fixtures import SH, seed_october


async def test_october_figures_and_a_recorded_evaluation(migrated_database: Database) -> None:
    database = migrated_database
    knowledge = load_knowledge()
    async with database.uow() as uow:
        await sync_stations(uow, knowledge.stations)
    await seed_october(database)
    now = datetime(2026, 11, 16, 10, tzinfo=SH)
    async with database.uow() as uow:
        report = await reports.gather_report(
            uow, period=reports.parse_period("2026-10"), station_code=None, now=now, zone=SH
        )
    total = report.total
    assert (total.activities, total.minutes, total.person_times) == (4, 450, 73)
    assert total.person_times_by_group["elderly"] == 53
    assert (total.requests_received, total.accepted_within_24h, total.completed) == (6, 3, 3)
    assert (total.volunteers_applied, total.volunteers_active) == (5, 2)
    assert (total.supervision_minutes, total.months_quota_met) == (1080, 1)
    assert report.requests[0].hours_to_accept == 6.0

    async with database.uow() as uow:
        outcome = await evaluation.compute(
            uow, rules=knowledge.evaluation, year=2026, actor_tg_id=None, now=now, zone=SH
        )
    async with database.uow() as uow:
        reopened = await evaluation.open_run(uow, run_id=outcome.run_id or 0)
    assert reopened.rows == outcome.rows
    # No entered scores: Xicheng's one request, accepted in an hour, completed and rated 3,
    # outscores Jiangnan's year (10 + 10 + 5 + 0.2 against 22.44: its 1 month met of the 3
    # it was in the bot counts as 11/3 of the 11 months begun; its 4 approved volunteers have no
    # confirmed hours, so they earn no evaluation points).
    assert [(r.station_code, r.total) for r in outcome.rows[:2]] == [
        ("xicheng", 25.2),
        ("jiangnan", 22.44),
    ]
