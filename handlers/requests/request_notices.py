"""Notifications about requests and volunteer applications to the OTHER people concerned.

Each is composed in its recipient's language and leaves through the outbox: a new request to
the station's workers (with Accept), every status change to the resident, a cancellation or a
hand-over to the worker concerned, a new application to the station, the decision to the
applicant.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.delivery import OutgoingMessage
from handlers.kit.context import Context
from handlers.kit.i18n import Gettext
from handlers.requests.request_labels import application_card, excerpt, request_card, station_name
from services import people
from services import requests as rq
from services.requests import RequestView, Submitted
from services.volunteers import ApplicationView, Applied


def staff_request_buttons(
    _: Gettext, view: RequestView, *, accept: bool = True
) -> InlineKeyboardMarkup:
    """`_` is the recipient's gettext."""
    rows = []
    if accept:
        rows.append([InlineKeyboardButton(_("✅ Accept"), callback_data=f"ib:acc:{view.id}")])
    rows.append([InlineKeyboardButton(_("📄 Details"), callback_data=f"ib:rq:{view.id}")])
    return InlineKeyboardMarkup(rows)


async def new_request(context: Context, submitted: Submitted) -> None:
    data = context.bot_data
    view = submitted.request
    messages = []
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
        messages.append(
            OutgoingMessage(contact.tg_id, heading + "\n\n" + card, staff_request_buttons(_, view))
        )
    await data.outbox.send_many(messages)


def rating_buttons(request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("⭐" * n, callback_data=f"rate:{request_id}:{n}")]
         for n in range(5, 0, -1)]
    )  # fmt: skip


async def resident_update(context: Context, view: RequestView) -> None:
    """Tell the resident, in their language, where their request now stands."""
    if view.resident_tg_id is None:  # registered by staff for a walk-in: nobody to message
        return
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
        return
    await data.outbox.send(OutgoingMessage(view.resident_tg_id, text, markup))


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
            )
        )
    await data.outbox.send_many(messages)


async def applicant_told(context: Context, view: ApplicationView) -> None:
    data = context.bot_data
    _ = data.translator.for_language(view.language)
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
