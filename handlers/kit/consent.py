"""The privacy notice before the first personal data, and withdrawing consent from /privacy.

Journeys that collect personal data (`/request`, `/volunteer`) start with two screens when the
person has not yet agreed to the current notice: what is collected, why, who sees it, how long
and their rights; then, separately (PIPL art. 39), the transfer through Telegram's servers
outside mainland China. Agreeing to both stores two consent rows; declining either stores
nothing and leaves the questions-and-answers part of the bot fully usable.

The journeys declare the two states as a sub-flow, `consent_steps(prefix=, purpose=)`: two
`Step`s of their `Flow` with the texts, the buttons (`<prefix>:cons:yes|no`,
`<prefix>:xb:yes|no|back`) and the two service calls. `/privacy`
shows a "Withdraw consent" button (`consent:withdraw`) when consent is given.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from handlers.kit.callbacks import Press
from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.flow import END, Draft, Outcome, Screen, Step
from handlers.kit.i18n import Gettext
from handlers.kit.screen import show
from knowledge.bundle import Knowledge
from services import consent

REQUEST, VOLUNTEER = "request", "volunteer"


def personal_info_notice(_: Gettext, purpose: str) -> str:
    if purpose == VOLUNTEER:
        what = _(
            "What we collect: your name, phone number, station, skills, when you are free, your "
            "age group and whether you are a party member; for volunteers aged 14–17, a "
            "guardian's name and phone number."
        )
        why = _("Why: so that your station can review your application and invite you to help.")
    else:
        what = _(
            "What we collect: the station and service you choose, for whom the help is and their "
            "age group, your description of the situation, your phone number and when it suits "
            "you."
        )
        why = _(
            "Why: so that a social worker of your station can contact you and help; the station "
            "reports only anonymous counts."
        )
    return "\n\n".join(
        [
            "<b>" + _("Before we start: your personal information") + "</b>",
            what,
            why,
            _(
                "Who sees it: only the social workers and the head of the station you choose. "
                "Supervisors and the civil affairs bureau see anonymous figures only."
            ),
            _(
                "How long: while your request or application is open and for up to 3 years "
                "after it is closed, as the station's records require; then it is erased."
            ),
            _(
                "Your rights: /mydata sends you everything we hold about you, /forget erases your "
                "personal details, and /privacy lets you withdraw this consent at any time."
            ),
            _("Do you agree that we use your information this way?"),
        ]
    )


def cross_border_notice(_: Gettext) -> str:
    return "\n\n".join(
        [
            "<b>" + _("One more consent: your messages leave mainland China") + "</b>",
            _(
                "This is a Telegram bot: everything you type here, including your phone number "
                "and description, passes through and is stored on Telegram's servers, which are "
                "outside mainland China (Telegram Messenger, telegram.org/privacy)."
            ),
            _(
                "The law asks for your separate consent to this. You can exercise your rights "
                "with us as above, and with Telegram through its privacy settings."
            ),
            _(
                "If you prefer not to, you can visit or call the station instead; the "
                "questions-and-answers part of this bot stays open to you either way."
            ),
            _("Do you agree to this transfer?"),
        ]
    )


def personal_info_markup(_: Gettext, prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("✅ I agree"), callback_data=f"{prefix}:cons:yes"),
          InlineKeyboardButton(_("✖ I do not agree"), callback_data=f"{prefix}:cons:no")]]
    )  # fmt: skip


def cross_border_markup(_: Gettext, prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("✅ I agree"), callback_data=f"{prefix}:xb:yes"),
          InlineKeyboardButton(_("✖ I do not agree"), callback_data=f"{prefix}:xb:no")],
         [InlineKeyboardButton(_("« Back"), callback_data=f"{prefix}:xb:back")]]
    )  # fmt: skip


def declined_text(_: Gettext) -> str:
    return _(
        "Understood: nothing has been saved. You can still ask me questions at any time, or "
        "visit or call your station. If you change your mind, just start again."
    )


def station_contacts(
    _: Gettext, knowledge: Knowledge, lang: str, station_code: str | None = None
) -> str:
    """Where to call or go instead: the station last used (or every station), its phone
    number and opening hours, one line each."""
    station = knowledge.stations.get(station_code) if station_code else None
    stations = [station] if station is not None else list(knowledge.stations.stations)
    lines = [_("Phone and opening hours:")]
    lines += [
        _("{station}: {phone}, {hours}").format(
            station=escape(s.name(lang)), phone=escape(s.phone), hours=escape(s.hours(lang))
        )
        for s in stations
    ]
    return "\n".join(lines)


def station_phone(_: Gettext, knowledge: Knowledge, lang: str, station_code: str) -> str:
    """One station's phone and hours, for when nobody in the bot can be told ("" unknown)."""
    station = knowledge.stations.get(station_code)
    if station is None:
        return ""
    return _("You can call the station at {phone} ({hours}).").format(
        phone=escape(station.phone), hours=escape(station.hours(lang))
    )


