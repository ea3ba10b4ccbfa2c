"""/mylogs and /record: complete a record, add photos later, the head's correction and delete."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityLog, AuditEntry, EvidenceFile, RecordFieldValue
from services import activities
from tests.harness import BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHOTO = b"\xff\xd8\xff\xe0" + b"later" * 40


async def _record(bot: BotHarness, worker: OfflinePerson, **fields: str) -> int:
    now = bot.clock.now()
    assert bot.app is not None
    async with bot.database.uow() as uow:
        entry = await activities.log_activity(
            uow, worker_tg_id=worker.user_id, station_code="jiangnan", template_code="case_plan",
            activity_date=now.astimezone(SHANGHAI).date(), minutes=60, person_times=1,
            groups={"elderly": 1}, note=None, client_token="t-" + "-".join(fields), now=now,
            zone=SHANGHAI, templates=bot.app.bot_data.knowledge.record_templates,
            group_codes=["elderly"], fields=fields,
            rules=bot.app.bot_data.knowledge.record_rules,
        )  # fmt: skip
    return entry.id


async def _values(bot: BotHarness, record_id: int) -> dict[str, str]:
    async with bot.database.uow() as uow:
        rows = await uow.session.scalars(
            select(RecordFieldValue).where(RecordFieldValue.activity_id == record_id)
        )
        return {r.field_code: r.value for r in rows}


async def test_an_incomplete_record_is_completed_from_mylogs(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    record_id = await _record(bot, worker, case_no="C-1", measures="Weekly visits")
    await worker.send("/mylogs")
    assert "⚠️ incomplete" in worker.last_text
    await worker.press("✍️ Complete No. 1")
    assert "Goals" in worker.last_text
    await worker.send("Back to school by March <3")
    assert worker.last_text.startswith("✅ Saved.")
    assert "✅ Complete." in worker.last_text
    assert (await _values(bot, record_id))["goals"] == "Back to school by March <3"
    await worker.press_data(f"rec:fill:{record_id}")  # the old button: nothing to ask now
    assert "✅ Complete." in worker.last_text


async def test_photos_added_later_from_the_record_card(bot: BotHarness, tmp_path: Path) -> None:
    assert bot.app is not None
    bot.app.bot_data.extras["media_dir"] = tmp_path
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    record_id = await _record(bot, worker, case_no="C-2", goals="g", measures="m")
    await worker.send("/mylogs")
    await worker.press("📋 1")
    assert "Photos and files: 0" in worker.last_text
    await worker.press("📷 Add photos")
    await worker.send_photo(PHOTO, file_id="late1")
    await worker.send_document(PHOTO, file_id="late2", mime="image/jpeg", file_name="s.jpg")
    await worker.send_document(b"MZ...", file_id="exe", mime="application/x-msdownload")
    assert "Please send a photo, or a PDF or image file." in worker.last_text
    await worker.press("rec:evd")
    assert "Photos and files: 2" in worker.last_text
    async with bot.database.uow() as uow:
        files = list(
            (
                await uow.session.scalars(
                    select(EvidenceFile).where(EvidenceFile.activity_id == record_id)
                )
            ).all()
        )
        uow.session.expunge_all()
    assert sorted(f.kind for f in files) == ["document", "photo"]
    assert all((tmp_path / str(f.local_path)).read_bytes() == PHOTO for f in files)


async def test_the_head_corrects_a_field_with_an_audit_row_and_deletes(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en")
    record_id = await _record(bot, worker, case_no="C-3", goals="old goal", measures="m")
    await worker.send(f"/record {record_id}")
    card = worker.last_with_buttons()
    bot.clock.advance(timedelta(days=8))  # past the worker's 7 days; the head may still
    await worker.send(f"/record {record_id}")
    assert not worker.messages[-1].buttons  # nothing to change any more
    await worker.press("✏️ Edit a field", message=card)  # an older card's button
    assert "for 7 days after it was entered" in card.text  # said on that card
    await head.send(f"/record JN-A{record_id:06d}")  # the 台账's number works too
    assert "Goals: old goal" in head.last_text
    await head.press("✏️ Edit a field")
    await head.press("rec:pf:goals")
    await head.send("new goal")
    assert "Goals: new goal" in head.last_text
    async with bot.database.uow() as uow:
        (row,) = (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "record.correct")
            )
        ).all()
        uow.session.expunge_all()
    assert (row.subject, row.detail["by"], row.detail["old"], row.detail["new"]) == (
        f"activity:{record_id}", "head", "old goal", "new goal",
    )  # fmt: skip
    await head.press("🗑 Delete")
    await head.press("🗑 Yes, delete it")
    assert f"Record {record_id} deleted." in head.last_text
    async with bot.database.uow() as uow:
        deleted = await uow.session.get(ActivityLog, record_id)
        assert deleted is not None and deleted.deleted_at is not None
