"""The report's words, fonts and names: Chinese renders, or the chart falls back to English."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import warnings
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from db.uow import Database
from handlers.documents import report_files
from handlers.kit.i18n import Translator
from knowledge.bundle import load_knowledge
from services import reports
from tests.report_fixtures import SH, seed_october

KNOWLEDGE = load_knowledge()


def test_without_a_cjk_font_charts_fall_back_to_english(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert report_files.drawable_language("zh", None) == "en"
    assert "fonts-noto-cjk" in caplog.text
    assert report_files.drawable_language("zh", "Noto Sans CJK SC") == "zh"
    assert report_files.drawable_language("en", None) == "en"


def _noto_installed() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listing = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    return "Noto Sans CJK" in listing


@pytest.mark.skipif(not _noto_installed(), reason="fonts-noto-cjk is not installed")
async def test_chinese_chart_draws_every_glyph(database: Database) -> None:
    await seed_october(database)
    async with database.uow() as uow:
        report = await reports.gather_report(
            uow, period=reports.parse_period("2026-10"), station_code=None,
            now=datetime(2026, 11, 16, 10, tzinfo=SH), zone=SH,
        )  # fmt: skip
    assert report_files.cjk_font() is not None
    assert report_files.chart_language("zh") == "zh"
    _ = Translator().for_language("zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = report_files.report_chart(report, _, report_files.names_for(KNOWLEDGE, "zh"))
    assert png.startswith(b"\x89PNG")
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []


def test_names_come_from_the_catalogues_and_codes_stand_in() -> None:
    names = report_files.names_for(KNOWLEDGE, "zh")
    assert names.station("jiangnan") == "江南街道社工站"
    assert names.group("elderly") == "60岁以上老年人"
    assert names.group("martians") == "martians"  # not in the catalogue: the code
    assert names.category("casework") == KNOWLEDGE.record_templates.category("casework").name("zh")
    assert names.template("case_intake") == "个案接案登记表"
    assert names.template("nonsense") == "nonsense"
    assert names.service("elderly_care") == "老年人生活照料"
    assert names.station("atlantis") == "atlantis"


def test_period_labels() -> None:
    zh, en = Translator().for_language("zh"), Translator().for_language("en")
    assert report_files.period_label(reports.parse_period("2026-11"), zh) == "2026年11月"
    assert report_files.period_label(reports.parse_period("2026-11"), en) == "November 2026"
    assert report_files.period_label(reports.parse_period("2026"), zh) == "2026年全年"
    assert report_files.period_label(reports.parse_period("2026"), en) == "the year 2026"


async def test_the_workbook_has_a_cases_sheet_without_names(database: Database) -> None:
    """The report's cases, one row each next to the volunteer hours: the case number stands for
    the person; stage and risk from the cases catalogue; local dates."""
    await seed_october(database)
    async with database.uow() as uow:
        report = await reports.gather_report(
            uow, period=reports.parse_period("2026-11"), station_code="jiangnan",
            now=datetime(2026, 11, 16, 10, tzinfo=SH), zone=SH,
        )  # fmt: skip
    stage, risk = KNOWLEDGE.cases.stages[0], KNOWLEDGE.cases.risk_levels[-1]
    rows = (
        reports.CaseRow(
            number="JN-C-0001", station_code="jiangnan", stage=stage.code, status="open",
            risk_level=risk.code, opened_at=datetime(2026, 11, 2, 23, 30, tzinfo=SH),
            closed_at=None, next_contact_on=date(2026, 11, 10), overdue=True,
            plan_signed_off=False, closing_signed_off=False,
        ),
        reports.CaseRow(
            number="JN-C-0002", station_code="jiangnan", stage=stage.code, status="closed",
            risk_level=risk.code, opened_at=datetime(2026, 11, 3, 9, 0, tzinfo=SH),
            closed_at=datetime(2026, 11, 12, 16, 0, tzinfo=SH), next_contact_on=None,
            overdue=False, plan_signed_off=True, closing_signed_off=True,
        ),
    )  # fmt: skip
    report = replace(report, cases=rows)
    for lang, title in (("en", "Cases"), ("zh", "个案")):
        _ = Translator().for_language(lang)
        names = report_files.names_for(KNOWLEDGE, lang)
        book = load_workbook(io.BytesIO(report_files.report_workbook(report, _, names, SH)))
        sheets = book.sheetnames
        assert sheets.index(title) == sheets.index(_("Volunteer hours")) + 1
        table = [[c.value for c in row] for row in book[title].iter_rows()]
        assert len(table) == 3  # the header and the two cases
        header, first, second = table
        assert header[0] == _("Case number")
        assert first[:5] == [
            "JN-C-0001",
            names.station("jiangnan"),
            stage.name(lang),
            _("open"),
            risk.name(lang),
        ]
        assert str(first[5]) == "2026-11-02 23:30:00"  # local time, as the station lived it
        assert first[6] is None and str(first[7]).startswith("2026-11-10")
        assert first[8:] == [_("yes"), _("no"), _("no")]
        assert second[3] == _("closed") and second[8:] == [_("no"), _("yes"), _("yes")]
