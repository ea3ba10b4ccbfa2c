"""The notes a referral and a closing need: a one-step kit `Flow` (diagram: `case_note.mmd`)
entered from the case card by «↪️ Refer to a station» then a station (`cs:rs:<id>:<code>`),
«🏥 Refer to an agency» then an agency (`cs:ra:<id>:<code>`), or «✔️ Close the case»
(`cs:close:<id>`). Before the note is asked, the person's right to change the case (and, for
closing, its closing record) is checked, so nobody types a note that cannot be saved. The note
is typed text (no Skip: a referral says to whom and why, a closing its outcome); Save is one
service call (`refer_to_station`, `refer_to_agency`, `close`) that stores it on the case's
timeline, and the card is shown again with it.
"""

from __future__ import annotations

from html import escape

from telegram import Update

from handlers.cases import card
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, Draft, Flow, Outcome, Reask
from handlers.kit.i18n import Gettext
from handlers.kit.steps import phone_checked, text_step, typed_within
from services import cases as cs
from services.errors import Conflict, InvalidValue, NotAllowed, NotFound

P = "cn"
STATION, AGENCY, CLOSE = "rs", "ra", "close"


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    press = context.press(update)
    if press is None or press.kind not in (STATION, AGENCY, CLOSE):
        return None
    case_id = press.int_arg() or 0
    target = press.arg(1) or ""
    try:
        number = await context.bot_data.use_case(
            cs.check_change,
            actor=who.access,
            case_id=case_id,
            closing=press.kind == CLOSE,
            catalog=context.bot_data.knowledge.cases,
        )
    except (NotFound, NotAllowed, Conflict) as error:
        await card.say_refusal(update, who, error)
        return None
    if press.kind == STATION and context.bot_data.knowledge.stations.get(target) is None:
        await card.say_refusal(update, who, NotFound())
        return None
    if press.kind == AGENCY and target not in {a.code for a in card.case_catalog(context).agencies}:
        await card.say_refusal(update, who, NotFound())
        return None
    return {"action": press.kind, "case": case_id, "number": number, "to": target}


def _question(_: Gettext, context: Context, who: Speaker, draft: Draft) -> str:
    number = escape(draft.get("number") or "")
    action = draft.get("action")
    if action == STATION:
        return _(
            "↪️ Referring {number} to {station}. Please type a note for its staff: why you "
            "refer the case, and what they should know (up to 1000 characters)."
        ).format(number=number, station=escape(card.station_name(context, who, draft.get("to"))))
    if action == AGENCY:
        agency = card.coded(card.case_catalog(context).agencies, draft.get("to"), who.lang)
        return _(
            "🏥 Referring {number} to {agency}. Please type a note: to whom there (an office "
            "or a person) and why (up to 1000 characters)."
        ).format(number=number, agency=escape(agency))
    return _(
        "✔️ Closing {number}. Please type a short closing note: the outcome of the work with "
        "the person (up to 1000 characters)."
    ).format(number=number)


def _parse(_: Gettext, text: str) -> str:
    return typed_within(
        text,
        cs.MAX_NOTE,
        _("That is {length} characters long; please keep it under {limit}."),
    )


# A phone number typed in the note is pointed out first, as in /log's (the kit's check).
NOTE = phone_checked(
    text_step("note", key="note", text=_question, parse=_parse), key="note", prefix=P
)


async def save(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    action, case_id, note, to = draft["action"], int(draft["case"]), draft.get("note"), draft["to"]
    kw = {"actor": who.access, "case_id": case_id, "note": note, **card.kw(context)}
    calls = {
        STATION: (
            lambda uow: cs.refer_to_station(uow, to_station=to, **kw),
            _("✅ Referred; the other station has been told."),
        ),
        AGENCY: (
            lambda uow: cs.refer_to_agency(uow, agency_code=to, **kw),
            _("✅ The referral is recorded; add its outcome when you know it."),
        ),
        CLOSE: (lambda uow: cs.close(uow, **kw), _("✅ The case is closed.")),
    }
    call, done = calls[action]

    async def invalid(problem: InvalidValue) -> str | int:
        if problem.field == "note":
            raise Reask(None, step="note")
        await card.say_refusal(update, who, problem)
        return END

    return await card.saved(update, context, who, call, done, invalid)


FLOW = Flow("casenote", P, (NOTE,), begin, save,
            entry_patterns=(r"^cs:(rs|ra):\d+:\w+$", r"^cs:close:\d+$"),
            allowed=card.case_staff)  # fmt: skip
