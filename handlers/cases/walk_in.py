"""`/register`: a worker or head registers a request for a resident who came in or phoned.

A kit `Flow` (diagram: `walk_in.mmd`): station (only with several) → service → for whom →
age group → description → the resident's name → phone («No phone» goes on without one) →
村/社区 → address (may be skipped) → preferred time → how it came → urgent → the verbal consent,
ticked by the worker after reading the short notice out (all of it, all but the phone, which is
then dropped, or not at all, which saves nothing) → take it myself → summary with Edit → Save, one call of
`services.walk_ins.register`. Unless the worker took it, the station's staff are told through
the outbox with the same notice as a resident's /request (`handlers.requests.notify_new_request`).
The draft lives in `user_data["register"]` with a token, so a second Save saves once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.cases import person_steps as person
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    END,
    PHONE,
    Draft,
    Flow,
    Outcome,
    Reask,
    Screen,
    Step,
    typed_label,
)
from handlers.kit.i18n import N_, Gettext
from handlers.kit.screen import show
from handlers.kit.steps import before_presses, choice_step, confirm_step, station_draft
from handlers.kit.words import phone_text
from handlers.requests import AGE_LABELS, TIME_LABELS, notify_new_request
from services import consent, walk_ins
from services import requests as rq
from services.errors import InvalidValue, NotAllowed
from services.phones import normalise_cn_phone

P = "wk"
SOURCES_FOR_STAFF = ("walk_in", "phone", "outreach", "village", "agency")


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    stations = person.stations_of(who)
    if not stations:
        await show(update, person.refusal(who))
        return None
    return station_draft(stations, several="several")  # "several": as persisted drafts have it


def _station_name(context: Context, who: Speaker, code: str | None) -> str:
    station = context.bot_data.knowledge.stations.get(code or "")
    return station.name(who.lang) if station else (code or "")


def _service_name(context: Context, who: Speaker, code: str | None) -> str:
    service = next(
        (s for s in context.bot_data.knowledge.services.services if s.code == code), None
    )
    return service.name(who.lang) if service else (code or "")


def _coded(items: Sequence[Any], code: str | None, lang: str) -> str:
    found = next((i for i in items if i.code == code), None)
    return found.name(lang) if found else (code or "")


def summary(context: Context, who: Speaker, draft: Draft) -> str:
    _ = who.gettext
    catalog = context.bot_data.knowledge.cases
    yes, no = _("yes"), _("no")
    lines = [
        "<b>" + _("Please check, then save:") + "</b>",
        _("Station: {station}").format(
            station=escape(_station_name(context, who, draft.get("station")))
        ),
        _("Service: {service}").format(
            service=escape(_service_name(context, who, draft.get("service")))
        ),
        _("For: {whom}, {age}").format(
            whom=escape(_coded(catalog.for_whom, draft.get("for_whom"), who.lang)),
            age=_(AGE_LABELS.get(draft.get("age") or "", "")),
        ),
        _("Situation: {text}").format(text=escape(draft.get("description") or "")),
        _("Resident: {name}").format(name=escape(draft.get("name") or "")),
        _("Phone: {phone}").format(phone=phone_text(draft["phone"]))
        if draft.get("phone")
        else _("Phone: not given"),
        _("Village or community: {village}").format(village=escape(draft.get("village") or "")),
        _("Address: {address}").format(address=escape(draft.get("address") or "—")),
        _("Preferred time: {time}").format(time=_(TIME_LABELS.get(draft.get("time") or "", ""))),
        _("How it came: {source}").format(
            source=escape(_coded(catalog.request_sources, draft.get("source"), who.lang))
        ),
        _("Urgent: {urgent}").format(urgent=yes if draft.get("urgent") == "yes" else no),
        _("Verbal consent: {consent}").format(consent=yes if draft.get("consent") else no),
        _("I take it myself: {take}").format(take=yes if draft.get("take") == "yes" else no),
    ]
    return "\n".join(lines)


def _phone_render(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    return Screen(
        _("📞 The resident's phone number, e.g. 138 0013 8000 or 0579-8000 0001?")
        + "\n"
        + _("If they have none, or would rather not give it, press “No phone”."),
        [[InlineKeyboardButton(_("No phone"), callback_data=encode(P, "nophone"))]],
    )


# What a worker types at the phone step for «No phone» (typing it is as clear as pressing it).
NO_PHONE_WORDS = frozenset(
    {
        "没有",
        "无",
        "不留",
        "不留电话",
        "没电话",
        "没有电话",
        "跳过",
        "no",
        "none",
        "no phone",
        "skip",
    }
)


async def _no_phone(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    draft["phone"] = None
    return None


async def _phone_typed(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    _ = who.gettext
    if typed_label(text).lower().rstrip("。.!！") in NO_PHONE_WORDS:  # said, not pressed
        draft["phone"] = None
        return None
    try:
        draft["phone"] = normalise_cn_phone(text)
    except InvalidValue as error:
        if error.reason == "not_mainland":
            raise Reask(
                _("Sorry, I can only take a mainland China mobile or landline number.")
            ) from error
        raise Reask(
            _(
                "That does not look like a phone number I can use. Type it like 138 0013 8000 "
                "(mobile) or 0579-8000 0001 (landline with area code)."
            )
        ) from error
    if not person.consent_covers_phone(draft):  # agreed without a phone: ask again with it
        draft["consent"] = False
        draft[RENEWED] = True
        return "consent"
    return None


# draft: the consent is asked again because a phone was typed after it had been given without
# one; its Back then goes where the worker came from, not to the step before it (urgent).
RENEWED = "_consent_renewed"


async def _consent_back(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """Back at the consent asked again for a phone typed later: the phone is left as it was
    (none: the consent given did not cover one), the consent stands, and the worker is back
    at the summary (after Edit) or at the phone step; otherwise the step before, urgent."""
    if not draft.pop(RENEWED, False):
        draft.pop("_edit", None)  # as the Flow's own Back
        return "urgent"
    draft["phone"], draft["consent"] = None, True
    draft.pop(person.DECLINING, None)
    if draft.pop("_edit", False):
        raise Reask(who.gettext("The phone number is left as it was."), step="confirm")
    return "phone"


def _edits(_: Gettext, draft: Draft) -> list[tuple[str, str]]:
    return [
        (_("Service"), "service"),
        (_("For whom"), "for_whom"),
        (_("Age group"), "age"),
        (_("Situation"), "description"),
        (_("Name"), "name"),
        (_("Phone"), "phone"),
        (_("Village"), "village"),
        (_("Address"), "address"),
        (_("Time"), "time"),
        (_("Source"), "source"),
        (_("Urgent"), "urgent"),
        (_("Take it"), "take"),
    ]


def _yes_no(context: Context, who: Speaker, draft: Draft) -> list[tuple[str, str]]:
    return [(who.gettext("Yes"), "yes"), (who.gettext("No"), "no")]


def _with_own_back(step: Step) -> Step:
    """The consent step with `_consent_back`; once answered it is no longer the one asked
    again (a later Back there is the usual one)."""

    presses = before_presses(step, lambda draft: draft.pop(RENEWED, None), leave=("decline",))
    return replace(step, presses={**presses, "back": _consent_back})


STEPS = (
    person.station(
        P, lambda _, c, w, d: _("📋 For which station are you registering the request?")
    ),
    choice_step(
        "service",
        prefix=P,
        per_row=1,
        text=lambda _, c, w, d: _("📋 A request for a resident. Which service is it?"),
        options=lambda c, w, d: [
            (s.name(w.lang), s.code) for s in c.bot_data.knowledge.services.services
        ],
    ),
    choice_step(
        "for_whom",
        prefix=P,
        kind="who",
        text=lambda _, c, w, d: _("Whom is the help for?"),
        options=lambda c, w, d: [
            (f.name(w.lang), f.code) for f in c.bot_data.knowledge.cases.for_whom
        ],
    ),
    person.age(P, lambda _, c, w, d: _("How old is the person the help is for?")),
    person.typed(
        "description",
        prefix=P,
        limit=rq.MAX_DESCRIPTION,
        text=lambda _, c, w, d: _(
            "📝 What is the situation? Type it in a few sentences (up to 1000 characters)."
        ),
    ),
    person.typed(
        "name",
        prefix=P,
        limit=walk_ins.MAX_NAME,
        text=lambda _, c, w, d: _(
            "👤 The resident's name (as they want to be called, e.g. 刘奶奶)?"
        ),
        is_name=True,
    ),
    Step("phone", _phone_render, {"nophone": _no_phone}, on_text=_phone_typed, expects=PHONE),
    person.typed(
        "village",
        prefix=P,
        limit=walk_ins.MAX_VILLAGE,
        text=lambda _, c, w, d: _("🏘 Which village or community (村/社区) do they live in?"),
    ),
    person.typed(
        "address",
        prefix=P,
        limit=walk_ins.MAX_ADDRESS,
        text=lambda _, c, w, d: _(
            "🏠 The address for a home visit (up to 300 characters), or skip it."
        ),
        skip=True,
    ),
    choice_step(
        "time",
        prefix=P,
        text=lambda _, c, w, d: _("When does it suit the resident best?"),
        options=lambda c, w, d: [(w.gettext(TIME_LABELS[t]), t) for t in rq.PREFERRED_TIMES],
    ),
    choice_step(
        "source",
        prefix=P,
        kind="src",
        text=lambda _, c, w, d: _("How did the request come to the station?"),
        options=lambda c, w, d: [
            (s.name(w.lang), s.code)
            for s in c.bot_data.knowledge.cases.request_sources
            if s.code != walk_ins.TELEGRAM
        ],
    ),
    choice_step(
        "urgent",
        prefix=P,
        kind="urg",
        text=lambda _, c, w, d: _(
            "Is it urgent? Urgent means that someone's safety or health is at risk now."
        ),
        options=_yes_no,
    ),
    _with_own_back(
        person.consent(
            P,
            question=lambda _: _("Did the resident agree?"),
            agreed=lambda _: _("☑️ The resident agreed"),
            without_phone=lambda _: _("☑️ Agreed, not the phone"),
        )
    ),
    choice_step(
        "take",
        prefix=P,
        text=lambda _, c, w, d: _(
            "Will you take it on yourself? (No: the station's staff are told, as for a request "
            "sent by a resident.)"
        ),
        options=_yes_no,
    ),
    confirm_step(
        "confirm",
        prefix=P,
        text=lambda _, c, w, d: summary(c, w, d),
        save_label=lambda _: _("✅ Save"),
        edits=_edits,
    ),
)

FIELD_STEP = {
    "station": "station", "service": "service", "for_whom": "for_whom", "age_group": "age",
    "description": "description", "resident_name": "name", "phone": "phone",
    "village": "village", "address": "address", "preferred_time": "time", "source": "source",
}  # fmt: skip


async def save(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    try:
        registered = await data.use_case(
            walk_ins.register,
            actor=who.access,
            station_code=draft.get("station", ""),
            source=draft["source"],
            service_code=draft["service"],
            for_whom=draft["for_whom"],
            age_group=draft["age"],
            description=draft["description"],
            resident_name=draft["name"],
            phone=draft.get("phone"),
            village=draft["village"],
            address=draft.get("address"),
            preferred_time=draft["time"],
            urgent=draft.get("urgent") == "yes",
            consent_given=bool(draft.get("consent")),
            take_it=draft.get("take") == "yes",
            client_token=draft["token"],
            known_services=data.knowledge.services.codes,
            catalog=data.knowledge.cases,
            now=data.clock.now(),
        )
    except consent.ConsentRequired:
        return "consent"
    except NotAllowed:
        await show(
            update, _("You can no longer register requests for this station; nothing was saved.")
        )
        return END
    except InvalidValue as problem:
        step = FIELD_STEP.get(problem.field, "confirm")
        return await FLOW.ask(update, context, who, step, _("Please check this answer again."))
    view = registered.request
    if not registered.created:
        text = _("This request was already registered: its reference is {ref}.")
    elif registered.request.assignee_id is not None:
        text = _("✅ Registered as {ref}, and it is yours: it is in your /inbox.")
    else:
        text = _("✅ Registered as {ref}; the station's staff have been told.")
    buttons = [
        [
            InlineKeyboardButton(
                _("📁 Open as a case"), callback_data=encode("cs", "fromrq", view.id)
            )
        ],
        [InlineKeyboardButton(_("🏠 Menu"), callback_data="menu:menu")],
    ]
    await show(update, text.format(ref=f"<b>{escape(view.ref)}</b>"), InlineKeyboardMarkup(buttons))
    if registered.created and registered.notify:
        await notify_new_request(context, registered)
    return END


BUSY = N_("You are in the middle of registering a request. Finish it, or send /cancel.")

FLOW = Flow("register", P, STEPS, begin, save, command="register", summary="confirm", busy=BUSY)
