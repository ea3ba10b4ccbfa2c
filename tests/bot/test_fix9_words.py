"""Words an outside tester found wrong (session 7): a titled name titled again, /record telling
staff they are not staff."""

from __future__ import annotations

import pytest

from tests.harness import BotHarness


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("李", "李社工，您好！"),
        ("李社工", "李社工，您好！"),
        ("王阿姨", "王阿姨，您好！"),
        ("Wang", "Wang，您好！"),
    ],
)
async def test_a_worker_is_greeted_with_one_title(
    bot: BotHarness, name: str, greeting: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), name=name)
    await worker.send("/start")
    assert worker.messages[-1].text.startswith(greeting + "您可以在这里接单")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("zh", "抱歉，这个功能只供社工和站长使用。发送 /menu 可以查看您能用的功能。"),
        (
            "en",
            "Sorry, this is only for social workers and station heads. Send /menu to see what you can use.",
        ),
    ],
)
async def test_record_tells_a_supervisor_who_sees_records(
    bot: BotHarness, lang: str, said: str
) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang=lang)
    await supervisor.send("/record 1")
    assert said in supervisor.last_text


@pytest.mark.parametrize(
    ("lang", "line", "skip"),
    [
        ("zh", "这类记录要有照片才算完整：现在跳过的话，之后可以在记录卡片上补上。", "先跳过 »"),
        (
            "en",
            "This kind of record needs a photo to be complete: if you skip it now, add it later from the record's card.",
            "Skip for now »",
        ),
    ],
)
async def test_the_photo_step_says_when_a_photo_is_needed(
    bot: BotHarness, lang: str, line: str, skip: str
) -> None:
    # A group session counts as incomplete without a photo; the step had said "or Skip" and
    # nothing more, and the worker learnt it only after saving.
    from tests.bot.log_steps import _offered

    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    await worker.send("/log")
    for button in ("log:cat:groupwork", "log:tpl:group_session", "log:date:today", "log:dur:90"):
        await worker.press(button)
    for button in ("log:grp:elderly", "log:grp:done"):
        await worker.press(button)
    await worker.send("6")
    while _offered(worker, "log:fs") or _offered(worker, "log:note:skip"):
        await worker.press("log:fs" if _offered(worker, "log:fs") else "log:note:skip")
    assert line in worker.last_text
    assert skip in worker.button_labels()


async def test_a_record_without_a_needed_photo_keeps_the_plain_skip(bot: BotHarness) -> None:
    from tests.bot.log_steps import to_the_form

    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en")
    await to_the_form(worker, "casework", "case_intake")
    from tests.bot.log_steps import _offered

    while _offered(worker, "log:fs"):
        await worker.press("log:fs")
    assert "Send activity photos" in worker.last_text
    assert "needs a photo" not in worker.last_text and "Skip »" in worker.button_labels()


@pytest.mark.parametrize(
    ("lang", "discarded", "choice"),
    [
        ("zh", "已取消：之前保留的没填完的表格已经删除。", "您之前有一份没填完的表格"),
        (
            "en",
            "Cancelled: the unfinished form you had put aside is discarded.",
            "You have an unfinished form",
        ),
    ],
)
async def test_cancel_discards_a_form_put_aside(
    bot: BotHarness, lang: str, discarded: str, choice: str
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang)
    await worker.send("/log")
    await worker.press("log:cat:casework")
    await worker.send("/menu")  # the form is put aside
    await worker.send("/cancel")
    assert discarded in worker.messages[-1].text or discarded in worker.last_text
    await worker.send("/log")
    assert choice not in worker.last_text  # starts afresh
    await worker.send("/cancel")
    await worker.send("/cancel")  # nothing left: the usual sentence
    assert "nothing to cancel" in worker.last_text or "没有需要取消" in worker.last_text


async def test_staff_buttons_use_full_width_brackets_in_chinese(bot: BotHarness) -> None:
    await bot.person(role="worker", stations=("jiangnan",))
    admin = await bot.admin()
    await admin.send("/staff")
    labels = admin.button_labels()
    assert any(label.startswith("江南街道社工站（") for label in labels), labels
    assert not any(" (" in label for label in labels), labels
