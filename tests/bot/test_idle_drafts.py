"""Abandoned forms: a kit Flow idle longer than STATIONBOT_DRAFT_IDLE_MINUTES is put aside with
what was typed; its next start offers Continue where I left off / Start again, and a question
typed to the expired form is answered by the knowledge base."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.test_requests import consent
from tests.harness import BotHarness


async def _half_a_request(bot: BotHarness, lang: str = "en"):  # type: ignore[no-untyped-def]
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:elderly_care")
    return resident


async def test_an_expired_draft_is_continued_where_it_was_left(bot: BotHarness) -> None:
    resident = await _half_a_request(bot)
    asked = resident.last_text  # the "for whom" step
    bot.clock.advance(timedelta(minutes=121))
    await resident.press("req:who:family")  # a press on the idle form
    assert "put it aside" in resident.last_text and "/request" in resident.last_text
    await resident.send("/request")
    assert resident.last_text.startswith("You have an unfinished form from earlier.")
    assert resident.button_labels() == ["Continue where I left off", "Start again"]
    await resident.press("Continue where I left off")
    assert resident.last_text == asked  # the same step, what was chosen kept
    await resident.press("req:who:family")
    assert "How old is your family member?" in resident.last_text


async def test_start_again_forgets_the_kept_draft(bot: BotHarness) -> None:
    resident = await _half_a_request(bot)
    bot.clock.advance(timedelta(hours=3))
    await resident.press("req:who:family")
    await resident.send("/request")
    await resident.press("Start again")
    assert "Continue" not in " ".join(resident.button_labels())
    await resident.send("/cancel")
    await resident.send("/request")
    assert not resident.last_text.startswith("You have an unfinished form")


async def test_a_question_typed_to_an_expired_form_is_answered(bot: BotHarness) -> None:
    resident = await _half_a_request(bot, lang="zh")
    bot.clock.advance(timedelta(hours=20))
    await resident.send("暑期托管怎么报名？")
    assert "您正在填写" not in resident.last_text
    assert resident.last_text.startswith("暑期托管怎么报名？")  # the FAQ answer


async def test_a_draft_within_the_idle_time_goes_on(bot: BotHarness) -> None:
    resident = await _half_a_request(bot)
    bot.clock.advance(timedelta(minutes=119))
    await resident.press("req:who:family")
    assert "put it aside" not in resident.last_text
