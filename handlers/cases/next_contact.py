"""«📅 Next contact» on a case card (`cs:next:<id>`): a one-step kit `Flow` (diagram:
`next_contact.mmd`). In 3, 7, 14 or 30 days, every 7, 14 or 30 days, none, or a typed date
(`services.dates.read_date` looking ahead: `明天`, `下周一`, `12月3日`, `2026-12-03`; a day past
by more than three months means next year's, a more recent one is refused as past). Save is one
call of `services.cases.set_next_contact`, which checks the person and the range; the card is
shown again.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardButton, Update

from handlers.cases import card
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import DATE, Draft, Flow, Outcome, Reask, Screen, Step
from handlers.kit.i18n import ngettext_of
from handlers.kit.keyboards import grid
from handlers.kit.screen import show
from handlers.kit.steps import example_day, local_today, offered, unread_date
from handlers.kit.words import day_label
from services import cases as cs
from services.dates import read_date
from services.errors import InvalidValue

P = "nc"
IN_DAYS = (3, 7, 14, 30)
EVERY_DAYS = (7, 14, 30)


async def begin(update: Update, context: Context, who: Speaker) -> Draft | None:
    case_id = context.pressed_id(update)
    if not await card.may_change(update, context, who, case_id or 0):
        return None
    return {"case": case_id}


def render(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    ngettext = ngettext_of(_)
    rows = grid(
        [
            InlineKeyboardButton(
                ngettext("in {days} day", "in {days} days", d).format(days=d),
                callback_data=encode(P, "in", d),
            )
            for d in IN_DAYS
        ],
        4,
    )
    rows += grid(
        [
            InlineKeyboardButton(
                ngettext("every {days} day", "every {days} days", d).format(days=d),
                callback_data=encode(P, "every", d),
            )
            for d in EVERY_DAYS
        ],
        3,
    )
    rows.append([InlineKeyboardButton(_("No next contact"), callback_data=encode(P, "none"))])
    example = day_label(_, example_day(local_today(context), ahead=True))
    return Screen(
        _("When is the next contact (visit or call)? Choose, or type a date such as {day}.").format(
            day=example
        ),
        rows,
    )


async def on_in(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    days = offered(press.int_arg(), IN_DAYS)
    draft["on"] = (local_today(context) + timedelta(days=days)).isoformat()
    return None


async def on_every(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    days = offered(press.int_arg(), EVERY_DAYS)
    draft["every"] = days
    return None


async def on_none(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    return None


def _range_problem(context: Context, who: Speaker, day: date) -> str | None:
    _ = who.gettext
    today = local_today(context)
    if day < today:
        return _("That day has passed; please choose today or later.")
    if day > today + timedelta(days=context.bot_data.knowledge.cases.max_days_ahead):
        return _("That is too far ahead; please choose a day within a year.")
    return None


async def on_typed(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    _ = who.gettext
    try:
        day = read_date(text, local_today(context), direction="future")
    except InvalidValue as error:
        raise Reask(unread_date(_, error, local_today(context), ahead=True)) from error
    problem = _range_problem(context, who, day)  # the service checks it again on Save
    if problem is not None:
        raise Reask(problem)
    draft["on"] = day.isoformat()
    return None


WHEN = Step(
    "when",
    render,
    {"in": on_in, "every": on_every, "none": on_none},
    on_text=on_typed,
    expects=DATE,
)


async def save(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    _ = who.gettext
    case_id = int(draft.get("case") or 0)
    on = date.fromisoformat(draft["on"]) if draft.get("on") else None
    every = draft.get("every")
    draft.pop("on", None)
    draft.pop("every", None)

    async def invalid(problem: InvalidValue) -> str | int:  # the day left the range meanwhile
        await show(update, card.invalid_text(_, problem))
        return "when"

    return await card.saved(
        update, context, who,
        lambda uow: cs.set_next_contact(
            uow, actor=who.access, case_id=case_id, on=on, every_days=every, **card.kw(context)
        ),
        _("✅ Next contact saved."),
        invalid,
    )  # fmt: skip


FLOW = Flow("nextcontact", P, (WHEN,), begin, save, entry_patterns=(r"^cs:next:",),
            allowed=card.case_staff)  # fmt: skip
