"""Opening a case: «📁 Open as a case» on a request (`cs:fromrq:<id>`), or «➕ New case» in
/cases (`cs:new`, also `/newcase`). A kit `Flow` (diagram: `open_case.mmd`):

    from a request: name (only when the request has none) → groups → risk → summary
    directly:       station (with several) → name → age group → groups → address → risk
                    → the verbal consent → summary

Save calls `services.cases.open_case` once (the draft's token makes a second Save find the
first case) and shows the case card.
"""

from __future__ import annotations

import uuid
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.cases import card
from handlers.cases import person_steps as person
from handlers.cases.file_request import file_button, offer_text
from handlers.kit.callbacks import encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, Draft, Flow, Outcome
from handlers.kit.i18n import N_, Gettext
from handlers.kit.screen import show
from handlers.kit.steps import choice_step, confirm_step, toggles_step
from handlers.requests import AGE_LABELS
from services import cases as cs
from services import consent, walk_ins
from services import requests as rq
from services.errors import InvalidValue, NotAllowed, NotFound

P = "oc"


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    _ = who.gettext
    stations = person.stations_of(who)
    if not stations:
        await show(update, person.refusal(who))
        return None
    draft: Draft = {"token": uuid.uuid4().hex, "groups": []}
    press = context.press(update)
    if press is not None and press.kind == "fromrq":
        request_id = press.int_arg() or 0
        try:
            async with context.bot_data.uow() as uow:
                request = await rq.detail(uow, request_id=request_id, actor=who.access)
                walk_in = await walk_ins.walk_in_for(uow, request_id=request_id, actor=who.access)
                existing = await cs.case_for_request(uow, actor=who.access, request_id=request_id)
        except (NotFound, NotAllowed):
            await show(update, card.refused_text(_))
            return None
        if existing is not None:
            await show(
                update,
                _("Request {ref} already has an open case: {number}.").format(
                    ref=escape(request.ref), number=escape(existing.number)
                ),
                InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                _("📁 Open the case"),
                                callback_data=encode("cs", "open", existing.id),
                            )
                        ]
                    ]
                ),
            )
            return None
        draft.update(
            request_id=request.id,
            request_ref=request.ref,
            station=request.station_code,
            age=request.age_group,
            name=walk_in.resident_name if walk_in else None,
            address=walk_in.address if walk_in else None,
            village=walk_in.village if walk_in else None,
            ask_name=not (walk_in and walk_in.resident_name),
        )
        return draft
    draft.update(direct=True, ask_name=True, several=len(stations) > 1)
    if len(stations) == 1:
        draft["station"] = stations[0]
    return draft


def _direct(draft: Draft) -> bool:
    return bool(draft.get("direct"))


