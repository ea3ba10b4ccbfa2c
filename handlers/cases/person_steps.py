"""The steps about the person served that `/register` (`walk_in.py`) and a new case
(`open_case.py`) share, declared once: the station (of those the worker serves), typed details
within a length (the name, the situation, the village, the address, with Skip where it may be
left out), the age group, and the verbal consent the worker reads out and ticks (or records as
declined: then nothing is saved). Each journey puts them in its own order with its own
question; the step names are what is persisted.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, Update

from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, TEXT, Draft, Outcome, PressHandler, Reask, Screen, Step
from handlers.kit.i18n import N_, Gettext
from handlers.kit.screen import show
from handlers.kit.steps import Text, choice_step, station_step, typed_into
from handlers.kit.words import only_for
from handlers.requests import AGE_LABELS
from knowledge.stations import Station
from services import requests as rq
from services.names import looks_like_a_name
from services.people import STATION_HEAD, WORKER


def _always(draft: Draft) -> bool:
    return True


def stations_of(who: Speaker) -> list[str]:
    """The stations where the person registers requests and opens cases (worker or head)."""
    return sorted(who.access.worker_stations | who.access.head_stations)


def refusal(who: Speaker) -> str:
    return only_for(who, WORKER, STATION_HEAD)


def consent_notice(_: Gettext, *, phone: bool = True) -> str:
    """What the worker reads out to the resident before ticking the consent; `phone`: a phone
    number is in the draft, to be kept too."""
    if not phone:
        return _(
            "Please read this to the resident: “The station will keep your name, address and "
            "what you told us, to help you and to report its work. Only the station's staff "
            "see them. You can ask the station at any time to see them or to have them erased.”"
        )
    return _(
        "Please read this to the resident: “The station will keep your name, phone, address "
        "and what you told us, to help you and to report its work. Only the station's staff "
        "see them. You can ask the station at any time to see them or to have them erased.”"
    )


def your_stations(context: Context, who: Speaker, draft: Draft) -> list[Station]:
    mine = set(stations_of(who))
    return [s for s in context.bot_data.knowledge.stations.stations if s.code in mine]


def station(prefix: str, text: Text) -> Step:
    """The station, asked only when the worker serves several (`draft["several"]`)."""
    return station_step(
        "station",
        prefix=prefix,
        stations=your_stations,
        text=text,
        applies_when=lambda draft: bool(draft.get("several")),
    )


def typed(
    name: str,
    *,
    prefix: str,
    limit: int,
    text: Text,
    key: str | None = None,
    skip: bool = False,
    applies_when: Callable[[Draft], bool] = _always,
    is_name: bool = False,
) -> Step:
    """Typed text into `draft[key]` (default: the step's name), at most `limit` characters;
    `skip`: a Skip button leaves it out (None); `is_name`: the text must look like a name
    (`services.names.looks_like_a_name`: no digits, not a question), else "Please type a
    name." and the step again."""
    field = key or name

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows = [[InlineKeyboardButton(_("Skip"), callback_data=encode(prefix, "skip"))]]
        return Screen(text(_, context, who, draft), rows if skip else [])

    async def skipped(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        draft[field] = None
        return None

    presses: dict[str, PressHandler] = {"skip": skipped} if skip else {}
    into = typed_into(
        field, limit, N_("That is {length} characters long; please keep it under {limit}.")
    )

    async def on_text(
        update: Update, context: Context, who: Speaker, draft: Draft, text: str
    ) -> Outcome:
        if is_name and text.strip() and not looks_like_a_name(text.strip()):
            raise Reask(who.gettext("Please type a name."))
        return await into(update, context, who, draft, text)

    return Step(name, render, presses, on_text=on_text, expects=TEXT, applies_when=applies_when)


def age(prefix: str, text: Text, applies_when: Callable[[Draft], bool] = _always) -> Step:
    return choice_step(
        "age",
        prefix=prefix,
        per_row=3,
        text=text,
        options=lambda c, w, d: [(w.gettext(AGE_LABELS[a]), a) for a in rq.AGE_GROUPS],
        applies_when=applies_when,
    )


DECLINING = "_declining"  # the draft: «Did not agree» was pressed, «Do not save» offered
# The draft: the consent covered a phone. A phone typed after a consent that did not (Edit from
# the summary) asks for the consent again (`consent_covers_phone`).
CONSENT_PHONE = "consent_phone"


def consent_covers_phone(draft: Draft) -> bool:
    return not draft.get("consent") or bool(draft.get(CONSENT_PHONE))


def consent(
    prefix: str,
    *,
    question: Callable[[Gettext], str],
    agreed: Callable[[Gettext], str],
    without_phone: Callable[[Gettext], str] | None = None,
    applies_when: Callable[[Draft], bool] = _always,
) -> Step:
    """The notice read out, then «☑️ … agreed» (`<prefix>:agree`) into `draft["consent"]`.
    With `without_phone` and a phone in the draft, that button (`<prefix>:agreenp`) agrees
    to all but the phone, which is dropped. «✖️ Did not agree» (`<prefix>:decline`) says
    what that means and offers «🗑 Do not save» (`<prefix>:drop`), which ends saving nothing:
    one slip of a finger does not lose the form."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        phone = bool(draft.get("phone"))
        rows = [[InlineKeyboardButton(agreed(_), callback_data=encode(prefix, "agree"))]]
        if without_phone is not None and phone:
            rows.append(
                [InlineKeyboardButton(without_phone(_), callback_data=encode(prefix, "agreenp"))]
            )
        if draft.get(DECLINING):
            rows.append(
                [InlineKeyboardButton(_("🗑 Do not save"), callback_data=encode(prefix, "drop"))]
            )
        else:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("✖️ Did not agree"), callback_data=encode(prefix, "decline")
                    )
                ]
            )
        return Screen(consent_notice(_, phone=phone) + "\n\n" + question(_), rows)

    async def on_agree(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        draft.pop(DECLINING, None)
        draft["consent"] = True
        draft[CONSENT_PHONE] = bool(draft.get("phone"))
        return None

    async def on_agree_without_phone(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        draft.pop(DECLINING, None)
        draft["phone"] = None  # never stored: the cards then say there is no phone
        draft["consent"] = True
        draft[CONSENT_PHONE] = False
        return None

    async def on_decline(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        _ = who.gettext
        draft[DECLINING] = True
        if without_phone is not None and draft.get("phone"):
            raise Reask(
                _(
                    "Without their agreement nothing can be kept. If they agree to all but "
                    "the phone, press “{button}”. Otherwise press “Do not save”."
                ).format(button=without_phone(_))
            )
        raise Reask(
            _("Without their agreement nothing can be kept. Press “Do not save” to end here.")
        )

    async def on_drop(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        _ = who.gettext
        await show(
            update,
            _("Nothing was saved: without their agreement the station keeps nothing about them."),
        )
        return END

    presses: dict[str, PressHandler] = {
        "agree": on_agree, "agreenp": on_agree_without_phone, "decline": on_decline,
        "drop": on_drop,
    }  # fmt: skip
    return Step("consent", render, presses, applies_when=applies_when)
