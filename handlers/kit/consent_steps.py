"""The two consent states as a journey that collects personal data runs them (/request,
/volunteer): the privacy notice (`<prefix>:cons:yes|no`), then the cross-border transfer
(`<prefix>:xb:yes|no|back`). Declining either drops the draft, stores nothing and shows the
menu; agreeing to both records consent and goes on with the journey's own first step.

`consent_steps(prefix=..., purpose=...)` gives the two states as `Step`s of a kit `Flow`
(consent as a sub-flow), the states the request journeys have always persisted.

The texts and buttons themselves are in `handlers/kit/consent.py`.
"""

from __future__ import annotations

from telegram import Update

from handlers.kit import consent
from handlers.kit.callbacks import Press
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, Draft, Outcome, Screen, Step
from handlers.kit.screen import show

CONSENT_PI, CONSENT_XB = "consent_pi", "consent_xb"


# --- consent as a sub-flow of a kit `Flow` ----------------------------------------------------
NEEDS_CONSENT = "needs_consent"


async def needs_consent(context: Context, who: Speaker) -> bool:
    """For a Flow's `begin`: `draft[NEEDS_CONSENT] = await needs_consent(context, who)`."""
    return not await consent.is_given(context, who)


def consent_steps(*, prefix: str, purpose: str) -> tuple[Step, Step]:
    """The privacy notice (`<prefix>:cons:yes|no`) and the cross-border transfer
    (`<prefix>:xb:yes|no|back`) as the first two steps of a Flow, in the states "consent_pi"
    and "consent_xb" the request journeys have always persisted. They apply while
    `draft[NEEDS_CONSENT]`; declining drops the draft and shows why and the menu; agreeing to
    both records consent and goes on with the flow's next step."""

    async def refuse(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
        _ = who.gettext
        knowledge = context.bot_data.knowledge
        contacts = consent.station_contacts(_, knowledge, who.lang, draft.get("last_station"))
        await show(update, consent.declined_text(_) + "\n\n" + contacts)
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
        await consent.record(context, who)
        draft[NEEDS_CONSENT] = False
        return None

    def applies(draft: Draft) -> bool:
        # A draft of the release before the kit has no NEEDS_CONSENT: it was at a consent step
        # exactly when its "state" said so.
        return bool(draft.get(NEEDS_CONSENT, draft.get("state") in (CONSENT_PI, CONSENT_XB)))

    def notice(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows = list(consent.personal_info_markup(_, prefix).inline_keyboard)
        return Screen(consent.personal_info_notice(_, purpose), [list(r) for r in rows])

    def transfer(context: Context, who: Speaker, draft: Draft) -> Screen:
        _ = who.gettext
        rows = list(consent.cross_border_markup(_, prefix).inline_keyboard)
        return Screen(consent.cross_border_notice(_), [list(r) for r in rows])

    return (
        Step(CONSENT_PI, notice, {"cons": on_notice}, applies_when=applies, nav=False),
        Step(CONSENT_XB, transfer, {"xb": on_transfer}, applies_when=applies, nav=False),
    )
