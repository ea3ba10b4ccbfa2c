"""Notifications about requests and volunteer applications to the OTHER people concerned.

Each is composed in its recipient's language and leaves through the outbox: a new request to
the station's workers (with Accept), every status change to the resident, a cancellation or a
hand-over to the worker concerned, a new application to the station, the decision to the
applicant.

What a committed request change implies (the new request to the station, its status to the
resident) goes into the delivery ledger first (`record`, right after the service's commit, one
row per recipient under a key that makes recording twice harmless), then the handler answers
its own person, then the outbox sends those rows (`deliver`). A Telegram failure on the
person's own screen can no longer lose the notices: rows left planned are sent by the next
`deliver` or the minute tick (`handlers.delivery.reminders`).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.delivery import OutgoingMessage
from handlers.kit.context import Context
from handlers.kit.i18n import Gettext
from handlers.requests.request_labels import application_card, excerpt, request_card, station_name
from services import delivery, people
from services import requests as rq
from services.delivery import PendingDelivery, PlannedMessage
from services.requests import RequestView, Submitted
from services.volunteers import MINOR, ApplicationView, Applied


def staff_request_buttons(
    _: Gettext, view: RequestView, *, accept: bool = True
) -> InlineKeyboardMarkup:
    """`_` is the recipient's gettext."""
    rows = []
    if accept:
        rows.append([InlineKeyboardButton(_("✅ Accept"), callback_data=f"ib:acc:{view.id}")])
    rows.append([InlineKeyboardButton(_("📄 Details"), callback_data=f"ib:rq:{view.id}")])
    return InlineKeyboardMarkup(rows)


# --- the ledger's notices --------------------------------------------------------------------
NOTICE = delivery.NOTICE  # composed when recorded; payload {"text": ..., "buttons": [[[l, d]]]}


def _notice(
    recipient: int,
    view: RequestView,
    occasion: str,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    urgent: bool = False,
) -> PlannedMessage:
    buttons = [
        [[b.text, b.callback_data] for b in row]
        for row in (markup.inline_keyboard if markup else ())
    ]
    return PlannedMessage(
        kind=NOTICE,
        period=f"request:{view.id}",
        occasion=occasion,
        recipient_tg_id=recipient,
        station_code=view.station_code,
        # An urgent request's notice rings also at night (the outbox's quiet policy).
        payload={"text": text, "buttons": buttons, "urgent": urgent},
    )


def render_notice(
    item: PendingDelivery, _: Gettext, language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The outbox's renderer of `NOTICE` rows (registered by `handlers.requests.register`)."""
    rows = [
        [InlineKeyboardButton(str(label), callback_data=str(data)) for label, data in row]
        for row in item.payload.get("buttons", [])
    ]
    return str(item.payload["text"]), InlineKeyboardMarkup(rows) if rows else None


async def record(context: Context, messages: Sequence[PlannedMessage]) -> list[str]:
    """Put the notices into the delivery ledger (a second time is harmless); their keys."""
    data = context.bot_data
    if messages:
        async with data.uow() as uow:
            await delivery.plan(uow, messages=messages, now=data.clock.now())
    return [m.key for m in messages]


async def deliver(context: Context, keys: Sequence[str]) -> None:
    """Let the outbox send the ledger rows `record` gave the keys of."""
    if keys:
        await context.bot_data.outbox.deliver_soon(keys)


def new_request_notices(context: Context, submitted: Submitted) -> list[PlannedMessage]:
    """The station's workers are told of a new request, each in their language, with Accept."""
    data = context.bot_data
    view = submitted.request
    notices = []
    for contact in submitted.notify:
        _ = data.translator.for_language(contact.language)
        heading = (
            _("📥 New request for your station")
            if not view.urgent
            else _("🔴 New URGENT request for your station")
        )
        card = request_card(
            _, data.knowledge, contact.language, data.clock.zone, view, for_staff=True
        )
        text = heading + "\n\n" + card
        notices.append(
            _notice(
                contact.tg_id, view, "new", text, staff_request_buttons(_, view), urgent=view.urgent
            )
        )
    return notices


def rating_buttons(request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("⭐" * n, callback_data=f"rate:{request_id}:{n}")]
         for n in range(5, 0, -1)]
    )  # fmt: skip


