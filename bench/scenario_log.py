"""The `/log` conversation as a benchmark scenario for `bench/updates.py`.

A social worker of one station logs one whole activity: category, template, today, a
duration button, one or two groups, the person-times typed, (for two groups, each group's
share), no note, Save. `run_once` returns how many updates it fed the bot.
"""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson

NAME = "log"
ROLE = ("worker", ("jiangnan",))

# Templates that ask for groups and person-times, so every run walks the longest path.
TEMPLATES = (
    ("casework", "case_record"),
    ("groupwork", "group_session"),
    ("community", "comm_record"),
    ("needs", "needs_visit"),
)


async def run_once(person: OfflinePerson, i: int) -> int:
    sent = 0

    async def send(text: str) -> None:
        nonlocal sent
        await person.send(text)
        sent += 1

    async def press(data: str) -> None:
        nonlocal sent
        await person.press(data)
        sent += 1

    category, template = TEMPLATES[i % len(TEMPLATES)]
    two_groups = i % 2 == 1
    await send("/log")
    await press(f"log:cat:{category}")
    await press(f"log:tpl:{template}")
    await press("log:date:today")
    await press(f"log:dur:{(60, 90, 120)[i % 3]}")
    await press("log:grp:elderly")
    if two_groups:
        await press("log:grp:children")
    await press("log:grp:done")
    total = 10 + i % 20
    await send(str(total))
    if two_groups:
        await press("log:split:all")  # every one of them was 60+ …
        await send(str(1 + i % total))  # … and some of them children too
    await press("log:note:skip")
    while any(b.callback_data == "log:fs" for b in person.last_with_buttons().buttons):
        await press("log:fs")  # the template's form, skipped (the record stays incomplete)
    await press("log:evd")
    await press("log:ok")
    if not person.last_text.startswith("✅"):
        raise RuntimeError(f"/log run {i} did not save: {person.last_text[:80]!r}")
    return sent
