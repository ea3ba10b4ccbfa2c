"""The station step and the station and year buttons that /report, /broadcast and
/evaluation offer, alike in all three: one button a station (two a row), "All stations" first where it applies, and the last
three years."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from telegram import InlineKeyboardButton

from handlers.kit.callbacks import encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import Draft, PressHandler, Screen, Step
from handlers.kit.keyboards import grid
from handlers.kit.steps import local_today
from knowledge.stations import Station

ALL = "all"  # the value of the "All stations" button
YEARS_BACK = 3  # this year and the two before


def station_rows(
    who: Speaker, prefix: str, stations: Iterable[Station], *, with_all: bool
) -> list[list[InlineKeyboardButton]]:
    """`<prefix>:s:<code>` a station, and `<prefix>:s:all` on top when `with_all`."""
    rows = grid(
        [
            InlineKeyboardButton(s.name(who.lang), callback_data=encode(prefix, "s", s.code))
            for s in stations
        ],
        2,
    )
    if with_all:
        everyone = who.gettext("🗺 All stations")
        rows.insert(0, [InlineKeyboardButton(everyone, callback_data=encode(prefix, "s", ALL))])
    return rows


def recent_years(context: Context) -> list[int]:
    """This year first, then the ones before it."""
    year = local_today(context).year
    return list(range(year, year - YEARS_BACK, -1))


def station_step(
    render: Callable[[Context, Speaker, Draft], Screen], pressed: PressHandler, *, persisted: int
) -> Step:
    """The station (`<prefix>:s:<code>`), not asked when `begin` found the only station the
    person may choose (`draft["only"]`)."""
    return Step(
        "station",
        render,
        {"s": pressed},
        applies_when=lambda draft: "only" not in draft,
        persisted=persisted,
    )
