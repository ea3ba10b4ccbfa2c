"""/request: a resident asks their station for help, in seven steps, all choices as buttons.

1. station (the last one used first) · 2. service · 3. for whom, and their age group ·
4. a description in their own words · 5. a phone number (share-contact button or typed) ·
6. preferred time, and urgency (urgent shows the emergency numbers at once) · 7. summary with
Confirm / Edit / Cancel. Back and Cancel on every step. The first time, the privacy notice and
the separate cross-border consent come before step 1 (`handlers/consent.py`).

Entry: `/request`, the menu's `menu:request`, and `req:start:<service>` (the knowledge base's
"request this service" button), which starts with that service chosen. The draft lives in
`user_data["request"]` (JSON only) with its own id, which is the request's `client_token`: a
second Confirm, even after a restart, finds the request the first one made. State diagram:
`service_request.mmd`.
"""

from __future__ import annotations

import uuid
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.kit import consent, consent_steps
from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.i18n import Gettext
from handlers.kit.keyboards import choices, markup, nav_row, station_buttons
from handlers.kit.prompts import (
    back_from_phone,
    draft_in,
    phone_kept,
    phone_noted,
    phone_problem,
    pressed_code,
    read_phone,
    say_cancelled,
    show,
    show_prompt,
    typed_a_command,
)
from handlers.people.start import send_menu
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
from services import requests
from services.consent import ConsentRequired
from services.errors import InvalidValue, NotAllowed
from services.requests import AGE_GROUPS_FOR, FOR_WHOM, MAX_DESCRIPTION, PREFERRED_TIMES

DRAFT = "request"
P = "req"
END = ConversationHandler.END

CONSENT_PI, CONSENT_XB = consent_steps.CONSENT_PI, consent_steps.CONSENT_XB
STATION, SERVICE, FOR_WHOM_STEP, AGE = "station", "service", "for_whom", "age"
DESCRIPTION, PHONE, TIME, URGENCY = "description", "phone", "time", "urgency"
CONFIRM, EDIT = "confirm", "edit"
ORDER = (STATION, SERVICE, FOR_WHOM_STEP, AGE, DESCRIPTION, PHONE, TIME, URGENCY, CONFIRM)
STEP_NUMBER = {
    STATION: 1, SERVICE: 2, FOR_WHOM_STEP: 3, AGE: 3, DESCRIPTION: 4, PHONE: 5, TIME: 6,
    URGENCY: 6, CONFIRM: 7,
}  # fmt: skip
# What each step fills in; the summary is shown only once all are there.
FIELD_OF = {
    STATION: "station", SERVICE: "service", FOR_WHOM_STEP: "for_whom", AGE: "age",
    DESCRIPTION: "description", PHONE: "phone", TIME: "time", URGENCY: "urgent",
}  # fmt: skip
EDITABLE = (STATION, SERVICE, FOR_WHOM_STEP, DESCRIPTION, PHONE, TIME, URGENCY)


def _draft(context: Context) -> dict[str, Any]:
    return draft_in(context, DRAFT)


def _first_missing(draft: dict[str, Any]) -> str | None:
    for state in ORDER[:-1]:
        if draft.get(FIELD_OF[state]) is None:
            return state
    if draft["age"] not in AGE_GROUPS_FOR.get(draft["for_whom"], ()):
        return AGE
    return None


def _heading(_: Gettext, state: str, title: str) -> str:
    step = _("Step {n} of 7").format(n=STEP_NUMBER[state])
    return f"<b>{step} · {title}</b>"


def emergency_text(_: Gettext) -> str:
    return _(
        "🔴 If anyone is in danger right now, please call at once: 110 (police), 120 "
        "(ambulance), or 12355 (youth hotline, for children and young people)."
    )


def summary(_: Gettext, context: Context, who: Speaker, draft: dict[str, Any]) -> str:
    data = context.bot_data
    lang = who.lang
    lines = [
        _heading(_, CONFIRM, _("Please check your request")),
        "",
        _("Station: {station}").format(
            station=escape(station_name(data.knowledge, draft["station"], lang))
        ),
        _("Service: {service}").format(
            service=escape(data.knowledge.services.name(draft["service"], lang))
        ),
        _("For: {who}, {age}").format(
            who=label(_, FOR_WHOM_LABELS, draft["for_whom"]),
            age=label(_, AGE_LABELS, draft["age"]),
        ),
        _("Description: {text}").format(text=escape(draft["description"])),
        _("Phone: {phone}").format(phone=phone_text(draft["phone"])),
        _("Preferred time: {time}").format(time=label(_, TIME_LABELS, draft["time"])),
        _("Urgent: {answer}").format(answer=_("🔴 Yes") if draft["urgent"] else _("No")),
        "",
        _("Is everything right?"),
    ]
    return "\n".join(lines)