def resident_notices(context: Context, view: RequestView) -> list[PlannedMessage]:
    """The resident's notice of the request's new status (none for a walk-in's request)."""
    if view.resident_tg_id is None:  # registered by staff for a walk-in: nobody to message
        return []
    data = context.bot_data
    lang = view.resident_language
    _ = data.translator.for_language(lang)
    ref = escape(view.ref)
    station = data.knowledge.stations.get(view.station_code)
    station_text = escape(station_name(data.knowledge, view.station_code, lang))
    markup = None
    if view.status == rq.ACCEPTED:
        text = _(
            "✅ Good news: a social worker of {station} has accepted your request {ref} and will "
            "contact you soon."
        ).format(station=station_text, ref=ref)
    elif view.status == rq.IN_PROGRESS:
        text = _("🔧 Work on your request {ref} has started.").format(ref=ref)
    elif view.status == rq.COMPLETED:
        text = (
            _("✔️ Your request {ref} is completed.").format(ref=ref)
            + "\n"
            + _("What was done: {note}").format(
                note=escape(excerpt(view.completion_note or "", 1000))
            )
            + "\n\n"
            + _("How would you rate the help? Five stars is the best.")
        )
        markup = rating_buttons(view.id)
    elif view.status == rq.DECLINED:
        text = (
            _("We are sorry: {station} cannot take on your request {ref}.").format(
                station=station_text, ref=ref
            )
            + "\n"
            + _("Reason: {reason}").format(reason=escape(excerpt(view.decline_reason or "", 1000)))
        )
        if station is not None:
            text += "\n" + _("You are welcome to call the station: {phone}.").format(
                phone=escape(station.phone)
            )
    else:
        return []
    return [_notice(view.resident_tg_id, view, view.status, text, markup)]


async def _language(context: Context, tg_id: int) -> str:
    async with context.bot_data.uow() as uow:
        return (await people.languages_of(uow, [tg_id])).get(tg_id, "zh")


async def assignee_told_cancelled(context: Context, view: RequestView) -> None:
    if view.assignee_tg_id is None:
        return
    lang = await _language(context, view.assignee_tg_id)
    _ = context.bot_data.translator.for_language(lang)
    await context.bot_data.outbox.send(
        OutgoingMessage(
            view.assignee_tg_id,
            _("↩️ The resident has cancelled request {ref}. Nothing more is needed.").format(
                ref=escape(view.ref)
            ),
            about=f"request:{view.id}",
        )
    )


async def assignee_told_handed_over(context: Context, view: RequestView) -> None:
    if view.assignee_tg_id is None:
        return
    data = context.bot_data
    lang = await _language(context, view.assignee_tg_id)
    _ = data.translator.for_language(lang)
    card = request_card(_, data.knowledge, lang, data.clock.zone, view, for_staff=True)
    await data.outbox.send(
        OutgoingMessage(
            view.assignee_tg_id,
            _("📥 A colleague has handed request {ref} to you.").format(ref=escape(view.ref))
            + "\n\n"
            + card,
            staff_request_buttons(_, view, accept=False),
            about=f"request:{view.id}",
        )
    )


def application_buttons(_: Gettext, view: ApplicationView) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("✅ Approve"), callback_data=f"ib:vok:{view.id}"),
          InlineKeyboardButton(_("✖ Do not approve"), callback_data=f"ib:vno:{view.id}")]]
    )  # fmt: skip


async def new_application(context: Context, applied: Applied) -> None:
    data = context.bot_data
    view = applied.application
    messages = []
    for contact in applied.notify:
        _ = data.translator.for_language(contact.language)
        card = application_card(
            _, data.knowledge, contact.language, data.clock.zone, view, for_staff=True
        )
        messages.append(
            OutgoingMessage(
                contact.tg_id,
                _("🤝 New volunteer application for your station") + "\n\n" + card,
                application_buttons(_, view),
                about=f"application:{view.id}",
            )
        )
    await data.outbox.send_many(messages)


async def applicant_told(context: Context, view: ApplicationView) -> None:
    data = context.bot_data
    # A 14–17-year-old is spoken to as 你 (the catalogues' "minor" variants), as in /volunteer.
    voice = "minor" if view.age_group == MINOR else None
    _ = data.translator.for_language(view.language, voice)
    station = escape(station_name(data.knowledge, view.station_code, view.language))
    if view.status == "approved":
        text = _(
            "🎉 Welcome! {station} has approved your volunteer application. The station will "
            "contact you about activities."
        ).format(station=station)
    else:
        text = _("We are sorry: {station} has not approved your volunteer application.").format(
            station=station
        )
        if view.decline_reason:
            text += "\n" + _("Reason: {reason}").format(
                reason=escape(excerpt(view.decline_reason, 1000))
            )
        text += "\n" + _("Thank you for offering your help.")
    await data.outbox.send(OutgoingMessage(view.tg_id, text))
