"""`/cases`, the case card and its buttons; `/review`, the supervisor's sign-offs.

Views, not conversations (diagram: `cases.mmd`): every press is `cs:<kind>:<id>[:<value>]`
and goes straight to one service call, which re-checks the person (a forged id, a worker of
another station, a closed case: the refusal sentence, nothing changed). After a change the
card is shown again. The card (`services.cases.detail`, which writes the read to the audit
log) shows the timeline and the buttons the case's stage allows:

    open:      link a record · next contact · risk · assign (head) · refer to a station or
               to an agency (then its outcome) · close (needs a closing record)
    referred:  the receiving station's staff accept or decline
    closed:    the head reopens
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler

from handlers.kit.callbacks import Press, encode, pattern
from handlers.kit.context import Context, Speaker
from handlers.kit.i18n import N_, Gettext, ngettext_of
from handlers.kit.keyboards import grid
from handlers.kit.screen import alert, show
from handlers.kit.words import day_label, only_for
from services import activities
from services import cases as cs
from services.errors import Conflict, InvalidValue, NotAllowed, NotFound
from services.people import STATION_HEAD, SUPERVISOR, WORKER

P = "cs"
TIMELINE = 12  # events shown on the card, newest last
RECORDS_TO_LINK = 10

EVENT_LABELS = {
    cs.OPENED: N_("opened"),
    cs.RECORD: N_("record filed"),
    cs.ASSIGNED: N_("handed to another worker"),
    cs.RISK: N_("risk level changed"),
    cs.NEXT_CONTACT: N_("next contact set"),
    cs.REFERRED: N_("referred to another station"),
    cs.REFERRAL_ACCEPTED: N_("referral accepted"),
    cs.REFERRAL_DECLINED: N_("referral declined"),
    cs.AGENCY_REFERRAL: N_("referred to an agency"),
    cs.AGENCY_OUTCOME: N_("agency outcome recorded"),
    cs.SIGNED_OFF: N_("signed off by the supervisor"),
    cs.CLOSED_EVENT: N_("closed"),
    cs.REOPENED: N_("reopened"),
}


def refused_text(_: Gettext) -> str:
    """One sentence for a case that is not there or not this person's: it says neither."""
    return _(
        "Sorry, this case is not open to you, so nothing was changed. /cases lists the cases you can open."
    )


def conflict_text(_: Gettext, error: Exception) -> str:
    if isinstance(error, cs.ClosingRecordMissing):
        return _(
            "A case closes only with a closing record (结案记录). Write one with /log, then "
            "link it here with “📎 Link a record”."
        )
    if isinstance(error, cs.CaseClosed):
        return _("This case is closed; only the station head can reopen it.")
    if isinstance(error, cs.ReferralPending):
        return _("This case waits for the other station to accept it; nothing changes meanwhile.")
    if isinstance(error, cs.NoReferral):
        return _("This referral has already been answered.")
    if isinstance(error, cs.RecordAlreadyLinked):
        return _("This record is already filed on a case.")
    if isinstance(error, cs.AlreadySignedOff):
        return _("This record is already signed off.")
    if isinstance(error, cs.RequestFiled):
        return _("This request is filed on case {number} already.").format(number=error.number)
    if isinstance(error, cs.RequestNotCompleted):
        return _("Only a completed request is filed on a case.")
    if isinstance(error, cs.CaseOpen):
        return _("This case is open already.")
    if isinstance(error, cs.NotAssigned):
        return _("Only the case's worker or the station head changes this case.")
    return _("This cannot be done now. Nothing was changed.")


def invalid_text(_: Gettext, error: InvalidValue) -> str:
    if error.field == "template":
        return _(
            "This record is not in a case template (intake, assessment, plan, service, referral, closing)."
        )
    if error.field == "worker":
        return _("That person is not a worker of this station.")
    return _("That choice cannot be used. Nothing was changed.")


def case_catalog(context: Context) -> Any:
    return context.bot_data.knowledge.cases


def stage_name(context: Context, who: Speaker, code: str) -> str:
    stage = case_catalog(context).stage(code)
    return stage.name(who.lang) if stage else code


def coded(items: Any, code: str | None, lang: str) -> str:
    found = next((i for i in items if i.code == code), None)
    return found.name(lang) if found else (code or "")


def next_step_text(context: Context, who: Speaker, code: str) -> str:
    _ = who.gettext
    if code == cs.STEP_ACCEPT_REFERRAL:
        return _("waiting for the other station to accept it")
    if code == cs.STEP_CONTACT:
        return _("contact the person: the next contact is due")
    if code == cs.STEP_CLOSED:
        return _("closed")
    return _("write the {stage} record").format(stage=stage_name(context, who, code))


