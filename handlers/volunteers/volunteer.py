"""/volunteer: sign up as a volunteer of a station; later, see the status or withdraw.

Age group first: a child under 14 is told that a parent or guardian registers children with the
station, and nothing at all is stored (no consent row either: a child that young cannot give it,
PIPL art. 31). Then the privacy notice and the cross-border consent (once), name, phone, for
14–17 a guardian's name and phone, station, skills (toggles), availability (toggles), party
membership (adults), and a summary to confirm. The application waits (`pending`) until a
worker or the head of that station approves or declines it; the person is told.

Entry: `/volunteer` and `menu:volunteer`. With a pending or approved application, it shows the
status and a Withdraw button (`vs:wd:<id>`) instead. Draft: `user_data["volunteer"]`.
State diagram: `volunteer.mmd`.
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
    AVAILABILITY_LABELS,
    PARTY_LABELS,
    VOLUNTEER_AGE_LABELS,
    VOLUNTEER_STATUS_LABELS,
    application_card,
    excerpt,
    join_list,
    label,
    phone_text,
    station_name,
)
from services import requests, volunteers
from services.consent import ConsentRequired
from services.errors import InvalidValue, NotFound
from services.volunteers import AGE_GROUPS, AVAILABILITY, CHILD, MINOR, PARTY_MEMBER

DRAFT = "volunteer"
P = "vol"
END = ConversationHandler.END

AGE = "age"
CONSENT_PI, CONSENT_XB = consent_steps.CONSENT_PI, consent_steps.CONSENT_XB
NAME, PHONE, GUARDIAN_NAME, GUARDIAN_PHONE = "name", "phone", "guardian_name", "guardian_phone"
STATION, SKILLS, AVAILABILITY_STEP, PARTY, CONFIRM = (
    "station",
    "skills",
    "availability",
    "party",
    "confirm",
)
PHONE_STEPS = (PHONE, GUARDIAN_PHONE)
TEXT_STEPS = (NAME, GUARDIAN_NAME)


def _draft(context: Context) -> dict[str, Any]:
    return draft_in(context, DRAFT)


def _sequence(draft: dict[str, Any]) -> list[str]:
    """The steps for this applicant: guardians for 14–17, party membership for adults."""
    steps = [AGE, NAME, PHONE]
    if draft.get("age") == MINOR:
        steps += [GUARDIAN_NAME, GUARDIAN_PHONE]
    steps += [STATION, SKILLS, AVAILABILITY_STEP]
    if draft.get("age") != MINOR:
        steps.append(PARTY)
    return [*steps, CONFIRM]


def _toggles(
    options: list[tuple[str, str]], chosen: list[str], prefix: str
) -> list[list[InlineKeyboardButton]]:
    return choices(
        ((("☑️ " if code in chosen else "◻️ ") + name, f"{prefix}:{code}") for code, name in options)
    )


def _step(
    _: Gettext, context: Context, who: Speaker, state: str, draft: dict[str, Any]
) -> tuple[str, InlineKeyboardMarkup]:
    data = context.bot_data
    lang = who.lang
    nav = nav_row(_, P)
    if state == AGE:
        text = "<b>" + _("Thank you for wanting to help!") + "</b>\n" + _("How old are you?")
        rows = choices(
            (label(_, VOLUNTEER_AGE_LABELS, code), f"{P}:age:{code}") for code in AGE_GROUPS
        )
        return text, markup(rows, nav_row(_, P, back=False))
    if state == CONSENT_PI:
        return (
            consent.personal_info_notice(_, consent.VOLUNTEER),
            consent.personal_info_markup(_, P),
        )
    if state == CONSENT_XB:
        return consent.cross_border_notice(_), consent.cross_border_markup(_, P)
    if state in TEXT_STEPS:
        if state == NAME:
            text = (
                "<b>"
                + _("Your name")
                + "</b>\n"
                + _("Please type your name as the station should know you (up to 64 characters).")
            )
        else:
            text = (
                "<b>"
                + _("Your guardian")
                + "</b>\n"
                + _(
                    "Volunteers aged 14–17 need a parent or guardian's agreement. Please type the "
                    "name of your parent or guardian."
                )
            )
        extra = []
        if draft.get(state):
            keep = _("Keep: {text}").format(text=excerpt(draft[state], 24))
            extra.append([InlineKeyboardButton(keep, callback_data=f"{P}:keep")])
        return text, markup(extra, nav)
    if state in PHONE_STEPS:
        title = _("Your phone number") if state == PHONE else _("Your guardian's phone number")
        text = (
            "<b>"
            + title
            + "</b>\n"
            + _(
                "Press «📱 Share my phone number» at the bottom, or type the number, for example "
                "138 0013 8000 or 0579-8000 0001."
            )
        )
        if state == GUARDIAN_PHONE:
            text = (
                "<b>"
                + title
                + "</b>\n"
                + _(
                    "Please type your parent's or guardian's number, for example 138 0013 8000 or "
                    "0579-8000 0001."
                )
            )
        extra = []
        if draft.get(state):
            keep = _("Keep: {phone}").format(phone=phone_text(draft[state]))
            extra.append([InlineKeyboardButton(keep, callback_data=f"{P}:keep")])
        return text, markup(extra, nav)
    if state == STATION:
        text = "<b>" + _("Which station would you like to help?") + "</b>"
        rows = station_buttons(
            data.knowledge.stations.stations, lang, f"{P}:st", first=draft.get("last_station")
        )
        return text, markup(rows, nav)
    if state == SKILLS:
        text = (
            "<b>"
            + _("What can you offer?")
            + "</b>\n"
            + _("Choose all that apply, then press Done.")
        )
        options = [(s.code, s.name(lang)) for s in data.knowledge.volunteer_skills.skills]
        rows = _toggles(options, draft.get("skills") or [], f"{P}:sk")
        done = [InlineKeyboardButton(_("Done ›"), callback_data=f"{P}:skd")]
        return text, markup(rows, done, nav)
    if state == AVAILABILITY_STEP:
        text = (
            "<b>"
            + _("When are you usually free?")
            + "</b>\n"
            + _("Choose all that apply, then press Done.")
        )
        options = [(code, label(_, AVAILABILITY_LABELS, code)) for code in AVAILABILITY]
        rows = _toggles(options, draft.get("availability") or [], f"{P}:av")
        done = [InlineKeyboardButton(_("Done ›"), callback_data=f"{P}:avd")]
        return text, markup(rows, done, nav)
    if state == PARTY:
        text = (
            "<b>"
            + _("Are you a member of the Communist Party of China?")
            + "</b>\n"
            + _("Stations organise party-member volunteer teams; you may prefer not to say.")
        )
        rows = choices(
            ((label(_, PARTY_LABELS, code), f"{P}:party:{code}") for code in PARTY_MEMBER),
            per_row=3,
        )
        return text, markup(rows, nav)
    # CONFIRM
    skills = join_list(
        lang, (data.knowledge.volunteer_skills.name(s, lang) for s in draft["skills"])
    )
    times = join_list(lang, (label(_, AVAILABILITY_LABELS, a) for a in draft["availability"]))
    lines = [
        "<b>" + _("Please check your application") + "</b>",
        "",
        _("Name: {name}").format(name=escape(draft["name"])),
        _("Phone: {phone}").format(phone=phone_text(draft["phone"])),
    ]
    if draft.get("age") == MINOR:
        lines.append(
            _("Guardian: {name}, {phone}").format(
                name=escape(draft["guardian_name"]), phone=phone_text(draft["guardian_phone"])
            )
        )
    lines += [
        _("Station: {station}").format(
            station=escape(station_name(data.knowledge, draft["station"], lang))
        ),
        _("Skills: {skills}").format(skills=escape(skills)),
        _("Available: {times}").format(times=times),
        _("Age group: {age}").format(age=label(_, VOLUNTEER_AGE_LABELS, draft["age"])),
    ]
    if draft.get("age") != MINOR:
        lines.append(
            _("Party member: {answer}").format(answer=label(_, PARTY_LABELS, draft["party"]))
        )
    lines += ["", _("Send it to the station?")]
    rows = [[InlineKeyboardButton(_("✅ Send my application"), callback_data=f"{P}:confirm")]]
    return "\n".join(lines), markup(rows, nav)


def _first_missing(draft: dict[str, Any]) -> str | None:
    for state in _sequence(draft)[:-1]:
        value = draft.get(state)
        if value is None or value == []:
            return state
    return None


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
    steps = _sequence(_draft(context))
    following = steps[steps.index(done) + 1] if done in steps else CONFIRM
    return await show_step(update, context, who, following, **kw)


# --- entry, status, withdrawal -------------------------------------------------------------


async def start_volunteer(update: Update, context: Context) -> str | int:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        current = await volunteers.current(uow, person_id=who.access.person_id)
        last = await requests.last_station(uow, person_id=who.access.person_id)
    new = update.callback_query is None
    if current is not None and current.status in volunteers.ACTIVE_STATUSES:
        await _show_status(update, context, who, current, new=new)
        return END
    assert context.user_data is not None
    context.user_data[DRAFT] = {
        "id": uuid.uuid4().hex,
        "last_station": last,
        "skills": [],
        "availability": [],
    }
    note = None
    if current is not None:
        note = _("Your earlier application: {status}. You are welcome to apply again.").format(
            status=label(_, VOLUNTEER_STATUS_LABELS, current.status)
        )
    return await show_step(update, context, who, AGE, new=new, note=note)


async def _show_status(
    update: Update,
    context: Context,
    who: Speaker,
    view: volunteers.ApplicationView,
    *,
    new: bool = False,
) -> None:
    _ = who.gettext
    data = context.bot_data
    card = application_card(_, data.knowledge, who.lang, data.clock.zone, view, for_staff=False)
    buttons = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Withdraw my application"), callback_data=f"vs:wd:{view.id}")]]
    )
    await show(update, card, buttons, new=new)


async def withdraw_asked(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    application_id = query.data.rsplit(":", 1)[1]
    await show(
        update,
        _(
            "Withdraw your volunteer application? The station will no longer count on you; you "
            "can apply again at any time."
        ),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("Yes, withdraw"), callback_data=f"vs:wdy:{application_id}"
                    ),
                    InlineKeyboardButton(_("No, keep it"), callback_data="vs:keep"),
                ]
            ]
        ),
    )


async def withdraw_confirmed(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    query = update.callback_query
    assert query is not None and query.data is not None
    last = query.data.rsplit(":", 1)[1]
    try:
        async with data.uow() as uow:
            await volunteers.withdraw(
                uow,
                application_id=int(last) if last.isdigit() else -1,
                person_id=who.access.person_id,
                now=data.clock.now(),
            )
    except volunteers.AlreadyDecided as decided:
        await show(
            update,
            _("Your application is already {status}; nothing was changed.").format(
                status=label(_, VOLUNTEER_STATUS_LABELS, decided.status)
            ),
        )
        return
    except NotFound:
        await query.answer(
            _("This button has expired. Please start again from the menu."), show_alert=True
        )
        return
    await show(
        update,
        _("Your application is withdrawn. Thank you for your goodwill; /volunteer to apply again."),
    )


async def withdraw_kept(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    async with context.bot_data.uow() as uow:
        current = await volunteers.current(uow, person_id=who.access.person_id)
    if current is None:
        await show(update, _("Nothing was changed."))
        return
    await _show_status(update, context, who, current)


# --- the steps ---------------------------------------------------------------------------


async def age_chosen(update: Update, context: Context) -> str | int:
    who = await speaker(update, context)
    _ = who.gettext
    code = pressed_code(update)
    if code not in AGE_GROUPS:
        return await show_step(update, context, who, AGE)
    if code == CHILD:
        assert context.user_data is not None
        context.user_data.pop(DRAFT, None)  # store nothing for a child under 14
        await show(
            update,
            _(
                "Thank you so much for wanting to help! Children under 14 join the station's "
                "activities through a parent or guardian: please ask them to register you at "
                "the station, or to call it. Nothing has been saved here."
            ),
        )
        return END
    draft = _draft(context)
    draft["age"] = code
    if not await consent.is_given(context, who):
        return await show_step(update, context, who, CONSENT_PI)
    return await _advance(update, context, who, AGE)


async def consent_answer(update: Update, context: Context) -> str | int:
    return await consent_steps.personal_info_answered(update, context, DRAFT, show_step)


async def cross_border_answer(update: Update, context: Context) -> str | int:
    return await consent_steps.cross_border_answered(
        update, context, DRAFT, show_step, _after_consent
    )


async def _after_consent(update: Update, context: Context, who: Speaker) -> str:
    return await _advance(update, context, who, AGE)


async def text_typed(update: Update, context: Context) -> str:
    """A name (the applicant's or the guardian's)."""
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", NAME)
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    try:
        volunteers.check_name(text)
    except InvalidValue as problem:
        note = (
            _("That is {count} characters; a name can have at most 64.").format(count=len(text))
            if problem.reason == "too_long"
            else _("Please type a name.")
        )
        return await show_step(update, context, who, state, new=True, note=note)
    draft[state] = text
    return await _advance(update, context, who, state, new=True)


async def phone_given(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", PHONE)
    try:
        phone = read_phone(update.effective_message)
    except InvalidValue as problem:
        return await show_step(
            update, context, who, state, new=True, note=phone_problem(_, problem)
        )
    draft[state] = phone
    if state == PHONE:
        await phone_noted(update, _, phone)
    return await _advance(update, context, who, state, new=True)


async def keep(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", NAME)
    if state not in (*TEXT_STEPS, *PHONE_STEPS) or not draft.get(state):
        return await show_step(update, context, who, state)
    if state == PHONE:
        await phone_kept(update, _, draft[state])
        return await _advance(update, context, who, state, new=True, answered=True)
    return await _advance(update, context, who, state)


async def station_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    code = pressed_code(update)
    if code not in context.bot_data.knowledge.stations:
        return await show_step(update, context, who, STATION)
    _draft(context)["station"] = code
    return await _advance(update, context, who, STATION)


async def _toggle(update: Update, context: Context, key: str, state: str, known: set[str]) -> str:
    who = await speaker(update, context)
    code = pressed_code(update)
    draft = _draft(context)
    chosen: list[str] = list(draft.get(key) or [])
    if code in known:
        if code in chosen:
            chosen.remove(code)
        else:
            chosen.append(code)
        draft[key] = chosen
    return await show_step(update, context, who, state)


async def skill_toggled(update: Update, context: Context) -> str:
    known = set(context.bot_data.knowledge.volunteer_skills.codes)
    return await _toggle(update, context, "skills", SKILLS, known)


async def availability_toggled(update: Update, context: Context) -> str:
    return await _toggle(update, context, "availability", AVAILABILITY_STEP, set(AVAILABILITY))


async def toggles_done(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", SKILLS)
    key = "skills" if state == SKILLS else "availability"
    if not draft.get(key):
        query = update.callback_query
        assert query is not None
        await query.answer(_("Please choose at least one."), show_alert=True)
        return state
    return await _advance(update, context, who, state)


async def party_chosen(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    code = pressed_code(update)
    if code not in PARTY_MEMBER:
        return await show_step(update, context, who, PARTY)
    _draft(context)["party"] = code
    return await _advance(update, context, who, PARTY)


async def back(update: Update, context: Context) -> str:
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    state = draft.get("state", AGE)
    steps = _sequence(draft)
    target = steps[steps.index(state) - 1] if state in steps and steps.index(state) > 0 else AGE
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
        return await show_step(update, context, who, missing or AGE)
    try:
        async with data.uow() as uow:
            applied = await volunteers.apply(
                uow,
                person_id=who.access.person_id,
                station_code=draft["station"],
                name=draft["name"],
                phone=draft["phone"],
                skills=draft["skills"],
                availability=draft["availability"],
                age_group=draft["age"],
                party_member=draft.get("party") or volunteers.PARTY_NOT_ASKED,
                guardian_name=draft.get("guardian_name"),
                guardian_phone=draft.get("guardian_phone"),
                known_skills=data.knowledge.volunteer_skills.codes,
                client_token=draft["id"],
                now=data.clock.now(),
            )
    except ConsentRequired:
        return await show_step(update, context, who, CONSENT_PI)
    except volunteers.AlreadyApplied:
        assert context.user_data is not None
        context.user_data.pop(DRAFT, None)
        async with data.uow() as uow:
            current = await volunteers.current(uow, person_id=who.access.person_id)
        if current is not None:
            await _show_status(update, context, who, current)
        return END
    except InvalidValue as problem:
        target = {
            "station": STATION, "skills": SKILLS, "name": NAME, "phone": PHONE,
            "guardian_name": GUARDIAN_NAME, "guardian": GUARDIAN_NAME,
        }.get(problem.field, CONFIRM)  # fmt: skip
        note = "⚠️ " + _("Part of your application can no longer be used; please check it.")
        return await show_step(update, context, who, target, note=note)
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    view = applied.application
    station = escape(station_name(data.knowledge, view.station_code, who.lang))
    await show(
        update,
        _(
            "✅ Thank you, {name}! Your application has gone to {station}. A social worker will "
            "review it and I will tell you the decision here; /volunteer shows its status."
        ).format(name=escape(view.name or ""), station=station),
    )
    if applied.created:
        await request_notices.new_application(context, applied)
    return END


async def cancel(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    assert context.user_data is not None
    draft = context.user_data.pop(DRAFT, None) or {}
    await say_cancelled(update, _, phone_step=draft.get("state") == PHONE)
    await send_menu(update, context, who)
    return END


async def reask(update: Update, context: Context) -> str | int:
    who = await speaker(update, context)
    _ = who.gettext
    draft = _draft(context)
    if "id" not in draft:
        return await start_volunteer(update, context)
    state = draft.get("state", AGE)
    if typed_a_command(update):
        note = _(
            "You are in the middle of a volunteer application. Please answer the question "
            "below, or press Cancel to stop."
        )
    elif state in TEXT_STEPS:
        note = _("Please type the name as text.")
    elif state in PHONE_STEPS:
        note = phone_problem(_, InvalidValue("phone", "kind"))
    else:
        note = _("Please choose one of the buttons below.")
    return await show_step(update, context, who, state, new=True, note=note)


def conversation() -> ConversationHandler:  # type: ignore[type-arg]
    def cb(callback: Any, pattern: str) -> CallbackQueryHandler:  # type: ignore[type-arg]
        return CallbackQueryHandler(callback, pattern=pattern)

    nav = [cb(back, rf"^{P}:back$")]
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        name="volunteer",
        persistent=True,
        entry_points=[
            CommandHandler("volunteer", start_volunteer),
            cb(start_volunteer, r"^menu:volunteer$"),
        ],
        states={
            AGE: [cb(age_chosen, rf"^{P}:age:(\w+)$")],
            CONSENT_PI: [cb(consent_answer, rf"^{P}:cons:(yes|no)$")],
            CONSENT_XB: [cb(cross_border_answer, rf"^{P}:xb:(yes|no|back)$")],
            NAME: [MessageHandler(text, text_typed), cb(keep, rf"^{P}:keep$"), *nav],
            PHONE: [
                MessageHandler(text | filters.CONTACT, phone_given),
                cb(keep, rf"^{P}:keep$"),
                *nav,
            ],
            GUARDIAN_NAME: [MessageHandler(text, text_typed), cb(keep, rf"^{P}:keep$"), *nav],
            GUARDIAN_PHONE: [
                MessageHandler(text | filters.CONTACT, phone_given),
                cb(keep, rf"^{P}:keep$"),
                *nav,
            ],
            STATION: [cb(station_chosen, rf"^{P}:st:(\w+)$"), *nav],
            SKILLS: [
                cb(skill_toggled, rf"^{P}:sk:(\w+)$"),
                cb(toggles_done, rf"^{P}:skd$"),
                *nav,
            ],
            AVAILABILITY_STEP: [
                cb(availability_toggled, rf"^{P}:av:(\w+)$"),
                cb(toggles_done, rf"^{P}:avd$"),
                *nav,
            ],
            PARTY: [cb(party_chosen, rf"^{P}:party:(\w+)$"), *nav],
            CONFIRM: [cb(confirm, rf"^{P}:confirm$"), *nav],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            cb(cancel, rf"^{P}:cancel$"),
            MessageHandler(filters.ALL, reask),
        ],
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(conversation())
    app.add_handler(CallbackQueryHandler(withdraw_asked, pattern=r"^vs:wd:\d+$"))
    app.add_handler(CallbackQueryHandler(withdraw_confirmed, pattern=r"^vs:wdy:\d+$"))
    app.add_handler(CallbackQueryHandler(withdraw_kept, pattern=r"^vs:keep$"))
