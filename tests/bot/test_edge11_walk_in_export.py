"""A walk-in resident's data export (edge11): they have no /mydata, so the station head gets
the file from the request's card («📄 Export the resident's details»), in /mydata's format,
with that walk-in's rows only, audited; a worker and another station's head cannot."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import AuditEntry, ServiceRequest
from services.privacy import EXPORT_FORMAT
from tests.bot.test_reg10_register import after_the_phone
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")


async def register(worker: OfflinePerson, name: str, description: str, phone: str) -> None:
    await worker.send("/register")
    await worker.press("wk:service:elderly_care")
    await worker.press("wk:who:neighbour")
    await worker.press("wk:age:80_plus")
    await worker.send(description)
    await worker.send(name)
    await worker.send(phone)
    await after_the_phone(worker)
    await worker.press("wk:agree")
    await worker.press("wk:take:yes")
    await worker.press("wk:save")


async def request_ids(bot: BotHarness) -> list[int]:
    async with bot.database.uow() as uow:
        return list(
            await uow.session.scalars(select(ServiceRequest.id).order_by(ServiceRequest.id))
        )


async def exports(bot: BotHarness) -> list[AuditEntry]:
    async with bot.database.uow() as uow:
        found = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "walk_in.export")
        )
        rows = list(found)
        uow.session.expunge_all()
        return rows


def document_of(person: OfflinePerson, ref: str) -> dict[str, Any]:
    message = person.last
    assert message.kind == "document" and message.file_name == f"walk-in-{ref}.json"
    assert message.file_bytes is not None
    data: dict[str, Any] = json.loads(message.file_bytes.decode("utf-8"))
    return data


async def test_the_head_exports_one_walk_ins_details(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en", name="Zhou")
    await register(worker, "Grandma Liu", "Lives alone, cannot walk far.", "138 0013 8000")
    await register(worker, "Uncle Chen", "Needs help with his pension forms.", "139 0013 9000")
    first, second = await request_ids(bot)

    await head.send("/inbox")
    await head.press_data(f"ib:rq:{first}")
    assert "📄 Export the resident's details" in head.button_labels()
    await head.press("📄 Export the resident's details")
    assert head.last.text.startswith(
        "Everything the station holds about the resident of JN-0001, as a JSON file"
    )
    document = document_of(head, "JN-0001")
    assert document["format"] == EXPORT_FORMAT  # /mydata's format
    assert document["walk_in"]["resident_name"] == "Grandma Liu"
    assert document["walk_in"]["village"] == "城西村"
    assert document["walk_in"]["consent_channel"] == "verbal_to_staff"
    (request,) = document["service_requests"]
    assert (request["ref"], request["description"], request["phone"]) == (
        "JN-0001", "Lives alone, cannot walk far.", "+8613800138000"
    )  # fmt: skip
    assert {e["request_id"] for e in request["events"]} == {first}  # its history, only its own
    assert request["events"][0]["to_status"] == "submitted"
    text = head.last.file_bytes.decode("utf-8") if head.last.file_bytes else ""
    assert "Uncle Chen" not in text and "pension" not in text and "+8613900139000" not in text
    (entry,) = await exports(bot)
    assert entry.subject == f"request:{first}" and entry.detail == {"station": "jiangnan"}
    assert "Grandma" not in json.dumps(entry.detail)  # the audit log holds no personal data
    await head.press_data(f"ib:rq:{second}")  # the other walk-in's own file
    await head.press("📄 Export the resident's details")
    assert document_of(head, "JN-0002")["walk_in"]["resident_name"] == "Uncle Chen"


async def test_a_worker_and_another_stations_head_cannot(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    other = await bot.person(role="station_head", stations=("dongcheng",), lang="en")
    await register(worker, "Grandma Liu", "Lives alone, cannot walk far.", "138 0013 8000")
    (rid,) = await request_ids(bot)
    await worker.send("/inbox")
    await worker.press_data(f"ib:rq:{rid}")
    assert "📄 Export the resident's details" not in worker.button_labels()
    await worker.press_data(f"ib:wkd:{rid}")  # forged
    assert worker.last.kind != "document"
    assert "only for station heads" in bot.telegram.callback_answers[-1]["text"]
    await other.send("/inbox")
    await other.press_data(f"ib:wkd:{rid}")  # forged, from another station
    assert other.last.kind != "document"
    assert "not a request of your station" in bot.telegram.callback_answers[-1]["text"]
    assert await exports(bot) == []


async def test_in_chinese_the_button_and_the_caption(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    head = await bot.person(role="station_head", stations=("jiangnan",), name="周站长")
    await register(worker, "刘奶奶", "独居，腿脚不便。", "（0579）87123456")
    (rid,) = await request_ids(bot)
    await head.send("/inbox")
    await head.press_data(f"ib:rq:{rid}")
    await head.press("📄 导出居民的个人信息")
    assert head.last.text.startswith("这是本站保存的 JN-0001 这位居民的全部信息")
    assert document_of(head, "JN-0001")["walk_in"]["resident_name"] == "刘奶奶"
