"""/myrequests: a resident's own requests with their status, Cancel on the open ones; and the
1–5 rating (plus an optional comment) asked for when a request is completed.

Cancel (`my:cx:<id>` → `my:cxy:<id>`) is a stand-alone button: the service checks that the
request is the resident's own and still open, so a late press says where it stands. The rating
starts from the star buttons on the "completed" message (`rate:<id>:<n>`) and stores the stars
at once; the comment that may follow is a small conversation (`rating`, see `my_requests.mmd`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from html import escape
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.kit.callbacks import Press
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import TEXT, consuming, reask_text
from handlers.kit.i18n import N_, Gettext
from handlers.kit.screen import show
from handlers.kit.wiring import (
    add_all,
    add_presses,
    command_and_button,
    persistent_conversation,
)
from handlers.kit.words import moment_label, zone_name
from handlers.requests import request_notices
from handlers.requests.request_labels import (
    AGE_LABELS,
    STATUS_LABELS,
    TIME_LABELS,
    excerpt,
    label,
    local_time,
    phone_text,
    request_card,
    station_name,
)
from services import requests as rq
from services.errors import DomainError, InvalidValue, NotFound

T = TypeVar("T")
END = ConversationHandler.END
RATING_DRAFT = "rating"
COMMENT = "comment"


async def my_requests(update: Update, context: Context) -> None:
    who = await context.person(update)
    await _show_list(update, context, who, new=update.callback_query is None)


async def _show_list(
    update: Update, context: Context, who: Speaker, *, new: bool = False, note: str | None = None
) -> None:
    _ = who.gettext
    data = context.bot_data
    views = await data.use_case(rq.for_resident, resident_id=who.access.person_id)
    if not views:
        text = _("You have not made any requests yet. /request asks your station for help.")
        await show(update, (note + "\n\n" + text) if note else text, new=new)
        return
    lines = ["<b>" + _("Your requests") + "</b>"]
    rows = []
    for view in views:
        service = escape(data.knowledge.services.name(view.service_code, who.lang))
        lines.append("")
        lines.append(
            f"<b>{escape(view.ref)}</b> · {service}\n"
            + label(_, STATUS_LABELS, view.status)
            + " · "
            + local_time(_, view.created_at, data.clock.zone)
        )
        see = InlineKeyboardButton(
            _("📄 {ref} as sent").format(ref=view.ref), callback_data=f"my:see:{view.id}"
        )
        if view.is_open:
            rows.append(
                [
                    see,
                    InlineKeyboardButton(
                        _("✖ Cancel {ref}").format(ref=view.ref), callback_data=f"my:cx:{view.id}"
                    ),
                ]
            )
        elif view.status == rq.COMPLETED and view.rating is None:
            rows.append(
                [
                    see,
                    InlineKeyboardButton(
                        _("⭐ Rate {ref}").format(ref=view.ref), callback_data=f"my:rate:{view.id}"
                    ),
                ]
            )
        else:
            rows.append([see])
    text = "\n".join(lines)
    if note:
        text = note + "\n\n" + text
    await show(update, text, InlineKeyboardMarkup(rows) if rows else None, new=new)


HISTORY_LABELS = {**STATUS_LABELS, rq.HANDED_OVER: N_("🔁 Passed to another social worker")}


async def _own(
    update: Update,
    context: Context,
    who: Speaker,
    read: Callable[..., Awaitable[T]],
) -> T | None:
    """What `read(uow, request_id=, resident_id=)` finds of the person's own pressed request;
    None after saying the button has expired (a forged id, or someone else's request)."""
    try:
        return await context.bot_data.use_case(
            read, request_id=_id(update, context), resident_id=who.access.person_id
        )
    except NotFound:
        await _expired(update, who)
        return None


async def as_sent(update: Update, context: Context) -> None:
    """my:see:<id> — the request as the resident sent it, and what happened to it since."""
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    sent = await _own(update, context, who, partial(rq.as_sent, zone=data.clock.zone))
    if sent is None:
        return
    knowledge = data.knowledge
    option = knowledge.request_rules.for_whom_option(sent.for_whom)
    for_whom = option.name(who.lang) if option is not None else sent.for_whom
    erased = _("(erased)")
    lines = [
        "<b>" + _("Request {ref}, as you sent it").format(ref=escape(sent.ref)) + "</b>",
        _("Station: {station}").format(
            station=escape(station_name(knowledge, sent.station_code, who.lang))
        ),
        _("Service: {service}").format(
            service=escape(knowledge.services.name(sent.service_code, who.lang))
        ),
        _("For whom: {who}, {age}").format(
            who=escape(for_whom), age=label(_, AGE_LABELS, sent.age_group)
        ),
        _("Description: {text}").format(
            text=erased if sent.description is None else escape(sent.description)
        ),
        _("Phone: {phone}").format(phone=erased if sent.phone is None else phone_text(sent.phone)),
        _("Preferred time: {time}").format(time=label(_, TIME_LABELS, sent.preferred_time)),
        _("Sent: {time} ({zone})").format(
            time=_when(_, sent.sent_at, data.clock.zone), zone=zone_name(_, data.clock.zone)
        ),
        "",
        "<b>" + _("What happened since") + "</b>",
    ]
    for step in sent.history:
        by = _("by the station") if step.by_staff else _("by you")
        line = _("{time} · {status} ({by})").format(
            time=_when(_, step.at, data.clock.zone),
            status=label(_, HISTORY_LABELS, step.status),
            by=by,
        )
        if step.note:
            line += "\n    " + _("Reason: {reason}").format(reason=escape(step.note))
        lines.append(line)
    back = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("« My requests"), callback_data="my:list")]]
    )
    await show(update, "\n".join(lines), back)


