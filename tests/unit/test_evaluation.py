"""The yearly evaluation: the scoring sheet, points, ranks, tiers and the pass-mark flag."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from db.uow import Database
from knowledge.evaluation import EvaluationRules, load_evaluation
from knowledge.loading import CatalogError
from services import evaluation
from services.errors import InvalidValue
from services.reports import StationFigures
from tests.report_fixtures import SH, seed_october

RULES = load_evaluation()
ENTERED_FULL = {
    "construction": 20,
    "operation": 20,
    "media": 5,
    "cases": 5,
    "model": 5,
    "research": 5,
}


def test_the_shipped_sheet() -> None:
    assert len(RULES.indicators) == 13
    assert RULES.max_points == 125  # 100 base points and 25 bonus points
    assert sum(i.weight for i in RULES.indicators if i.bonus) == 25
    assert {i.code for i in RULES.indicators if i.bonus} == {
        "media", "cases", "model", "research", "case_sign_off"
    }  # fmt: skip
    assert RULES.pass_mark == 60 and RULES.funding_percent == 70
    assert [t.ranks for t in RULES.tiers] == [(1, 2), (3, 4), (5, 6)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("pass_mark: 60\nindicators: []\n", "no indicators"),
        ("pass_mark: 500\nindicators:\n" "  - {code: a, kind: entered, weight: 10, name: {zh: 甲, en: A}}\n", "pass_mark"),
        ("pass_mark: 5\nindicators:\n" "  - {code: a, kind: measured, measure: nonsense, weight: 10, full_at: 1, name: {zh: 甲, en: A}}\n", "measure"),
        ("pass_mark: 5\nindicators:\n" "  - {code: a, kind: entered, weight: 10, name: {zh: 甲, en: A}}\n" "tiers:\n  - {code: t, ranks: [1, 2], name: {zh: 一, en: One}}\n  - {code: u, ranks: [2], name: {zh: 二, en: Two}}\n", "two tiers"),
    ],
)  # fmt: skip
def test_a_broken_sheet_names_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "evaluation.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_evaluation(tmp_path)
    assert "evaluation.yaml" in str(caught.value) and problem in str(caught.value)


def test_measured_points_scale_between_zero_and_full() -> None:
    months = RULES.indicator("quota_months")
    rating = RULES.indicator("rating")
    rate = RULES.indicator("accepted_24h")
    assert months is not None and rating is not None and rate is not None
    assert months.points_for(6) == 7.5
    assert months.points_for(12) == 15 and months.points_for(13) == 15
    assert rating.points_for(3) == 5.0 and rating.points_for(1) == 0 and rating.points_for(0.5) == 0
    assert rate.points_for(0.95) == 10 and rate.points_for(0.45) == 5
    assert rate.points_for(None) == 0  # no requests, no points


def figures(code: str, **values: float) -> StationFigures:
    base = dict(
        station_code=code, activities=0, minutes=0, person_times=0, person_times_by_group={},
        requests_received=0, requests_by_status={}, accepted_within_24h=0, completed=0,
        ratings=0, rating_sum=0, volunteers_applied=0, volunteers_active=0,
        supervision_minutes=0, months_counted=12, months_quota_met=0,
    )  # fmt: skip
    base.update(values)
    return StationFigures(**base)  # type: ignore[arg-type]


def test_pass_mark_boundary_and_tiers() -> None:
    """Totals: entered points (up to 60) plus 1.25 points per month the quota was met."""
    codes = [f"s{i}" for i in range(1, 10)]
    months = {"s1": 12, "s2": 8, "s3": 4, "s4": 4, "s5": 2, "s8": 1}
    entries: dict[str, dict[str, float]] = {c: dict(ENTERED_FULL) for c in codes}
    entries["s7"]["research"] = 4.99  # 59.99 in all
    entries["s9"] = {k: 0 for k in ENTERED_FULL}
    rows = evaluation.score(
        RULES,
        figures={c: figures(c, months_quota_met=months.get(c, 0)) for c in codes},
        entries=entries,
        station_codes=codes,
    )
    by_code = {r.station_code: r for r in rows}
    assert [r.station_code for r in rows] == ["s1", "s2", "s3", "s4", "s5", "s8", "s6", "s7", "s9"]
    assert [r.total for r in rows] == [75, 70, 65, 65, 62.5, 61.25, 60, 59.99, 0]
    assert [r.rank for r in rows] == [1, 2, 3, 3, 5, 6, 7, 8, 9]  # s3 and s4 tie
    assert by_code["s1"].tier_code == "first" and by_code["s2"].tier_code == "first"
    assert by_code["s3"].tier_code == "second" and by_code["s4"].tier_code == "second"
    assert by_code["s5"].tier_code == "third" and by_code["s8"].tier_code == "third"
    assert (
        by_code["s6"].total == 60
        and not by_code["s6"].below_pass
        and by_code["s6"].tier_code is None
    )
    assert by_code["s7"].total == 59.99 and by_code["s7"].below_pass
    assert by_code["s9"].below_pass and by_code["s9"].missing == ()


def test_a_failing_station_gets_no_tier_even_in_the_top_six() -> None:
    rules = EvaluationRules(RULES.indicators, 95, RULES.tiers, 70)
    rows = evaluation.score(
        rules,
        figures={},
        entries={"a": ENTERED_FULL, "b": {"construction": 20}},
        station_codes=["a", "b"],
    )
    assert [(r.rank, r.tier_code, r.below_pass) for r in rows] == [(1, None, True), (2, None, True)]
    assert rows[1].missing == ("operation", "media", "cases", "model", "research")


async def test_compute_records_the_year_and_opens_it_again(database: Database) -> None:
    await seed_october(database)
    now = datetime(2027, 1, 10, 9, 30, tzinfo=SH)
    async with database.uow() as uow:
        for indicator, points in ENTERED_FULL.items():
            await evaluation.enter_points(
                uow, rules=RULES, year=2026, station_code="jiangnan", indicator_code=indicator,
                points=points, actor_tg_id=None, now=now, zone=SH,
            )  # fmt: skip
    async with database.uow() as uow:
        outcome = await evaluation.compute(
            uow, rules=RULES, year=2026, actor_tg_id=None, now=now, zone=SH
        )
    first = outcome.rows[0]
    assert first.station_code == "jiangnan" and first.rank == 1 and first.tier_code == "first"
    # 2026 at Jiangnan: in the bot from September, quota met 1 of those 4 months (scaled to
    # the 12 months of the year: 3, the months before the bot are not missed); 6 requests
    # received (R3 withdrawn unanswered), 3 accepted within 24 h and 3 completed; ratings 5, 4,
    # 1; 182 person-times; 4 volunteers approved, but none with confirmed hours, so none counts.
    assert first.values["quota_months"] == 3
    assert (first.months_counted, first.months_begun) == (4, 12)
    assert first.values["accepted_24h"] == pytest.approx(0.5)
    assert first.values["completion"] == pytest.approx(0.5)
    assert first.values["rating"] == pytest.approx(10 / 3)
    assert first.values["person_times"] == 182 and first.values["volunteers"] == 0
    assert first.points == {
        "quota_months": 3.75, "accepted_24h": 5.56, "completion": 5.56, "rating": 5.83,
        "person_times": 0.91, "volunteers": 0.0, "case_sign_off": 0.0,
        **{k: float(v) for k, v in ENTERED_FULL.items()},
    }  # fmt: skip
    assert first.total == 81.61
    xicheng = next(r for r in outcome.rows if r.station_code == "xicheng")
    assert xicheng.below_pass and xicheng.rank == 2 and xicheng.tier_code is None
    assert len(xicheng.missing) == 6
    others = [r for r in outcome.rows if r.station_code not in ("jiangnan", "xicheng")]
    assert all(r.total == 0 and r.rank == 3 and r.below_pass for r in others)

    async with database.uow() as uow:
        runs = await evaluation.list_runs(uow)
        reopened = await evaluation.open_run(uow, run_id=runs[0].run_id)
    assert [(r.year, r.run_id) for r in runs] == [(2026, outcome.run_id)]
    assert reopened.rows == outcome.rows
    assert reopened.indicators == outcome.indicators and reopened.tiers == outcome.tiers


async def test_entering_points_checks_the_values(database: Database, clock: FixedClock) -> None:
    async def enter(**changes: object) -> object:
        values = dict(
            rules=RULES, year=2026, station_code="jiangnan", indicator_code="construction",
            points=12.0, actor_tg_id=None, now=clock.now(), zone=SH,
        )  # fmt: skip
        values.update(changes)
        async with database.uow() as uow:
            return await evaluation.enter_points(uow, **values)  # type: ignore[arg-type]

    for bad in ({"points": 20.5}, {"points": -1.0}, {"indicator_code": "rating"},
                {"indicator_code": "nonsense"}, {"station_code": "atlantis"}, {"year": 2027}):  # fmt: skip
        with pytest.raises(InvalidValue):
            await enter(**bad)
    await enter()
    await enter(points=14.5)  # a correction replaces the first number
    async with database.uow() as uow:
        assert await evaluation.entries_for(uow, year=2026) == {"jiangnan": {"construction": 14.5}}


async def test_a_run_is_a_draft_that_shows_what_is_missing_until_confirmed(
    database: Database, clock: FixedClock
) -> None:
    await seed_october(database)
    now = datetime(2027, 1, 10, 9, 30, tzinfo=SH)
    async with database.uow() as uow:
        for indicator, points in ENTERED_FULL.items():
            await evaluation.enter_points(
                uow, rules=RULES, year=2026, station_code="jiangnan", indicator_code=indicator,
                points=points, actor_tg_id=None, now=now, zone=SH,
            )  # fmt: skip
    async with database.uow() as uow:
        draft = await evaluation.compute(
            uow, rules=RULES, year=2026, actor_tg_id=None, now=now, zone=SH
        )
    assert draft.is_draft and draft.run_id is not None
    assert "jiangnan" not in draft.missing_stations
    assert len(draft.missing_stations) == 13  # nobody typed their scores yet
    async with database.uow() as uow:
        assert await evaluation.recorded(uow, year=2026) is None  # a draft counts for nothing
        assert [r.confirmed for r in await evaluation.list_runs(uow)] == [False]
        assert await evaluation.list_runs(uow, include_drafts=False) == []
    async with database.uow() as uow:
        confirmed = await evaluation.confirm(
            uow, run_id=draft.run_id, actor_tg_id=None, now=now + timedelta(minutes=5), zone=SH
        )
    assert confirmed.confirmed and confirmed.confirmed_at == now + timedelta(minutes=5)
    async with database.uow() as uow:
        again = await evaluation.confirm(
            uow, run_id=draft.run_id, actor_tg_id=None, now=now, zone=SH
        )
        recorded = await evaluation.recorded(uow, year=2026)
    assert again.confirmed_at == now + timedelta(minutes=5)  # confirming twice: no change
    assert recorded is not None and recorded.run_id == draft.run_id
    assert recorded.rows == draft.rows


async def test_months_before_a_station_had_staff_are_not_counted(
    database: Database, clock: FixedClock
) -> None:
    from services import staff
    from services.reports import gather_report, year_period

    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=4242, role="worker", station_code="huajie",
            now=datetime(2026, 10, 5, 9, 0, tzinfo=SH),
        )  # fmt: skip
    async with database.uow() as uow:
        report = await gather_report(
            uow, period=year_period(2026), station_code=None, now=clock.now(), zone=SH
        )
    figures = {f.station_code: f for f in report.stations}
    assert (figures["huajie"].months_begun, figures["huajie"].months_counted) == (11, 2)
    assert figures["huajie"].months_before_bot == 9
    assert figures["xixi"].months_counted == 0  # never in the bot: nothing counted, no misses
    assert figures["xixi"].measure("months_quota_met") is None
    october = next(q for q in report.quota if q.station_code == "huajie" and q.month.month == 10)
    september = next(q for q in report.quota if q.station_code == "huajie" and q.month.month == 9)
    assert report.counted(october) and not report.counted(september)


async def test_the_current_year_is_recorded_only_with_the_early_answer(
    database: Database, clock: FixedClock
) -> None:
    await seed_october(database)
    now = datetime(2026, 12, 3, 22, 0, tzinfo=SH)  # December not over
    async with database.uow() as uow:
        draft = await evaluation.compute(
            uow, rules=RULES, year=2026, actor_tg_id=None, now=now, zone=SH
        )
    assert draft.run_id is not None
    assert not evaluation.year_over(2026, now=now, zone=SH)
    with pytest.raises(InvalidValue) as refused:
        async with database.uow() as uow:
            await evaluation.confirm(uow, run_id=draft.run_id, actor_tg_id=None, now=now, zone=SH)
    assert (refused.value.field, refused.value.reason) == ("year", "not_over")
    async with database.uow() as uow:
        assert await evaluation.recorded(uow, year=2026) is None
        early = await evaluation.confirm(
            uow, run_id=draft.run_id, actor_tg_id=None, now=now, zone=SH, before_year_end=True
        )
    assert early.confirmed