def summary(context: Context, who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    catalog = context.bot_data.knowledge.cases
    groups = {g.code: g.name(who.lang) for g in context.bot_data.knowledge.served_groups}
    risk = next((r.name(who.lang) for r in catalog.risk_levels if r.code == draft.get("risk")), "")
    lines = ["<b>" + _("A new case. Please check, then save:") + "</b>"]
    if draft.get("request_ref"):
        lines.append(_("From request {ref}").format(ref=escape(draft["request_ref"])))
    lines += [
        _("Station: {station}").format(
            station=escape(card.station_name(context, who, draft.get("station")))
        ),
        _("Person served: {name}").format(name=escape(draft.get("name") or "")),
        _("Age group: {age}").format(age=_(AGE_LABELS.get(draft.get("age") or "", ""))),
        _("Groups: {groups}").format(
            groups=escape("、".join(groups.get(g, g) for g in draft.get("groups", [])))
        ),
        _("Address: {address}").format(address=escape(draft.get("address") or "—")),
        _("Risk: {risk}").format(risk=escape(risk)),
    ]
    if draft.get("village"):  # a walk-in's, from /register (kept on the request)
        lines.insert(
            -2, _("Village or community: {village}").format(village=escape(draft["village"]))
        )
    return "\n".join(lines)


def _edits(_: Gettext, draft: Draft) -> list[tuple[str, str]]:
    edits = [(_("Name"), "name")] if draft.get("ask_name") else []
    if _direct(draft):
        edits += [(_("Age group"), "age"), (_("Address"), "address")]
    return [*edits, (_("Groups"), "groups"), (_("Risk"), "risk")]


STEPS = (
    person.station(P, lambda _, c, w, d: _("📁 At which station do you open the case?")),
    person.typed(
        "name",
        prefix=P,
        limit=cs.MAX_NAME,
        text=lambda _, c, w, d: _("👤 The name of the person served?"),
        applies_when=lambda d: bool(d.get("ask_name")),
    ),
    person.age(P, lambda _, c, w, d: _("How old is the person served?"), applies_when=_direct),
    toggles_step(
        "groups",
        prefix=P,
        text=lambda _, c, w, d: _("Which groups does the person belong to? Tick all that apply."),
        options=lambda c, w, d: [
            (g.name(w.lang), g.code) for g in c.bot_data.knowledge.served_groups
        ],
        done_label=lambda _: _("Done"),
    ),
    person.typed(
        "address",
        prefix=P,
        limit=cs.MAX_ADDRESS,
        text=lambda _, c, w, d: _(
            "🏠 The address for home visits (up to 300 characters), or skip it."
        ),
        skip=True,
        applies_when=_direct,
    ),
    choice_step(
        "risk",
        prefix=P,
        per_row=3,
        text=lambda _, c, w, d: _("What is the risk level?"),
        options=lambda c, w, d: [
            (r.name(w.lang), r.code) for r in c.bot_data.knowledge.cases.risk_levels
        ],
    ),
    person.consent(
        P,
        question=lambda _: _("Did the person agree?"),
        agreed=lambda _: _("☑️ The person agreed"),
        applies_when=_direct,
    ),
    confirm_step(
        "confirm",
        prefix=P,
        text=lambda _, c, w, d: summary(c, w, d),
        save_label=lambda _: _("✅ Open the case"),
        edits=_edits,
    ),
)


async def save(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    try:
        view = await data.use_case(
            cs.open_case,
            actor=who.access,
            station_code=draft.get("station", ""),
            request_id=draft.get("request_id"),
            client_name=draft.get("name"),
            age_group=draft.get("age", ""),
            groups=draft.get("groups", []),
            address=draft.get("address"),
            risk_level=draft.get("risk", ""),
            worker_id=None,
            consent_given=bool(draft.get("consent")),
            client_token=draft["token"],
            catalog=data.knowledge.cases,
            group_codes=[g.code for g in data.knowledge.served_groups],
            now=data.clock.now(),
            zone=data.clock.zone,
        )
    except consent.ConsentRequired:
        if _direct(draft):
            return "consent"
        await show(update, _("The resident's consent is no longer current, so no case was opened."))
        return END
    except cs.CaseExists as exists:
        await show(
            update,
            _("This request already has an open case: {number}.").format(
                number=escape(exists.number)
            ),
        )
        return END
    except (NotAllowed, NotFound):
        await show(update, card.refused_text(_))
        return END
    except InvalidValue as problem:
        step = {"client_name": "name", "age_group": "age", "groups": "groups", "address": "address",
                "risk_level": "risk"}.get(problem.field, "confirm")  # fmt: skip
        if step == "name" and not draft.get("ask_name"):
            draft["ask_name"] = True
        return await FLOW.ask(update, context, who, step, _("Please check this answer again."))
    note = _("✅ Case {number} is open.").format(number=escape(view.number))
    buttons = card.card_buttons(context, who, view)
    if view.request_id is not None:  # a completed request's work can go on it at once
        offered = await data.use_case(
            cs.cases_to_file, actor=who.access, request_id=view.request_id, **card.kw(context)
        )
        found = next((c for c in offered if c.id == view.id), None)
        if found is not None:
            note += "\n" + offer_text(_, found)
            buttons = InlineKeyboardMarkup(
                [[file_button(_, found, view.request_id)], *buttons.inline_keyboard]
            )
    await show(update, note + "\n\n" + card.card_text(context, who, view), buttons)
    return END


BUSY = N_("You are in the middle of opening a case. Finish it, or send /cancel.")

FLOW = Flow("opencase", P, STEPS, begin, save, commands=("newcase",),
            entry_patterns=(r"^cs:new$", r"^cs:fromrq:\d+$"), summary="confirm", busy=BUSY)  # fmt: skip