def station_name(context: Context, who: Speaker, code: str | None) -> str:
    station = context.bot_data.knowledge.stations.get(code or "")
    return station.name(who.lang) if station else (code or "")


def overdue_text(_: Gettext, days: int) -> str:
    ngettext = ngettext_of(_)
    return ngettext("overdue by {days} day", "overdue by {days} days", days).format(days=days)


def _due_text(_: Gettext, on: date | None, every: int | None, overdue: int) -> str:
    if on is None:
        return _("not set")
    text = day_label(_, on)
    ngettext = ngettext_of(_)
    if every:
        text += " · " + ngettext("every {days} day", "every {days} days", every).format(days=every)
    if overdue:
        text += " · ⏰ " + overdue_text(_, overdue)
    return text


def card_text(context: Context, who: Speaker, view: cs.CaseView) -> str:
    _ = who.gettext
    catalog = case_catalog(context)
    name = escape(view.client_name) if view.client_name else _("(erased)")
    lines = [
        f"📁 <b>{escape(view.number)}</b> · {name}",
        _("Station: {station}").format(
            station=escape(station_name(context, who, view.station_code))
        ),
        _("Worker: {name}").format(name=escape(view.worker_name or "")),
        _("Risk: {risk}").format(
            risk=escape(coded(catalog.risk_levels, view.risk_level, who.lang))
        ),
        _("Stage: {stage}").format(stage=escape(stage_name(context, who, view.stage))),
        _("Next contact: {due}").format(
            due=_due_text(_, view.next_contact_on, view.contact_every_days, view.overdue_days)
        ),
        _("Next step: {step}").format(step=next_step_text(context, who, view.next_step)),
    ]
    if view.village:  # as given at /register, with the resident's agreement
        lines.append(_("Village or community: {village}").format(village=escape(view.village)))
    if view.address:
        lines.append(_("Address: {address}").format(address=escape(view.address)))
    if view.request_ref:
        lines.append(_("From request {ref}").format(ref=escape(view.request_ref)))
    if view.referred_to_station:
        lines.append(
            _("Referred to {station}, waiting for it to accept.").format(
                station=escape(station_name(context, who, view.referred_to_station))
            )
        )
    if view.records:
        lines += ["", "<b>" + _("Records") + "</b>"]
        for record in view.records:
            line = f"• {escape(stage_name(context, who, record.stage))} · {day_label(_, record.activity_date)}"
            if record.request_ref:
                service = context.bot_data.knowledge.services.name(
                    record.service_code or "", who.lang
                )
                line += " · " + _("{service}, request {ref}").format(
                    service=escape(service), ref=escape(record.request_ref)
                )
            if record.signed_off_at is not None:
                line += " · ✅ " + _("signed off")
            elif record.needs_sign_off:
                line += " · " + _("waiting for the supervisor's sign-off")
            lines.append(line)
    if view.agency_referrals:
        lines += ["", "<b>" + _("Referrals to agencies") + "</b>"]
        for ref in view.agency_referrals:
            outcome = (
                coded(catalog.referral_outcomes, ref.outcome, who.lang)
                if ref.outcome
                else _("outcome not yet known")
            )
            lines.append(
                f"• {escape(coded(catalog.agencies, ref.agency_code, who.lang))} · {escape(outcome)}"
                + _quoted(ref.note)
            )
    if view.timeline:
        zone = context.bot_data.clock.zone
        lines += ["", "<b>" + _("Timeline") + "</b>"]
        for event in view.timeline[-TIMELINE:]:
            when = day_label(_, event.at.astimezone(zone).date())
            what = _(EVENT_LABELS.get(event.kind, event.kind))
            by = f" · {escape(event.actor_name)}" if event.actor_name else ""
            lines.append(
                f"• {when} {what}{by}" + (_quoted(event.note) if event.kind in NOTED else "")
            )
    return "\n".join(lines)


# The timeline's notes shown on the card (an agency referral's is shown with the referral).
NOTED = frozenset({cs.REFERRED, cs.REFERRAL_DECLINED, cs.CLOSED_EVENT, cs.REOPENED})
NOTE_ON_CARD = 200  # characters; the whole note is in /mydata and the exports


