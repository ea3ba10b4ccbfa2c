"""/supervise names who was supervised and how; a day past the limit is refused with why."""

from __future__ import annotations

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import AuditEntry, SupervisionSupervisee
from tests.harness import BotHarness


async def test_supervisees_and_the_form_are_recorded(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    await supervisor.press("sup:date:today")
    await supervisor.send("2")
    await supervisor.press("sup:mode:offline")
    await supervisor.press("sup:topic:case_work")
    await supervisor.press("sup:form:individual")
    assert "Who was supervised?" in supervisor.last_text
    await supervisor.press("sup:swdone")
    assert "Please choose at least one worker, or the whole team." in supervisor.last_text
    (button,) = [b for b in supervisor.last_with_buttons().buttons if b.text.startswith("◻️")]
    await supervisor.press(str(button.callback_data))
    assert any(b.text.startswith("☑️") for b in supervisor.last_with_buttons().buttons)
    await supervisor.press("sup:swdone")
    assert "Form: individual" in supervisor.last_text
    await supervisor.press("sup:ok")
    assert "Saved" in supervisor.last_text
    async with bot.database.uow() as uow:
        people = list((await uow.session.scalars(select(SupervisionSupervisee.person_id))).all())
    assert len(people) == 1 and worker.user_id  # the one worker of the station


async def test_more_than_ten_supervision_hours_a_day_is_refused(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    for hours in ("8", "3"):
        await supervisor.send("/supervise")
        await supervisor.press("sup:date:today")
        await supervisor.send(hours)
        await supervisor.press("sup:mode:offline")
        await supervisor.press("sup:topic:case_work")
        await supervisor.press("sup:form:group")
        await supervisor.press("sup:team")
        await supervisor.press("sup:ok")
    assert "8 h are already logged for that day" in supervisor.last_text
    assert "the most one day can hold is 10 h" in supervisor.last_text


async def _one_session(supervisor: OfflinePerson) -> None:
    await supervisor.send("/supervise")
    await supervisor.press("sup:date:today")
    await supervisor.send("2")
    await supervisor.press("sup:mode:offline")
    await supervisor.press("sup:topic:case_work")
    await supervisor.press("sup:form:group")
    await supervisor.press("sup:team")
    await supervisor.press("sup:ok")


async def test_mysessions_corrects_with_an_audit_row_and_deletes(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await _one_session(supervisor)
    await supervisor.send("/mysessions")
    assert "1. " in supervisor.last_text and "2 h" in supervisor.last_text
    await supervisor.press("✏️ 1")
    await supervisor.press("mss:what:hours")
    await supervisor.send("3.5")
    assert supervisor.last_text.startswith("✅ Corrected.")
    assert "3.5 h" in supervisor.last_text
    await supervisor.press("✏️ 1")
    await supervisor.press("mss:what:topic")
    await supervisor.send("记录 <规范> 🙂")
    assert (
        "记录 &lt;规范&gt; 🙂" in supervisor.last_text or "记录 <规范> 🙂" in supervisor.last_text
    )
    async with bot.database.uow() as uow:
        actions = list(
            (
                await uow.session.scalars(
                    select(AuditEntry.action).where(AuditEntry.subject.like("supervision:%"))
                )
            ).all()
        )
    assert len(actions) >= 2
    await supervisor.press("🗑 1")
    await supervisor.press("🗑 Yes, delete it")
    assert supervisor.last_text.startswith("🗑 Deleted.")
    assert "no supervision sessions yet" in supervisor.last_text
