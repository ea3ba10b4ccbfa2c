"""Staff asking the knowledge base are not offered to pass their question to a social worker
(themselves or their colleagues): an unanswered question is kept in the knowledge base's gaps
(/kbgaps), and they are pointed to their own tools. Residents keep the hand-off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import KbFeedback, Question
from tests.harness import BotHarness

STAFF_HEARS = {
    "zh": "这个问题我暂时答不上来。已记入知识库的未答问题，方便补充答案。发送 /menu 可以查看您的工作功能。",
    "en": "I don't have a ready answer to that. The question is noted in the knowledge base's gaps, "
    "so an answer can be added. /menu shows your work tools.",
}


@pytest.mark.parametrize("role", ["worker", "station_head", "supervisor", "admin"])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_staff_with_an_unanswered_question_hear_it_is_kept_as_a_gap(
    bot: BotHarness, role: str, lang: str
) -> None:
    staff = await bot.person(
        role=role, stations=() if role == "admin" else ("jiangnan",), lang=lang
    )
    await staff.send("/start")
    await staff.send("明天天气怎么样")
    assert staff.last_text.startswith(STAFF_HEARS[lang])
    assert not any((b.callback_data or "").startswith("kb:human") for b in staff.last.buttons)
    assert "social worker" not in staff.last_text and "转给" not in staff.last_text
    async with bot.database.uow() as uow:
        kinds = (await uow.session.scalars(select(KbFeedback.kind))).all()
        assert list(kinds) == ["unmatched"]
        assert (await uow.session.scalars(select(Question))).all() == []


async def test_a_resident_is_still_offered_the_hand_off(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/start")
    await resident.send("明天天气怎么样")
    assert "Shall I pass your question on?" in resident.last_text
    assert any(b.callback_data == "kb:human:1" for b in resident.last.buttons)


async def test_an_answer_to_staff_has_no_ask_a_social_worker_button(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    resident = await bot.person(lang="en")
    for person in (worker, resident):
        await person.send("/start")
        await person.send("养老服务补贴怎么申请")
    assert "💬 Ask a social worker instead" in resident.button_labels()
    assert "💬 Ask a social worker instead" not in worker.button_labels()
    await worker.press("👎")
    assert worker.last_text == (
        "Sorry that did not help. It is noted for the knowledge base, so the answer can be "
        "improved."
    )
    assert not any((b.callback_data or "").startswith("kb:human") for b in worker.last.buttons)


async def test_an_old_pass_it_on_button_keeps_a_staff_question_as_a_gap_once(
    bot: BotHarness,
) -> None:
    # A worker who asked as a resident, before the role was granted, still has the button.
    person = await bot.person(lang="en", tg_id=777001)
    await person.send("/start")
    await person.send("明天天气怎么样")
    await bot.person(role="worker", stations=("jiangnan",), lang="en", tg_id=777001)
    await person.press_data("kb:human:1", message=person.last)
    assert person.last_text.startswith(STAFF_HEARS["en"])
    async with bot.database.uow() as uow:
        assert (await uow.session.scalars(select(Question))).all() == []
        assert len((await uow.session.scalars(select(KbFeedback))).all()) == 1