def _quoted(note: str | None) -> str:
    if not note:
        return ""
    short = note if len(note) <= NOTE_ON_CARD else note[: NOTE_ON_CARD - 1] + "…"
    return f" · “{escape(short)}”"


def _b(label: str, kind: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(P, kind, *args))


def card_buttons(context: Context, who: Speaker, view: cs.CaseView) -> InlineKeyboardMarkup:
    _ = who.gettext
    access = who.access
    staff = cs.staff_stations(access)
    head = view.station_code in access.head_stations
    mine = head or (
        view.station_code in access.worker_stations and view.worker_id == access.person_id
    )
    rows: list[list[InlineKeyboardButton]] = []
    i = view.id
    if view.referred_to_station is not None:
        if view.referred_to_station in staff:
            rows.append([_b(_("✅ Accept the case"), "acc", i), _b(_("✖ Decline"), "dec", i)])
    elif view.status == cs.OPEN and mine:
        rows.append([_b(_("📎 Link a record"), "link", i), _b(_("📅 Next contact"), "next", i)])
        row = [_b(_("⚠️ Risk"), "risk", i)]
        if head:
            row.append(_b(_("👥 Assign"), "asg", i))
        rows.append(row)
        rows.append(
            [_b(_("↪️ Refer to a station"), "rst", i), _b(_("🏥 Refer to an agency"), "rag", i)]
        )
        for ref in view.agency_referrals:
            if ref.outcome is None:
                rows.append(
                    [
                        _b(
                            _("Outcome of the referral to {agency}").format(
                                agency=coded(
                                    case_catalog(context).agencies, ref.agency_code, who.lang
                                )
                            ),
                            "out",
                            i,
                            ref.id,
                        )
                    ]
                )
        rows.append([_b(_("✔️ Close the case"), "close", i)])
    elif view.status == cs.CLOSED and head:
        rows.append([_b(_("🔓 Reopen"), "reopen", i)])
    if view.station_code in access.supervisor_stations:
        for record in view.records:
            if record.needs_sign_off and record.signed_off_at is None:
                rows.append(
                    [
                        _b(
                            _("✅ Sign off the {stage} record").format(
                                stage=stage_name(context, who, record.stage)
                            ),
                            "so",
                            record.id,
                        )
                    ]
                )
    rows.append([_b(_("« My cases"), "list")])
    return InlineKeyboardMarkup(rows)


async def case_staff(update: Update, context: Context, who: Speaker) -> bool:
    """Every `cs:` button's first check (the card's presses, and the `allowed` of the flows
    its buttons start): a resident hears `only_for`'s sentence for staff, before any case is
    looked up, rather than "this case is not open to you" (which says there is a case)."""
    if cs.works_on_cases(who.access):
        return True
    await show(update, only_for(who, WORKER, STATION_HEAD, SUPERVISOR))
    return False


async def _who(update: Update, context: Context) -> Speaker | None:
    who = await context.person(update)
    return who if await case_staff(update, context, who) else None


async def _service(
    update: Update, context: Context, who: Speaker, call: Callable[[Any], Awaitable[Any]]
) -> Any | None:
    """One service call; its refusal said in one sentence (nothing changed). None: refused."""
    _ = who.gettext
    try:
        return await context.bot_data.use_case(call)
    except (NotFound, NotAllowed) as error:
        if isinstance(error, cs.NotAssigned):
            await alert(update, conflict_text(_, error))
        else:
            await show(update, refused_text(_))
        return None
    except Conflict as error:
        await alert(update, conflict_text(_, error))
        return None
    except InvalidValue as error:
        await alert(update, invalid_text(_, error))
        return None


async def say_refusal(update: Update, who: Speaker, error: Exception) -> None:
    """A refused service call in one sentence: not there or not theirs (the same words), or
    the conflict that stopped it."""
    _ = who.gettext
    if isinstance(error, (NotFound, NotAllowed)) and not isinstance(error, cs.NotAssigned):
        await show(update, refused_text(_))
    else:
        await alert(update, conflict_text(_, error))


async def show_view(
    update: Update, context: Context, who: Speaker, view: cs.CaseView, note: str
) -> None:
    await show(
        update, note + "\n\n" + card_text(context, who, view), card_buttons(context, who, view)
    )