def _step(
    _: Gettext, context: Context, who: Speaker, state: str, draft: dict[str, Any]
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of one step."""
    data = context.bot_data
    lang = who.lang
    nav = nav_row(_, P)
    if state == CONSENT_PI:
        return consent.personal_info_notice(_, consent.REQUEST), consent.personal_info_markup(_, P)
    if state == CONSENT_XB:
        return consent.cross_border_notice(_), consent.cross_border_markup(_, P)
    if state == STATION:
        text = (
            _heading(_, state, _("Which station should help you?"))
            + "\n"
            + _("Choose the social work station of your town or street.")
        )
        rows = station_buttons(
            data.knowledge.stations.stations, lang, f"{P}:st", first=draft.get("last_station")
        )
        return text, markup(rows, nav_row(_, P, back=bool(draft.get("editing"))))
    if state == SERVICE:
        lines = [_heading(_, state, _("What kind of help do you need?"))]
        colon = "：" if lang.startswith("zh") else ": "
        for service in data.knowledge.services.services:
            lines.append(
                f"• <b>{escape(service.name(lang))}</b>{colon}{escape(service.description(lang))}"
            )
        rows = choices(
            ((s.name(lang), f"{P}:svc:{s.code}") for s in data.knowledge.services.services),
            per_row=1,
        )
        return "\n".join(lines), markup(rows, nav)
    if state == FOR_WHOM_STEP:
        text = _heading(_, state, _("Who is the help for?"))
        rows = choices(
            ((label(_, FOR_WHOM_LABELS, code), f"{P}:who:{code}") for code in FOR_WHOM),
            per_row=3,
        )
        return text, markup(rows, nav)
    if state == AGE:
        question = {
            "myself": _("How old are you?"),
            "family": _("How old is your family member?"),
            "child": _("How old is the child?"),
        }.get(draft.get("for_whom") or "", _("How old is the person?"))
        groups = AGE_GROUPS_FOR.get(draft.get("for_whom") or "", ())
        rows = choices((label(_, AGE_LABELS, code), f"{P}:age:{code}") for code in groups)
        return _heading(_, state, question), markup(rows, nav)
    if state == DESCRIPTION:
        text = (
            _heading(_, state, _("What is the situation?"))
            + "\n"
            + _(
                "Please describe in your own words what help is needed, in up to 1000 characters. "
                "For example: «My mother is 82 and lives alone; she needs someone to help with "
                "shopping twice a week.»"
            )
        )
        extra = []
        if draft.get("long_description"):
            trim = _("✂️ Keep the first 1000 characters")
            extra.append([InlineKeyboardButton(trim, callback_data=f"{P}:trim")])
        if draft.get("description"):
            keep = _("Keep: {text}").format(text=excerpt(draft["description"], 24))
            extra.append([InlineKeyboardButton(keep, callback_data=f"{P}:keep")])
        return text, markup(extra, nav)
    if state == PHONE:
        text = (
            _heading(_, state, _("Your phone number"))
            + "\n"
            + _(
                "So that the social worker can call you. Press «📱 Share my phone number» at the "
                "bottom, or type it, for example 138 0013 8000 or 0579-8000 0001."
            )
        )
        extra = []
        if draft.get("phone"):
            keep = _("Keep: {phone}").format(phone=phone_text(draft["phone"]))
            extra.append([InlineKeyboardButton(keep, callback_data=f"{P}:keep")])
        return text, markup(extra, nav)
    if state == TIME:
        text = _heading(_, state, _("When does it suit you best?"))
        rows = choices(
            (label(_, TIME_LABELS, code), f"{P}:time:{code}") for code in PREFERRED_TIMES
        )
        return text, markup(rows, nav)
    if state == URGENCY:
        text = (
            _heading(_, state, _("Is it urgent?"))
            + "\n"
            + _("Urgent means that someone's safety or health is at risk now.")
        )
        rows = [
            [InlineKeyboardButton(_("🔴 Yes, it is urgent"), callback_data=f"{P}:urg:yes")],
            [InlineKeyboardButton(_("Not urgent"), callback_data=f"{P}:urg:no")],
        ]
        return text, markup(rows, nav)
    if state == CONFIRM:
        rows = [
            [InlineKeyboardButton(_("✅ Confirm and send"), callback_data=f"{P}:confirm")],
            [InlineKeyboardButton(_("✏️ Edit"), callback_data=f"{P}:edit")],
        ]
        return summary(_, context, who, draft), markup(rows, nav)
    # EDIT
    names = {
        STATION: _("Station"), SERVICE: _("Service"), FOR_WHOM_STEP: _("For whom and age"),
        DESCRIPTION: _("Description"), PHONE: _("Phone"), TIME: _("Preferred time"),
        URGENCY: _("Urgency"),
    }  # fmt: skip
    rows = choices((names[s], f"{P}:ed:{s}") for s in EDITABLE)
    return _("What would you like to change?"), markup(rows, nav)


async def show_step(
    update: Update,
    context: Context,
    who: Speaker,
    state: str,
    *,
    new: bool = False,
    note: str | None = None,
    answered: bool = False,
) -> str:
    """Show `state` (the summary only when nothing is missing) and remember where we are."""
    draft = _draft(context)
    if state == CONFIRM:
        state = _first_missing(draft) or CONFIRM
    draft["state"] = state
    _ = who.gettext
    text, buttons = _step(_, context, who, state, draft)
    await show_prompt(
        update, _, text, buttons, phone_step=state == PHONE, note=note, new=new, answered=answered
    )
    return state


async def _advance(update: Update, context: Context, who: Speaker, done: str, **kw: Any) -> str:
    """After `done` is answered: the next step, or back to the summary when editing."""
    draft = _draft(context)
    if draft.get("editing") and done != FOR_WHOM_STEP:
        draft["editing"] = False
        return await show_step(update, context, who, CONFIRM, **kw)
    following = ORDER[ORDER.index(done) + 1]
    if following == SERVICE and draft.get("preset") and draft.get("service"):
        following = FOR_WHOM_STEP
    return await show_step(update, context, who, following, **kw)


# --- entry and consent -------------------------------------------------------------------


async def start_request(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    data = context.bot_data
    query = update.callback_query
    preset = None
    if query is not None and query.data and query.data.startswith(f"{P}:start:"):
        code = query.data.rsplit(":", 1)[1]
        preset = code if code in data.knowledge.services else None
    async with data.uow() as uow:
        last = await requests.last_station(uow, person_id=who.access.person_id)
    assert context.user_data is not None
    context.user_data[DRAFT] = {
        "id": uuid.uuid4().hex,
        "last_station": last,
        "service": preset,
        "preset": preset is not None,
    }
    # The FAQ answer that carried the button stays readable: the request starts below it.
    new = query is None or (query.data or "").startswith(f"{P}:start:")
    if not await consent.is_given(context, who):
        return await show_step(update, context, who, CONSENT_PI, new=new)
    return await show_step(update, context, who, STATION, new=new)


async def consent_answer(update: Update, context: Context) -> str | int:
    return await consent_steps.personal_info_answered(update, context, DRAFT, show_step)


async def cross_border_answer(update: Update, context: Context) -> str | int:
    return await consent_steps.cross_border_answered(
        update, context, DRAFT, show_step, _after_consent
    )


async def _after_consent(update: Update, context: Context, who: Speaker) -> str:
    return await show_step(update, context, who, STATION)


# --- the steps ---------------------------------------------------------------------------


async def station_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    code = pressed_code(update)
    if code not in data.knowledge.stations:
        return await show_step(update, context, who, STATION)
    try:
        async with data.uow() as uow:
            await requests.check_open_limit(
                uow,
                resident_id=who.access.person_id,
                station_code=code,
                open_limit=data.knowledge.request_rules.open_request_limit,
            )
    except requests.OpenLimitReached as reached:
        note = limit_text(_, context, who, code, reached.limit)
        return await show_step(update, context, who, STATION, note=note)
    _draft(context)["station"] = code
    return await _advance(update, context, who, STATION)


def limit_text(_: Gettext, context: Context, who: Speaker, station: str, limit: int) -> str:
    return "⚠️ " + _(
        "You already have {limit} open requests at {station}. Please wait until one of them "
        "is finished, or cancel one in /myrequests, before sending another there."
    ).format(
        limit=limit, station=escape(station_name(context.bot_data.knowledge, station, who.lang))
    )


async def service_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    code = pressed_code(update)
    if code not in context.bot_data.knowledge.services:
        return await show_step(update, context, who, SERVICE)
    _draft(context)["service"] = code
    return await _advance(update, context, who, SERVICE)


async def for_whom_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    code = pressed_code(update)
    if code not in FOR_WHOM:
        return await show_step(update, context, who, FOR_WHOM_STEP)
    draft = _draft(context)
    draft["for_whom"] = code
    if draft.get("age") not in AGE_GROUPS_FOR[code]:
        draft["age"] = None
    return await _advance(update, context, who, FOR_WHOM_STEP)


async def age_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    code = pressed_code(update)
    draft = _draft(context)
    if code not in AGE_GROUPS_FOR.get(draft.get("for_whom") or "", ()):
        return await show_step(update, context, who, AGE)
    draft["age"] = code
    return await _advance(update, context, who, AGE)


async def description_typed(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    draft = _draft(context)
    if not text.strip():
        return await show_step(update, context, who, DESCRIPTION, new=True)
    if len(text) > MAX_DESCRIPTION:
        draft["long_description"] = (
            text  # kept, so pressing "use the first 1000" loses nothing typed
        )
        note = _(
            "Your description has {count} characters; I can pass on at most 1000. Please send a "
            "shorter one, or keep the first 1000 characters."
        ).format(count=len(text))
        return await show_step(update, context, who, DESCRIPTION, new=True, note=note)
    draft["description"] = text
    draft.pop("long_description", None)
    return await _advance(update, context, who, DESCRIPTION, new=True)


async def description_trimmed(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    draft = _draft(context)
    long_text = draft.pop("long_description", None)
    if not long_text:
        return await show_step(update, context, who, DESCRIPTION)
    draft["description"] = long_text[:MAX_DESCRIPTION]
    return await _advance(update, context, who, DESCRIPTION)


async def keep(update: Update, context: Context) -> str:
    """Keep what the step already holds (after Back, or when editing something else)."""
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", DESCRIPTION)
    if state not in (DESCRIPTION, PHONE) or not draft.get(FIELD_OF[state]):
        return await show_step(update, context, who, state)
    if state == PHONE:
        await phone_kept(update, _, draft["phone"])
        return await _advance(update, context, who, PHONE, new=True, answered=True)
    return await _advance(update, context, who, state)


async def phone_given(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    try:
        phone = read_phone(update.effective_message)
    except InvalidValue as problem:
        return await show_step(
            update, context, who, PHONE, new=True, note=phone_problem(_, problem)
        )
    _draft(context)["phone"] = phone
    await phone_noted(update, _, phone)
    return await _advance(update, context, who, PHONE, new=True)


async def time_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    code = pressed_code(update)
    if code not in PREFERRED_TIMES:
        return await show_step(update, context, who, TIME)
    _draft(context)["time"] = code
    return await _advance(update, context, who, TIME)


async def urgency_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    urgent = pressed_code(update) == "yes"
    _draft(context)["urgent"] = urgent
    if urgent:
        # The numbers first, in a message of their own that stays in the chat.
        await show(
            update,
            emergency_text(_) + "\n\n" + _("Your request will still be sent, marked urgent."),
        )
        return await _advance(update, context, who, URGENCY, new=True, answered=True)
    return await _advance(update, context, who, URGENCY)


async def edit_menu(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    return await show_step(update, context, who, EDIT)


async def edit_field(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    state = pressed_code(update)
    if state not in EDITABLE:
        return await show_step(update, context, who, EDIT)
    _draft(context)["editing"] = True
    return await show_step(update, context, who, state)


async def back(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", STATION)
    if state == EDIT or draft.get("editing"):
        draft["editing"] = False
        target = CONFIRM
    elif state in ORDER and ORDER.index(state) > 0:
        target = ORDER[ORDER.index(state) - 1]
    else:
        target = STATION
    if state == PHONE:
        await back_from_phone(update, _)
        return await show_step(update, context, who, target, new=True, answered=True)
    return await show_step(update, context, who, target)


async def confirm(update: Update, context: Context) -> str | int:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    draft = _draft(context)
    missing = _first_missing(draft)
    if missing is not None or "id" not in draft:
        return await show_step(update, context, who, missing or STATION)
    try:
        async with data.uow() as uow:
            submitted = await requests.submit(
                uow,
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
            )
    except requests.OpenLimitReached as reached:
        note = limit_text(_, context, who, draft["station"], reached.limit)
        return await show_step(update, context, who, CONFIRM, note=note)
    except ConsentRequired:
        return await show_step(update, context, who, CONSENT_PI)
    except InvalidValue as problem:
        note = "⚠️ " + _("Part of your request can no longer be used; please check it.")
        target = {"station": STATION, "service": SERVICE, "phone": PHONE}.get(
            problem.field, CONFIRM
        )
        if target != CONFIRM:
            draft["editing"] = True
        return await show_step(update, context, who, target, note=note)
    except NotAllowed:
        assert context.user_data is not None
        context.user_data.pop(DRAFT, None)
        await show(update, _("This request cannot be sent. Please start again with /request."))
        return END
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    await show(update, sent_text(_, context, who, submitted.request, submitted.created))
    if submitted.created:
        await request_notices.new_request(context, submitted)
    return END


def sent_text(
    _: Gettext, context: Context, who: Speaker, view: requests.RequestView, created: bool
) -> str:
    station = escape(station_name(context.bot_data.knowledge, view.station_code, who.lang))
    ref = f"<b>{escape(view.ref)}</b>"
    if not created:
        return _("This request was already sent: its reference is {ref}.").format(ref=ref)
    parts = [
        _("✅ Thank you! Your request has been sent to {station}.").format(station=station),
        _("Your reference: {ref}").format(ref=ref),
        _(
            "What happens next: a social worker of the station will accept it and contact you "
            "at {phone}. I will tell you here when it is accepted and when it is done; "
            "/myrequests shows where it stands."
        ).format(phone=phone_text(view.phone)),
    ]
    if view.urgent:
        parts.append(emergency_text(_))
    return "\n\n".join(parts)


# --- leaving, and whatever does not fit -----------------------------------------------------


async def cancel(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    assert context.user_data is not None
    draft = context.user_data.pop(DRAFT, None) or {}
    await say_cancelled(update, _, phone_step=draft.get("state") == PHONE)
    await send_menu(update, context, who)
    return END


async def already_requesting(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    note = _("You are already in the middle of a request. Here is where we were; or press Cancel.")
    state = _draft(context).get("state", STATION)
    return await show_step(update, context, who, state, new=True, note=note)


async def reask(update: Update, context: Context) -> str:
    """Anything the current step cannot use: say so gently and ask again."""
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", STATION)
    if "id" not in draft:  # the draft is gone (e.g. erased): start cleanly
        return await start_request(update, context)
    if typed_a_command(update):
        note = _(
            "You are in the middle of a request. Please answer the question below, or press "
            "Cancel to stop."
        )
    elif state == DESCRIPTION:
        note = _(
            "I can only pass on text here, not photos, stickers or voice messages. Please type "
            "in a few words what help is needed."
        )
    elif state == PHONE:
        note = phone_problem(_, InvalidValue("phone", "kind"))
    else:
        note = _("Please choose one of the buttons below.")
    return await show_step(update, context, who, state, new=True, note=note)


def conversation() -> ConversationHandler:  # type: ignore[type-arg]
    def cb(callback: Any, pattern: str) -> CallbackQueryHandler:  # type: ignore[type-arg]
        return CallbackQueryHandler(callback, pattern=pattern)

    nav = [cb(back, rf"^{P}:back$")]
    return ConversationHandler(
        name="service_request",
        persistent=True,
        entry_points=[
            CommandHandler("request", start_request),
            cb(start_request, r"^menu:request$"),
            cb(start_request, rf"^{P}:start:(\w+)$"),
        ],
        states={
            CONSENT_PI: [cb(consent_answer, rf"^{P}:cons:(yes|no)$")],
            CONSENT_XB: [cb(cross_border_answer, rf"^{P}:xb:(yes|no|back)$")],
            STATION: [cb(station_chosen, rf"^{P}:st:(\w+)$"), *nav],
            SERVICE: [cb(service_chosen, rf"^{P}:svc:(\w+)$"), *nav],
            FOR_WHOM_STEP: [cb(for_whom_chosen, rf"^{P}:who:(\w+)$"), *nav],
            AGE: [cb(age_chosen, rf"^{P}:age:(\w+)$"), *nav],
            DESCRIPTION: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, description_typed),
                cb(description_trimmed, rf"^{P}:trim$"),
                cb(keep, rf"^{P}:keep$"),
                *nav,
            ],
            PHONE: [
                MessageHandler((filters.TEXT & ~filters.COMMAND) | filters.CONTACT, phone_given),
                cb(keep, rf"^{P}:keep$"),
                *nav,
            ],
            TIME: [cb(time_chosen, rf"^{P}:time:(\w+)$"), *nav],
            URGENCY: [cb(urgency_chosen, rf"^{P}:urg:(yes|no)$"), *nav],
            CONFIRM: [cb(confirm, rf"^{P}:confirm$"), cb(edit_menu, rf"^{P}:edit$"), *nav],
            EDIT: [cb(edit_field, rf"^{P}:ed:(\w+)$"), *nav],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            cb(cancel, rf"^{P}:cancel$"),
            cb(already_requesting, rf"^(menu:request|{P}:start:\w+)$"),
            MessageHandler(filters.ALL, reask),
        ],
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(conversation())
