"""What a whole /request costs in Telegram's 30 calls a second (issues 11 and 12, "Measured").

`bench.crowd` and `bench.notices` are bound by these calls: 60 residents at once need 60 × 14
of them, 28 s of Telegram's budget (15 before the phone step became one message). The test pins
the count step by step, so a call added to the journey shows here first, and says which calls
are not metered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bench.crowd import paced_calls
from tests.harness import BotHarness


async def test_a_whole_request_makes_fourteen_paced_calls(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",))
    await worker.send("/start")
    resident = await bot.person()
    calls = bot.telegram.calls
    steps: list[tuple[str, dict[str, int]]] = []

    async def step(name: str, act: Callable[[], Awaitable[object]]) -> None:
        before = len(calls)
        await act()
        steps.append((name, dict(paced_calls(calls[before:]))))

    one = {"editMessageText": 1}
    await step("/request", lambda: resident.send("/request"))
    for data in ("req:cons:yes", "req:xb:yes", "req:st:jiangnan", "req:svc:elderly_care",
                 "req:who:family", "req:age:80_plus"):  # fmt: skip
        await step(data, lambda data=data: resident.press(data))  # type: ignore[misc]
    await step("description", lambda: resident.send("妈妈 82 岁，一个人住，需要帮忙买菜"))
    await step("contact", lambda: resident.send_contact("+8613800138000"))
    for data in ("req:time:weekday_morning", "req:urg:no"):
        await step(data, lambda data=data: resident.press(data))  # type: ignore[misc]
    await step("confirm", lambda: resident.press("req:confirm"))

    assert steps == [
        ("/request", {"sendMessage": 1}),  # the privacy notice
        ("req:cons:yes", one), ("req:xb:yes", one), ("req:st:jiangnan", one),
        ("req:svc:elderly_care", one), ("req:who:family", one), ("req:age:80_plus", one),
        # the phone prompt, whose reply keyboard carries "share my number", « Back, ✖ Cancel
        ("description", {"sendMessage": 1}),
        # "noted", which takes that keyboard away, then the time step below it: a message
        # carries a reply keyboard (or its removal) or inline buttons, never both
        ("contact", {"sendMessage": 2}),
        ("req:time:weekday_morning", one), ("req:urg:no", one),
        ("confirm", {"editMessageText": 1, "sendMessage": 1}),  # the thank-you; the notice
    ]  # fmt: skip
    assert sum(sum(s.values()) for _, s in steps) == 14
    assert "JN-0001" in resident.last_text
    assert any("JN-0001" in m.text for m in bot.telegram.messages(worker.user_id))
    # The nine presses were answered, and those answers are not metered.
    presses = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(presses) == 9 and paced_calls(presses) == {}
