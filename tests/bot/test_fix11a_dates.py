"""fix11a (probe11 item 11): the date a prompt or a refusal gives as an example is one the
step takes, worked out from today: a recent past day for /log, a day to come for a new
activity and a case's next contact (a fixed "11月21日" was refused in December)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.offline_telegram import OfflinePerson
from tests.harness import BotHarness

DECEMBER_3 = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def example(person: OfflinePerson) -> str:
    found = re.search(r"\d{1,2}月\d{1,2}日", person.last_text)
    assert found is not None, person.last_text
    return found.group(0)


async def test_the_log_dates_example_is_taken(bot: BotHarness) -> None:
    bot.clock.current = DECEMBER_3
    worker = await bot.person(role="worker", stations=("jiangnan",), name="王社工")
    await worker.send("/log")
    await worker.press("log:cat:needs")
    await worker.press("log:tpl:needs_visit")
    await worker.send("过几天")
    assert worker.last_text.startswith("没看懂这个日期。请按“12月1日”或“昨天”这样输入。")
    await worker.send(example(worker))
    assert any(b.callback_data == "log:dur:60" for b in worker.last.buttons), worker.last_text


async def test_a_new_activitys_example_day_is_taken(bot: BotHarness) -> None:
    bot.clock.current = DECEMBER_3
    worker = await bot.person(role="worker", stations=("jiangnan",), name="李社工")
    await worker.send("/activity")
    await worker.press("vact:new")
    await worker.send("重阳敬老义剪")
    assert "例如12月17日或 2026-12-17" in worker.last_text  # past the 14 days' buttons
    await worker.send(example(worker))
    assert "开始" in worker.last_text or "几点" in worker.last_text, worker.last_text
    assert "请选择今天到一年以内的日期" not in worker.last_text


async def test_the_next_contacts_example_is_taken(bot: BotHarness) -> None:
    from tests.bot.test_cases import case_row, open_direct_case

    bot.clock.current = DECEMBER_3
    worker = await bot.person(role="worker", stations=("jiangnan",), name="Wang", lang="en")
    await open_direct_case(worker)
    await worker.press_data(f"cs:next:{(await case_row(bot)).id}")
    assert "type a date such as Dec 5." in worker.last_text
    await worker.send("Dec 5")
    assert "Dec 5" in worker.last_text and "could not read" not in worker.last_text
