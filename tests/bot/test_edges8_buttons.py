"""Forged and stale buttons at the edges (edges8)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import ServiceRequest
from tests.bot.test_requests import make_request
from tests.harness import BotHarness


async def test_a_forged_press_on_a_rating_leaves_its_stars_to_press(bot: BotHarness) -> None:
    """Data that is none of the message's buttons (forged, or from a keyboard since replaced)
    gets "this button has expired" and the menu, but the message keeps the buttons it has."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    resident = await bot.person(lang="en", name="Ann")
    await make_request(resident)
    await worker.press("ib:acc:1")
    await worker.press("🔧 Start work")
    await worker.press("✔️ Complete")
    await worker.send("Visited and shopped.")
    await worker.press("ibn:ok")
    rating = resident.last_with_buttons()
    stars = [b.callback_data for b in rating.buttons]
    assert stars == ["rate:1:5", "rate:1:4", "rate:1:3", "rate:1:2", "rate:1:1"]

    for forged in ("rate:1:9", "rate:1:x", "garbage", "z" * 64):
        await resident.press_data(forged, message=rating)
        assert "this button no longer works" in resident.last_text
        assert [b.callback_data for b in rating.buttons] == stars

    await resident.press("rate:1:4", message=rating)
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(ServiceRequest.rating)) == 4


async def test_a_real_but_expired_button_still_loses_its_keyboard(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    await resident.send("/request")
    consent = resident.last_with_buttons()
    await resident.send("/cancel")
    await resident.press("req:cons:yes", message=consent)
    assert consent.buttons == []  # the old screen's buttons go
    assert "这个按钮不能再用" in resident.last_text
