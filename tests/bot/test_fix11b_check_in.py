"""probe11 item 14: "13:00开始签到，到时请再扫一次" for an activity on another day read as today;
it names the day now. A resident who is not a volunteer scanning the volunteers' QR was sent
back at check-in time; they are told the code is for the station's volunteers, and /volunteer."""

from __future__ import annotations

import pytest

from services import people
from tests.bot.test_activities_volunteer import at, payloads, publish, volunteer
from tests.harness import BotHarness

OPENS = {
    "en": "Check-in opens on Nov 21 at 8:00. Please scan again then.",
    "zh": "11月21日 8:00开始签到，到时请再扫一次。",
}
NOT_ONE = {
    "en": "This QR code is for the approved volunteers of Jiangnan Street Social Work Station, "
    "and you are not one of them yet. To become one, send /volunteer",
    "zh": "这个二维码是给江南街道社工站已通过审核的志愿者用的，目前还不是这里的志愿者。想成为志愿者，请发送 /volunteer",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_check_in_on_another_day_names_the_day(bot: BotHarness, lang: str) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann", lang=lang)
    await publish(bot, worker)  # Saturday 21 November 9:00; check-in from 8:00
    volunteer_payload, _resident = payloads(worker)
    bot.clock.current = at(2026, 11, 16, 10, 0)
    await ann.send(f"/start {volunteer_payload}")
    assert ann.last_text == OPENS[lang]
    bot.clock.current = at(2026, 11, 21, 7, 30)  # the same day: the time is enough
    await ann.send(f"/start {volunteer_payload}")
    assert "8:00" in ann.last_text and ("Nov 21" not in ann.last_text)
    assert "11月21日" not in ann.last_text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_resident_scanning_the_volunteers_code_is_told_it_is_not_theirs(
    bot: BotHarness, lang: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    resident = await bot.person(lang=lang, name="Resident")
    async with bot.database.uow() as uow:
        await people.set_language(uow, tg_id=resident.user_id, language=lang, now=bot.clock.now())
    await publish(bot, worker)
    volunteer_payload, resident_payload = payloads(worker)
    await resident.send(f"/start {volunteer_payload}")  # days before the activity
    assert resident.last_text.startswith(NOT_ONE[lang])
    assert "8:00" not in resident.last_text
    bot.clock.current = at(2026, 11, 21, 9, 0)
    await resident.send(f"/start {resident_payload}")
    assert ("counted as a participant" if lang == "en" else "") in resident.last_text
