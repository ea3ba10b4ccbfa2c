"""Benchmark scenario: one resident's whole /request conversation, from the command to Confirm.

Contract (bench/updates.py): `NAME`, `ROLE` (None: a resident) and `run_once(person, i)`, which
drives the conversation through `person.send / press / send_contact` and returns how many
updates it sent. The privacy notice and the cross-border consent are agreed to the first time
(two more updates). Iteration `i` picks station `i mod 14`, so one person can make 42 requests
before the open-request limit (3 per station) is reached everywhere; past that it raises.
"""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson

NAME = "request"
ROLE = None


def _data(person: OfflinePerson, prefix: str) -> list[str]:
    return [
        b.callback_data
        for b in person.last_with_buttons().buttons
        if b.callback_data and b.callback_data.startswith(prefix)
    ]


async def run_once(person: OfflinePerson, i: int) -> int:
    sent = 0
    await person.send("/request")
    sent += 1
    if _data(person, "req:cons:yes"):
        await person.press("req:cons:yes")
        await person.press("req:xb:yes")
        sent += 2
    stations = _data(person, "req:st:")
    # The last station used is listed first; sort so that `i` always means the same station.
    stations.sort()
    for attempt in range(len(stations)):
        await person.press(stations[(i + attempt) % len(stations)])
        sent += 1
        if _data(person, "req:svc:"):
            break
    else:
        raise RuntimeError("this person has the most open requests allowed at every station")
    await person.press("req:svc:elderly_care")
    await person.press("req:who:family")
    await person.press("req:age:80_plus")
    await person.send(f"第 {i} 次：妈妈 82 岁，一个人住，需要每周两次帮忙买菜 <&> 🙏")
    await person.send_contact("+8613800138000")
    await person.press("req:time:weekday_morning")
    await person.press("req:urg:no")
    await person.press("req:confirm")
    return sent + 8
