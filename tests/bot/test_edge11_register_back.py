"""/register (edge11): a phone typed by Edit after a consent given without one asks the
consent again; «Back» there goes where the worker came from (the summary, the phone left as
it was and the consent standing), not to the step before it in the form (urgent)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import ServiceRequest
from tests.bot.test_reg10_register import after_the_phone, up_to_the_phone
from tests.harness import BotHarness


async def test_back_at_the_consent_asked_again_returns_to_the_summary(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await up_to_the_phone(worker)
    await worker.press("No phone")
    await after_the_phone(worker)
    await worker.press("wk:agree")
    await worker.press("wk:take:yes")
    await worker.press("wk:edit:phone")
    await worker.send("1380 0138 000")
    assert "keep your name, phone, address" in worker.last_text
    await worker.press("« Back")
    text = worker.last_text
    assert "Is it urgent?" not in text
    assert text.startswith("The phone number is left as it was.")
    assert "Please check, then save" in text and "Verbal consent: yes" in text
    assert "138" not in text
    await worker.press("wk:save")
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(ServiceRequest.phone)) is None


async def test_back_in_chinese_then_the_phone_again_and_agreed(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await up_to_the_phone(worker)
    await worker.press("wk:nophone")
    await after_the_phone(worker)
    await worker.press("wk:agree")
    await worker.press("wk:take:no")
    await worker.press("wk:edit:phone")
    await worker.send("（0579）87123456")
    await worker.press("wk:back")
    assert "电话号码保持不变。" in worker.last_text
    await worker.press("wk:edit:phone")  # once more, and this time agreed: saved with it
    await worker.send("（0579）87123456")
    await worker.press("wk:agree")
    assert "0579" in worker.last_text
    await worker.press("wk:save")
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(ServiceRequest.phone)) == "+8657987123456"


async def test_back_at_the_consent_in_the_form_still_goes_to_urgent(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await up_to_the_phone(worker)
    await worker.send("138 0013 8000")
    await after_the_phone(worker)
    assert "Did the resident agree?" in worker.last_text
    await worker.press("« Back")
    assert "Is it urgent?" in worker.last_text
