"""A number typed where buttons are (edges8): an elderly resident types "1" for the first
button. It is not answered as a question (a staff entry about person-times was), and at the
service step it is not kept as the request's description."""

from __future__ import annotations

import pytest

from tests.bot.test_requests import consent
from tests.harness import BotHarness

REASK = {"zh": "请点下面的按钮选择。", "en": "Please choose one of the buttons."}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_number_at_the_station_and_service_steps_is_asked_again(
    bot: BotHarness, lang: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    await consent(resident)
    seen = len(resident.messages)
    await resident.send("1")
    assert [m.text.split("\n")[0] for m in resident.messages[seen:]] == [REASK[lang]]
    await resident.press("req:st:jiangnan")
    seen = len(resident.messages)
    await resident.send("2")
    said = [m.text for m in resident.messages[seen:]]
    assert len(said) == 1 and said[0].startswith(REASK[lang])
    assert "“2”" not in said[0]  # not kept as the description
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    assert not any(b.callback_data == "req:keep" for b in resident.last.buttons)


async def test_a_number_outside_any_form_is_not_answered_with_a_staff_entry(
    bot: BotHarness,
) -> None:
    resident = await bot.person(lang="zh")
    await resident.send("1")
    assert "服务人次" not in resident.last_text
    assert not any(
        b.callback_data.startswith("kb:up:") for b in resident.last.buttons if b.callback_data
    )


@pytest.mark.parametrize(("lang", "typed"), [("zh", "你好"), ("zh", "好的"), ("en", "ok thanks")])
async def test_a_courtesy_at_the_service_step_is_not_kept_as_the_description(
    bot: BotHarness, lang: str, typed: str
) -> None:
    resident = await bot.person(lang=lang)
    await resident.send("/request")
    await consent(resident)
    await resident.press("req:st:jiangnan")
    await resident.send(typed)
    assert resident.last_text.startswith(REASK[lang])
    await resident.press("req:svc:elderly_care")
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    assert not any(b.callback_data == "req:keep" for b in resident.last.buttons)
