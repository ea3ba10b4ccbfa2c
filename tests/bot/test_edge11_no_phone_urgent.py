"""Accepting a walk-in's request with no phone (edge11): the worker is told to reach the
resident in person, at the address when one was given; an urgent one says to visit them as
soon as possible, never to wait "until they come to the station"."""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson
from tests.bot.test_reg10_register import up_to_the_phone
from tests.harness import BotHarness


async def register_without_phone(
    worker: OfflinePerson, *, urgent: bool, address: str | None
) -> None:
    await up_to_the_phone(worker)
    await worker.press("wk:nophone")
    await worker.send("城西村")
    if address is None:
        await worker.press("wk:skip")
    else:
        await worker.send(address)
    await worker.press("wk:time:any")
    await worker.press("wk:src:walk_in")
    await worker.press("wk:urg:yes" if urgent else "wk:urg:no")
    await worker.press("wk:agree")
    await worker.press("wk:take:no")
    await worker.press("wk:save")


async def test_urgent_with_an_address_says_to_visit_there(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await register_without_phone(worker, urgent=True, address="3 East Lane, No. 12")
    await colleague.press("✅ Accept")
    text = colleague.last_text
    assert "You have accepted JN-0001." in text
    assert (
        "⚠️ It is urgent and the resident gave no phone number, so they cannot be called: "
        "please visit them as soon as possible, at 3 East Lane, No. 12 (城西村)."
    ) in text
    assert "come to the station" not in text


async def test_urgent_without_an_address_in_chinese(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), name="Li")
    await register_without_phone(worker, urgent=True, address=None)
    await colleague.press("ib:acc:1")
    text = colleague.last_text
    assert (
        "这是紧急求助，居民没有留电话，无法电话联系：请尽快上门探访；可以向所在村/社区（城西村）问清住址。"
        in text
    )
    assert "来站" not in text


async def test_not_urgent_with_an_address_says_in_person(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), name="Li")
    await register_without_phone(worker, urgent=False, address="东巷3号")
    await colleague.press("ib:acc:1")
    assert (
        "居民没有留电话，无法电话联系。请到东巷3号（城西村）上门联系，或通过所在村/社区联系。"
        in (colleague.last_text)
    )
