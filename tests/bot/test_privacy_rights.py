"""/mydata sends a JSON file of everything held; /forget erases after a confirmation."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import AuditEntry, Person, ServiceRequest
from tests.harness import BotHarness
from tests.unit.test_privacy import PERSONAL, seed_resident


async def _resident_with_records(bot: BotHarness, lang: str = "en") -> OfflinePerson:
    resident = await bot.person(lang=lang, name="王阿姨", tg_id=4242)
    async with bot.database.uow() as uow:
        await seed_resident(uow, tg_id=4242, language=lang)
    return resident


def _document(person: OfflinePerson) -> dict[str, Any]:
    message = person.last
    assert message.kind == "document" and message.file_name == "mydata.json"
    assert message.file_bytes is not None
    data: dict[str, Any] = json.loads(message.file_bytes.decode("utf-8"))
    return data


async def test_mydata_sends_everything_held(bot: BotHarness) -> None:
    resident = await _resident_with_records(bot)
    await resident.send("/mydata")
    assert resident.last.text.startswith("Here is everything this bot holds about you")
    document = _document(resident)
    assert document["person"]["display_name"] == "王阿姨"
    request = document["service_requests"][0]
    assert (request["description"], request["phone"]) == ("腿脚不便", "+8613800138000")
    assert request["events"][0]["note"] == "上门三次"
    application = document["volunteer_applications"][0]
    assert (application["name"], application["guardian_name"]) == ("王小明", "李监护")
    assert document["consents"][0]["withdrawn_at"] is None
    assert "conversation_drafts" in document


async def test_mydata_includes_an_unfinished_draft(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("supervisor")
    await admin.send("/mydata")
    assert _document(admin)["conversation_drafts"] == {"invite": {"role": "supervisor"}}


async def test_forget_erases_and_mydata_then_shows_nothing_personal(bot: BotHarness) -> None:
    resident = await _resident_with_records(bot)
    await resident.send("/forget")
    assert "Erase your personal data?" in resident.last_text
    assert "cannot be undone" in resident.last_text
    await resident.press("🗑 Yes, erase my data")
    assert resident.last_text.startswith("Done. Your personal details have been erased.")
    assert "service requests 1, volunteer sign-ups 1" in resident.last_text
    # The person keeps talking to the bot; their Telegram name is not stored again.
    await resident.send("/start")
    await resident.send("/mydata")
    text = json.dumps(_document(resident), ensure_ascii=False)
    for value in PERSONAL:
        assert value not in text, value
    async with bot.database.uow() as uow:
        person = await uow.session.scalar(select(Person).where(Person.tg_id == 4242))
        request = await uow.session.scalar(select(ServiceRequest))
        entries = (
            await uow.session.scalars(select(AuditEntry).where(AuditEntry.action.like("privacy.%")))
        ).all()
        assert person is not None and person.erased_at is not None
        assert person.display_name is None
        assert request is not None and request.erased and request.status == "completed"
        assert [e.action for e in entries] == ["privacy.erase", "privacy.export"]
        assert all("王" not in json.dumps(e.detail, ensure_ascii=False) for e in entries)
    # The confirm button is stale now.
    await resident.press_data("forget:yes")
    assert "expired" in bot.telegram.callback_answers[-1]["text"]


async def test_declining_erases_nothing(bot: BotHarness) -> None:
    resident = await _resident_with_records(bot, lang="zh")
    await resident.send("/forget")
    await resident.send("好的")  # typing instead of pressing: asked again, nothing erased
    assert resident.last_text.startswith("请点下面的按钮选择。")  # the kit's re-ask
    await resident.press("« 不，保留我的信息")
    assert resident.last_text == "没有删除任何内容，您的信息保持不变。"
    await resident.send("/forget")
    await resident.send("/cancel")
    assert resident.last_text == "没有删除任何内容，您的信息保持不变。"
    await resident.send("/mydata")
    document = _document(resident)
    assert document["service_requests"][0]["description"] == "腿脚不便"
    assert document["person"]["erased_at"] is None


async def test_forget_clears_a_half_finished_draft(bot: BotHarness) -> None:
    admin = await bot.admin(lang="en")
    await admin.send("/invite")
    await admin.press("station head")
    await admin.send("/forget")
    await admin.press("forget:yes")
    await admin.send("/mydata")
    assert _document(admin)["conversation_drafts"] == {}
