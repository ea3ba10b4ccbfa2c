"""/volunteer: sign up as a volunteer of a station; later, see the status or withdraw.

Age group first: a child under 14 is told that a parent or guardian registers children with the
station, and nothing at all is stored (no consent row either: a child that young cannot give it,
PIPL art. 31). Then the privacy notice and the cross-border consent (once, the kit's consent
sub-flow), name, phone, for 14–17 only a guardian's name and phone, station, skills (toggles),
availability (toggles), party membership (adults), and a summary to confirm. The application
waits (`pending`) until a worker or the head of that station approves or declines it; the
person is told.

A kit `Flow` (`handlers/kit/__init__.py`): the steps below, then one confirm (`send`) that
calls `services.volunteers.apply`. Entry: `/volunteer` and `menu:volunteer`. With a pending or
approved application, it shows the status and a Withdraw button (`vs:wd:<id>`) instead. The
states and the draft (`user_data["volunteer"]`) keep the names the earlier release persisted.
State diagram: `volunteer.mmd`.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers.kit import consent
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import (
    END,
    PHONE,
    STAY,
    TEXT,
    Draft,
    Flow,
    Outcome,
    PressHandler,
    Reask,
    Rows,
    Screen,
    Step,
    TextHandler,
)
from handlers.kit.i18n import N_, Gettext
from handlers.kit.keyboards import choices, station_buttons
from handlers.kit.screen import alert, show, show_surely
from handlers.kit.steps import (
    choice_step,
    forget_preset,
    offered,
    phone_problem,
    phone_step,
    preset_station,
    toggle_label,
)
from handlers.requests import (
    AVAILABILITY_LABELS,
    PARTY_LABELS,
    VOLUNTEER_AGE_LABELS,
    VOLUNTEER_STATUS_LABELS,
    application_card,
    excerpt,
    join_list,
    label,
    new_application_notices,
    phone_text,
    record,
    station_name,
    withdrawn_notices,
)
from handlers.requests import deliver as deliver_notices
from services import reach, requests, volunteers
from services.consent import ConsentRequired
from services.errors import InvalidValue, NotFound
from services.phones import from_contact, normalise_cn_phone
from services.volunteers import AGE_GROUPS, AVAILABILITY, CHILD, MINOR, PARTY_MEMBER

DRAFT = "volunteer"
P = "vol"

AGE = "age"
NAME, PHONE_STEP, GUARDIAN_NAME, GUARDIAN_PHONE = "name", "phone", "guardian_name", "guardian_phone"
STATION, SKILLS, AVAILABILITY_STEP, PARTY, CONFIRM = (
    "station",
    "skills",
    "availability",
    "party",
    "confirm",
)


def is_minor(draft: Draft) -> bool:
    return draft.get("age") == MINOR


def is_adult(draft: Draft) -> bool:
    return draft.get("age") != MINOR


# --- one register per person: 你 for 14–17, 您 for adults (WORDING.md) ------------------------
MINOR_VOICE = "minor"  # the msgctxt of the 你 variants in the catalogues


def voiced(context: Context, who: Speaker, draft: Draft) -> Speaker:
    """`who`, speaking to a 14–17-year-old in the 你 register once the age group says so."""
    if not is_minor(draft):
        return who
    translator = context.bot_data.translator
    return Speaker(access=who.access, gettext=translator.for_language(who.lang, MINOR_VOICE))


def _voiced(step: Step) -> Step:
    """The same step, every render and handler seeing `voiced(who)`."""

    def press(handler: PressHandler) -> PressHandler:
        async def run(
            update: Update, context: Context, who: Speaker, draft: Draft, pressed: Press
        ) -> Outcome:
            return await handler(update, context, voiced(context, who, draft), draft, pressed)

        return run

    def typed(handler: TextHandler | None) -> TextHandler | None:
        if handler is None:
            return None
        inner = handler

        async def run(
            update: Update, context: Context, who: Speaker, draft: Draft, text: str
        ) -> Outcome:
            return await inner(update, context, voiced(context, who, draft), draft, text)

        return run

    render = step.render
    present, leave = step.present, step.leave

    async def presenting(
        update: Update, context: Context, who: Speaker, text: str, rows: Rows, reask: bool
    ) -> None:
        assert present is not None
        draft = context.user_data.get(DRAFT, {}) if context.user_data is not None else {}
        await present(update, context, voiced(context, who, draft), text, rows, reask)

    async def leaving(update: Update, context: Context, who: Speaker, text: str) -> None:
        assert leave is not None
        draft = context.user_data.get(DRAFT, {}) if context.user_data is not None else {}
        await leave(update, context, voiced(context, who, draft), text)

    return replace(
        step,
        render=lambda c, w, d: render(c, voiced(c, w, d), d),
        presses={kind: press(h) for kind, h in step.presses.items()},
        on_text=typed(step.on_text),
        on_contact=typed(step.on_contact),
        present=presenting if present is not None else None,
        leave=leaving if leave is not None else None,
    )


# --- entry ---------------------------------------------------------------------------------


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    data = context.bot_data
    async with data.uow() as uow:
        current = await volunteers.current(uow, person_id=who.access.person_id)
        last = await requests.last_station(uow, person_id=who.access.person_id)
    if current is not None and current.status in volunteers.ACTIVE_STATUSES:
        await _show_status(update, context, who, current, new=update.callback_query is None)
        return None
    draft: Draft = {
        "id": uuid.uuid4().hex,
        "last_station": last,
        "skills": [],
        "availability": [],
        consent.NEEDS_CONSENT: await consent.needs_consent(context, who),
    }
    station = preset_station(context)  # a poster's link: the station step is skipped
    if station is not None:
        draft.update(station=station, station_preset=True)
    if current is not None:
        draft["earlier"] = current.status
    return draft


# --- the steps -----------------------------------------------------------------------------


def _age(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    text = (
        "<b>" + _("Thank you for wanting to help!") + "</b>\n" + _("Please choose your age group:")
    )
    earlier = draft.get("earlier")
    if earlier:
        note = _("Your earlier application: {status}. You are welcome to apply again.").format(
            status=label(_, VOLUNTEER_STATUS_LABELS, earlier)
        )
        text = note + "\n\n" + text
    rows = choices(
        (label(_, VOLUNTEER_AGE_LABELS, code), encode(P, "age", code)) for code in AGE_GROUPS
    )
    return Screen(text, rows)


async def _age_chosen(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = offered(press.arg(), AGE_GROUPS)
    if code == CHILD:  # the Flow drops the draft: nothing is stored for a child under 14
        _ = who.gettext
        knowledge = context.bot_data.knowledge
        contacts = consent.station_contacts(_, knowledge, who.lang, draft.get("last_station"))
        await show(update, under_14_text(_) + "\n\n" + contacts)
        return END
    draft["age"] = code
    draft.pop("earlier", None)
    return None


def under_14_text(_: Gettext) -> str:
    return _(
        "Thank you so much for wanting to help! Children under 14 join the station's "
        "activities through a parent or guardian: please ask them to register you at "
        "the station, or to call it. Nothing has been saved here."
    )


def _name_step(name: str, title: Any, prompt: Any, applies_when: Any = None) -> Step:
    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        text = "<b>" + title(_) + "</b>\n" + prompt(_)
        rows = []
        if draft.get(name):
            keep = _("Keep: {text}").format(text=excerpt(draft[name], 24))
            rows.append([InlineKeyboardButton(keep, callback_data=encode(P, "keep"))])
        return Screen(text, rows)

    async def typed(
        update: Update, context: Context, who: Speaker, draft: Draft, text: str
    ) -> Outcome:
        _ = who.gettext
        try:
            volunteers.check_name(text)
        except InvalidValue as problem:
            raise Reask(
                _("That is {count} characters; a name can have at most 64.").format(count=len(text))
                if problem.reason == "too_long"
                else _("Please type a name.")
            ) from problem
        draft[name] = text
        return None

    async def kept(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if not draft.get(name):
            raise Reask(None)
        return None

    return Step(
        name,
        render,
        {"keep": kept},
        on_text=typed,
        expects=TEXT,
        **({"applies_when": applies_when} if applies_when else {}),
    )


# A guardian's number that is the teenager's own: the station could reach no guardian.
GUARDIAN_IS_OWN = N_(
    "That is your own number. Please type your parent's or guardian's number, so the station "
    "can reach them."
)


def _guardian_phone_step() -> Step:
    """Typed (the share-contact button would send the teenager's own number)."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        text = (
            "<b>"
            + _("Your guardian's phone number")
            + "</b>\n"
            + _(
                "Please type your parent's or guardian's number, for example 138 0013 8000 or "
                "0579-8712 3456."
            )
        )
        rows = []
        if draft.get(GUARDIAN_PHONE):
            keep = _("Keep: {phone}").format(phone=phone_text(draft[GUARDIAN_PHONE]))
            rows.append([InlineKeyboardButton(keep, callback_data=encode(P, "keep"))])
        return Screen(text, rows)

    def reading(read: Any) -> Any:
        async def given(
            update: Update, context: Context, who: Speaker, draft: Draft, value: str
        ) -> Outcome:
            try:
                phone = read(value)
            except InvalidValue as error:
                raise Reask(phone_problem(who.gettext, error.reason, share=False)) from error
            if phone == draft.get(PHONE_STEP):  # the teenager's own: nobody else to reach
                raise Reask(who.gettext(GUARDIAN_IS_OWN))
            draft[GUARDIAN_PHONE] = phone
            return None

        return given

    async def kept(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if not draft.get(GUARDIAN_PHONE):
            raise Reask(None)
        if draft[GUARDIAN_PHONE] == draft.get(PHONE_STEP):  # their own was changed to it since
            raise Reask(who.gettext(GUARDIAN_IS_OWN))
        return None

    return Step(
        GUARDIAN_PHONE,
        render,
        {"keep": kept},
        on_text=reading(normalise_cn_phone),
        on_contact=reading(from_contact),
        expects=PHONE,
        applies_when=is_minor,
    )


def _toggles_step(name: str, kind: str, done: str, title: Any, options: Any) -> Step:
    """Tick any (`vol:<kind>:<code>`, edits the message), then Done (`vol:<done>`): the
    earlier release's buttons, in the kit's one toggle style."""

    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        ticked = set(draft.get(name) or [])
        buttons = choices(
            (toggle_label(text, code in ticked), encode(P, kind, code))
            for code, text in options(context, who)
        )
        text = "<b>" + title(_) + "</b>\n" + _("Choose all that apply, then press Done.")
        finished = [InlineKeyboardButton(_("Done ›"), callback_data=encode(P, done))]
        return Screen(text, [*buttons, finished])

    async def toggled(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        code = press.arg()
        chosen = list(draft.get(name) or [])
        if code in {c for c, _ in options(context, who)}:
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
            draft[name] = chosen
        return name  # a forged code shows the same screen: Telegram is not asked to change it

    async def finished(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        if not draft.get(name):
            await alert(update, who.gettext("Please choose at least one."))
            return STAY
        return None

    return Step(name, render, {kind: toggled, done: finished})


def _skills(context: Context, who: Speaker) -> list[tuple[str, str]]:
    return [(s.code, s.name(who.lang)) for s in context.bot_data.knowledge.volunteer_skills.skills]


def _times(context: Context, who: Speaker) -> list[tuple[str, str]]:
    return [(code, label(who.gettext, AVAILABILITY_LABELS, code)) for code in AVAILABILITY]


def summary(_: Gettext, context: Context, who: Speaker, draft: Draft) -> str:
    knowledge = context.bot_data.knowledge
    lang = who.lang
    skills = join_list(lang, (knowledge.volunteer_skills.name(s, lang) for s in draft["skills"]))
    times = join_list(lang, (label(_, AVAILABILITY_LABELS, a) for a in draft["availability"]))
    lines = [
        "<b>" + _("Please check your application") + "</b>",
        "",
        _("Name: {name}").format(name=escape(draft.get("name") or "")),
        _("Phone: {phone}").format(phone=phone_text(draft.get("phone") or "")),
    ]
    if is_minor(draft):
        lines.append(
            _("Guardian: {name}, {phone}").format(
                name=escape(draft.get("guardian_name") or ""),
                phone=phone_text(draft.get("guardian_phone") or ""),
            )
        )
    lines += [
        _("Station: {station}").format(
            station=escape(station_name(knowledge, draft.get("station") or "", lang))
        ),
        _("Skills: {skills}").format(skills=escape(skills)),
        _("Available: {times}").format(times=times),
        _("Age group: {age}").format(age=label(_, VOLUNTEER_AGE_LABELS, draft.get("age") or "")),
    ]
    if is_adult(draft):
        lines.append(
            _("Party member: {answer}").format(
                answer=label(_, PARTY_LABELS, draft.get("party") or "")
            )
        )
    lines += ["", _("Send it to the station?")]
    return "\n".join(lines)


def _confirm(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    rows = [[InlineKeyboardButton(_("✅ Send my application"), callback_data=encode(P, "confirm"))]]
    if draft.get("station_preset"):  # the poster chose it: the only way to change it
        rows.append(
            [InlineKeyboardButton(_("✏️ Change the station"), callback_data=encode(P, "edst"))]
        )
    return Screen(summary(_, context, who, draft), rows)


async def _station_edit(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    draft["_edit"] = True  # the Flow comes back to the summary after it
    return STATION


def _station_asked(draft: Draft) -> bool:
    """Unless a poster's link chose the station (the summary's button still opens the step)."""
    return not draft.get("station_preset")


async def _confirmed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    return None  # the last step: the Flow calls `send`


async def _station_chosen(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = offered(press.arg(), context.bot_data.knowledge.stations)
    draft["station"] = code
    return None


STEPS = tuple(_voiced(step) for step in (
    Step(AGE, _age, {"age": _age_chosen}),
    *consent.consent_steps(prefix=P, purpose=consent.VOLUNTEER),
    _name_step(
        NAME,
        lambda _: _("Your name"),
        lambda _: _("Please type your name as the station should know you (up to 64 characters)."),
    ),
    phone_step(
        PHONE_STEP,
        prefix=P,
        text=lambda _, c, w, d: (
            "<b>"
            + _("Your phone number")
            + "</b>\n"
            + _(
                "Press “📱 Share my phone number” at the bottom, or type the number, for example "
                "138 0013 8000 or 0579-8712 3456."
            )
        ),
    ),
    _name_step(
        GUARDIAN_NAME,
        lambda _: _("Your guardian"),
        lambda _: _(
            "Volunteers aged 14–17 need a parent or guardian's agreement. Please type the "
            "name of your parent or guardian."
        ),
        applies_when=is_minor,
    ),
    _guardian_phone_step(),
    Step(
        STATION,
        lambda c, w, d: Screen(
            "<b>" + w.gettext("Which station would you like to help?") + "</b>",
            station_buttons(
                c.bot_data.knowledge.stations.stations,
                w.lang,
                f"{P}:st",
                first=d.get("last_station"),
            ),
        ),
        {"st": _station_chosen},
        applies_when=_station_asked,
    ),
    _toggles_step(SKILLS, "sk", "skd", lambda _: _("What can you offer?"), _skills),
    _toggles_step(
        AVAILABILITY_STEP, "av", "avd", lambda _: _("When are you usually free?"), _times
    ),
    choice_step(
        PARTY,
        prefix=P,
        key="party",
        per_row=3,
        text=lambda _, c, w, d: (
            "<b>"
            + _("Are you a member of the Communist Party of China?")
            + "</b>\n"
            + _("Stations organise party-member volunteer teams; you may prefer not to say.")
        ),
        options=lambda c, w, d: [(label(w.gettext, PARTY_LABELS, x), x) for x in PARTY_MEMBER],
        applies_when=is_adult,
    ),
    Step(CONFIRM, _confirm, {"confirm": _confirmed, "edst": _station_edit}),
))  # fmt: skip


def first_missing(draft: Draft) -> str | None:
    for step in STEPS[:-1]:
        if (
            step.name in (AGE, NAME, PHONE_STEP, STATION, SKILLS, AVAILABILITY_STEP)
            or (step.name in (GUARDIAN_NAME, GUARDIAN_PHONE) and is_minor(draft))
            or (step.name == PARTY and is_adult(draft))
        ):
            if draft.get(step.name) in (None, []):
                return step.name
    return None


# --- the one confirm -----------------------------------------------------------------------


async def send(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """Confirm: `services.volunteers.apply`; the station's notice after the applicant's answer."""
    who = voiced(context, who, draft)
    _ = who.gettext
    data = context.bot_data
    missing = first_missing(draft)
    if missing is not None:
        return missing
    try:
        applied = await data.use_case(
            volunteers.apply,
            person_id=who.access.person_id,
            station_code=draft["station"],
            name=draft["name"],
            phone=draft["phone"],
            skills=draft["skills"],
            availability=draft["availability"],
            age_group=draft["age"],
            party_member=draft.get("party") or volunteers.PARTY_NOT_ASKED,
            guardian_name=draft.get("guardian_name") if is_minor(draft) else None,
            guardian_phone=draft.get("guardian_phone") if is_minor(draft) else None,
            known_skills=data.knowledge.volunteer_skills.codes,
            client_token=draft["id"],
            now=data.clock.now(),
            admin_tg_ids=data.admin_ids,
        )
    except ConsentRequired:
        draft[consent.NEEDS_CONSENT] = True
        return consent.consent_steps(prefix=P, purpose=consent.VOLUNTEER)[0].name
    except volunteers.AlreadyApplied:
        FLOW.drop(context)
        current = await data.use_case(volunteers.current, person_id=who.access.person_id)
        if current is not None:
            await _show_status(update, context, who, current)
        return END
    except InvalidValue as problem:
        if problem.reason == volunteers.SAME_AS_OWN:  # their own number was edited into it
            raise Reask(_(GUARDIAN_IS_OWN), GUARDIAN_PHONE) from problem
        target = {
            "station": STATION, "skills": SKILLS, "name": NAME, "phone": PHONE_STEP,
            "guardian_name": GUARDIAN_NAME, "guardian": GUARDIAN_NAME,
            "guardian_phone": GUARDIAN_PHONE,
        }.get(problem.field)  # fmt: skip
        note = "⚠️ " + _("Part of your application can no longer be used; please check it.")
        raise Reask(note, target) from problem
    # Committed: the station's notice goes into the ledger before the applicant is answered,
    # and out through the outbox after (a crash or a failed screen neither loses nor doubles it).
    keys = await record(context, new_application_notices(context, applied))
    FLOW.drop(context)
    forget_preset(context)
    await show_surely(update, applied_text(_, context, who, applied))
    await deliver_notices(context, keys)
    return END


def applied_text(_: Gettext, context: Context, who: Speaker, applied: volunteers.Applied) -> str:
    """The thank-you, saying honestly who was told (services.reach's group)."""
    data = context.bot_data
    view = applied.application
    station = escape(station_name(data.knowledge, view.station_code, who.lang))
    name = escape(view.name or "")
    group = applied.notify_group
    if group == reach.NOBODY:
        text = _(
            "Thank you, {name}! Your application to {station} is recorded, but nobody at the "
            "station can be reached through this bot yet, so nobody has been told of it here. "
            "The station will see it once its staff join the bot; /volunteer shows its status."
        ).format(name=name, station=station)
        phone = consent.station_phone(_, data.knowledge, who.lang, view.station_code)
        return text + ("\n\n" + phone if phone else "")
    if group in ("station_head", "admin"):
        return _(
            "✅ Thank you, {name}! The station has no social worker in this bot yet, so your "
            "application has gone to {who}. I will tell you the decision here; /volunteer "
            "shows its status."
        ).format(
            name=name,
            who=_("the head of the station") if group == "station_head" else _("the bureau"),
        )
    return _(
        "✅ Thank you, {name}! Your application has gone to {station}. A social worker will "
        "review it and I will tell you the decision here; /volunteer shows its status."
    ).format(name=name, station=station)


BUSY = N_(
    "You are in the middle of a volunteer application. Please answer the question "
    "below, or press Cancel to stop."
)


ENDED = N_("This application has already ended. To apply, send /volunteer.")


FLOW = Flow("volunteer", P, STEPS, begin, send, draft_key=DRAFT, command="volunteer",
            summary=CONFIRM, busy=BUSY, ended=ENDED)  # fmt: skip


# --- status and withdrawal -----------------------------------------------------------------


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
        [
            [
                InlineKeyboardButton(
                    _("Withdraw my application"), callback_data=encode("vs", "wd", view.id)
                )
            ]
        ]
    )
    await show(update, card, buttons, new=new)


async def withdraw_asked(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    application_id = context.pressed_id(update)
    if application_id is None:
        await alert(update, _("This button has expired. Please start again from the menu."))
        return
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
                        _("Yes, withdraw"), callback_data=encode("vs", "wdy", application_id)
                    ),
                    InlineKeyboardButton(_("No, keep it"), callback_data=encode("vs", "keep")),
                ]
            ]
        ),
    )


async def withdraw_confirmed(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    try:
        application_id = context.found_id(update, "volunteer application")
        view = await data.use_case(
            volunteers.withdraw,
            application_id=application_id,
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
        await alert(update, _("This button has expired. Please start again from the menu."))
        return
    async with data.uow() as uow:  # whom to tell if its notice left before the ledger had it
        earlier = await reach.station_recipients(
            uow, station_code=view.station_code, admin_tg_ids=data.admin_ids
        )
    notices = await withdrawn_notices(context, view, fallback=[c.tg_id for c in earlier.contacts])
    keys = await record(context, notices)
    await show_surely(
        update,
        _("Your application is withdrawn. Thank you for your goodwill; /volunteer to apply again."),
    )
    await deliver_notices(context, keys)


async def withdraw_kept(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    current = await context.bot_data.use_case(volunteers.current, person_id=who.access.person_id)
    if current is None:
        await show(update, _("Nothing was changed."))
        return
    await _show_status(update, context, who, current)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(FLOW.conversation())
    app.add_handler(CallbackQueryHandler(withdraw_asked, pattern=r"^vs:wd:\d+$"))
    app.add_handler(CallbackQueryHandler(withdraw_confirmed, pattern=r"^vs:wdy:\d+$"))
    app.add_handler(CallbackQueryHandler(withdraw_kept, pattern=r"^vs:keep$"))
