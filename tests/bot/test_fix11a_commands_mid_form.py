"""fix11a (probe11 item 10): a staff command that opens no form (/stats, /report, /mylogs,
/cases), typed while /log is open, puts the form aside as /menu does: it is kept, said so,
the command answered, and /log offers it again. Another form's command still gets the
"finish it, or send /cancel" sentence (one form at a time)."""

from __future__ import annotations

import pytest

from tests.harness import BotHarness

KEPT = {
    "zh": "您没填完的表格已经保留，发送 /log 可以接着填写。",
    "en": "Your unfinished form is kept: send /log to continue where you left off.",
}
BUSY = {"zh": "您正在登记服务记录。", "en": "You are in the middle of logging an activity."}


@pytest.mark.parametrize(
    ("lang", "command"),
    [("zh", "/stats"), ("zh", "/mylogs"), ("zh", "/cases"), ("zh", "/report"), ("en", "/stats"),
     ("en", "/mylogs")],
)  # fmt: skip
async def test_a_staff_view_mid_log_keeps_the_form(
    bot: BotHarness, lang: str, command: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工", lang=lang)
    await worker.send("/log")
    for button in ("log:cat:needs", "log:tpl:needs_visit", "log:date:today"):
        await worker.press(button)
    seen = len(worker.messages)
    await worker.send(command)
    said = [m.text for m in worker.messages[seen:]]
    assert said[0] == KEPT[lang], said
    assert len(said) > 1 and not any(BUSY[lang] in text for text in said), said
    assert not any(b.callback_data == "log:dur:60" for b in worker.last.buttons)
    await worker.send("/log")
    assert any(b.callback_data == "log:resume" for b in worker.last.buttons)
    await worker.press("log:resume")
    assert any(b.callback_data == "log:dur:60" for b in worker.last.buttons)  # where it was
    await worker.press("log:dur:60")
    assert any(b.callback_data == "log:grp:done" for b in worker.last.buttons)


async def test_another_forms_command_mid_log_still_says_finish_first(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    await worker.send("/log")
    for button in ("log:cat:needs", "log:tpl:needs_visit", "log:date:today"):
        await worker.press(button)
    await worker.send("/register")
    assert worker.last_text.startswith(BUSY["zh"])
    assert any(b.callback_data == "log:dur:60" for b in worker.last.buttons)
    await worker.send("/nosuchcommand")
    assert worker.last_text.startswith(BUSY["zh"])
