"""`stationbot report` writes the same chart and workbook as /report, from a real database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from db import migrate
from db.uow import Database
from knowledge.bundle import load_knowledge
from services.stations import sync_stations
from tests.report_fixtures import seed_october


def _seeded(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"

    async def seed() -> None:
        database = Database(url)
        await migrate.upgrade(database.engine)
        async with database.uow() as uow:
            await sync_stations(uow, load_knowledge().stations)
        await seed_october(database)
        await database.dispose()

    asyncio.run(seed())
    return url


def test_report_command_writes_png_and_xlsx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STATIONBOT_DATABASE_URL", _seeded(tmp_path / "bot.db"))
    out = tmp_path / "out"
    status = main(
        [
            "report",
            "--period",
            "2026-10",
            "--station",
            "jiangnan",
            "--out",
            str(out),
            "--lang",
            "en",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "Activities: 3 (4.5 hours), 33 person-times." in printed
    assert "<b>" not in printed
    assert (out / "report-2026-10-jiangnan.png").read_bytes().startswith(b"\x89PNG")
    book = load_workbook(out / "report-2026-10-jiangnan.xlsx")
    assert [c.value for c in book["Summary"][2]][:4] == [
        "Jiangnan Street Social Work Station",
        3,
        4.5,
        33,
    ]

    status = main(["report", "--period", "2026", "--out", str(out)])
    assert status == 0
    book = load_workbook(out / "report-2026-all.xlsx")
    assert book.sheetnames[0] == "概况"
    assert book["概况"].cell(16, 4).value == 33 + 99 + 50 + 40  # person-times, all of 2026


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "--period must be a month"),
        (["--period", "2026-11", "--station", "atlantis"], "--station must be one of"),
    ],
)
def test_report_command_refuses_bad_arguments(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STATIONBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    assert main(["report", *args, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
