"""The 台账 pack opened and read back: its figures are /stats' figures for the same month."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from bench.ledger import MONTH, NOW, STATION, WORKERS, ZONE, seed_month
from bot.cli import main
from db import migrate
from db.uow import Database
from handlers.documents import ledger_pack
from handlers.kit.i18n import Translator
from knowledge.bundle import load_knowledge
from services import activities, ledger, records, staff, station_figures
from services.errors import NotAllowed
from services.people import Access

EVERY_STATION = Access(person_id=0, tg_id=0, language="en", is_admin=True)  # sees every station

KNOWLEDGE = load_knowledge()
HEAD, STRANGER, ADMIN = 7200, 7300, 7400


async def _seed(database: Database, media_dir: Path) -> None:
    await seed_month(database, KNOWLEDGE, media_dir, records_count=40, photos=30)
    async with database.uow() as uow:
        await staff.grant_directly(
            uow, tg_id=HEAD, role="station_head", station_code=STATION, now=NOW
        )
        await staff.grant_directly(uow, tg_id=7500, role="worker", station_code="xicheng", now=NOW)
    async with database.uow() as uow:  # left out: a deleted record, another station's
        first = (await activities.recent_activities(uow, worker_tg_id=WORKERS[0]))[0]
        await records.delete_record(uow, head_tg_id=HEAD, activity_id=first.id, now=NOW)
    async with database.uow() as uow:
        await activities.log_activity(
            uow, worker_tg_id=7500, station_code="xicheng", template_code="case_record",
            activity_date=MONTH, minutes=60, person_times=3, groups={"elderly": 3}, note=None,
            client_token="other-station", now=NOW, zone=ZONE,
            templates=KNOWLEDGE.record_templates, group_codes=[g.code for g in KNOWLEDGE.served_groups],
        )  # fmt: skip


def _pack(month: ledger.LedgerMonth, media_dir: Path, lang: str) -> zipfile.ZipFile:
    _ = Translator().for_language(lang)
    data = ledger_pack.build_pack(month, _=_, knowledge=KNOWLEDGE, lang=lang, media_dir=media_dir)
    return zipfile.ZipFile(io.BytesIO(data))


async def test_the_pack_reads_back_with_the_figures_of_stats(
    database: Database, tmp_path: Path
) -> None:
    await _seed(database, tmp_path)
    async with database.uow() as uow:
        with pytest.raises(NotAllowed):
            await ledger.station_month(
                uow, actor_tg_id=STRANGER, admin_ids=(), station_code=STATION, month=MONTH,
                now=NOW, zone=ZONE, templates=KNOWLEDGE.record_templates,
            )  # fmt: skip
        await ledger.station_month(
            uow, actor_tg_id=ADMIN, admin_ids=(ADMIN,), station_code=STATION, month=MONTH,
            now=NOW, zone=ZONE, templates=KNOWLEDGE.record_templates,
        )  # fmt: skip
        month = await ledger.station_month(
            uow, actor_tg_id=WORKERS[1], admin_ids=(), station_code=STATION, month=MONTH,
            now=NOW, zone=ZONE, templates=KNOWLEDGE.record_templates,
        )  # fmt: skip
        stats = (
            (
                await station_figures.station_figures(
                    uow, actor=EVERY_STATION, station_codes=[STATION], now=NOW, zone=ZONE
                )
            )
            .stations[0]
            .this_month
        )
    assert stats.activities == month.activities == 39

    pack = _pack(month, tmp_path, "en")
    names = pack.namelist()
    book = load_workbook(io.BytesIO(pack.read("index.xlsx")), read_only=True)
    rows = list(book["Records"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    column = {name: header.index(name) for name in header}
    assert len(body) == stats.activities
    assert round(sum(r[column["Hours"]] for r in body), 2) == round(stats.hours, 2)
    assert sum(r[column["Person-times"]] for r in body) == stats.person_times
    attached = sum(len(r.evidence) for r in month.records)
    assert 20 < attached <= 30  # the deleted record's photos are left out
    assert sum(r[column["Evidence files"]] for r in body) == attached
    cover = {label: value for label, value in book["Cover"].iter_rows(min_row=2, values_only=True)}
    assert cover["Records"] == stats.activities
    assert cover["Person-times"] == stats.person_times
    assert cover["Hours logged"] == round(stats.hours, 2)
    group_names = {g.code: g.name("en") for g in KNOWLEDGE.served_groups}
    for code, value in stats.by_group.items():
        assert cover[group_names[code]] == value
    assert month.quota is not None
    assert cover["Supervision hours in all"] == round(month.quota.total_hours, 2)
    sessions = list(book["Supervision"].iter_rows(min_row=2, values_only=True))
    assert len(sessions) == 8
    assert sum(s[-1] for s in sessions) == month.quota.total_hours
    assert any(s[7] == "个案记录规范" and s[6] for s in sessions)  # chosen topic and typed text
    done = month.completeness
    assert cover["Share of records complete"] == f"{done.complete_records / 39 * 100:.0f}%"
    assert 0 < done.complete_records < 39

    # One Word document per template used, one record (one table) per page, photos inside.
    used = month.by_template
    documents = [
        n for n in names if n.endswith(".docx") and n[:2].isdigit() and not n.startswith("00-")
    ]
    assert len(documents) == len(used)
    group = KNOWLEDGE.record_templates.template("group_session")
    assert group is not None
    group_doc = next(n for n in documents if group.name("en").replace(" ", "_") in n)
    document = Document(io.BytesIO(pack.read(group_doc)))
    group_records = [r for r in month.records if r.template_code == "group_session"]
    assert len(document.tables) == len(group_records)
    assert len(document.inline_shapes) == sum(r.photos for r in group_records)
    first = document.tables[0]
    cells = {row.cells[0].text: row.cells[1].text for row in first.rows}
    assert cells["Record number"] == group_records[0].number
    assert cells["Group name"] == dict(group_records[0].values)["group_name"]  # as typed

    # Evidence in folders named after the record numbers.
    evidence = [n for n in names if n.startswith("evidence/")]
    assert len(evidence) == attached
    numbers = {r.number for r in month.records}
    assert {n.split("/")[1] for n in evidence} <= numbers

    # No phone number anywhere (one was typed into a note).
    for name in names:
        if name.endswith((".docx", ".xlsx")):
            with zipfile.ZipFile(io.BytesIO(pack.read(name))) as inner:
                for part in inner.namelist():
                    assert b"13800138000" not in inner.read(part)


async def test_the_chinese_pack_names_its_files_in_chinese(
    database: Database, tmp_path: Path
) -> None:
    await seed_month(database, KNOWLEDGE, tmp_path, records_count=5, photos=2)
    async with database.uow() as uow:
        month = await ledger.gather_month(
            uow, station_code=STATION, month=MONTH, now=NOW, zone=ZONE,
            templates=KNOWLEDGE.record_templates,
        )  # fmt: skip
    names = _pack(month, tmp_path, "zh").namelist()
    assert "目录.xlsx" in names and "00-封面.docx" in names
    assert any(n.startswith("证据/") for n in names)
    book = load_workbook(io.BytesIO(_pack(month, tmp_path, "zh").read("目录.xlsx")), read_only=True)
    assert book.sheetnames == ["封面", "记录", "督导", "志愿服务时长"]


def test_the_ledger_command_writes_the_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"

    async def seed() -> None:
        database = Database(url)
        await migrate.upgrade(database.engine)
        await seed_month(database, KNOWLEDGE, tmp_path / "media", records_count=6, photos=3)
        await database.dispose()

    asyncio.run(seed())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STATIONBOT_DATABASE_URL", url)
    status = main(
        ["ledger", "--month", "2026-11", "--station", STATION, "--out", str(tmp_path / "out")]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "6 records, " in printed and " 0 cases opened, 0 confirmed volunteer hours " in printed
    (written,) = (tmp_path / "out").iterdir()
    with zipfile.ZipFile(written) as pack:
        assert (
            len([n for n in pack.namelist() if n.startswith("证据/")]) == 3
        )  # media/ beside the db
    assert main(["ledger", "--month", "2026", "--station", STATION]) == 2
