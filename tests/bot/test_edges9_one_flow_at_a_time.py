"""One flow at a time (edges9): a form, a reply or any other flow opened while a flow of
screens (/report, /evaluation, /invite; a reply being typed, a case note) is still mid-way
ends that one, so what the person types and presses next goes where the screen says. The
flow of screens keeps where it was ("Continue where I left off" at its command); one begun
from a card's button simply ends. Before, both stayed open and the one registered first took
the text: /report re-asked the walk-in's description with its own buttons, and a question
typed after /log went to a resident as the reply begun earlier."""

from __future__ import annotations

import pytest

from bot.offline_telegram import OfflinePerson
from tests.bot.log_steps import to_the_form
from tests.bot.test_cases import record
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")


WORDS = {
    "en": {
        "year": "Which year is the month in?",
        "name": "👤 The resident's name",
        "choice": "You have an unfinished form from earlier. Continue it, or start again?",
        "cancelled": "Cancelled. Nothing was saved.",
    },
    "zh": {
        "year": "是哪一年的月份？",
        "name": "👤 居民的姓名",
        "choice": "您之前有一份没填完的表格。接着填写，还是重新开始？",
        "cancelled": "已取消，没有保存任何内容。",
    },
}


async def report_at_the_year(bot: BotHarness, lang: str) -> OfflinePerson:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang, name="Wang")
    await worker.send("/report")
    await worker.press("rep:p:month")
    assert worker.last_text == WORDS[lang]["year"]
    return worker


async def walk_in_to_the_description(worker: OfflinePerson) -> None:
    await worker.send("/register")
    for data in ("wk:service:elderly_care", "wk:who:neighbour", "wk:age:80_plus"):
        await worker.press(data)


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_walk_in_opened_mid_report_takes_what_is_typed(bot: BotHarness, lang: str) -> None:
    """/register is registered after /report: the description went to /report's year step."""
    worker = await report_at_the_year(bot, lang)
    before = await bot.rows()
    await walk_in_to_the_description(worker)
    await worker.send("Lives alone, cannot walk far; needs a home visit.")
    assert worker.last_text.startswith(WORDS[lang]["name"])  # the walk-in's next step
    await worker.send("/cancel")  # the walk-in's, not /report's
    assert worker.last_text == WORDS[lang]["cancelled"]
    assert await bot.rows() == before  # nothing registered
    await worker.send("/report")  # where it was, if the worker wants it
    assert worker.last_text == WORDS[lang]["choice"]
    await worker.press("rep:resume")
    assert worker.last_text == WORDS[lang]["year"]
    assert [b.callback_data for b in worker.last.buttons][-2:] == ["rep:back", "rep:cancel"]


async def test_a_form_opened_at_continue_or_start_again_takes_what_is_typed(
    bot: BotHarness,
) -> None:
    """The choice on screen is a state of /report's conversation too: it took the text."""
    worker = await report_at_the_year(bot, "en")
    await walk_in_to_the_description(worker)
    await worker.send("/cancel")
    await worker.send("/report")
    assert worker.last_text == WORDS["en"]["choice"]
    await walk_in_to_the_description(worker)
    await worker.send("Lives alone, cannot walk far; needs a home visit.")
    assert worker.last_text.startswith(WORDS["en"]["name"])
    await worker.send("/cancel")
    await worker.send("/report")  # still kept: the choice again, and "Start again" works
    assert worker.last_text == WORDS["en"]["choice"]
    await worker.press("rep:fresh")
    assert worker.last_text == "📈 Which period should the report cover?"


async def test_log_opened_mid_report_leaves_the_report_to_continue(bot: BotHarness) -> None:
    """/log is registered before /report, so it took the text; /report then started over."""
    worker = await report_at_the_year(bot, "zh")
    await to_the_form(worker, "needs", "needs_survey")
    await worker.send("城西村")  # the form's first field, typed
    assert all(b.callback_data.startswith("log:") for b in worker.last.buttons)
    await worker.send("/cancel")
    await worker.send("/report")
    assert worker.last_text == WORDS["zh"]["choice"]
    await worker.press("rep:resume")
    assert worker.last_text == WORDS["zh"]["year"]


async def test_log_another_like_this_mid_report_leaves_the_report_to_continue(
    bot: BotHarness,
) -> None:
    """The "Log another like this" button opens /log at its confirm step, not by `on_start`."""
    worker = await report_at_the_year(bot, "en")
    entry = await record(bot, worker, "needs_survey")
    await worker.press_data(f"log:again:{entry}", message=worker.last)
    assert worker.last_text.startswith("A copy of that entry, dated today.")
    await worker.send("/cancel")
    assert worker.last_text == WORDS["en"]["cancelled"]
    await worker.send("/report")
    assert worker.last_text == WORDS["en"]["choice"]


async def test_a_reply_begun_before_log_is_not_sent_afterwards(bot: BotHarness) -> None:
    """The reply (registered after /log) waited under it: once /log ended, the worker's next
    message, a question of their own, went to the resident as the reply."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    resident = await bot.person(lang="zh")
    await resident.send("我想问问 这个事情怎么办才好")
    await resident.press("kb:human:1")
    await resident.press("kb:agree:1")
    await resident.press("kb:st:1:jiangnan")
    card = worker.last_with_buttons()
    await worker.press_data("qa:reply:1", message=card)
    assert worker.last_text.startswith("✍️ Type your reply to question #1")
    before = await bot.rows()
    await to_the_form(worker, "needs", "needs_survey")
    await worker.send("/cancel")
    assert worker.last_text == WORDS["en"]["cancelled"]
    seen = len(resident.messages)
    await worker.send("How do I apply for the elderly allowance?")
    assert resident.messages[seen:] == []  # nothing relayed
    assert "✅ Sent." not in worker.last_text
    assert any((b.callback_data or "").startswith("kb:up:") for b in worker.last.buttons)
    assert await bot.rows() == before  # no reply, no message in the question's thread
    await worker.press_data("qa:reply:1", message=card)  # the card's button: afresh
    assert worker.last_text.startswith("✍️ Type your reply to question #1")
