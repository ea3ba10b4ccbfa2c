"""/report's 台账 choice: a worker presses through and gets the station-month's zip, whose
figures are /stats' for that month; a resident and a worker of another station are refused."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bench.ledger import STATION, WORKERS, seed_month
from bot.clock import FixedClock
from bot.offline_telegram import OfflinePerson
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import people
from tests.harness import BotHarness


@pytest.fixture
async def ledger_bot(
    database: Database, clock: FixedClock, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    await seed_month(database, load_knowledge(), tmp_path, records_count=12, photos=6)
    harness = BotHarness(database, clock, media_dir=str(tmp_path))
    await harness.start()
    yield harness
    await harness.stop()


def pack_of(person: OfflinePerson) -> zipfile.ZipFile:
    document = person.messages[-1]
    assert document.kind == "document" and document.file_bytes is not None
    assert document.file_name == f"{STATION}-2026-11-ledger.zip"
    return zipfile.ZipFile(io.BytesIO(document.file_bytes))


async def test_a_worker_gets_the_ledger_pack_with_the_figures_of_stats(
    ledger_bot: BotHarness,
) -> None:
    bot = ledger_bot
    worker = await bot.person(tg_id=WORKERS[0], lang="en")
    async with bot.database.uow() as uow:  # the seed made them, in Chinese
        await people.set_language(uow, tg_id=WORKERS[0], language="en", now=bot.clock.now())
    await worker.send("/stats")
    person_times = next(
        line for line in worker.last_text.splitlines() if line.startswith("Person-times:")
    )
    this_month = int(person_times.removeprefix("Person-times:").split("/")[0])
    assert this_month > 0

    await worker.send("/menu")
    assert "📈 Reports" in worker.button_labels()  # workers find /report in their menu
    await worker.press("menu:report")
    assert "📒 Ledger pack (台账)" in worker.button_labels()
    await worker.press("rep:p:pack")
    assert "Which month?" in worker.last_text
    await worker.press("rep:pm:this")  # one station: no station step
    assert "Records: 12" in worker.messages[-2].text
    pack = pack_of(worker)
    names = pack.namelist()
    assert "index.xlsx" in names and any(n.startswith("evidence/") for n in names)
    book = load_workbook(io.BytesIO(pack.read("index.xlsx")), read_only=True)
    cover = {label: value for label, value in book["Cover"].iter_rows(min_row=2, values_only=True)}
    assert cover["Person-times"] == this_month
    assert cover["Records"] == 12


async def test_an_admin_picks_station_and_month(ledger_bot: BotHarness) -> None:
    admin = await ledger_bot.admin(lang="en")
    await admin.send("/report")
    await admin.press("rep:p:pack")
    await admin.press("rep:pm:month")
    await admin.press("rep:my:2026")
    await admin.press("rep:m:2026-11")
    labels = admin.button_labels()
    assert "All stations" not in " ".join(labels)  # a pack is one station's
    await admin.press(f"rep:s:{STATION}")
    cover = load_workbook(io.BytesIO(pack_of(admin).read("index.xlsx")), read_only=True)["Cover"]
    assert dict(cover.iter_rows(min_row=2, values_only=True))["Records"] == 12


async def test_a_resident_and_another_stations_worker_are_refused(ledger_bot: BotHarness) -> None:
    bot = ledger_bot
    resident = await bot.person(lang="en")
    await resident.send("/report")
    assert (
        resident.last_text
        == "Sorry, this is only for social work station staff. Send /menu to see what you can use."
    )
    await resident.press_data("rep:p:pack", message=resident.last)  # forged: no conversation
    assert "expired" in bot.telegram.callback_answers[-1]["text"]

    stranger = await bot.person(role="worker", stations=("xicheng",), lang="en")
    await stranger.send("/report")
    await stranger.press("rep:p:pack")
    await stranger.press("rep:pm:this")  # their one station, xicheng: an empty pack is theirs
    assert stranger.messages[-1].file_name == "xicheng-2026-11-ledger.zip"
    # A worker of two stations, neither of them Jiangnan, forges Jiangnan's button: the
    # service refuses, and nothing is sent.
    two = await bot.person(role="worker", stations=("xicheng", "huajie"), lang="en")
    await two.send("/report")
    await two.press("rep:p:pack")
    await two.press("rep:pm:last")
    assert "Huajie" in " ".join(two.button_labels())
    await two.press_data(f"rep:s:{STATION}")
    assert two.last_text == "You can only get the ledger pack of your own station."
    assert all(m.kind == "text" for m in two.messages)
