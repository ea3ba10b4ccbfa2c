"""Phone numbers in every staff free-text field (edge11): the record template's own text
fields, the inbox's completion note and decline reason, and /supervise's typed topic get the
same warning as /log's note (the kit's one check): «Remove the number» or «Keep as typed»."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityLog, RecordFieldValue, ServiceRequest, SupervisionSession
from tests.bot.log_steps import to_the_form
from tests.bot.test_requests import make_request, request_id
from tests.harness import BotHarness

pytestmark = pytest.mark.usefixtures("each_press_answered_once")

LANDLINE, MOBILE = "（0579）87123456", "1380 0138 000"


async def field_values(bot: BotHarness) -> dict[str, str]:
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(ActivityLog).order_by(ActivityLog.id.desc()))
        assert row is not None
        values = await uow.session.scalars(
            select(RecordFieldValue).where(RecordFieldValue.activity_id == row.id)
        )
        return {v.field_code: v.value for v in values}


async def test_the_record_forms_text_fields_are_checked(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_form(worker, "casework", "case_record")
    await worker.send("JN-C-0001")  # the case number: a short text with no number in it
    await worker.send("3")  # the contact number: a number field, never a phone
    assert worker.last_text.startswith("Intervention\n")
    await worker.send(f"Called the village office {LANDLINE} about her pension")
    assert worker.last_text.startswith(f"⚠️ This note has a phone number in it: {LANDLINE}."), (
        worker.last_text
    )
    assert worker.button_labels()[:2] == ["Remove the number", "Keep as typed"]
    await worker.press("Remove the number")
    assert worker.last_text.startswith("Client's response")  # on to the next field
    await worker.send(f"Calmer; her son asks to be called on {MOBILE}")
    assert f"has a phone number in it: {MOBILE}" in worker.last_text
    await worker.press("« Back")  # from the warning: the same field again, nothing kept
    assert worker.last_text.startswith("Client's response")
    await worker.send(f"Calmer; her son asks to be called on {MOBILE}")
    await worker.press("Keep as typed")
    assert not worker.last_text.startswith("Client's response")
    while "log:fs" in [b.callback_data for b in worker.last_with_buttons().buttons]:
        await worker.press("log:fs")
    if "log:evd" in [b.callback_data for b in worker.last_with_buttons().buttons]:
        await worker.press("log:evd")
    assert "Called the village office （****）******** about her pension" in worker.last_text
    await worker.press("log:ok")
    values = await field_values(bot)
    assert values["intervention"] == "Called the village office （****）******** about her pension"
    assert values["client_response"] == f"Calmer; her son asks to be called on {MOBILE}"
    assert values["case_no"] == "JN-C-0001"


async def test_the_record_forms_last_field_is_held_too_in_chinese(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await to_the_form(worker, "casework", "case_record")
    for _skipped in ("case_no", "session_no", "intervention", "client_response"):
        await worker.press("log:fs")
    await worker.send(f"下周再去，联系人{MOBILE}")  # the last field, the next step
    assert worker.last_text.startswith(f"⚠️ 这段记录里有电话号码：{MOBILE}。"), worker.last_text
    await worker.press("删掉号码")
    if "log:evd" in [b.callback_data for b in worker.last_with_buttons().buttons]:
        await worker.press("log:evd")
    await worker.press("log:ok")
    assert (await field_values(bot))["next_step"] == "下周再去，联系人**** **** ***"


async def open_request_in_inbox(bot: BotHarness) -> tuple[OfflinePerson, OfflinePerson, int]:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    ref = await make_request(resident)
    rid = await request_id(bot, ref)
    await worker.send("/inbox")
    await worker.press_data(f"ib:rq:{rid}")
    return worker, resident, rid


async def test_a_completion_note_with_a_landline_is_masked(bot: BotHarness) -> None:
    worker, resident, rid = await open_request_in_inbox(bot)
    await worker.press_data(f"ib:acc:{rid}")
    await worker.press_data(f"ib:go:{rid}")
    await worker.press_data(f"ib:done:{rid}")
    await worker.send(f"Meals arranged; the canteen is on {LANDLINE}")
    assert worker.last_text.startswith(f"⚠️ This note has a phone number in it: {LANDLINE}.")
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(ServiceRequest.completion_note)) is None
    await worker.press("Remove the number")
    assert "Complete " in worker.last_text
    assert "“Meals arranged; the canteen is on （****）********”" in worker.last_text
    await worker.press("ibn:ok")
    assert "（****）********" in resident.last_text
    assert "87123456" not in resident.last_text


async def test_a_decline_reason_with_a_mobile_kept_and_typed_again(bot: BotHarness) -> None:
    worker, resident, rid = await open_request_in_inbox(bot)
    await worker.press_data(f"ib:decl:{rid}")
    await worker.send(f"Outside our area; the town's office is {MOBILE}")
    assert f"has a phone number in it: {MOBILE}" in worker.last_text
    await worker.send("Outside our area")  # typed again: no number
    assert "Decline " in worker.last_text and "“Outside our area”" in worker.last_text
    await worker.send(f"Outside our area; call {MOBILE}")
    await worker.press("Keep as typed")
    await worker.press("ibn:ok")
    assert f"Outside our area; call {MOBILE}" in resident.last_text


async def test_a_typed_supervision_topic_is_checked(bot: BotHarness) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await supervisor.send("/supervise")
    await supervisor.press("sup:date:today")
    await supervisor.send("2")
    await supervisor.press("sup:mode:offline")
    await supervisor.send(f"Case of Mrs Li, her daughter on {MOBILE}")
    assert f"has a phone number in it: {MOBILE}" in supervisor.last_text
    await supervisor.press("Remove the number")
    assert "individual supervision, or a group" in supervisor.last_text
    await supervisor.press("sup:form:group")
    await supervisor.press("sup:team")
    await supervisor.press("sup:ok")
    assert "Saved" in supervisor.last_text
    async with bot.database.uow() as uow:
        topic = await uow.session.scalar(select(SupervisionSession.topic_text))
    assert topic == "Case of Mrs Li, her daughter on **** **** ***"
