"""What the staff's work forms share (/log, /supervise, and correcting a record or a session):
who may start one, the fresh draft, a station's name, and the sentence for a day that would
hold more hours than one day can, and the summary they end on."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from telegram import Update

from handlers.kit.context import Context, Speaker
from handlers.kit.flow import Draft, Step
from handlers.kit.i18n import Gettext
from handlers.kit.screen import show
from handlers.kit.steps import Text, confirm_step, station_draft, station_step
from handlers.kit.words import hours_label, only_for
from services.activities import DayLimitExceeded


async def fresh_draft(
    update: Update, who: Speaker, stations: Iterable[str], role: str
) -> Draft | None:
    """A fresh draft with a token (so Save saves once) for a person with `stations` in the
    form's `role`; the station is preset for one, asked (`several_stations`) of several. None
    after saying why, for a person with none."""
    mine = sorted(stations)
    if not mine:
        await show(update, only_for(who, role))
        return None
    return station_draft(mine)


def your_station_step(
    prefix: str, mine: Callable[[Speaker], Iterable[str]], text: Text, *, persisted: int
) -> Step:
    """Which of `mine` (the person's stations in the form's role): asked only of several."""
    return station_step(
        "station",
        prefix=prefix,
        stations=lambda context, who, draft: [
            s for s in context.bot_data.knowledge.stations.stations if s.code in mine(who)
        ],
        text=text,
        applies_when=lambda draft: bool(draft.get("several_stations")),
        unknown=lambda _: _("Please choose one of your stations."),
        persisted=persisted,
    )


def station_name(context: Context, who: Speaker, code: str | None) -> str:
    """A station's name in the person's language (its code if the catalogue lost it)."""
    station = context.bot_data.knowledge.stations.get(code or "")
    return station.name(who.lang) if station else (code or "")


def day_limit_text(_: Gettext, error: DayLimitExceeded) -> str:
    """The plausibility refusal, with what the day holds and the limit."""
    return _(
        "That would make the day too long: {logged} h are already logged for that day, and "
        "the most one day can hold is {limit} h. Please check the hours or the day."
    ).format(
        logged=hours_label(error.logged_minutes / 60), limit=hours_label(error.limit_minutes / 60)
    )


def save_step(
    prefix: str,
    summary: Callable[[Context, Speaker, Draft], str],
    *,
    persisted: str | int | None = None,
) -> Step:
    """The summary a record or a session ends on: "Please check, then save", then ✅ Save."""
    return confirm_step(
        "confirm",
        prefix=prefix,
        kind="ok",
        text=lambda _, context, who, draft: (
            _("<b>Please check, then save:</b>") + "\n" + summary(context, who, draft)
        ),
        save_label=lambda _: _("✅ Save"),
        persisted=persisted,
    )
