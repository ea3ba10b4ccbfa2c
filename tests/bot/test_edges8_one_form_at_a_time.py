"""One form at a time (edges8): a form's menu button or command while another form is
mid-way shows that form's step again under "you are in the middle of …", as every other
command there does, instead of opening a second form whose question the person answers while
the other form takes the answer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import VolunteerApplication
from tests.bot.test_requests import consent
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")


BUSY_REQUEST = {
    "en": "You are in the middle of a request.",
    "zh": "您正在填写申请。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_volunteer_button_mid_request_shows_the_request(
    bot: BotHarness, lang: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send("/start")
    menu = resident.last_with_buttons()
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    menu_text = menu.text
    await resident.press("menu:volunteer", message=menu)
    assert menu.text == menu_text  # the pressed message stays as it was
    assert resident.last_text.startswith(BUSY_REQUEST[lang])  # the step again, below
    assert [b.callback_data for b in resident.last.buttons] == ["req:back", "req:cancel"]
    await resident.send("妈妈 82 岁，需要有人帮忙买菜")  # the description, as the screen asks
    assert "138 0013 8000" in resident.last_text  # on to the phone step
    async with bot.database.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(VolunteerApplication))
    assert count == 0


async def test_request_typed_mid_volunteer_shows_the_volunteer_step(bot: BotHarness) -> None:
    """/request is registered before /volunteer, so it used to start beside it."""
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    await person.send("/request")
    assert person.last_text.startswith("You are in the middle of")
    assert "Your name" in person.last_text
    await person.send("Wang Xiaoming")  # the name, as the screen asks
    assert "Your phone number" in person.last_text
    await person.send("/cancel")
    await person.send("/request")  # nothing under way any more: the request starts
    assert "Step 1 of 7" in person.last_text


async def test_a_request_this_service_button_mid_volunteer_shows_the_volunteer_step(
    bot: BotHarness,
) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    await person.press("vol:age:18_59")
    await person.press("vol:cons:yes")
    await person.press("vol:xb:yes")
    step = person.last_with_buttons()
    await person.press_data("req:start:elderly_care", message=step)
    assert "Your name" in person.last_text
    assert "Step 2 of 7" not in person.last_text


async def test_a_question_card_pressed_mid_form_keeps_its_text_and_buttons(
    bot: BotHarness,
) -> None:
    """A worker half-way through /log presses ✍️ Reply on a resident's question: the card
    stays (the question, its buttons), and /log's step comes again below it."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    resident = await bot.person(lang="zh")
    await resident.send("我想问问 这个事情怎么办才好")
    await resident.press("kb:human:1")
    await resident.press("kb:agree:1")
    await resident.press("kb:st:1:jiangnan")
    card = worker.last_with_buttons()
    card_text = card.text
    await worker.send("/log")
    await worker.press("log:cat:needs")
    await worker.press("log:tpl:needs_survey")
    await worker.press_data("qa:reply:1", message=card)
    assert card.text == card_text
    assert [b.callback_data for b in card.buttons] == ["qa:reply:1", "qa:close:1"]
    assert worker.last_text.startswith("You are in the middle of logging an activity.")


async def test_at_the_phone_step_a_pressed_form_button_is_answered_with_an_alert(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start")
    menu = resident.last_with_buttons()
    await resident.send("/request")
    await consent(resident)
    for data in ("req:st:jiangnan", "req:svc:elderly_care", "req:who:family", "req:age:80_plus"):
        await resident.press(data)
    await resident.send("Mum needs help with shopping.")
    seen = len(resident.messages)
    await resident.press("menu:volunteer", message=menu)
    answer = bot.telegram.callback_answers[-1]
    assert answer.get("show_alert") and answer["text"].startswith(BUSY_REQUEST["en"])
    assert len(resident.messages) == seen  # nothing else: the phone keyboard is still there
    assert any(b.request_contact for b in resident.reply_keyboard())
