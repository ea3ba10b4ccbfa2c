"""Phone numbers typed in a free-text note (round 10): /log's note and a case's note (the
kit's one check) point the number out before going on, and the worker removes it (its digits
become *) or keeps the note as typed; a note without one goes on as before."""

from __future__ import annotations

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityLog, AgencyReferral, Case
from tests.bot.log_steps import skip_record_steps
from tests.harness import BotHarness


async def to_the_note(worker: OfflinePerson) -> None:
    await worker.send("/log")
    for button in ("log:cat:casework", "log:tpl:case_record", "log:date:today", "log:dur:60"):
        await worker.press(button)
    for button in ("log:grp:elderly", "log:grp:done", "log:pt:1"):
        await worker.press(button)
    assert "Add a short note" in worker.last_text or "备注" in worker.last_text


async def saved_notes(bot: BotHarness) -> list[str | None]:
    async with bot.database.uow() as uow:
        return list(await uow.session.scalars(select(ActivityLog.note).order_by(ActivityLog.id)))


async def test_a_log_note_with_a_mobile_number_removed(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_note(worker)
    await worker.send("Home visit; her son's number is 138 0013 8000, call after six")
    warning = worker.last_text
    assert warning.startswith("⚠️ This note has a phone number in it: 138 0013 8000.")
    assert worker.button_labels()[:2] == ["Remove the number", "Keep as typed"]
    await worker.press("Remove the number")
    await skip_record_steps(worker)
    assert "Note: Home visit; her son's number is *** **** ****, call after six" in (
        worker.last_text
    )
    await worker.press("log:ok")
    assert await saved_notes(bot) == [
        "Home visit; her son's number is *** **** ****, call after six"
    ]


async def test_a_log_note_with_a_landline_kept_as_typed_in_chinese(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await to_the_note(worker)
    await worker.send("联系村委会0579-8712 3456，约好下周再去")
    assert worker.last_text.startswith("⚠️ 这段记录里有电话号码：0579-8712 3456。")
    await worker.press("按原样保存")
    await skip_record_steps(worker)
    await worker.press("log:ok")
    assert await saved_notes(bot) == ["联系村委会0579-8712 3456，约好下周再去"]


async def test_typing_the_note_again_checks_it_again_and_a_plain_note_goes_on(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_note(worker)
    await worker.send("Called 13800138000")
    assert "has a phone number in it" in worker.last_text
    await worker.send("Called her son; 12 people came, 2026-12-03")  # no number now
    assert "has a phone number" not in worker.last_text
    await skip_record_steps(worker)
    assert "Note: Called her son; 12 people came, 2026-12-03" in worker.last_text
    await worker.press_data("log:phkeep")  # the old warning's button: nothing to keep now
    await worker.press("log:ok")
    assert await saved_notes(bot) == ["Called her son; 12 people came, 2026-12-03"]


async def test_back_keeps_the_warning_and_skip_leaves_no_note(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_note(worker)
    await worker.send("son 138 0013 8000")
    await worker.press("« Back")  # to the person-times, and on again: still held, still asked
    await worker.press("log:pt:1")
    assert "has a phone number in it: 138 0013 8000" in worker.last_text
    await worker.press_data("log:note:skip")  # Skip on the note's first message, still on screen
    await skip_record_steps(worker)
    assert "Note:" not in worker.last_text and "8000" not in worker.last_text
    await worker.press("log:ok")
    assert await saved_notes(bot) == [None]


async def test_a_case_note_is_checked_the_same_way(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await worker.send("/cases")
    await worker.press("cs:new")
    await worker.send("Old Zhang")
    await worker.press("oc:age:60_79")
    await worker.press("oc:tog:elderly")
    await worker.press("oc:done")
    await worker.press("oc:skip")
    await worker.press("oc:risk:low")
    await worker.press("oc:agree")
    await worker.press("oc:save")
    async with bot.database.uow() as uow:
        cid = await uow.session.scalar(select(Case.id))
    await worker.press_data(f"cs:ra:{cid}:hospital")
    await worker.send("Dr Chen, ward 3, tel 0579-8712 3456")
    assert "has a phone number in it: 0579-8712 3456" in worker.last_text
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(AgencyReferral.note)) is None  # not yet saved
    await worker.press("Remove the number")
    assert "The referral is recorded" in worker.last_text
    assert "Dr Chen, ward 3, tel ****-**** ****" in worker.last_text
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(AgencyReferral.note)) == (
            "Dr Chen, ward 3, tel ****-**** ****"
        )
