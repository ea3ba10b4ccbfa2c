"""Abandoned forms: a kit Flow idle longer than STATIONBOT_DRAFT_IDLE_MINUTES is put aside with
what was typed; its next start offers Continue where I left off / Start again, and a question
typed to the expired form is answered by the knowledge base."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.log_steps import to_the_form
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


# --- the idle limit is declared per Flow: the staff's record forms keep for days ----------------
PHOTO = b"\xff\xd8\xff\xe0" + b"photo" * 50


async def _log_up_to_the_photos(bot: BotHarness, lang: str = "en"):  # type: ignore[no-untyped-def]
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    await to_the_form(worker, "casework", "case_intake")
    await worker.send("C-7")
    await worker.press("log:fv:referral")
    await worker.send("Lives alone since spring.")
    await worker.press("log:fv:yes")
    await worker.send_photo(PHOTO, file_id="visit1")
    return worker


async def test_a_log_form_with_photos_stays_open_between_home_visits(
    bot: BotHarness,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    assert bot.app is not None
    bot.app.bot_data.extras["media_dir"] = tmp_path
    worker = await _log_up_to_the_photos(bot)
    assert "Received so far: 1." in worker.last_text
    bot.clock.advance(timedelta(hours=5))  # past the residents' 2 hours: a visit in between
    await worker.send_photo(PHOTO, file_id="visit2")
    assert "Received so far: 2." in worker.last_text
    bot.clock.advance(timedelta(days=3))  # over a weekend
    await worker.press("log:evd")
    assert "put it aside" not in worker.last_text
    await worker.press("log:ok")
    assert worker.last_text.startswith("✅ Saved.") and "Photos and files: 2" in worker.last_text


async def test_a_log_form_idle_past_the_work_limit_is_put_aside_and_continued(
    bot: BotHarness,
) -> None:
    worker = await _log_up_to_the_photos(bot, lang="zh")
    bot.clock.advance(timedelta(days=7, minutes=1))  # STATIONBOT_WORK_DRAFT_IDLE_HOURS=168
    await worker.press("log:evd")
    assert "先放在一边了" in worker.last_text and "/log" in worker.last_text
    await worker.send("/log")
    await worker.press("log:resume")
    await worker.press("log:evd")  # the photo kept with the rest of the draft
    assert "C-7" in worker.last_text and "照片和文件：1个" in worker.last_text


async def test_the_work_limit_is_a_setting_of_its_own(bot: BotHarness) -> None:
    assert bot.app is not None
    bot.app.bot_data.work_draft_idle = timedelta(hours=1)
    bot.app.bot_data.draft_idle = timedelta(days=30)  # the residents' limit does not apply
    worker = await _log_up_to_the_photos(bot)
    bot.clock.advance(timedelta(minutes=61))
    await worker.press("log:evd")
    assert "put it aside" in worker.last_text


async def test_text_at_continue_or_start_again_gets_the_numbers_then_the_choice(
    bot: BotHarness,
) -> None:
    resident = await _half_a_request(bot, lang="zh")
    bot.clock.advance(timedelta(hours=3))
    await resident.press("req:who:family")  # put aside
    await resident.send("/request")
    before = len(resident.messages)
    await resident.send("我妈摔倒了起不来")  # an emergency at the choice: the numbers first
    numbers, choice = resident.messages[before:]
    assert all(n in numbers.text for n in ("110", "120"))
    assert [b.callback_data for b in choice.buttons] == ["req:resume", "req:fresh"]
    before = len(resident.messages)
    await resident.send("社工站几点开门")  # a question: answered, then the choice again
    answer, choice = resident.messages[before:]
    assert "开放时间" in answer.text and "kb:up:" in " ".join(
        b.callback_data or "" for b in answer.buttons
    )
    assert [b.callback_data for b in choice.buttons] == ["req:resume", "req:fresh"]
    await resident.press("req:resume")
    await resident.press("req:who:family")  # the kept draft goes on
    assert "How old" in resident.last_text or "多大" in resident.last_text
