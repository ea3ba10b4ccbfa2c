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
        ("zh", "服务记录只有登记的社工和本站站长可以查看。"),
        ("en", "Records are seen by the worker who wrote them and the station head."),
    ],
)
async def test_record_tells_a_supervisor_who_sees_records(
    bot: BotHarness, lang: str, said: str
) -> None:
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang=lang)
    await supervisor.send("/record 1")
    assert said in supervisor.last_text
