"""/supervise names who was supervised and how; a day past the limit is refused with why."""

from __future__ import annotations

from sqlalchemy import select

from db.models import SupervisionSupervisee
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
