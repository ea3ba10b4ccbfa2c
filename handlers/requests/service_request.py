"""/request: a resident asks their station for help, in seven steps, all choices as buttons.

1. station (the last one used first) · 2. service · 3. for whom, and their age group ·
4. a description in their own words · 5. a phone number (share-contact button or typed) ·
6. preferred time, and urgency (urgent shows the emergency numbers at once) · 7. summary with
Confirm / Edit / Cancel. The first time, the privacy notice and the separate cross-border
consent come before step 1 (the kit's consent sub-flow).

A kit `Flow` (`handlers/kit/__init__.py`): the steps below, then one confirm (`submit`) that
calls `services.requests.submit`. Entry: `/request`, the menu's `menu:request`, and
`req:start:<service>` (the knowledge base's "request this service" button), which starts with
that service chosen. The states keep the names the earlier release persisted (the
ConversationHandler "service_request", the draft in `user_data["request"]`), so a person
mid-way continues where they were. The draft has its own id, the request's `client_token`: a
second Confirm, even after a restart, finds the request the first one made. After the commit
the station's notices go into the delivery ledger before the resident is answered, and the
consumed draft ends the conversation cleanly. State diagram: `service_request.mmd`.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application

from handlers.kit import consent
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    BUTTON,
    END,
    TEXT,
    Draft,
    Flow,
    Outcome,
    Reask,
    Screen,
    Step,
    no_is,
    reask_text,
    yes_is,
)
from handlers.kit.i18n import N_, Gettext
from handlers.kit.keyboards import choices, station_buttons
from handlers.kit.screen import show, show_surely
from handlers.kit.steps import choice_step, forget_preset, offered, phone_step, preset_station
from handlers.requests import request_notices
from handlers.requests.request_labels import (
    AGE_LABELS,
    FOR_WHOM_LABELS,
    TIME_LABELS,
    excerpt,
    label,
    phone_text,
    station_name,
)
from knowledge.matcher import SMALL_TALK, has_words
from services import reach, requests
from services.consent import ConsentRequired
from services.errors import InvalidValue, NotAllowed
from services.requests import AGE_GROUPS_FOR, FOR_WHOM, MAX_DESCRIPTION, PREFERRED_TIMES

DRAFT = "request"
P = "req"

CONSENT_PI, CONSENT_XB = "consent_pi", "consent_xb"
STATION, SERVICE, FOR_WHOM_STEP, AGE = "station", "service", "for_whom", "age"
DESCRIPTION, PHONE, TIME, URGENCY = "description", "phone", "time", "urgency"
CONFIRM, EDIT = "confirm", "edit"
STEP_NUMBER = {
    STATION: 1, SERVICE: 2, FOR_WHOM_STEP: 3, AGE: 3, DESCRIPTION: 4, PHONE: 5, TIME: 6,
    URGENCY: 6, CONFIRM: 7,
}  # fmt: skip
# What each step fills in; the summary is sent only once all are there.
FIELD_OF = {
    STATION: "station", SERVICE: "service", FOR_WHOM_STEP: "for_whom", AGE: "age",
    DESCRIPTION: "description", PHONE: "phone", TIME: "time", URGENCY: "urgent",
}  # fmt: skip
EDITABLE = (STATION, SERVICE, FOR_WHOM_STEP, DESCRIPTION, PHONE, TIME, URGENCY)


def heading(_: Gettext, step: str, title: str, explained: str | None = None) -> str:
    """ "Step n of 7 · title" in bold, and the step's explanation on the next line."""
    number = _("Step {n} of 7").format(n=STEP_NUMBER[step])
    bold = f"<b>{number} · {title}</b>"
    return bold if explained is None else bold + "\n" + explained


def first_missing(draft: Draft) -> str | None:
    for step, field in FIELD_OF.items():
        if draft.get(field) is None:
            return step
    if draft["age"] not in AGE_GROUPS_FOR.get(draft["for_whom"], ()):
        return AGE
    return None


def emergency_text(_: Gettext) -> str:
    return _(
        "🔴 If anyone is in danger right now, please call at once: 110 (police), 120 "
        "(ambulance), or 12355 (youth hotline, for children and young people)."
    )


def limit_text(_: Gettext, context: Context, who: Speaker, station: str, limit: int) -> str:
    return "⚠️ " + _(
        "You already have {limit} open requests at {station}. Please wait until one of them "
        "is finished, or cancel one in /myrequests, before sending another there."
    ).format(
        limit=limit, station=escape(station_name(context.bot_data.knowledge, station, who.lang))
    )