async def is_given(context: Context, who: Speaker) -> bool:
    data = context.bot_data
    async with data.uow() as uow:
        return (await consent.status(uow, person_id=who.access.person_id)).given


async def record(context: Context, who: Speaker) -> None:
    data = context.bot_data
    await data.use_case(consent.give, person_id=who.access.person_id, now=data.clock.now())


async def privacy_markup(context: Context, who: Speaker) -> InlineKeyboardMarkup | None:
    """For /privacy: a "Withdraw consent" button while consent is given."""
    if not await is_given(context, who):
        return None
    _ = who.gettext
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Withdraw my consent"), callback_data="consent:withdraw")]]
    )


async def withdraw_asked(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    if not await is_given(context, who):
        await show(update, _("You have not given consent, so there is nothing to withdraw."))
        return
    await show(
        update,
        _(
            "Withdraw your consent? I will then ask again before you next share personal "
            "information. Requests you already made stay with the station until they are "
            "closed; to erase your details, use /forget."
        ),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(_("Yes, withdraw"), callback_data="consent:withdraw:yes"),
                    InlineKeyboardButton(_("No, keep it"), callback_data="consent:withdraw:no"),
                ]
            ]
        ),
    )


async def withdraw_confirmed(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        withdrawn = await consent.withdraw(
            uow, person_id=who.access.person_id, now=data.clock.now()
        )
    if withdrawn:
        await show(
            update,
            _(
                "Your consent is withdrawn. I will ask again before you share personal "
                "information with the station."
            ),
        )
    else:
        await show(update, _("You have not given consent, so there is nothing to withdraw."))


async def withdraw_kept(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    await show(update, _("Nothing has changed: your consent stays as it was."))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CallbackQueryHandler(withdraw_asked, pattern=r"^consent:withdraw$"))
    app.add_handler(CallbackQueryHandler(withdraw_confirmed, pattern=r"^consent:withdraw:yes$"))
    app.add_handler(CallbackQueryHandler(withdraw_kept, pattern=r"^consent:withdraw:no$"))


# --- consent as a sub-flow of a kit `Flow` (/request, /volunteer) ---------------------------
# The privacy notice (`<prefix>:cons:yes|no`), then the cross-border transfer
# (`<prefix>:xb:yes|no|back`). Declining either drops the draft, stores nothing and shows the
# menu; agreeing to both records consent and goes on with the journey's own first step.
CONSENT_PI, CONSENT_XB = "consent_pi", "consent_xb"


NEEDS_CONSENT = "needs_consent"


async def needs_consent(context: Context, who: Speaker) -> bool:
    """For a Flow's `begin`: `draft[NEEDS_CONSENT] = await needs_consent(context, who)`."""
    return not await is_given(context, who)


def consent_steps(*, prefix: str, purpose: str) -> tuple[Step, Step]:
    """The privacy notice (`<prefix>:cons:yes|no`) and the cross-border transfer
    (`<prefix>:xb:yes|no|back`) as the first two steps of a Flow, in the states "consent_pi"
    and "consent_xb" the request journeys have always persisted. They apply while
    `draft[NEEDS_CONSENT]`; declining drops the draft and shows why and the menu; agreeing to
    both records consent and goes on with the flow's next step."""

    async def refuse(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
        _ = who.gettext
        knowledge = context.bot_data.knowledge
        contacts = station_contacts(_, knowledge, who.lang, draft.get("last_station"))
        await show(update, declined_text(_) + "\n\n" + contacts)
        await context.bot_data.show_menu(update, context, who)
        return END

    async def on_notice(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        return None if press.arg() == "yes" else await refuse(update, context, who, draft)

    async def on_transfer(
        update: Update, context: Context, who: Speaker, draft: Draft, press: Press
    ) -> Outcome:
        answer = press.arg()
        if answer == "back":
            return CONSENT_PI
        if answer != "yes":
            return await refuse(update, context, who, draft)
        await record(context, who)
        draft[NEEDS_CONSENT] = False
        return None

    def applies(draft: Draft) -> bool:
        # A draft of the release before the kit has no NEEDS_CONSENT: it was at a consent step
        # exactly when its "state" said so.
        return bool(draft.get(NEEDS_CONSENT, draft.get("state") in (CONSENT_PI, CONSENT_XB)))

    def notice(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows = list(personal_info_markup(_, prefix).inline_keyboard)
        return Screen(personal_info_notice(_, purpose), [list(r) for r in rows])

    def transfer(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows = list(cross_border_markup(_, prefix).inline_keyboard)
        return Screen(cross_border_notice(_), [list(r) for r in rows])

    return (
        Step(CONSENT_PI, notice, {"cons": on_notice}, applies_when=applies, nav=False),
        Step(CONSENT_XB, transfer, {"xb": on_transfer}, applies_when=applies, nav=False),
    )
