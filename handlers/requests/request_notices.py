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

from collections.abc import Callable, Iterable, Sequence
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


def request_period(request_id: int) -> str:
    return f"request:{request_id}"


def application_period(application_id: int) -> str:
    return f"volunteer:{application_id}"


NEW = "new"  # the occasion of a new request's (or application's) notice to the station
CANCELLED = "cancelled"  # the occasion of "the resident has ended it" to those told of it


def _notice(
    recipient: int,
    period: str,
    station_code: str,
    occasion: str,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    urgent: bool = False,
) -> PlannedMessage:
    buttons = [
        [[b.text, b.callback_data] for b in row]
        for row in (markup.inline_keyboard if markup else ())
    ]
    return PlannedMessage(
        kind=NOTICE,
        period=period,
        occasion=occasion,
        recipient_tg_id=recipient,
        station_code=station_code,
        # An urgent request's notice rings also at night (the outbox's quiet policy).
        payload={"text": text, "buttons": buttons, "urgent": urgent},
    )


Compose = Callable[[Gettext, str], tuple[str, InlineKeyboardMarkup | None]]


def _to_each(
    context: Context,
    recipients: Iterable[tuple[int, str]],
    period: str,
    station_code: str,
    occasion: str,
    compose: Compose,
    *,
    urgent: bool = False,
) -> list[PlannedMessage]:
    """One notice per (tg_id, language) recipient, composed in their language."""
    translator = context.bot_data.translator
    return [
        _notice(
            tg_id, period, station_code, occasion, *compose(translator.for_language(lang), lang),
            urgent=urgent,
        )
        for tg_id, lang in recipients
    ]  # fmt: skip


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
        await data.use_case(delivery.plan, messages=messages, now=data.clock.now())
    return [m.key for m in messages]


async def deliver(context: Context, keys: Sequence[str], *, started: bool = False) -> None:
    """Let the outbox send the ledger rows `record` gave the keys of (unless `start` did)."""
    if keys and not started:
        await context.bot_data.outbox.deliver_soon(keys)


def start(context: Context, keys: Sequence[str]) -> bool:
    """Before the person's reply: in the background (as `run` sends), the notices start now and
    queue with the reply, as urgent as it (bench.notices); True if so, else `deliver` after."""
    return bool(keys) and context.bot_data.outbox.start_in_background(keys)


def new_request_notices(context: Context, submitted: Submitted) -> list[PlannedMessage]:
    """The station's workers are told of a new request, each in their language, with Accept."""
    data = context.bot_data
    view = submitted.request

    def compose(_: Gettext, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
        heading = (
            _("📥 New request for your station")
            if not view.urgent
            else _("🔴 New URGENT request for your station")
        )
        card = request_card(_, data.knowledge, lang, data.clock.zone, view, for_staff=True)
        return heading + "\n\n" + card, staff_request_buttons(_, view)

    recipients = [(c.tg_id, c.language) for c in submitted.notify]
    period = request_period(view.id)
    return _to_each(
        context, recipients, period, view.station_code, NEW, compose, urgent=view.urgent
    )


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
    if view.status == rq.ACCEPTED and view.erased:  # after /forget: no phone to call them on
        text = _(
            "✅ Good news: a social worker of {station} has accepted your request {ref}. Your "
            "personal details were erased, so the station has no phone number for you: news of "
            "your request will come here in this chat."
        ).format(station=station_text, ref=ref)
    elif view.status == rq.ACCEPTED:
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
    return [
        _notice(
            view.resident_tg_id, request_period(view.id), view.station_code, view.status, text,
            markup,
        )
    ]  # fmt: skip


async def _told_of_new(context: Context, period: str) -> delivery.Told:
    """Who the ledger's notice of something new reached; the rows not yet sent are dropped
    (what they announce has ended, so they would only be false now)."""
    async with context.bot_data.uow() as uow:
        told = await delivery.told(uow, kind=NOTICE, period=period, occasion=NEW)
        if told.planned:
            await delivery.withdraw_planned(
                uow, kind=NOTICE, period=period, occasion=NEW, reason=CANCELLED
            )
    return told


async def cancelled_notices(context: Context, view: RequestView) -> list[PlannedMessage]:
    """The resident cancelled: the worker who took it is told, or, while nobody had, the
    staff its new-request notice reached (each once: the ledger's key)."""
    period = request_period(view.id)
    told = await _told_of_new(context, period)
    recipients = (view.assignee_tg_id,) if view.assignee_tg_id is not None else told.reached
    services = context.bot_data.knowledge.services

    def compose(_: Gettext, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
        text = _(
            "↩️ The resident has cancelled request {ref} ({service}). Nothing more is needed; "
            "its buttons no longer do anything."
        ).format(ref=escape(view.ref), service=escape(services.name(view.service_code, lang)))
        return text, _details_button(_, view)

    found = (await _languages(context, recipients)).items()
    return _to_each(context, found, period, view.station_code, CANCELLED, compose)


def _details_button(_: Gettext, view: RequestView) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("📄 Details"), callback_data=f"ib:rq:{view.id}")]]
    )


async def _languages(context: Context, tg_ids: Sequence[int]) -> dict[int, str]:
    found = await context.bot_data.use_case(people.languages_of, list(tg_ids))
    return {tg: found.get(tg, "zh") for tg in tg_ids}


async def assignee_told_handed_over(context: Context, view: RequestView) -> None:
    if view.assignee_tg_id is None:
        return
    data = context.bot_data
    lang = (await _languages(context, [view.assignee_tg_id]))[view.assignee_tg_id]
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


def new_application_notices(context: Context, applied: Applied) -> list[PlannedMessage]:
    """The station is told of a new application, each in their language, with the decision."""
    data = context.bot_data
    view = applied.application

    def compose(_: Gettext, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
        card = application_card(_, data.knowledge, lang, data.clock.zone, view, for_staff=True)
        text = _("🤝 New volunteer application for your station") + "\n\n" + card
        return text, application_buttons(_, view)

    recipients = [(c.tg_id, c.language) for c in applied.notify]
    period = application_period(view.id)
    return _to_each(context, recipients, period, view.station_code, NEW, compose)


def applicant_notices(context: Context, view: ApplicationView) -> list[PlannedMessage]:
    """The applicant is told the station's decision (once: the ledger's key)."""
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
    period = application_period(view.id)
    return [_notice(view.tg_id, period, view.station_code, view.status, text)]


async def withdrawn_notices(
    context: Context, view: ApplicationView, *, fallback: Sequence[int] = ()
) -> list[PlannedMessage]:
    """The applicant withdrew: the staff its notice reached are told (`fallback`: whom to
    tell of an application whose notice left before notices went through the ledger)."""
    period = application_period(view.id)
    told = await _told_of_new(context, period)
    recipients = told.reached if told.any_row else tuple(fallback)
    knowledge = context.bot_data.knowledge

    def compose(_: Gettext, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
        text = _(
            "↩️ {name} has withdrawn the volunteer application to {station}. Nothing more is needed."
        ).format(
            name=escape(view.name or _("(erased)")),
            station=escape(station_name(knowledge, view.station_code, lang)),
        )
        return text, None

    found = (await _languages(context, recipients)).items()
    return _to_each(context, found, period, view.station_code, CANCELLED, compose)