async def open_limit_reached(context: Context, who: Speaker, station: str) -> int | None:
    """The open-request limit, when one more request at `station` would pass it."""
    data = context.bot_data
    try:
        await data.use_case(
            requests.check_open_limit,
            resident_id=who.access.person_id,
            station_code=station,
            open_limit=data.knowledge.request_rules.open_request_limit,
        )
    except requests.OpenLimitReached as reached:
        return reached.limit
    return None


# --- entry ---------------------------------------------------------------------------------


async def begin(update: Update, context: Context, who: Speaker) -> Draft:
    data = context.bot_data
    press = context.press(update)
    preset = None
    if press is not None and press.prefix == P and press.kind == "start":
        code = press.arg() or ""
        preset = code if code in data.knowledge.services else None
        # The FAQ answer that carried the button stays readable: the request starts below it.
        assert update.callback_query is not None
        await update.callback_query.answer()
        context.anew = True
    station = preset_station(context)  # a poster's link: the station step is skipped
    if station is not None and await open_limit_reached(context, who, station):
        station = None  # the station step says why when it is chosen
    last = await data.use_case(requests.last_station, person_id=who.access.person_id)
    return {
        "id": uuid.uuid4().hex,
        "last_station": last,
        "service": preset,
        "preset": preset is not None,
        "station": station,
        "station_preset": station is not None,
        consent.NEEDS_CONSENT: await consent.needs_consent(context, who),
    }


def station_asked(draft: Draft) -> bool:
    """The station step applies unless a poster's link chose the station (Edit still opens it)."""
    return not draft.get("station_preset")


def service_asked(draft: Draft) -> bool:
    """The service step applies unless both came with the start: the knowledge base's
    "request this service" button at a poster's station (Back from for whom shows it)."""
    return not (draft.get("preset") and draft.get("station_preset"))


# --- the steps -----------------------------------------------------------------------------


