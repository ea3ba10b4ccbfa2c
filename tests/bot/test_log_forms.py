"""/log as the station's record: the quick path, the template's form, evidence, plausibility."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityLog, EvidenceFile, RecordFieldValue
from services import activities
from tests.bot.log_steps import quick_to_the_form, to_the_form
from tests.harness import BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHOTO = b"\xff\xd8\xff\xe0" + b"photo" * 50
PDF = b"%PDF-1.4\n" + b"sign-in sheet" * 20


async def _seed(bot: BotHarness, worker: OfflinePerson, template: str, minutes: int = 60) -> None:
    """An earlier record of `template` (the quick path offers it), logged through the service."""
    now = bot.clock.now()
    async with bot.database.uow() as uow:
        await activities.log_activity(
            uow, worker_tg_id=worker.user_id, station_code="jiangnan", template_code=template,
            activity_date=now.astimezone(SHANGHAI).date(), minutes=minutes, person_times=1,
            groups={"elderly": 1}, note=None, client_token=f"seed-{template}-{minutes}",
            now=now - timedelta(hours=1), zone=SHANGHAI,
            templates=bot.app.bot_data.knowledge.record_templates,  # type: ignore[union-attr]
            group_codes=["elderly", "children", "disabled"],
        )  # fmt: skip


async def _latest(bot: BotHarness) -> tuple[ActivityLog, dict[str, str], list[EvidenceFile]]:
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(ActivityLog).order_by(ActivityLog.id.desc()))
        assert row is not None
        values = {
            v.field_code: v.value
            for v in await uow.session.scalars(
                select(RecordFieldValue).where(RecordFieldValue.activity_id == row.id)
            )
        }
        files = list(
            (
                await uow.session.scalars(
                    select(EvidenceFile).where(EvidenceFile.activity_id == row.id)
                )
            ).all()
        )
        uow.session.expunge_all()
        return row, values, files


def _media(bot: BotHarness, tmp_path: Path) -> Path:
    assert bot.app is not None
    bot.app.bot_data.extras["media_dir"] = tmp_path
    return tmp_path


async def test_quick_path_is_at_most_six_taps_before_the_form(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _seed(bot, worker, "case_record")
    await worker.send("/log")
    assert "⚡ Case record, today" in worker.button_labels()
    taps = 0
    quick = ("log:last", "log:dur:60", "log:grp:elderly", "log:grp:done", "log:pt:1",
             "log:note:skip")  # fmt: skip
    for button in quick:
        await worker.press(button)
        taps += 1
    assert taps <= 6
    assert "Case number" in worker.last_text  # the form's first field: no day, no split asked
    await worker.send("C-2026-001")
    assert "Contact number" in worker.last_text


async def test_a_forced_split_is_not_asked_and_a_lower_bound_says_why(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    for button in ("log:cat:casework", "log:tpl:case_record", "log:date:today", "log:dur:60"):
        await worker.press(button)
    await worker.press("log:grp:elderly")
    await worker.press("log:grp:children")
    await worker.press("log:grp:done")
    await worker.press("log:pt:1")  # one person in two groups counts in both: nothing to ask
    assert "Add a short note" in worker.last_text
    await worker.press("log:note:skip")
    assert "Case number" in worker.last_text
    await worker.press("log:fb")  # Back from the first field: the note
    await worker.press("log:back")  # and the person-times (the forced split is no step)
    await worker.send("10")
    await worker.send("4")
    assert "At least 6: the other groups have 4 between them" in worker.last_text


async def test_each_field_kind_and_evidence_then_saved_complete(
    bot: BotHarness, tmp_path: Path
) -> None:
    media_dir = _media(bot, tmp_path)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_form(worker, "casework", "case_intake")
    typed = "<b>A&B</b> 🙂 " + "x" * 40
    await worker.send(typed)  # short text: the case number, kept exactly as typed
    assert "Source" in worker.last_text
    await worker.press("Referred")  # a choice
    await worker.send("长文本\n<i>第二行</i> 😀" * 100)  # long text, under 2,000 characters
    assert "Case accepted" in worker.last_text
    await worker.press("log:fv:yes")  # yes/no
    assert "Send activity photos" in worker.last_text
    await worker.send_photo(PHOTO, file_id="ph1")
    assert "Received so far: 1." in worker.last_text
    await worker.send_document(PDF, file_id="doc1")
    assert "Received so far: 2." in worker.last_text
    await worker.press("log:evd")
    assert "Source: Referred" in worker.last_text
    assert "Case accepted: Yes" in worker.last_text
    await worker.press("log:ok")
    assert worker.last_text.startswith("✅ Saved.")
    assert "Photos and files: 2" in worker.last_text
    assert "incomplete" not in worker.last_text
    _row, values, files = await _latest(bot)
    assert values["case_no"] == typed
    assert values["presenting_problem"] == "长文本\n<i>第二行</i> 😀" * 100
    assert (values["source"], values["accepted"]) == ("referral", "yes")
    assert sorted((f.kind, f.mime) for f in files) == [
        ("document", "application/pdf"), ("photo", "image/jpeg"),
    ]  # fmt: skip
    copies = {f.kind: (media_dir / str(f.local_path)).read_bytes() for f in files}
    assert copies == {"photo": PHOTO, "document": PDF}


async def test_number_and_date_are_checked_and_a_skipped_required_field_is_incomplete(
    bot: BotHarness, tmp_path: Path
) -> None:
    _media(bot, tmp_path)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_form(worker, "casework", "case_plan")
    await worker.send("C-7")
    await worker.press("log:fs")  # goals: required, skipped for now
    assert "Measures" in worker.last_text or "Strategy" in worker.last_text
    await worker.send("Weekly visits")
    assert "(optional)" in worker.last_text  # the review date
    await worker.send("some day")
    assert "I could not read that date. Please type it like Nov 14 or yesterday." in (
        worker.last_text
    )
    await worker.send("2027-01-15")
    await worker.press("log:evd")
    assert "Goals: (missing: the record stays incomplete)" in worker.last_text
    await worker.press("log:ok")
    assert "This record is incomplete; still to fill in: Goals." in worker.last_text
    _row, values, _files = await _latest(bot)
    assert values == {"case_no": "C-7", "measures": "Weekly visits", "review_date": "2027-01-15"}


async def test_a_bad_number_is_reasked(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _seed(bot, worker, "case_record")
    await quick_to_the_form(worker)
    await worker.send("C-1")
    await worker.send("three")
    assert "Please type a number, like 12." in worker.last_text
    assert "Contact number" in worker.last_text
    await worker.send("3")
    assert "Intervention" in worker.last_text


async def test_an_oversized_file_is_refused_and_nothing_is_lost(
    bot: BotHarness, tmp_path: Path
) -> None:
    _media(bot, tmp_path)
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _seed(bot, worker, "case_referral")
    await quick_to_the_form(worker)
    await worker.send("C-9")
    await worker.send("Civil affairs office")
    await worker.send("Needs a housing subsidy")
    await worker.press("log:fs")
    await worker.send_photo(PHOTO, file_id="small")
    await worker.send_document(b"\0" * 21_000_000, file_id="huge")
    assert "That file is too large: the limit is 20 MB." in worker.last_text
    assert "Received so far: 1." in worker.last_text  # the photo and the form stay
    await worker.press("log:evd")
    assert "Referred to: Civil affairs office" in worker.last_text
    await worker.press("log:ok")
    _row, values, files = await _latest(bot)
    assert values["referred_to"] == "Civil affairs office"
    assert [f.file_unique_id for f in files] == ["usmall"]


async def test_a_day_past_sixteen_hours_is_refused_with_the_reason(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _seed(bot, worker, "case_record", minutes=12 * 60)
    await _seed(bot, worker, "case_record", minutes=3 * 60)
    await worker.send("/log")
    for button in (
        "log:last",
        "log:dur:120",
        "log:grp:elderly",
        "log:grp:done",
        "log:pt:1",
        "log:note:skip",
    ):
        await worker.press(button)
    for _field in range(5):
        await worker.press("log:fs")
    await worker.press("log:evd")
    await worker.press("log:ok")
    assert "15 h are already logged for that day" in worker.last_text
    assert "the most one day can hold is 16 h" in worker.last_text
    assert "How many hours" in worker.last_text  # asked again, the draft kept


async def test_the_quick_path_and_the_form_in_chinese(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await _seed(bot, worker, "case_record")
    await worker.send("/log")
    assert "⚡ 个案服务记录表，今天" in worker.button_labels()
    quick = ("log:last", "log:dur:60", "log:grp:elderly", "log:grp:done", "log:pt:1",
             "log:note:skip")  # fmt: skip
    for button in quick:
        await worker.press(button)
    assert "个案编号" in worker.last_text
    assert "必填：可以先跳过，但记录会标为不完整。" in worker.last_text
    assert "先跳过 »" in worker.button_labels()


async def test_log_another_like_this_copies_the_form(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await worker.send("/log")
    for button in ("log:cat:casework", "log:tpl:case_plan", "log:date:today", "log:dur:60"):
        await worker.press(button)
    for button in ("log:grp:elderly", "log:grp:done", "log:pt:1", "log:note:skip"):
        await worker.press(button)
    for typed in ("C-5", "Goal <1>", "Visits"):
        await worker.send(typed)
    await worker.press("log:fs")
    await worker.press("log:evd")
    await worker.press("log:ok")
    await worker.press("Log another like this")
    assert "Goals: Goal &lt;1&gt;" in worker.last_with_buttons().raw_text or (
        "Goals: Goal <1>" in worker.last_text
    )
    await worker.press("log:ok")
    _row, values, _files = await _latest(bot)
    assert values == {"case_no": "C-5", "goals": "Goal <1>", "measures": "Visits"}
