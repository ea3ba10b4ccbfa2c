"""A question typed mid-form (issue 12), on the kit for every Flow: at a step that does not take
free text (a button step, or a number, date or phone step whose reading refuses it) the
knowledge base answers it as outside any form (rated, related entries, a person offered, the
person's own requests when asked about them; no button that would leave the form), and the same
step is shown again with the draft kept. Emergencies come first, at every step. A step that
takes free text (a description, a note, or one that declares `free_text=True`) keeps it as the
answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.offline_telegram import OfflinePerson
from db.models import ServiceRequest
from tests.bot.test_kb_answers import data_of, finish_request, has_numbers, start_request
from tests.harness import BotHarness


def callbacks(message: object) -> list[str]:
    return [b.callback_data or "" for b in message.buttons]  # type: ignore[attr-defined]


async def test_asked_about_their_request_at_a_button_step_in_chinese(bot: BotHarness) -> None:
    resident = await bot.person()
    await start_request(resident)
    await resident.press("req:who:family")
    await resident.press("req:age:80_plus")
    await resident.send("我妈妈82岁，一个人住")
    first = await finish_request(resident)
    await resident.send("/request")  # a second request (consent given): at "for whom"
    await resident.press("req:st:jiangnan")
    await resident.press("req:svc:elderly_care")
    who_step = resident.last
    before = len(resident.messages)
    await resident.send("我申请的事办得怎么样了")
    answer, step = resident.messages[before:]
    assert "正在办理的申请：" in answer.text and first in answer.text
    assert "kb:up:" in " ".join(callbacks(answer))
    assert not any(d.startswith(("menu:", "req:")) for d in callbacks(answer))  # stays in it
    assert step.text == "请点下面的按钮选择。\n\n" + who_step.text
    assert callbacks(step) == callbacks(who_step)
    up = next(d for d in callbacks(answer) if d.startswith("kb:up:"))
    await resident.press_data(up)  # rating the answer leaves the form where it was
    await resident.press("req:who:family")
    await resident.press("req:age:60_79")
    await resident.send("爸爸腿脚不便，想请人陪同去医院")
    second = await finish_request(resident)
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(ServiceRequest).where(ServiceRequest.ref == second))
        assert row is not None
        kept = (row.station_code, row.service_code, row.for_whom, row.age_group)
    assert kept == ("jiangnan", "elderly_care", "family", "60_79")


async def _log_to_the_hours(worker: OfflinePerson) -> str:
    await worker.send("/log")
    for button in ("log:cat:casework", "log:tpl:case_record", "log:date:today"):
        await worker.press(button)
    assert "How many hours" in worker.last_text
    return worker.last_text


async def test_a_question_at_a_number_step_in_english_is_answered(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    hours_step = await _log_to_the_hours(worker)
    before = len(worker.messages)
    await worker.send("When is the station open? Weekends?")
    answer, step = worker.messages[before:]
    # a worker is not offered to pass the question to a social worker (session 10)
    assert "Jiangnan" in answer.text and "kb:human:" not in " ".join(callbacks(answer))
    assert step.text == "Please type a number, or use the buttons.\n\n" + hours_step
    await worker.send("two-ish")  # neither a number nor a question: only the step's own re-ask
    assert len(worker.messages) == before + 3 and "How many hours" in worker.last_text
    await worker.send("1.5")  # a typed number is still read first
    assert worker.last_text.startswith("Who was served?")


async def test_emergencies_first_at_a_number_step(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    hours_step = await _log_to_the_hours(worker)
    before = len(worker.messages)
    await worker.send("my mother fell and cannot get up")
    numbers, step = worker.messages[before:]
    assert has_numbers(numbers.text) and "ambulance" in numbers.text
    assert step.text == hours_step  # not a number: no "send it again"
    await worker.press("log:dur:60")
    assert "How many hours" not in worker.last_text


async def test_own_requests_asked_at_a_volunteer_button_step_in_english(bot: BotHarness) -> None:
    person = await bot.person(lang="en")
    await person.send("/volunteer")
    age_step = person.last
    before = len(person.messages)
    await person.send("How do I follow my request?")
    answer, step = person.messages[before:]
    assert "You have not made any requests yet." in answer.text
    assert "menu:request" not in callbacks(answer)  # "Ask for a service" would leave the form
    assert callbacks(step) == callbacks(age_step)
    await person.press("vol:age:18_59")
    assert "vol:cons:yes" in data_of(person)


@pytest.mark.parametrize(
    ("lang", "question", "ending"),
    [
        (
            "zh",
            "老人家想洗澡，有没有上门助浴的服务",
            "填完或取消这张表格后，发送 /request 就能申请。",
        ),
        (
            "en",
            "Is there bathing help for old people at home?",
            "send /request once this form is finished or cancelled.",
        ),
    ],
)
async def test_an_answer_mid_form_says_where_its_request_button_went(
    bot: BotHarness, lang: str, question: str, ending: str
) -> None:
    # The answer's text says "use the button below"; inside a form that button is left out, so
    # the resident is told how to request it once the form is done, in their language (staff
    # are told about /register instead: test_kb11_staff_answers.py).
    resident = await bot.person(lang=lang)
    await resident.send("/volunteer")
    before = len(resident.messages)
    await resident.send(question)
    answer, _step = resident.messages[before:]
    assert ("点下面的按钮" if lang == "zh" else "button below") in answer.text
    assert answer.text.endswith(ending)
    assert not any(d.startswith("req:") for d in callbacks(answer))


async def test_an_answer_outside_a_form_keeps_its_request_button(bot: BotHarness) -> None:
    resident = await bot.person(lang="zh")
    await resident.send("老人家想洗澡，有没有上门助浴的服务")
    assert "发送 /request" not in resident.last_text
    assert any(d.startswith("req:start:") for d in callbacks(resident.last))