def _when(_: Gettext, moment: datetime, zone: ZoneInfo) -> str:
    """12月2日 8:30 / Dec 2 8:30, in the bot's zone (Beijing time): the kit's one format."""
    return moment_label(_, moment, zone)


def _id(update: Update, context: Context) -> int:
    """The id of `my:<kind>:<id>`, read by the kit's codec; a forged one is -1 (no request)."""
    found = context.pressed_id(update)
    return -1 if found is None else found


async def cancel_asked(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    view = await _own(update, context, who, rq.resident_request)
    if view is None:
        return
    if not view.is_open:
        await _show_list(update, context, who, note=_closed_note(who, view))
        return
    card = request_card(_, data.knowledge, who.lang, data.clock.zone, view, for_staff=False)
    buttons = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Yes, cancel it"), callback_data=f"my:cxy:{view.id}"),
          InlineKeyboardButton(_("No, keep it"), callback_data="my:list")]]
    )  # fmt: skip
    await show(update, _("Cancel this request?") + "\n\n" + card, buttons)


def _closed_note(who: Speaker, view: rq.RequestView) -> str:
    _ = who.gettext
    return _("Request {ref} is already closed ({status}); nothing was changed.").format(
        ref=escape(view.ref), status=label(_, STATUS_LABELS, view.status)
    )