async def saved(
    update: Update,
    context: Context,
    who: Speaker,
    call: Callable[[Any], Awaitable[Any]],
    done: str,
    invalid: Callable[[InvalidValue], Awaitable[str | int]] | None = None,
) -> str | int:
    """A case Flow's Save: one service call (`call(uow)`), then the card under `done`, and the
    conversation ends (END). A refusal is said (END); a refused value goes to `invalid`, which
    re-asks a step (raise `Reask`) or says why and returns what comes next."""
    try:
        result = await context.bot_data.use_case(call)
    except InvalidValue as problem:
        if invalid is not None:
            return await invalid(problem)
        await say_refusal(update, who, problem)
        return ConversationHandler.END
    except (NotFound, NotAllowed, Conflict) as error:
        await say_refusal(update, who, error)
        return ConversationHandler.END
    view, contacts = result if isinstance(result, tuple) else (result, ())
    await show_view(update, context, who, view, done)
    if contacts:
        await tell_station(context, view, contacts)
    return ConversationHandler.END


def kw(context: Context) -> dict[str, Any]:
    return _kw(context)


async def may_change(update: Update, context: Context, who: Speaker, case_id: int) -> bool:
    return await _check_may_change(update, context, who, case_id)


def _kw(context: Context) -> dict[str, Any]:
    data = context.bot_data
    return {"catalog": data.knowledge.cases, "now": data.clock.now(), "zone": data.clock.zone}


async def show_card(
    update: Update, context: Context, who: Speaker, case_id: int, note: str | None = None
) -> None:
    view = await _service(
        update, context, who,
        lambda uow: cs.detail(uow, actor=who.access, case_id=case_id, **_kw(context)),
    )  # fmt: skip
    if view is None:
        return
    text = card_text(context, who, view)
    await show(update, f"{note}\n\n{text}" if note else text, card_buttons(context, who, view))


# --- the list ------------------------------------------------------------------------------


async def list_cases(update: Update, context: Context) -> None:
    who = await _who(update, context)
    if who is None:
        return
    _ = who.gettext
    if not cs.staff_stations(who.access):
        await review(update, context)
        return
    listed = await _service(
        update, context, who, lambda uow: cs.list_cases(uow, actor=who.access, **_kw(context))
    )
    if listed is None:
        return
    lines = ["<b>" + _("📁 Open cases") + "</b>"]
    if not listed:
        lines.append(_("No open cases."))
    buttons = []
    for case in listed[:30]:
        name = escape(case.client_name) if case.client_name else _("(erased)")
        mark = "⏰ " if case.overdue_days else ""
        lines.append(
            f"{mark}<b>{escape(case.number)}</b> {name} · "
            + (
                _("referred to your station: accept or decline it")
                if case.referred_to_station in cs.staff_stations(who.access)
                else next_step_text(context, who, case.next_step)
            )
            + (" · " + overdue_text(_, case.overdue_days) if case.overdue_days else "")
        )
        buttons.append(_b(f"{mark}{case.number}", "open", case.id))
    rows = grid(buttons, 3)
    rows.append(
        [
            _b(_("➕ New case"), "new"),
            InlineKeyboardButton(_("📋 Register a request"), callback_data="menu:register"),
        ]
    )
    await show(update, "\n".join(lines), InlineKeyboardMarkup(rows))


# --- the presses ---------------------------------------------------------------------------


async def on_press(update: Update, context: Context) -> None:
    who = await _who(update, context)
    press = context.press(update)
    if who is None or press is None:
        return
    handler = PRESSES.get(press.kind)
    if handler is None:
        await show(update, refused_text(who.gettext))
        return
    await handler(update, context, who, press)


def _id(press: Press, index: int = 0) -> int:
    return press.int_arg(index) or 0  # 0 is no case: the service says NotFound


async def p_open(update: Update, context: Context, who: Speaker, press: Press) -> None:
    await show_card(update, context, who, _id(press))


async def p_list(update: Update, context: Context, who: Speaker, press: Press) -> None:
    await list_cases(update, context)


async def _check_may_change(update: Update, context: Context, who: Speaker, case_id: int) -> bool:
    """Before offering choices: the person may change this open case (else said why)."""
    return (
        await _service(
            update,
            context,
            who,
            lambda uow: cs.assign_candidates(uow, actor=who.access, case_id=case_id),
        )
        is not None
    )


async def _view_to_change(
    update: Update, context: Context, who: Speaker, case_id: int
) -> cs.CaseView | None:
    """The case (an audited read) before offering choices to change it; None: said why not."""
    view = await _service(
        update, context, who,
        lambda uow: cs.detail(uow, actor=who.access, case_id=case_id, **_kw(context)),
    )  # fmt: skip
    if view is None or not await _check_may_change(update, context, who, case_id):
        return None
    return cast(cs.CaseView, view)


