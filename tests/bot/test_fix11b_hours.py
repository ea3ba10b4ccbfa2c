"""probe11 item 3: a volunteer's hours are neither corrected nor confirmed before the activity
has started (the rule recording already had), and correcting confirmed hours that a certificate
already carries withdraws that certificate and says so."""

from __future__ import annotations

import pytest

from bot.offline_telegram import OfflinePerson
from services import people
from tests.bot.test_activities_volunteer import at, payloads, publish, run, volunteer
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")


async def speaks(bot: BotHarness, who: OfflinePerson, lang: str) -> None:
    async with bot.database.uow() as uow:
        await people.set_language(uow, tg_id=who.user_id, language=lang, now=bot.clock.now())


def last_alert(bot: BotHarness) -> str:
    return str(bot.telegram.callback_answers[-1].get("text") or "")


@pytest.mark.parametrize(
    ("lang", "refused"),
    [
        ("en", "You can confirm hours once the activity has started."),
        ("zh", "活动开始后才能确认时长。"),
    ],
)
async def test_no_hours_before_the_start(bot: BotHarness, lang: str, refused: str) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    activity_id = await publish(bot, worker)  # Saturday 21 November, 9:00–11:30
    volunteer_payload, _resident = payloads(worker)
    await run(bot, at(2026, 11, 16, 10, 1))
    await ann.press("🙋 Sign me up")
    bot.clock.current = at(2026, 11, 21, 8, 30)  # check-in is open, the activity is not
    await ann.send(f"/start {volunteer_payload}")
    assert ann.last_text.startswith("✅ Checked in")
    await speaks(bot, worker, lang)
    await worker.press_data(f"vam:ros:{activity_id}")
    roster = worker.last_text
    await worker.press("1. +0.5")
    assert last_alert(bot) == refused and worker.last_text == roster
    await worker.press_data(f"vam:all:{activity_id}")
    assert last_alert(bot) == refused
    await ann.send("/myhours")
    assert "In all: 0 h" in ann.last_text and "more are waiting" not in ann.last_text


@pytest.mark.parametrize(
    ("lang", "warning"),
    [
        ("en", "That certificate is now withdrawn"),
        ("zh", "这份证明已作废"),
    ],
)
async def test_changing_certified_hours_withdraws_the_certificate(
    bot: BotHarness, lang: str, warning: str
) -> None:
    publisher = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    ann = await volunteer(bot, "Ann")
    activity_id = await publish(bot, publisher)
    volunteer_payload, _resident = payloads(publisher)
    worker = publisher
    await speaks(bot, worker, lang)
    await run(bot, at(2026, 11, 16, 10, 1))
    await ann.press("🙋 Sign me up")
    bot.clock.current = at(2026, 11, 21, 9, 0)
    await ann.send(f"/start {volunteer_payload}")
    bot.clock.current = at(2026, 11, 21, 11, 30)
    await ann.send(f"/start {volunteer_payload}")
    await worker.press_data(f"vam:ros:{activity_id}")
    await worker.press_data(f"vam:all:{activity_id}")
    await ann.send("/myhours")
    await ann.press("📜 Certificate")
    await ann.press("2026")
    code = ann.messages[-1].text.rsplit(": ", 1)[1]
    admin = await bot.admin(lang="en")
    await admin.send(f"/verify {code}")
    assert admin.last_text.startswith("✅ A valid certificate.")

    await worker.press_data(f"vam:ros:{activity_id}")
    before = len(worker.messages)
    await worker.press(1)  # the first volunteer's −0.5
    assert warning in worker.last_text and len(worker.messages) == before + 1
    await admin.send(f"/verify {code}")
    assert admin.last_text.startswith("❌ This certificate was revoked.")
    await ann.send("/myhours")
    await ann.press("📜 Certificate")
    await ann.press("2026")
    new_code = ann.messages[-1].text.rsplit(": ", 1)[1]
    assert new_code != code
    await admin.send(f"/verify {new_code}")
    assert admin.last_text.startswith("✅ A valid certificate.") and "Hours: 2 h" in admin.last_text
