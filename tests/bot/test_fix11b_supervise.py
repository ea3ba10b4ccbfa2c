"""probe11 item 6: individual supervision at a station with no worker on the bot was a dead end
(an empty list, "choose at least one worker, or the whole team" with no such button). Now it
says so and offers what can be saved: the session without a name, or the whole team as a group."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import SupervisionSession
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")

NO_WORKER = {
    "en": "No worker of this station is registered on the bot yet",
    "zh": "本站还没有社工在机器人上登记",
}


async def up_to_individual(supervisor: OfflinePerson) -> None:
    await supervisor.send("/supervise")
    while not any((b.callback_data or "").startswith("sup:form:") for b in supervisor.last.buttons):
        await supervisor.press_data(supervisor.last.buttons[0].callback_data or "")  # day, hours…
    await supervisor.press_data("sup:form:individual")


async def sessions(bot: BotHarness) -> list[int]:
    async with bot.database.uow() as uow:
        ids = (await uow.session.scalars(select(SupervisionSession.id))).all()
    return list(ids)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_individual_without_a_worker_saves_unnamed(bot: BotHarness, lang: str) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang=lang)
    await up_to_individual(supervisor)
    screen = supervisor.last
    assert NO_WORKER[lang] in screen.text
    data = [b.callback_data for b in screen.buttons]
    assert "sup:swnone" in data and "sup:swgrp" in data and "sup:swdone" not in data
    await supervisor.press_data("sup:swnone")
    summary = supervisor.last_text
    assert ("not named" if lang == "en" else "未写姓名") in summary
    await supervisor.press_data("sup:ok")
    assert supervisor.last_text.startswith("✅")
    assert len(await sessions(bot)) == 1


async def test_individual_without_a_worker_can_become_the_whole_team(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await up_to_individual(supervisor)
    await supervisor.press_data("sup:swgrp")
    assert (
        "Form: group" in supervisor.last_text
        and "Supervised: the whole team" in supervisor.last_text
    )