async def p_link(update: Update, context: Context, who: Speaker, press: Press) -> None:
    _ = who.gettext
    case_id = _id(press)
    view = await _view_to_change(update, context, who, case_id)
    if view is None:
        return
    catalog = case_catalog(context)
    linked = {r.activity_id for r in view.records}
    recent = await context.bot_data.use_case(
        activities.recent_activities, worker_tg_id=who.tg_id, limit=50
    )
    usable = [
        a for a in recent
        if a.station_code == view.station_code and a.id not in linked
        and catalog.stage_for_template(a.template_code) is not None
    ][:RECORDS_TO_LINK]  # fmt: skip
    if not usable:
        await show(
            update,
            _(
                "You have no case record of this station to link yet. Write it with /log (a case template: intake, assessment, plan, service, referral or closing), then come back."
            ),
            InlineKeyboardMarkup([[_b(_("« Back"), "open", case_id)]]),
        )
        return
    rows = [
        [
            _b(
                f"{stage_name(context, who, catalog.stage_for_template(a.template_code).code)} · {day_label(_, a.activity_date)}",
                "lk",
                case_id,
                a.id,
            )
        ]
        for a in usable
    ]
    rows.append([_b(_("« Back"), "open", case_id)])
    await show(
        update,
        _("Which of your records belongs to {number}?").format(number=escape(view.number)),
        InlineKeyboardMarkup(rows),
    )


async def p_risk(update: Update, context: Context, who: Speaker, press: Press) -> None:
    _ = who.gettext
    case_id = _id(press)
    if not await _check_may_change(update, context, who, case_id):
        return
    rows = [
        [_b(r.name(who.lang), "rk", case_id, r.code) for r in case_catalog(context).risk_levels]
    ]
    rows.append([_b(_("« Back"), "open", case_id)])
    await show(update, _("Which risk level?"), InlineKeyboardMarkup(rows))


async def p_asg(update: Update, context: Context, who: Speaker, press: Press) -> None:
    _ = who.gettext
    case_id = _id(press)
    people = await _service(
        update,
        context,
        who,
        lambda uow: cs.assign_candidates(uow, actor=who.access, case_id=case_id),
    )
    if people is None:
        return
    rows = [[_b(p.name or str(p.person_id), "as", case_id, p.person_id)] for p in people]
    rows.append([_b(_("« Back"), "open", case_id)])
    await show(update, _("To whom do you hand the case?"), InlineKeyboardMarkup(rows))


async def p_rst(update: Update, context: Context, who: Speaker, press: Press) -> None:
    _ = who.gettext
    case_id = _id(press)
    view = await _view_to_change(update, context, who, case_id)
    if view is None:
        return
    stations = [
        s for s in context.bot_data.knowledge.stations.stations if s.code != view.station_code
    ]
    buttons = [_b(s.name(who.lang), "rs", case_id, s.code) for s in stations[:40]]
    rows = [*grid(buttons, 2), [_b(_("« Back"), "open", case_id)]]
    await show(
        update,
        _("To which station do you refer the case? Its staff will accept it."),
        InlineKeyboardMarkup(rows),
    )


async def tell_station(context: Context, view: cs.CaseView, contacts: Any) -> None:
    from handlers.delivery import OutgoingMessage

    data = context.bot_data
    messages = []
    for contact in contacts:
        _ = data.translator.for_language(contact.language)
        text = _(
            "↪️ Case {number} has been referred to your station. Open it to accept or decline it."
        ).format(number=escape(view.number))
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("📁 Open the case"), callback_data=encode(P, "open", view.id)
                    )
                ]
            ]
        )
        messages.append(OutgoingMessage(contact.tg_id, text, markup))
    await data.outbox.send_many(messages)


async def p_rag(update: Update, context: Context, who: Speaker, press: Press) -> None:
    _ = who.gettext
    case_id = _id(press)
    if not await _check_may_change(update, context, who, case_id):
        return
    buttons = [_b(a.name(who.lang), "ra", case_id, a.code) for a in case_catalog(context).agencies]
    rows = [*grid(buttons, 2), [_b(_("« Back"), "open", case_id)]]
    await show(update, _("To which agency is the case referred?"), InlineKeyboardMarkup(rows))


async def p_out(update: Update, context: Context, who: Speaker, press: Press) -> None:
    _ = who.gettext
    case_id, referral = _id(press), _id(press, 1)
    if not await _check_may_change(update, context, who, case_id):
        return
    rows = [
        [_b(o.name(who.lang), "ro", referral, o.code)]
        for o in case_catalog(context).referral_outcomes
    ]
    rows.append([_b(_("« Back"), "open", case_id)])
    await show(update, _("What came of the referral?"), InlineKeyboardMarkup(rows))


