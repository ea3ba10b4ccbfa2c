"""A question typed at a record form's choice or yes/no field (issue 12, "nobody is stuck"): the
field is a button step there, so the knowledge base answers the question and the same field is
shown again, nothing recorded; an emergency gets the numbers and the field again; an option's
label typed (in the person's language: "转介", "是", "Referred") picks it. A text, number or
date field still takes whatever is typed as its answer."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ActivityLog, RecordFieldValue
from services import activities
from tests.bot.log_steps import skip_record_steps, to_the_form
from tests.bot.test_kb_answers import has_numbers
from tests.bot.test_questions_mid_form import callbacks
from tests.harness import BotHarness

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _faq_question(bot: BotHarness, entry_id: str, lang: str) -> str:
    assert bot.app is not None
    entry = bot.app.bot_data.knowledge.faq.get(entry_id)
    assert entry is not None
    return str(entry.question(lang))


def _draft_fields(bot: BotHarness, person: OfflinePerson) -> dict[str, str]:
    assert bot.app is not None
    return dict(bot.app.user_data[person.user_id]["log"].get("fields", {}))


async def _to_the_source_field(worker: OfflinePerson, case_number: str) -> None:
    await to_the_form(worker, "casework", "case_intake")
    before = len(worker.messages)
    await worker.send(case_number)  # the case number: a text field takes what is typed
    assert len(worker.messages) == before + 1  # the next field, no answer, no re-ask


async def _saved_values(bot: BotHarness) -> dict[str, str]:
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(ActivityLog).order_by(ActivityLog.id.desc()))
        assert row is not None
        found = await uow.session.scalars(
            select(RecordFieldValue).where(RecordFieldValue.activity_id == row.id)
        )
        return {v.field_code: v.value for v in found}


async def test_a_question_at_a_choice_field_is_answered_and_the_field_shown_again_zh(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await _to_the_source_field(worker, "C-2026-001")
    field = worker.last
    assert "个案来源" in field.text
    before = len(worker.messages)
    await worker.send("老人助餐怎么申请")
    answer, again = worker.messages[before:]
    assert _faq_question(bot, "elderly_meals", "zh") in answer.text
    assert not any(d.startswith("log:") for d in callbacks(answer))  # the answer stays aside
    assert again.text == "请点下面的按钮选择。\n\n" + field.text
    assert callbacks(again) == callbacks(field)
    assert "source" not in _draft_fields(bot, worker)  # nothing recorded
    await worker.send("转介")  # an option's label (which the knowledge base would answer)
    assert "求助问题" in worker.last_text
    assert _draft_fields(bot, worker)["source"] == "referral"
    await worker.send("老人助餐怎么申请")  # a long-text field: what is typed is the answer
    assert "是否接案" in worker.last_text
    await worker.send("是")  # a yes/no field: its label picks it
    await skip_record_steps(worker)
    assert "个案来源：转介\n求助问题：老人助餐怎么申请\n是否接案：是" in worker.last_text
    await worker.press("log:ok")
    values = await _saved_values(bot)
    assert values["source"] == "referral" and values["accepted"] == "yes"
    assert values["presenting_problem"] == "老人助餐怎么申请"


async def test_a_question_at_a_choice_field_is_answered_and_the_field_shown_again_en(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_the_source_field(worker, "When is the station open? Weekends?")
    field = worker.last
    assert field.text.startswith("Source\n")
    before = len(worker.messages)
    await worker.send("How do I apply for elderly meals?")
    answer, again = worker.messages[before:]
    assert _faq_question(bot, "elderly_meals", "en") in answer.text
    assert again.text == "Please choose one of the buttons.\n\n" + field.text
    assert "source" not in _draft_fields(bot, worker)
    await worker.send("what?")  # neither a label nor an answered question: the re-ask alone
    assert len(worker.messages) == before + 3
    assert worker.last_text == "Please choose one of the buttons.\n\n" + field.text
    await worker.send("found by a worker")  # the label, whatever the case
    assert "Presenting problem" in worker.last_text
    assert _draft_fields(bot, worker)["source"] == "outreach"
    assert _draft_fields(bot, worker)["case_no"] == "When is the station open? Weekends?"
    await worker.send("Lives alone")
    await worker.send("How do I apply for elderly meals?")  # at the yes/no field: answered
    assert "Case accepted" in worker.last_text and "accepted" not in _draft_fields(bot, worker)
    await worker.send("No")
    assert _draft_fields(bot, worker)["accepted"] == "no"


async def test_an_emergency_at_a_choice_field_gets_the_numbers_and_the_field(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await _to_the_source_field(worker, "C-1")
    field = worker.last
    before = len(worker.messages)
    await worker.send("我想自杀")
    numbers, again = worker.messages[before:]
    assert has_numbers(numbers.text)
    assert again.text == field.text  # a button step: no "send it again"
    assert callbacks(again) == callbacks(field)
    await worker.send("我想自杀")  # sent again: still not an option, the numbers again
    assert has_numbers(worker.messages[-2].text)
    assert "source" not in _draft_fields(bot, worker)


async def test_an_emergency_at_a_choice_field_in_english(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await _to_the_source_field(worker, "C-2")
    field = worker.last
    before = len(worker.messages)
    await worker.send("my mother fell and cannot get up")
    numbers, again = worker.messages[before:]
    assert has_numbers(numbers.text) and "ambulance" in numbers.text
    assert again.text == field.text
    await worker.press("Referred")
    assert "Presenting problem" in worker.last_text


async def test_an_emergency_at_a_text_field_is_the_workers_answer(bot: BotHarness) -> None:
    """A worker typing a case's presenting problem is recording it, not in danger (probe10):
    the text is the field's answer at once, no numbers, nothing to send again."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_form(worker, "casework", "case_intake")
    await worker.send("Referred")
    await worker.press("Referred")
    before = len(worker.messages)
    await worker.send("my mother fell and cannot get up")  # the presenting problem
    assert not any(has_numbers(m.text) for m in worker.messages[before:])
    assert "Case accepted" in worker.last_text
    assert _draft_fields(bot, worker)["presenting_problem"] == "my mother fell and cannot get up"


