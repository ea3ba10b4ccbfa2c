"""/broadcast: a station head (their station) or an admin (any station, or all) writes a message
once and sends it to many people; /unsubscribe and /subscribe for everyone.

The journey (diagram in `broadcast.mmd`): station (admins; a head with one station skips it)
→ audience (the station's volunteers, residents who used the station, everyone), each with
how many it reaches now → the text → a preview as recipients will see it, with who is left
out (unsubscribed, blocked the bot) → Send. Send plans one ledger row per recipient
(`services.broadcasts.plan_broadcast`, keyed by the draft's broadcast id, so a second press
plans nothing) and the outbox delivers them in the background at its own pace; the sender is
told the outcome when it is done. People who blocked the bot are counted, never retried.

Broadcasts are a kind of their own (`broadcast`) in the ledger: /unsubscribe stops only them,
never the reminders staff are owed.
"""

from __future__ import annotations

import asyncio
import logging
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

from handlers.delivery import OutgoingMessage
from handlers.kit.context import BotData, Context, Speaker, speaker
from handlers.kit.i18n import Gettext
from handlers.kit.keyboards import choices, markup, nav_row, station_buttons
from handlers.kit.prompts import clear_draft, draft_in
from handlers.management.reply_steps import button_fallback, cancelled, nav_handlers
from handlers.people.start import reply
from knowledge.stations import StationCatalog
from services import broadcasts, people
from services.delivery import PendingDelivery
from services.errors import InvalidValue
from services.people import Access

log = logging.getLogger(__name__)

STATION, AUDIENCE, TEXT, PREVIEW = range(4)
DRAFT = "broadcast"
SENDS = "broadcast_sends"  # bot_data.extras: the deliveries running in the background
DELIVERING = "broadcast_delivering"  # bot_data.extras: one delivery loop at a time
ALL = "all"


def may_broadcast(access: Access) -> bool:
    return access.is_admin or bool(access.head_stations)


def may_broadcast_to(access: Access, station: str) -> bool:
    return access.is_admin or station in access.head_stations


def _draft(context: Context) -> dict[str, Any]:
    return draft_in(context, DRAFT)


def _clear(context: Context) -> None:
    clear_draft(context, DRAFT)


def _station_code(draft: dict[str, Any]) -> str | None:
    station = draft.get("station")
    return None if station in (None, ALL) else str(station)


def sender_name(stations: StationCatalog, station_code: str | None, lang: str, _: Gettext) -> str:
    station = stations.get(station_code) if station_code else None
    return station.name(lang) if station else _("the civil affairs bureau")


def compose(text: str, sender: str, _: Gettext) -> str:
    """The message as a recipient sees it (HTML), in the recipient's language."""
    return "\n\n".join(
        [
            "📣 <b>" + escape(_("A message from {sender}").format(sender=sender)) + "</b>",
            escape(text),
            "<i>" + escape(_("To stop these messages, send /unsubscribe.")) + "</i>",
        ]
    )