# The presses that make one change: the service, its values read from the press, and the
# sentence said above the card after it. `card=False`: the case is no longer theirs to see.
Args = Callable[[Press], dict[str, Any]]


@dataclass(frozen=True)
class Change:
    service: Callable[..., Awaitable[Any]]
    args: Args
    done: str  # a msgid
    card: bool = True


def _case(press: Press) -> dict[str, Any]:
    return {"case_id": _id(press)}


CHANGES: dict[str, Change] = {
    "lk": Change(cs.link_record, lambda p: {**_case(p), "activity_id": _id(p, 1)},
                 N_("✅ The record is filed on the case.")),
    "rk": Change(cs.set_risk, lambda p: {**_case(p), "risk_level": p.arg(1) or ""},
                 N_("✅ Risk level saved.")),
    "as": Change(cs.assign, lambda p: {**_case(p), "worker_id": _id(p, 1)},
                 N_("✅ The case has a new worker.")),
    "ro": Change(cs.record_agency_outcome,
                 lambda p: {"referral_id": _id(p), "outcome": p.arg(1) or ""},
                 N_("✅ Outcome saved.")),
    "reopen": Change(cs.reopen, lambda p: {**_case(p), "note": None},
                     N_("✅ The case is open again.")),
    "acc": Change(cs.accept_referral, _case,
                  N_("✅ The case is now at your station, and you are its worker.")),
    "dec": Change(cs.decline_referral, lambda p: {**_case(p), "note": None},
                  N_("The referral is declined; the case stays at its station."), card=False),
}  # fmt: skip


async def make_change(update: Update, context: Context, who: Speaker, press: Press) -> None:
    change = CHANGES[press.kind]
    view = await _service(
        update,
        context,
        who,
        lambda uow: change.service(uow, actor=who.access, **change.args(press), **_kw(context)),
    )
    if view is None:
        return
    done = who.gettext(change.done)
    if change.card:
        await show_view(update, context, who, view, done)
    else:
        await show(update, done)


async def p_so(update: Update, context: Context, who: Speaker, press: Press) -> None:
    record = _id(press)
    result = await _service(
        update, context, who,
        lambda uow: cs.sign_off(uow, actor=who.access, record_id=record, **_kw(context)),
    )  # fmt: skip
    _ = who.gettext
    if result is not None:
        await review(update, context, note=_("✅ Signed off."))


# --- /review -------------------------------------------------------------------------------


async def review(update: Update, context: Context, note: str | None = None) -> None:
    who = await context.person(update)
    _ = who.gettext
    if not who.access.supervisor_stations:
        await show(update, only_for(who, SUPERVISOR))
        return
    items = await context.bot_data.use_case(
        cs.for_review, actor=who.access, catalog=case_catalog(context)
    )
    lines = ["<b>" + _("🧭 Records to review") + "</b>"]
    if not items:
        lines.append(_("Nothing waits for your sign-off."))
    rows = []
    for item in items[:20]:
        stage = stage_name(context, who, item.stage)
        lines.append(
            f"• <b>{escape(item.case_number)}</b> · {escape(stage)} · {escape(station_name(context, who, item.station_code))}"
        )
        rows.append([
            _b(_("✅ Sign off {number} {stage}").format(number=item.case_number, stage=stage), "so", item.record_id),
            _b(_("📁 Open"), "open", item.case_id),
        ])  # fmt: skip
    text = "\n".join(lines)
    await show(
        update, f"{note}\n\n{text}" if note else text, InlineKeyboardMarkup(rows) if rows else None
    )


PRESSES: dict[str, Callable[[Update, Context, Speaker, Press], Awaitable[None]]] = {
    "open": p_open, "list": p_list, "link": p_link, "risk": p_risk, "asg": p_asg,
    "rst": p_rst, "rag": p_rag, "out": p_out, "so": p_so,
    **{kind: make_change for kind in CHANGES},
}  # fmt: skip


async def _review_command(update: Update, context: Context) -> None:
    await review(update, context)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("cases", list_cases))
    app.add_handler(CommandHandler("review", _review_command))
    app.add_handler(CallbackQueryHandler(list_cases, pattern=r"^menu:cases$"))
    app.add_handler(CallbackQueryHandler(on_press, pattern=pattern(P)))