def _station(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    title = _("Which station should help you?")
    text = heading(_, STATION, title, _("Choose the social work station of your town or street."))
    stations = context.bot_data.knowledge.stations.stations
    rows = station_buttons(stations, who.lang, f"{P}:st", first=draft.get("last_station"))
    return Screen(text, rows)


async def _station_chosen(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = offered(press.arg(), context.bot_data.knowledge.stations)
    limit = await open_limit_reached(context, who, code)
    if limit is not None:
        raise Reask(limit_text(who.gettext, context, who, code, limit))
    draft["station"] = code
    if draft.pop("preset", False) and draft.get("service") and not draft.get("_edit"):
        return FOR_WHOM_STEP  # the service came with the button; Back still shows it
    return None


def _service_text(_: Gettext, context: Context, who: Speaker, draft: Draft) -> str:
    lang = who.lang
    lines = [heading(_, SERVICE, _("What kind of help do you need?"))]
    if draft.get("station_preset") and draft.get("station"):
        station = station_name(context.bot_data.knowledge, draft["station"], lang)
        lines.append(
            _("Station: {station} (from the poster; you can change it on the summary).").format(
                station=escape(station)
            )
        )
    if draft.get("description"):
        lines.append(
            _("Kept as your description: “{text}”").format(
                text=escape(excerpt(draft["description"], 60))
            )
        )
    colon = "：" if lang.startswith("zh") else ": "
    for service in context.bot_data.knowledge.services.services:
        lines.append(
            f"• <b>{escape(service.name(lang))}</b>{colon}{escape(service.description(lang))}"
        )
    return "\n".join(lines)


def named_service(context: Context, text: str) -> str | None:
    """The one service whose name (in any language) the text contains, if exactly one does:
    "我需要精神慰藉" names emotional support; "想有人来家里看看" names none ("other" never)."""
    folded = text.casefold()
    found = {
        service.code
        for service in context.bot_data.knowledge.services.services
        if service.code != "other"
        and any(service.name(lang).casefold() in folded for lang in ("zh", "en"))
    }
    return found.pop() if len(found) == 1 else None


async def _service_typed(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    """Text typed instead of a service button describes the need: it is kept as the
    description (after any kept before), and the choice is shown again under a note; a service
    it clearly names is chosen for the person."""
    _ = who.gettext
    typed = text.strip()
    # "2" for the second button, a stray "？", a "你好" or "好的": nothing about the need
    courtesy = context.bot_data.knowledge.faq.match(typed).rule == SMALL_TALK
    if not has_words(typed) or courtesy:
        raise Reask(reask_text(_, BUTTON))
    earlier = draft.get("description")
    kept = f"{earlier}\n{typed}" if earlier and typed not in earlier else typed
    if len(kept) > MAX_DESCRIPTION:
        draft["long_description"] = kept  # the description step offers to keep the first 1000
    else:
        draft["description"] = kept
        draft.pop("long_description", None)
    service = named_service(context, typed)
    if service is None:
        raise Reask(
            _(
                "I have kept what you wrote as the description of your request. Now please "
                "choose the kind of help below; if none fits, choose “{other}”."
            ).format(other=escape(context.bot_data.knowledge.services.name("other", who.lang)))
        )
    draft["service"] = service
    name = escape(context.bot_data.knowledge.services.name(service, who.lang))
    note = _(
        "I have chosen “{service}” from what you wrote and kept it as the description; you "
        "can change both on the summary."
    ).format(service=name)
    target = CONFIRM if draft.pop("_edit", False) else FOR_WHOM_STEP
    raise Reask(note, target)


def _for_whom_chosen(context: Context, who: Speaker, draft: Draft, value: str) -> Outcome:
    draft.pop("preset", None)  # Back from here shows the service step again
    if draft.get("age") not in AGE_GROUPS_FOR[value]:
        draft["age"] = None
    return AGE  # the age group always follows, also when editing


def _age_text(_: Gettext, context: Context, who: Speaker, draft: Draft) -> str:
    question = {
        "myself": _("How old are you?"),
        "family": _("How old is your family member?"),
        "child": _("How old is the child?"),
    }.get(draft.get("for_whom") or "", _("How old is the person?"))
    return heading(_, AGE, question)


def _description(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    text = heading(
        _,
        DESCRIPTION,
        _("What is the situation?"),
        _(
            "Please describe in your own words what help is needed, in up to 1000 characters. "
            "For example: “My mother is 82 and lives alone; she needs someone to help with "
            "shopping twice a week.”"
        ),
    )
    rows = []
    if draft.get("long_description"):
        trim = _("✂️ Keep the first 1000 characters")
        rows.append([InlineKeyboardButton(trim, callback_data=encode(P, "trim"))])
    if draft.get("description"):
        keep = _("Keep: {text}").format(text=excerpt(draft["description"], 24))
        rows.append([InlineKeyboardButton(keep, callback_data=encode(P, "keep"))])
    return Screen(text, rows)


async def _description_typed(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    if not text.strip():
        raise Reask(None)
    if len(text) > MAX_DESCRIPTION:
        draft["long_description"] = text  # kept, so "keep the first 1000" loses nothing typed
        raise Reask(
            who.gettext(
                "Your description has {count} characters; I can pass on at most 1000. Please "
                "send a shorter one, or keep the first 1000 characters."
            ).format(count=len(text))
        )
    draft["description"] = text
    draft.pop("long_description", None)
    return None


async def _description_trimmed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    long_text = draft.pop("long_description", None)
    if not long_text:
        raise Reask(None)
    draft["description"] = long_text[:MAX_DESCRIPTION]
    return None


async def _description_kept(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    if not draft.get("description"):
        raise Reask(None)
    return None


def _phone_text(_: Gettext, context: Context, who: Speaker, draft: Draft) -> str:
    return heading(
        _,
        PHONE,
        _("Your phone number"),
        _(
            "So that the social worker can call you. Press “📱 Share my phone number” at the "
            "bottom, or type it, for example 138 0013 8000 or 0579-8712 3456."
        ),
    )


def _urgency(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    why = _("Urgent means that someone's safety or health is at risk now.")
    text = heading(_, URGENCY, _("Is it urgent?"), why)
    rows = [
        [InlineKeyboardButton(_("🔴 Yes, it is urgent"), callback_data=encode(P, "urg", "yes"))],
        [InlineKeyboardButton(_("Not urgent"), callback_data=encode(P, "urg", "no"))],
    ]
    return Screen(text, rows)


async def _urgency_chosen(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    answer = offered(press.arg(), ("yes", "no"))
    draft["urgent"] = answer == "yes"
    if draft["urgent"]:
        # The numbers first, in a message of their own that stays in the chat.
        _ = who.gettext
        await show(
            update,
            emergency_text(_) + "\n\n" + _("Your request will still be sent, marked urgent."),
        )
        context.anew = True
    return None


def summary(_: Gettext, context: Context, who: Speaker, draft: Draft) -> str:
    knowledge = context.bot_data.knowledge
    lang = who.lang

    def shown(value: str | None) -> str:
        return "–" if value is None else value

    station, service = draft.get("station"), draft.get("service")
    lines = [
        heading(_, CONFIRM, _("Please check your request")),
        "",
        _("Station: {station}").format(
            station=escape(shown(station and station_name(knowledge, station, lang)))
        ),
        _("Service: {service}").format(
            service=escape(shown(service and knowledge.services.name(service, lang)))
        ),
        _("For: {who}, {age}").format(
            who=label(_, FOR_WHOM_LABELS, draft.get("for_whom") or ""),
            age=label(_, AGE_LABELS, draft.get("age") or ""),
        ),
        _("Description: {text}").format(text=escape(shown(draft.get("description")))),
        _("Phone: {phone}").format(phone=phone_text(draft.get("phone") or "")),
        _("Preferred time: {time}").format(time=label(_, TIME_LABELS, draft.get("time") or "")),
        _("Urgent: {answer}").format(answer=_("🔴 Yes") if draft.get("urgent") else _("No")),
        "",
        _("Is everything right?"),
    ]
    return "\n".join(lines)


def _confirm(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    rows = [
        [InlineKeyboardButton(_("✅ Confirm and send"), callback_data=encode(P, "confirm"))],
        [InlineKeyboardButton(_("✏️ Edit"), callback_data=encode(P, "edit"))],
    ]
    return Screen(summary(_, context, who, draft), rows)


async def _confirmed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    return None  # the last step: the Flow calls `submit`


async def _edit_asked(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    return EDIT


def _edit(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    names = {
        STATION: _("Station"), SERVICE: _("Service"), FOR_WHOM_STEP: _("For whom and age"),
        DESCRIPTION: _("Description"), PHONE: _("Phone"), TIME: _("Preferred time"),
        URGENCY: _("Urgency"),
    }  # fmt: skip
    rows = choices((names[s], encode(P, "ed", s)) for s in EDITABLE)
    return Screen(_("What would you like to change?"), rows)


async def _edit_chosen(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    target = offered(press.arg(), EDITABLE)
    draft["_edit"] = True  # the Flow comes back to the summary after it
    return target


def _never(draft: Draft) -> bool:
    return False  # reached only by the summary's Edit button


STEPS = (
    *consent.consent_steps(prefix=P, purpose=consent.REQUEST),
    Step(STATION, _station, {"st": _station_chosen}, back=False, applies_when=station_asked),
    replace(
        choice_step(
            SERVICE,
            prefix=P,
            key="service",
            kind="svc",
            per_row=1,
            text=_service_text,
            options=lambda c, w, d: [
                (s.name(w.lang), s.code) for s in c.bot_data.knowledge.services.services
            ],
            applies_when=service_asked,
        ),
        on_text=_service_typed,  # still a button step (expects BUTTON): see the kit's flow
        keeps_typed=True,
    ),
    choice_step(
        FOR_WHOM_STEP,
        prefix=P,
        key="for_whom",
        kind="who",
        per_row=3,
        text=lambda _, c, w, d: heading(_, FOR_WHOM_STEP, _("Who is the help for?")),
        options=lambda c, w, d: [(label(w.gettext, FOR_WHOM_LABELS, x), x) for x in FOR_WHOM],
        chosen=_for_whom_chosen,
    ),
    choice_step(
        AGE,
        prefix=P,
        key="age",
        text=_age_text,
        options=lambda c, w, d: [
            (label(w.gettext, AGE_LABELS, x), x)
            for x in AGE_GROUPS_FOR.get(d.get("for_whom") or "", ())
        ],
    ),
    Step(
        DESCRIPTION,
        _description,
        {"trim": _description_trimmed, "keep": _description_kept},
        on_text=_description_typed,
        expects=TEXT,
    ),
    phone_step(PHONE, prefix=P, text=_phone_text),
    choice_step(
        TIME,
        prefix=P,
        key="time",
        text=lambda _, c, w, d: heading(_, TIME, _("When does it suit you best?")),
        options=lambda c, w, d: [(label(w.gettext, TIME_LABELS, x), x) for x in PREFERRED_TIMES],
    ),
    Step(
        URGENCY,
        _urgency,
        {"urg": _urgency_chosen},
        typed_no=no_is(encode(P, "urg", "no")),
        typed_yes=yes_is(encode(P, "urg", "yes")),
    ),
    Step(CONFIRM, _confirm, {"confirm": _confirmed, "edit": _edit_asked}),
    Step(EDIT, _edit, {"ed": _edit_chosen}, applies_when=_never),
)


# --- the one confirm -----------------------------------------------------------------------


async def submit(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """Confirm: `services.requests.submit`; then the station's notices into the ledger, the
    resident's answer, and the notices out through the outbox, in that order."""
    _ = who.gettext
    data = context.bot_data
    missing = first_missing(draft)
    if missing is not None:
        return missing
    try:
        submitted = await data.use_case(
            requests.submit,
            resident_id=who.access.person_id,
            station_code=draft["station"],
            service_code=draft["service"],
            for_whom=draft["for_whom"],
            age_group=draft["age"],
            description=draft["description"],
            phone=draft["phone"],
            preferred_time=draft["time"],
            urgent=bool(draft["urgent"]),
            client_token=draft["id"],
            known_services=data.knowledge.services.codes,
            open_limit=data.knowledge.request_rules.open_request_limit,
            now=data.clock.now(),
            urgent_services=data.knowledge.services.urgent_codes,
            admin_tg_ids=data.admin_ids,
        )
    except requests.OpenLimitReached as reached:
        raise Reask(limit_text(_, context, who, draft["station"], reached.limit)) from reached
    except ConsentRequired:
        draft[consent.NEEDS_CONSENT] = True
        return CONSENT_PI
    except InvalidValue as problem:
        note = "⚠️ " + _("Part of your request can no longer be used; please check it.")
        target = {"station": STATION, "service": SERVICE, "phone": PHONE}.get(problem.field)
        if target is not None:
            draft["_edit"] = True
        raise Reask(note, target) from problem
    except NotAllowed:
        FLOW.drop(context)
        await show(update, _("This request cannot be sent. Please start again with /request."))
        return END
    # Committed: what it implies is recorded before anything can fail on the person's screen.
    keys = await request_notices.record(
        context, request_notices.new_request_notices(context, submitted)
    )
    FLOW.drop(context)  # consumed: a later press of this conversation says it has ended
    forget_preset(context)
    started = request_notices.start(context, keys)
    await show_surely(
        update,
        sent_text(
            _, context, who, submitted.request, submitted.created, group=submitted.notify_group
        ),
    )
    await request_notices.deliver(context, keys, started=started)
    return END


def next_steps_text(_: Gettext, group: str, phone: str) -> str:
    """What happens next, saying honestly who was told (services.reach's group)."""
    if group == reach.NOBODY:
        return _(
            "⚠️ Nobody at the station can be reached through this bot yet, so nobody has been "
            "told of your request here. It is kept, and the station will see it once its staff "
            "join the bot."
        )
    if group in ("station_head", "admin"):
        return _(
            "What happens next: the station has no social worker in this bot yet, so your "
            "request has gone to {who}, who will pass it on. Someone will contact you at "
            "{phone}. I will tell you here when it is accepted and when it is done; "
            "/myrequests shows where it stands."
        ).format(
            who=_("the head of the station") if group == "station_head" else _("the bureau"),
            phone=phone,
        )
    return _(
        "What happens next: a social worker of the station will accept it and contact you "
        "at {phone}. I will tell you here when it is accepted and when it is done; "
        "/myrequests shows where it stands."
    ).format(phone=phone)


def sent_text(
    _: Gettext,
    context: Context,
    who: Speaker,
    view: requests.RequestView,
    created: bool,
    *,
    group: str = "worker",
) -> str:
    station = escape(station_name(context.bot_data.knowledge, view.station_code, who.lang))
    ref = f"<b>{escape(view.ref)}</b>"
    if not created:
        return _("This request was already sent: its reference is {ref}.").format(ref=ref)
    parts = [
        _("✅ Thank you! Your request has been sent to {station}.").format(station=station)
        if group != reach.NOBODY
        else _("Your request to {station} is recorded.").format(station=station),
        _("Your reference: {ref}").format(ref=ref),
        next_steps_text(_, group, phone_text(view.phone)),
    ]
    if group == reach.NOBODY:
        parts.append(
            consent.station_phone(_, context.bot_data.knowledge, who.lang, view.station_code)
        )
    if view.urgent:
        parts.append(emergency_text(_))
    return "\n\n".join(p for p in parts if p)


BUSY = N_(
    "You are in the middle of a request. Please answer the question below, or press Cancel to stop."
)


ENDED = N_("This request has already ended. To make a new one, send /request.")


FLOW = Flow("service_request", P, STEPS, begin, submit, draft_key=DRAFT, command="request",
            entry_patterns=(rf"^{P}:start:\w+$",), summary=CONFIRM, busy=BUSY, ended=ENDED)  # fmt: skip


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(FLOW.conversation())
