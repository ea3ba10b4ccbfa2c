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
    await resident.press("menu:volunteer", message=menu)
    assert menu.text.startswith(BUSY_REQUEST[lang])
    assert [b.callback_data for b in menu.buttons] == ["req:back", "req:cancel"]
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
