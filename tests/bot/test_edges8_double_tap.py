"""A double tap on "Sign me up" (edges8): the button that takes its place, "I can't come",
asks first, so the second tap does not give the place away."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from db.models import VolunteerSignup
from tests.bot.test_activities_volunteer import at, publish, run, volunteer
from tests.harness import BotHarness

ASKED = {
    "en": "Give up your place in this activity? If someone is waiting, they get it.",
    "zh": "要放弃这次活动的名额吗？如果有人在排队，名额会给他们。",
}


async def statuses(bot: BotHarness) -> list[str]:
    async with bot.database.uow() as uow:
        return sorted((await uow.session.scalars(select(VolunteerSignup.status))).all())


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_second_tap_where_sign_me_up_was_asks_first(bot: BotHarness, lang: str) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann", lang=lang)
    await publish(bot, worker)
    await run(bot, at(2026, 11, 16, 10, 1))
    offer = ann.last_with_buttons()
    before = len(bot.telegram.callback_answers)
    await ann.press(1, message=offer)  # Sign me up
    await ann.press(1, message=offer)  # the same place again: "I can't come"
    assert offer.text == ASKED[lang]
    assert await statuses(bot) == ["signed_up"]
    await ann.press(1, message=offer)  # and a third time: "No, I will come"
    assert offer.text.startswith("✅")
    assert await statuses(bot) == ["signed_up"]

    await ann.press(1, message=offer)  # I can't come
    await ann.press(2, message=offer)  # Yes, give up my place
    assert await statuses(bot) == ["cancelled"]
    answers = Counter(a["callback_query_id"] for a in bot.telegram.callback_answers[before:])
    assert [q for q, n in answers.items() if n > 1] == []


async def test_i_cant_come_on_a_cancelled_activity_says_it_was_cancelled(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    await publish(bot, worker)
    await run(bot, at(2026, 11, 16, 10, 1))
    offer = ann.last_with_buttons()
    await ann.press("🙋 Sign me up", message=offer)
    await worker.send("/activity")
    await worker.press("Double Ninth haircuts")
    await worker.press("🚫 Cancel the activity")
    await worker.press("Yes, cancel it")
    await ann.press("I can't come", message=offer)
    assert offer.text == "This activity was cancelled."