async def cancel_confirmed(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    request_id = _id(update, context)
    try:
        view = await data.use_case(
            rq.cancel, request_id=request_id, resident_id=who.access.person_id, now=data.clock.now()
        )
    except NotFound:
        await _expired(update, who)
        return
    except rq.IllegalTransition:
        view = await data.use_case(
            rq.resident_request, request_id=request_id, resident_id=who.access.person_id
        )
        await _show_list(update, context, who, note=_closed_note(who, view))
        return
    # Committed: those told of the request hear of its end through the ledger (once), recorded
    # before the resident's own screen can fail.
    keys = await request_notices.record(
        context, await request_notices.cancelled_notices(context, view)
    )
    note = "↩️ " + _("Request {ref} is cancelled.").format(ref=escape(view.ref))
    await _show_list(update, context, who, note=note)
    await request_notices.deliver(context, keys)


async def back_to_list(update: Update, context: Context) -> None:
    who = await context.person(update)
    await _show_list(update, context, who)


async def rate_asked(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    try:
        view = await context.bot_data.use_case(
            rq.resident_request, request_id=_id(update, context), resident_id=who.access.person_id
        )
    except NotFound:
        await _expired(update, who)
        return
    await show(
        update,
        _("How would you rate the help with {ref}? Five stars is the best.").format(
            ref=escape(view.ref)
        ),
        request_notices.rating_buttons(view.id),
    )


async def _expired(update: Update, who: Speaker) -> None:
    _ = who.gettext
    query = update.callback_query
    assert query is not None
    await query.answer(
        _("This button has expired. Please start again from the menu."), show_alert=True
    )


# --- rating and comment ---------------------------------------------------------------------


async def rated(update: Update, context: Context) -> str | int:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    query, press = context.button(update)
    # `rate:<id>:<stars>`: the id sits where the codec has the kind; read it the codec's way.
    request_id = Press(press.prefix, "id", (press.kind,)).int_arg() or -1
    stars = press.arg() or "0"
    try:
        view = await data.use_case(
            rq.rate,
            request_id=request_id,
            resident_id=who.access.person_id,
            rating=int(stars),
            now=data.clock.now(),
        )
    except rq.AlreadyRated as already:
        await query.answer(
            _("You have already rated this request: {stars}.").format(stars="⭐" * already.rating),
            show_alert=True,
        )
        return END
    except (DomainError, ValueError):
        await _expired(update, who)
        return END
    assert context.user_data is not None
    context.user_data[RATING_DRAFT] = {"id": view.id, "ref": view.ref}
    await show(
        update,
        _("Thank you for your rating of {ref}: {stars}").format(
            ref=escape(view.ref), stars="⭐" * (view.rating or 0)
        )
        + "\n\n"
        + _("Would you like to add a comment for the station? Just type it, or press Skip."),
        InlineKeyboardMarkup([[InlineKeyboardButton(_("Skip"), callback_data="rate:skip")]]),
    )
    return COMMENT


async def commented(update: Update, context: Context) -> str | int:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    assert context.user_data is not None
    draft = context.user_data.get(RATING_DRAFT) or {}
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    try:
        await data.use_case(
            rq.add_comment,
            request_id=int(draft.get("id", -1)),
            resident_id=who.access.person_id,
            comment=text,
            now=data.clock.now(),
        )
    except InvalidValue as problem:
        if problem.reason == "too_long":
            await show(
                update,
                _("That is {count} characters; please keep it to 1000 or fewer.").format(
                    count=len(text)
                ),
                _skip(who),
                new=True,
            )
            return COMMENT
        return COMMENT
    except DomainError:
        context.user_data.pop(RATING_DRAFT, None)
        await show(update, _("Thank you!"), new=True)
        return END
    context.user_data.pop(RATING_DRAFT, None)
    await show(
        update,
        _("Thank you! Your comment on {ref} has been passed to the station: “{text}”").format(
            ref=escape(draft.get("ref", "")), text=escape(excerpt(text, 1000))
        ),
        new=True,
    )
    return END


def _skip(who: Speaker) -> InlineKeyboardMarkup:
    _ = who.gettext
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("Skip"), callback_data="rate:skip")]])


async def skipped(update: Update, context: Context) -> int:
    who = await context.person(update)
    _ = who.gettext
    assert context.user_data is not None
    context.user_data.pop(RATING_DRAFT, None)
    await show(update, _("Thank you!"), new=update.callback_query is None)
    return END


async def comment_reask(update: Update, context: Context) -> str:
    who = await context.person(update)
    _ = who.gettext
    await show(
        update,
        reask_text(_, TEXT),
        _skip(who),
        new=True,
    )
    return COMMENT


async def _let_through(update: Update, context: Context) -> int:
    """A command or another button while a comment is awaited: the comment is simply not
    given; the update goes on to the handler it was meant for."""
    return END


def rating_conversation() -> ConversationHandler[Context]:
    """Registered in group -1 so the stars and the comment are seen before anything else; a
    command or another button ends it and passes on (nothing is swallowed), while a photo or
    sticker instead of the comment is re-asked."""
    return persistent_conversation(
        "rating",
        [CallbackQueryHandler(consuming(rated), pattern=r"^rate:\d+:[1-5]$")],
        {
            COMMENT: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, consuming(commented)),
                CallbackQueryHandler(consuming(skipped), pattern=r"^rate:skip$"),
                CommandHandler("cancel", consuming(skipped)),
                MessageHandler(filters.COMMAND, _let_through),
                CallbackQueryHandler(_let_through),
                MessageHandler(filters.ALL, consuming(comment_reask)),
            ],
        },
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(rating_conversation(), group=-1)
    add_all(app, command_and_button("myrequests", my_requests, look=True))
    add_presses(
        app,
        {
            r"^my:cx:\d+$": cancel_asked,
            r"^my:cxy:\d+$": cancel_confirmed,
            r"^my:list$": back_to_list,
            r"^my:rate:\d+$": rate_asked,
            r"^my:see:\d+$": as_sent,
        },
    )