async def test_a_question_while_correcting_a_choice_field_of_a_record(bot: BotHarness) -> None:
    """The same field step in a record's correction (/record → Edit a field)."""
    assert bot.app is not None
    worker = await bot.person(role="worker", stations=("jiangnan",))
    now = bot.clock.now()
    async with bot.database.uow() as uow:
        entry = await activities.log_activity(
            uow, worker_tg_id=worker.user_id, station_code="jiangnan", template_code="case_assess",
            activity_date=now.astimezone(SHANGHAI).date(), minutes=60, person_times=1,
            groups={"elderly": 1}, note=None, client_token="assess-1", now=now, zone=SHANGHAI,
            templates=bot.app.bot_data.knowledge.record_templates, group_codes=["elderly"],
            fields={"case_no": "C-5", "assessment": "独居", "risk_level": "low"},
            rules=bot.app.bot_data.knowledge.record_rules,
        )  # fmt: skip
    await worker.send(f"/record {entry.id}")
    await worker.press("✏️")
    await worker.press("rec:pf:risk_level")
    field = worker.last
    assert "风险等级" in field.text
    before = len(worker.messages)
    await worker.send("什么时候开门")
    answer, again = worker.messages[before:]
    assert _faq_question(bot, "station_hours", "zh") in answer.text
    assert again.text == "请点下面的按钮选择。\n\n" + field.text
    await worker.send("高")
    async with bot.database.uow() as uow:
        found = await uow.session.scalars(
            select(RecordFieldValue).where(RecordFieldValue.activity_id == entry.id)
        )
        assert {v.field_code: v.value for v in found}["risk_level"] == "high"
