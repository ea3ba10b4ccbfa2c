"""The report's words, fonts and names: Chinese renders, or the chart falls back to English."""

from __future__ import annotations

import logging
import shutil
import subprocess
import warnings
from datetime import datetime

import pytest

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
