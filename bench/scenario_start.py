"""A resident's first steps: /start, /help, /language, English, /language, 中文 (6 updates).

Every step reads the person (speaker), and choosing a language writes it, so this is the
floor every journey pays: one update, one person lookup, one answer.
"""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson

NAME = "start"
ROLE: tuple[str, tuple[str, ...]] | None = None


async def run_once(person: OfflinePerson, i: int) -> int:
    await person.send("/start")
    await person.send("/help")
    await person.send("/language")
    await person.press("lang:en")
    await person.send("/language")
    await person.press("lang:zh")
    return 6
