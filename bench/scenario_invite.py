"""An administrator's /invite conversation: /invite, a role, a station (3 updates).

A persistent ConversationHandler with a draft in user_data, and one service call that writes
an invitation and an audit entry: a typical conversation step, database included.
"""

from __future__ import annotations

from bot.offline_telegram import OfflinePerson

NAME = "invite"
ROLE: tuple[str, tuple[str, ...]] | None = ("admin", ())

ROLES = ("worker", "supervisor", "station_head")
STATIONS = ("jiangnan", "dongcheng", "gushan", "shizhu")


async def run_once(person: OfflinePerson, i: int) -> int:
    await person.send("/invite")
    await person.press(f"inv:role:{ROLES[i % len(ROLES)]}")
    await person.press(f"inv:st:{STATIONS[i % len(STATIONS)]}")
    if "?start=" not in person.last_text:
        raise AssertionError(f"no invitation link: {person.last_text!r}")
    return 3
