"""A resident presses a case button (edges9): every `cs:` press — the card's own (open, link,
risk, assign, refer, outcome, close, reopen, accept, decline, sign off) and those that start a
flow (📅 next contact, refer to a station or an agency and ✔️ close, which ask for a note, 📎
file a request, ➕ new case, 📁 open a request as a case) — for a real case, record and request
is answered with the one staff-only sentence, once, and nothing in the database changes.
Before, the flows' presses answered "this case is not open to you", which says there is one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import ServiceRequest
from tests.bot.test_cases import case_row, record, register_walk_in
from tests.harness import BotHarness

STAFF_ONLY = {
    "en": "Sorry, this is only for social work station staff. Send /menu to see what you can use.",
    "zh": "抱歉，这个功能只供社工站工作人员使用。发送 /menu 可以查看您能用的功能。",
}
# Every case button there is ({c} the case, {r} a record, {q} a request), and one of no kind.
PRESSES = (
    "open:{c}", "list", "link:{c}", "next:{c}", "risk:{c}", "asg:{c}", "rst:{c}", "rag:{c}",
    "out:{c}", "close:{c}", "reopen:{c}", "acc:{c}", "dec:{c}", "lk:{c}:{r}", "rk:{c}:high",
    "as:{c}:1", "rs:{c}:xicheng", "ra:{c}:hospital", "ro:1:done", "so:{r}", "new",
    "fromrq:{q}", "file:{c}:{q}", "zz:{c}",
)  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_case_button_pressed_by_a_resident_is_staff_only(
    bot: BotHarness, lang: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await register_walk_in(worker, take="yes")
    await worker.press("wk:save")
    await worker.press("📁 Open as a case")
    for data in ("oc:tog:elderly", "oc:done", "oc:risk:medium", "oc:save"):
        await worker.press(data)
    case = await case_row(bot)
    record_id = await record(bot, worker, "case_intake")
    async with bot.database.uow() as uow:
        request_id = await uow.session.scalar(select(ServiceRequest.id))
    resident = await bot.person(lang=lang)
    await resident.send("/start")
    menu = resident.last_with_buttons()
    before = await bot.rows()
    heard = {}
    for kind in PRESSES:
        data = "cs:" + kind.format(c=case.id, r=record_id, q=request_id)
        seen, answered = len(resident.messages), len(bot.telegram.callback_answers)
        await resident.press_data(data, message=menu)
        heard[data] = (
            resident.last_text,
            len(resident.messages) - seen,  # said on the pressed message, nothing more
            len(bot.telegram.callback_answers) - answered,  # the press answered once
        )
    assert {d: h for d, h in heard.items() if h != (STAFF_ONLY[lang], 0, 1)} == {}
    assert await bot.rows() == before  # no case read audited, nothing changed
