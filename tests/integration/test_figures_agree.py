"""Cases, referrals and confirmed volunteer hours are the same in /stats' figures, the report
workbook and the 台账 pack read back, month by month in Asia/Shanghai (issues 15 and 16).

The scenario (`tests/figures_scenario.py`) puts a case and a volunteer activity on each side
of midnight on 1 November and 1 December; a UTC month would count them in the wrong month.
Runs on SQLite, and on PostgreSQL when STATIONBOT_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from db.uow import Database
from handlers.documents import ledger_pack, report_files
from handlers.kit.i18n import Translator
from knowledge.bundle import load_knowledge
from services import ledger, reports, station_figures
from services.errors import NotAllowed
from services.people import Access
from services.stations import sync_stations
from tests.conftest import SHANGHAI
from tests.figures_scenario import AFTER, DECEMBER, NOVEMBER, STATION, seed

KNOWLEDGE = load_knowledge()
ADMIN = Access(person_id=0, tg_id=0, language="en", is_admin=True)


@pytest.fixture
async def database(migrated_database: Database) -> Database:
    """The migrated schema (SQLite, or PostgreSQL when configured) with the stations."""
    async with migrated_database.uow() as uow:
        await sync_stations(uow, KNOWLEDGE.stations)
    return migrated_database


# The figures both workbooks show, by their English label ("OPEN": "month" on the 台账's
# cover, "period" in the report's summary), and the /stats attribute each must equal.
SHOWN = {
    "Cases opened": "cases_opened",
    "Cases closed": "cases_closed",
    "Cases open (at the OPEN's end, or now)": "cases_open",
    "Cases overdue for a contact": "cases_overdue",
    "Cases referred to another station": "referrals_to_stations",
    "Cases referred to an agency": "referrals_to_agencies",
    "Confirmed volunteer hours": "volunteer_hours",
    "Volunteers with confirmed hours": "volunteers_with_hours",
}


def expected(figures: station_figures.MonthFigures) -> dict[str, Any]:
    return {label: getattr(figures, name) for label, name in SHOWN.items()}


async def _ledger(database: Database, worker_tg_id: int, month: Any) -> ledger.LedgerMonth:
    async with database.uow() as uow:
        return await ledger.station_month(
            uow, actor_tg_id=worker_tg_id, admin_ids=(), station_code=STATION, month=month,
            now=AFTER, zone=SHANGHAI, templates=KNOWLEDGE.record_templates,
        )  # fmt: skip


def _pack(month: ledger.LedgerMonth, media_dir: Path, lang: str = "en") -> Any:
    _ = Translator().for_language(lang)
    data = ledger_pack.build_pack(month, _=_, knowledge=KNOWLEDGE, lang=lang, media_dir=media_dir)
    pack = zipfile.ZipFile(io.BytesIO(data))
    index = "index.xlsx" if lang == "en" else "目录.xlsx"
    return load_workbook(io.BytesIO(pack.read(index)), read_only=True)


async def test_cases_and_volunteer_hours_agree_in_stats_report_and_ledger(
    database: Database, tmp_path: Path
) -> None:
    scenario = await seed(database)
    async with database.uow() as uow:
        stats = await station_figures.station_figures(
            uow, actor=ADMIN, station_codes=[STATION], now=AFTER, zone=SHANGHAI
        )
    (jiangnan,) = stats.stations
    nov, dec = jiangnan.last_month, jiangnan.this_month
    assert (stats.last_month, stats.this_month) == (NOVEMBER, DECEMBER)
    assert (nov.cases_opened, nov.cases_closed, nov.cases_open, nov.cases_overdue) == (2, 1, 2, 1)
    assert (nov.referrals_to_stations, nov.referrals_to_agencies) == (1, 1)
    assert (dec.cases_opened, dec.cases_closed, dec.cases_open, dec.cases_overdue) == (1, 0, 3, 1)
    assert dec.referrals == 0
    assert (nov.volunteer_minutes, nov.volunteers_with_hours) == (210, 2)
    assert (dec.volunteer_minutes, dec.volunteers_with_hours) == (120, 1)
    assert jiangnan.this_year == station_figures.YearVolunteering(
        minutes=330, volunteers=2, activities=2
    )

    for month, figures in ((NOVEMBER, nov), (DECEMBER, dec)):
        # The 台账, read back: the cover and the volunteer-hours sheet.
        book = _pack(await _ledger(database, scenario.worker.tg_id, month), tmp_path)
        cover = {k: v for k, v in book["Cover"].iter_rows(min_row=2, values_only=True)}
        assert {label: cover[label.replace("OPEN", "month")] for label in SHOWN} == expected(
            figures
        )
        rows = list(book["Volunteer hours"].iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        assert header == (
            "Date", "Activity", "Place", "Volunteers with confirmed hours", "Hours"
        )  # fmt: skip
        assert sum(r[4] for r in body) == figures.volunteer_hours
        assert cover["Volunteer activities with confirmed hours"] == len(body) == 1
        assert {r[0][:7] for r in body} == {f"{month:%Y-%m}"}  # local dates, not UTC ones

        # The report workbook's summary sheet for the same month.
        async with database.uow() as uow:
            report = await reports.build_report(
                uow, actor=ADMIN, period=reports.month_period(month.year, month.month),
                station_code=STATION, now=AFTER, zone=SHANGHAI,
            )  # fmt: skip
        _ = Translator().for_language("en")
        names = report_files.names_for(KNOWLEDGE, "en")
        summary = load_workbook(
            io.BytesIO(report_files.report_workbook(report, _, names, SHANGHAI)), read_only=True
        )["Summary"]
        said = report_files.report_summary(report, _, names)
        assert (
            f"Cases: {figures.cases_opened} opened, {figures.cases_closed} closed, "
            f"{figures.cases_open} open ({figures.cases_overdue} overdue for a contact); "
            f"referred: {figures.referrals_to_stations} to another station, "
            f"{figures.referrals_to_agencies} to an agency."
        ) in said
        assert {NOVEMBER: "Volunteer hours: 3.5 hours confirmed, by 2 volunteers.",
                DECEMBER: "Volunteer hours: 2 hours confirmed, by 1 volunteer."}[month] in said  # fmt: skip
        head, row = list(summary.iter_rows(min_row=1, max_row=2, values_only=True))
        line = dict(zip(head, row, strict=True))
        assert {label: line[label.replace("OPEN", "period")] for label in SHOWN} == expected(
            figures
        )

    # The Chinese pack has its volunteer-hours sheet under its Chinese name.
    book = _pack(await _ledger(database, scenario.worker.tg_id, NOVEMBER), tmp_path, "zh")
    assert "志愿服务时长" in book.sheetnames


async def test_a_supervisor_sees_their_stations_figures_and_a_resident_none(
    database: Database,
) -> None:
    await seed(database)
    supervisor = Access(
        person_id=1, tg_id=1, language="en", supervisor_stations=frozenset({STATION})
    )
    resident = Access(person_id=2, tg_id=2, language="en")
    async with database.uow() as uow:
        mine = await station_figures.station_figures(
            uow, actor=supervisor, station_codes=None, now=AFTER, zone=SHANGHAI
        )
        assert [s.station_code for s in mine.stations] == [STATION]
        assert mine.stations[0].last_month.cases_opened == 2
        for actor, codes in ((supervisor, ["xicheng"]), (resident, None), (resident, [STATION])):
            try:
                await station_figures.station_figures(
                    uow, actor=actor, station_codes=codes, now=AFTER, zone=SHANGHAI
                )
            except NotAllowed:
                continue
            raise AssertionError(f"{actor} saw {codes}")