def renderer(stations: StationCatalog) -> Any:
    def render(
        item: PendingDelivery, _: Gettext, lang: str
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        sender = sender_name(stations, item.payload.get("station_code"), lang, _)
        return compose(str(item.payload.get("text", "")), sender, _), None

    return render


# --- the conversation -------------------------------------------------------------------------
async def start(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    if not may_broadcast(who.access):
        await reply(update, _("Broadcasts are for station heads and the civil affairs bureau."))
        return ConversationHandler.END
    _clear(context)
    draft = _draft(context)
    heads = sorted(who.access.head_stations)
    if not who.access.is_admin and len(heads) == 1:
        draft["station"] = heads[0]
        await ask_audience(update, context, who)
        return AUDIENCE
    await ask_station(update, context, who)
    return STATION


async def ask_station(update: Update, context: Context, who: Speaker) -> None:
    _ = who.gettext
    catalogue = context.bot_data.knowledge.stations
    stations = [
        s for s in catalogue.stations if who.access.is_admin or s.code in who.access.head_stations
    ]
    rows = station_buttons(stations, who.lang, "bc:s")
    if who.access.is_admin:
        rows.insert(0, [InlineKeyboardButton(_("🗺 All stations"), callback_data="bc:s:all")])
    await reply(
        update,
        _("📣 Broadcast. Whose people should receive it?"),
        markup(rows, nav_row(_, "bc", back=False)),
    )


async def station_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.removeprefix("bc:s:")
    known = code == ALL or code in context.bot_data.knowledge.stations
    if not known or not (who.access.is_admin or may_broadcast_to(who.access, code)):
        _clear(context)
        await reply(update, _("You can only send broadcasts to your own station's people."))
        return ConversationHandler.END
    _draft(context)["station"] = code
    await ask_audience(update, context, who)
    return AUDIENCE


async def ask_audience(update: Update, context: Context, who: Speaker) -> None:
    _ = who.gettext
    data = context.bot_data
    station_code = _station_code(_draft(context))
    async with data.uow() as uow:
        sizes = await broadcasts.audience_sizes(
            uow, station_code=station_code, sender_tg_id=who.tg_id
        )
    everyone = (
        _("📢 Everyone connected to the station ({count})")
        if station_code
        else _("📢 Everyone who has written to the bot ({count})")
    )
    rows = choices(
        [
            (
                _("🤝 Volunteers ({count})").format(count=sizes[broadcasts.VOLUNTEERS]),
                "bc:a:volunteers",
            ),
            (
                _("🙋 Residents who used the station ({count})").format(
                    count=sizes[broadcasts.RESIDENTS]
                ),
                "bc:a:residents",
            ),
            (everyone.format(count=sizes[broadcasts.EVERYONE]), "bc:a:everyone"),
        ],
        per_row=1,
    )
    sender = sender_name(data.knowledge.stations, station_code, who.lang, _)
    await reply(
        update,
        _("Who should receive the message from {sender}?").format(sender=escape(sender)),
        markup(
            rows, nav_row(_, "bc", back=who.access.is_admin or len(who.access.head_stations) > 1)
        ),
    )


async def audience_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    _draft(context)["audience"] = query.data.removeprefix("bc:a:")
    await reply(
        update,
        _(
            "Type your message (up to {max} characters). You will see a preview before it is sent."
        ).format(max=broadcasts.MAX_TEXT),
        markup([], nav_row(_, "bc")),
    )
    return TEXT


async def text_typed(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    message = update.effective_message
    assert message is not None
    text = (message.text or "").strip()
    if len(text) > broadcasts.MAX_TEXT:
        await reply(
            update,
            _(
                "That is {count} characters; a broadcast can have at most {max}. Please shorten it."
            ).format(count=len(text), max=broadcasts.MAX_TEXT),
        )
        return TEXT
    if not text:
        return await reask_text(update, context)
    draft = _draft(context)
    draft["text"] = text
    draft["id"] = broadcasts.new_broadcast_id()  # a changed text is a new broadcast
    await show_preview(update, context, who)
    return PREVIEW


async def show_preview(update: Update, context: Context, who: Speaker) -> None:
    _ = who.gettext
    data = context.bot_data
    draft = _draft(context)
    station_code = _station_code(draft)
    async with data.uow() as uow:
        found = await broadcasts.audience(
            uow, audience=str(draft["audience"]), station_code=station_code, sender_tg_id=who.tg_id
        )
    sender = sender_name(data.knowledge.stations, station_code, who.lang, _)
    lines = [
        "<b>" + escape(_("Preview: this is what people will see.")) + "</b>",
        "",
        compose(str(draft["text"]), sender, _),
        "",
        "——",
        escape(_("It will go to {count} people.").format(count=len(found.recipients))),
    ]
    if found.opted_out or found.blocked:
        lines.append(
            escape(
                _("Left out: {opted_out} unsubscribed, {blocked} blocked the bot.").format(
                    opted_out=found.opted_out, blocked=found.blocked
                )
            )
        )
    buttons = [(_("✏️ Change the text"), "bc:edit")]
    if found.recipients:
        buttons.insert(0, (_("📣 Send"), "bc:send"))
    else:
        lines.append(escape(_("Nobody would receive it. Choose another audience with Back.")))
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(
        "\n".join(lines), reply_markup=markup(choices(buttons, per_row=2), nav_row(_, "bc"))
    )


async def edit_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    await reply(
        update,
        _("Type the new text (up to {max} characters).").format(max=broadcasts.MAX_TEXT),
        markup([], nav_row(_, "bc")),
    )
    return TEXT


async def send_chosen(update: Update, context: Context) -> int:
    """Plan the broadcast in the ledger (re-checking the sender's rights), then deliver it."""
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    draft = dict(_draft(context))
    station = str(draft.get("station", ""))
    if not may_broadcast(who.access) or not (
        who.access.is_admin or may_broadcast_to(who.access, station)
    ):
        _clear(context)
        await reply(update, _("You can only send broadcasts to your own station's people."))
        return ConversationHandler.END
    try:
        async with data.uow() as uow:
            found = await broadcasts.plan_broadcast(
                uow,
                broadcast_id=str(draft["id"]),
                text=str(draft["text"]),
                audience_name=str(draft["audience"]),
                station_code=_station_code(draft),
                sender_tg_id=who.tg_id,
                now=data.clock.now(),
            )
    except (InvalidValue, KeyError):
        _clear(context)
        await reply(
            update, _("This broadcast could not be sent. Please start again with /broadcast.")
        )
        return ConversationHandler.END
    _clear(context)
    await reply(
        update,
        _("📣 Sending to {count} people. I will tell you when it is done.").format(
            count=len(found.recipients)
        ),
    )
    task = context.application.create_task(
        deliver(data, broadcast_id=str(draft["id"]), sender_tg_id=who.tg_id, left_out=found),
        update=update,
    )
    sends: set[asyncio.Task[Any]] = data.extras.setdefault(SENDS, set())
    sends.add(task)
    task.add_done_callback(sends.discard)
    return ConversationHandler.END


async def deliver(
    data: BotData, *, broadcast_id: str, sender_tg_id: int, left_out: broadcasts.Audience
) -> None:
    """Let the outbox work through the ledger until this broadcast is out, then report back.

    Two broadcasts sent at once take turns, so they never read the same planned rows."""
    lock: asyncio.Lock = data.extras.setdefault(DELIVERING, asyncio.Lock())
    async with lock:
        while True:
            report = await data.outbox.deliver_pending()
            async with data.uow() as uow:
                outcome = await broadcasts.outcome(uow, broadcast_id=broadcast_id)
            progress = report.sent + len(report.unreachable) + len(report.failed)
            if outcome.waiting == 0 or progress == 0:
                break
    async with data.uow() as uow:
        language = (await people.languages_of(uow, [sender_tg_id]))[sender_tg_id]
    _ = data.translator.for_language(language)
    lines = [
        _("📣 Broadcast done: {sent} delivered.").format(sent=outcome.sent),
    ]
    blocked = outcome.unreachable + left_out.blocked
    if blocked:
        lines.append(
            _("{count} people have blocked the bot; they were not sent it.").format(count=blocked)
        )
    if left_out.opted_out:
        lines.append(
            _("{count} people unsubscribed from broadcasts.").format(count=left_out.opted_out)
        )
    if outcome.failed:
        lines.append(_("{count} could not be delivered this time.").format(count=outcome.failed))
    if outcome.waiting:
        lines.append(_("{count} are still waiting to be sent.").format(count=outcome.waiting))
    await data.outbox.send(OutgoingMessage(sender_tg_id, "\n".join(lines)))


async def wait_for_sends(data: BotData) -> None:
    """Wait for every broadcast being delivered in the background (tests, shutdown)."""
    sends: set[asyncio.Task[Any]] = data.extras.get(SENDS, set())
    while sends:
        await asyncio.gather(*list(sends), return_exceptions=True)


async def back(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    draft = _draft(context)
    if "text" in draft or "audience" in draft:
        draft.pop("text", None)
        draft.pop("audience", None)
        draft.pop("id", None)
        await ask_audience(update, context, who)
        return AUDIENCE
    if not who.access.is_admin and len(who.access.head_stations) == 1:
        await ask_audience(update, context, who)
        return AUDIENCE
    draft.pop("station", None)
    await ask_station(update, context, who)
    return STATION


async def cancel(update: Update, context: Context) -> int:
    return await cancelled(update, context, DRAFT)


async def reask_text(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    await reply(update, _("Please type the message as text (pictures cannot be broadcast yet)."))
    return TEXT


# --- /unsubscribe and /subscribe --------------------------------------------------------------
async def unsubscribe(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        changed = await broadcasts.set_opt_out(
            uow, tg_id=who.tg_id, opt_out=True, now=data.clock.now()
        )
    text = (
        _("You will no longer receive broadcasts. Send /subscribe to receive them again.")
        if changed
        else _("You had already unsubscribed. Send /subscribe to receive broadcasts again.")
    )
    if who.access.is_staff:
        text += "\n" + _("Reminders about your own work still come.")
    await reply(update, text)


async def subscribe(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        changed = await broadcasts.set_opt_out(
            uow, tg_id=who.tg_id, opt_out=False, now=data.clock.now()
        )
    await reply(
        update,
        _("You will receive broadcasts again. Send /unsubscribe to stop them.")
        if changed
        else _("You already receive broadcasts. Send /unsubscribe to stop them."),
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    data: BotData = app.bot_data
    data.outbox.register_renderer(broadcasts.KIND, renderer(data.knowledge.stations))
    nav = nav_handlers("bc", back, cancel)
    fallback = button_fallback()
    app.add_handler(
        ConversationHandler(
            name="broadcast",
            persistent=True,
            entry_points=[
                CommandHandler("broadcast", start),
                CallbackQueryHandler(start, pattern=r"^menu:broadcast$"),
            ],
            states={
                STATION: [
                    CallbackQueryHandler(station_chosen, pattern=r"^bc:s:\w+$"),
                    *nav,
                    fallback,
                ],
                AUDIENCE: [
                    CallbackQueryHandler(
                        audience_chosen, pattern=r"^bc:a:(volunteers|residents|everyone)$"
                    ),
                    *nav,
                    fallback,
                ],
                TEXT: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, text_typed),
                    *nav,
                    MessageHandler(filters.ALL & ~filters.COMMAND, reask_text),
                ],
                PREVIEW: [
                    CallbackQueryHandler(send_chosen, pattern=r"^bc:send$"),
                    CallbackQueryHandler(edit_chosen, pattern=r"^bc:edit$"),
                    *nav,
                    fallback,
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel), CommandHandler("broadcast", start)],
            allow_reentry=True,
        )
    )
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CommandHandler("subscribe", subscribe))
