"""/broadcast: a station head (their station) or an admin (any station, or all) writes a message
once and sends it to many people; /unsubscribe and /subscribe for everyone.

The journey (diagram in `broadcast.mmd`), on the kit's Flow:

    station   which station's people (admins: any, or all; a head of one station skips it)
    audience  the station's volunteers, residents who used the station, everyone, with counts
    text      the message, typed
    preview   as recipients will see it, with who is left out; Send, or Change the text

then one confirm: `services.broadcasts.plan_broadcast` (which checks the sender may write to
those people) plans one ledger row per recipient, keyed by the draft's broadcast id so a second
press plans nothing, and the outbox delivers them in the background at its own pace; the sender
is told the outcome when it is done. A broadcast held for the morning is reported through the
ledger instead: once it has gone out, the minute tick plans one `broadcast_report` row to the
sender (`broadcasts.plan_held_reports`), rendered by `report_renderer`. People who blocked the bot are counted, never retried.
The states 0-3 and the draft key "broadcast" are those the release before the kit persisted.

Broadcasts are a kind of their own (`broadcast`) in the ledger: /unsubscribe stops only them,
never the reminders staff are owed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler

from handlers.delivery import PLANNERS, OutgoingMessage, Renderer
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import BotData, Context, Speaker
from handlers.kit.flow import END, TEXT, Draft, Flow, Outcome, Screen, Step
from handlers.kit.i18n import Gettext, Ngettext, Translator, ngettext_of
from handlers.kit.screen import show
from handlers.kit.steps import offered, typed_within
from handlers.kit.words import ngettext_for, only_for
from handlers.management.choices import ALL, station_rows, station_step
from knowledge.stations import StationCatalog
from services import broadcasts, people
from services.delivery import PendingDelivery
from services.errors import InvalidValue, NotAllowed
from services.people import ADMIN, STATION_HEAD

log = logging.getLogger(__name__)

PREFIX = "bc"
# The states as the release before the kit persisted them, kept so people mid-way continue.
STATION, AUDIENCE, TEXT_STEP, PREVIEW = range(4)
DRAFT = "broadcast"
SENDS = "broadcast_sends"  # bot_data.extras: the deliveries running in the background
DELIVERING = "broadcast_delivering"  # bot_data.extras: one delivery loop at a time


def _button(label: str, kind: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(PREFIX, kind, *args))


def _station_code(draft: Draft) -> str | None:
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


Render = Callable[[PendingDelivery, Gettext, str], tuple[str, InlineKeyboardMarkup | None]]


def renderer(stations: StationCatalog) -> Render:
    def render(
        item: PendingDelivery, _: Gettext, lang: str
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        sender = sender_name(stations, item.payload.get("station_code"), lang, _)
        return compose(str(item.payload.get("text", "")), sender, _), None

    return render


def refused_text(_: Gettext) -> str:
    return _("You can only send broadcasts to your own station's people.")


async def _count_audiences(context: Context, who: Speaker, draft: Draft) -> None:
    """The audience buttons show how many each reaches now: counted when the step is reached
    (a render cannot ask the database)."""
    async with context.bot_data.uow() as uow:
        draft["sizes"] = await broadcasts.audience_sizes(
            uow, station_code=_station_code(draft), sender_tg_id=who.tg_id
        )


# --- the steps -------------------------------------------------------------------------------
def render_station(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    catalogue = context.bot_data.knowledge.stations
    covered = broadcasts.sender_stations(who.access)
    stations = [s for s in catalogue.stations if who.access.is_admin or s.code in covered]
    rows = station_rows(who, PREFIX, stations, with_all=who.access.is_admin)
    return Screen(_("📣 Broadcast. Which station's people should receive it?"), rows)


async def station_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = press.arg()
    known = code == ALL or (code is not None and code in context.bot_data.knowledge.stations)
    if not known or not broadcasts.may_broadcast_to(who.access, None if code == ALL else code):
        await show(update, refused_text(who.gettext))
        return END
    draft["station"] = code
    await _count_audiences(context, who, draft)
    return None


def render_audience(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    data = context.bot_data
    station_code = _station_code(draft)
    sizes: dict[str, int] = draft.get("sizes") or {}

    def counted(label: str, name: str) -> str:
        return label.format(count=sizes.get(name, "…"))  # "…": a draft from before the kit

    rows = [
        [_button(counted(_("🤝 Volunteers ({count})"), broadcasts.VOLUNTEERS), "a", "volunteers")],
        [_button(counted(_("🙋 Residents ({count})"), broadcasts.RESIDENTS), "a", "residents")],
        [_button(counted(_("📢 Everyone ({count})"), broadcasts.EVERYONE), "a", "everyone")],
    ]
    sender = sender_name(data.knowledge.stations, station_code, who.lang, _)
    # The buttons stay short for a phone; what each audience means is said above them.
    meaning = (
        _(
            "Volunteers: the station's approved volunteers. Residents: those who asked the "
            "station for a service. Everyone: both, the station's staff and everyone who wrote "
            "to the bot about the station."
        )
        if station_code
        else _(
            "Volunteers: every approved volunteer. Residents: everyone who asked for a service. "
            "Everyone: everyone who has written to the bot."
        )
    )
    question = _("Who should receive the message from {sender}?").format(sender=escape(sender))
    return Screen(f"{question}\n{escape(meaning)}", rows)


async def audience_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    audience = offered(press.arg(), broadcasts.AUDIENCES)
    draft["audience"] = audience
    return None


def render_text(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    if draft.get("text"):
        return Screen(
            _("Type the new text (up to {max} characters).").format(max=broadcasts.MAX_TEXT)
        )
    return Screen(
        _(
            "Type your message (up to {max} characters). You will see a preview before it is sent."
        ).format(max=broadcasts.MAX_TEXT)
    )


async def text_typed(
    update: Update, context: Context, who: Speaker, draft: Draft, typed: str
) -> Outcome:
    _ = who.gettext
    text = typed_within(
        typed,
        broadcasts.MAX_TEXT,
        lambda length: _(
            "That is {count} characters; a broadcast can have at most {max}. Please shorten it."
        ).format(count=length, max=broadcasts.MAX_TEXT),
    )
    draft["text"] = text
    draft["id"] = broadcasts.new_broadcast_id()  # a changed text is a new broadcast
    found = await context.bot_data.use_case(
        broadcasts.audience,
        audience=str(draft.get("audience")),
        station_code=_station_code(draft),
        sender_tg_id=who.tg_id,
    )
    draft["reach"] = [len(found.recipients), found.opted_out, found.blocked]
    return None


def render_preview(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    data = context.bot_data
    sender = sender_name(data.knowledge.stations, _station_code(draft), who.lang, _)
    lines = [
        "<b>" + escape(_("Preview: this is what people will see.")) + "</b>",
        "",
        compose(str(draft.get("text", "")), sender, _),
        "",
        "——",
    ]
    reach = draft.get("reach")
    buttons = [_button(_("📣 Send"), "send"), _button(_("✏️ Change the text"), "edit")]
    night = _timing(data, send_now=False)
    if night.quiet:  # the quiet hours: the sender chooses, the morning is the default
        lines.append(escape(_("🌙 It is night now: people may be asleep.")))
        buttons = [
            _button(_("📣 Send now"), "send", "now"),
            _button(_("🌅 In the morning ({time})").format(time=clock_time(data, night)), "send"),
            buttons[1],
        ]
    if reach is not None:  # a draft of the release before the kit has no counts: Send counts
        recipients, opted_out, blocked = (int(n) for n in reach)
        lines.append(
            escape(
                ngettext_of(_)(
                    "It will go to {count} person.", "It will go to {count} people.", recipients
                ).format(count=recipients)
            )
        )
        if opted_out or blocked:
            lines.append(
                escape(
                    _("Left out: {opted_out} unsubscribed, {blocked} blocked the bot.").format(
                        opted_out=opted_out, blocked=blocked
                    )
                )
            )
        if not recipients:
            buttons = buttons[-1:]
            lines.append(escape(_("Nobody would receive it. Choose another audience with Back.")))
    rows = [buttons[:-1], buttons[-1:]] if len(buttons) > 2 else [buttons]
    return Screen("\n".join(lines), rows)


def _timing(data: BotData, *, send_now: bool) -> broadcasts.BroadcastTiming:
    return broadcasts.timing(
        data.knowledge.reminders, now=data.clock.now(), zone=data.clock.zone, send_now=send_now
    )


def clock_time(data: BotData, when: broadcasts.BroadcastTiming) -> str:
    local = when.send_at.astimezone(data.clock.zone)
    return f"{local.hour}:{local.minute:02d}"


async def send_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    draft["send_now"] = press.arg() == "now"  # plain Send, or "in the morning": held at night
    return None  # the Flow's finish sends


async def edit_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    return "text"


STEPS = (
    station_step(render_station, station_pressed, persisted=STATION),
    Step("audience", render_audience, {"a": audience_pressed}, persisted=AUDIENCE),
    Step("text", render_text, on_text=text_typed, expects=TEXT, persisted=TEXT_STEP),
    Step(
        "preview",
        render_preview,
        {"send": send_pressed, "edit": edit_pressed},
        persisted=PREVIEW,
    ),
)


async def allowed(update: Update, context: Context, who: Speaker) -> bool:
    if broadcasts.may_broadcast(who.access):
        return True
    await show(update, only_for(who, STATION_HEAD, ADMIN))
    return False


async def begin(update: Update, context: Context, who: Speaker) -> Draft:
    heads = sorted(broadcasts.sender_stations(who.access))
    if who.access.is_admin or len(heads) != 1:
        return {}
    draft: Draft = {"station": heads[0], "only": True}  # the station step does not apply
    await _count_audiences(context, who, draft)
    return draft


async def send(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """The one confirm: plan the broadcast (the service re-checks the sender), then deliver."""
    _ = who.gettext
    data = context.bot_data
    when = _timing(data, send_now=bool(draft.get("send_now")))
    try:
        found = await data.use_case(
            broadcasts.plan_broadcast,
            broadcast_id=str(draft["id"]),
            text=str(draft["text"]),
            audience_name=str(draft["audience"]),
            station_code=_station_code(draft),
            sender=who.access,
            now=data.clock.now(),
            send_at=when.send_at,
        )
    except NotAllowed:
        await show(update, refused_text(_))
        return END
    except (InvalidValue, KeyError):
        await show(
            update, _("This broadcast could not be sent. Please start again with /broadcast.")
        )
        return END
    if when.held:  # the outbox (the minute tick) leaves the rows until the morning
        today = when.send_at.astimezone(data.clock.zone).date() == (
            data.clock.now().astimezone(data.clock.zone).date()
        )
        n = len(found.recipients)
        held = (
            ngettext_of(_)(
                "🌅 Held for the morning: it will go to {count} person today at {time}.",
                "🌅 Held for the morning: it will go to {count} people today at {time}.",
                n,
            )
            if today
            else ngettext_of(_)(
                "🌅 Held for the morning: it will go to {count} person tomorrow at {time}.",
                "🌅 Held for the morning: it will go to {count} people tomorrow at {time}.",
                n,
            )
        )
        await show(update, held.format(count=len(found.recipients), time=clock_time(data, when)))
        return END
    await show(
        update,
        ngettext_of(_)(
            "📣 Sending to {count} person. I will tell you when it is done.",
            "📣 Sending to {count} people. I will tell you when it is done.",
            len(found.recipients),
        ).format(count=len(found.recipients)),
    )
    task = context.application.create_task(
        deliver(data, broadcast_id=str(draft["id"]), sender_tg_id=who.tg_id, left_out=found),
        update=update,
    )
    sends: set[asyncio.Task[Any]] = data.extras.setdefault(SENDS, set())
    sends.add(task)
    task.add_done_callback(sends.discard)
    return END


BROADCAST = Flow(DRAFT, PREFIX, STEPS, begin, send, command="broadcast", allowed=allowed)


async def deliver(
    data: BotData, *, broadcast_id: str, sender_tg_id: int, left_out: broadcasts.Audience
) -> None:
    """Let the outbox work through the ledger until this broadcast is out, then report back.

    Two broadcasts sent at once take turns, so they never read the same planned rows."""
    lock: asyncio.Lock = data.extras.setdefault(DELIVERING, asyncio.Lock())
    async with lock:
        while True:
            report = await data.outbox.deliver_pending()
            outcome = await data.use_case(broadcasts.outcome, broadcast_id=broadcast_id)
            progress = report.sent + len(report.unreachable) + len(report.failed)
            if outcome.waiting == 0 or progress == 0:
                break
    async with data.uow() as uow:
        language = (await people.languages_of(uow, [sender_tg_id]))[sender_tg_id]
    _ = data.translator.for_language(language)
    went = broadcasts.SenderReport(
        sent=outcome.sent,
        blocked=outcome.unreachable + left_out.blocked,
        not_reachable=outcome.failed + left_out.not_started,
        opted_out=left_out.opted_out,
    )
    lines = [_("📣 Broadcast done: {sent} delivered.").format(sent=went.sent)]
    lines += report_lines(ngettext_for(data.translator, language), went)
    if outcome.waiting:
        lines.append(_("{count} are still waiting to be sent.").format(count=outcome.waiting))
    await data.outbox.send(OutgoingMessage(sender_tg_id, "\n".join(lines)))


def report_lines(ngettext: Ngettext, went: broadcasts.SenderReport) -> list[str]:
    """Who did not get a broadcast, and why: one line per reason there was (plural forms)."""
    lines = []
    if went.blocked:
        lines.append(
            ngettext(
                "{count} person has blocked the bot and was not sent it.",
                "{count} people have blocked the bot and were not sent it.",
                went.blocked,
            ).format(count=went.blocked)
        )
    if went.not_reachable:
        lines.append(
            ngettext(
                "{count} person could not be reached (never opened the bot, or Telegram "
                "refused the message).",
                "{count} people could not be reached (never opened the bot, or Telegram "
                "refused the message).",
                went.not_reachable,
            ).format(count=went.not_reachable)
        )
    if went.opted_out:
        lines.append(
            ngettext(
                "{count} person unsubscribed from broadcasts.",
                "{count} people unsubscribed from broadcasts.",
                went.opted_out,
            ).format(count=went.opted_out)
        )
    return lines


def report_renderer(translator: Translator) -> Renderer:
    """The ledger's report to the sender of a held broadcast, once it has gone out."""

    def render(
        item: PendingDelivery, _: Gettext, lang: str
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        went = broadcasts.SenderReport.of(item.payload)
        lines = [
            _("📣 Your broadcast held for the morning has gone out: {sent} delivered.").format(
                sent=went.sent
            ),
            *report_lines(ngettext_for(translator, lang), went),
        ]
        return "\n".join(lines), None

    return render


async def plan_held_reports(data: BotData, now: datetime) -> int:
    """The minute tick's part: a report to each held broadcast's sender once it has gone out
    (planned before the tick delivers, so it leaves in the same tick)."""
    return await data.use_case(broadcasts.plan_held_reports, now=now)


async def wait_for_sends(data: BotData) -> None:
    """Wait for every broadcast being delivered in the background (tests, shutdown)."""
    sends: set[asyncio.Task[Any]] = data.extras.get(SENDS, set())
    while sends:
        await asyncio.gather(*list(sends), return_exceptions=True)


# --- /unsubscribe and /subscribe --------------------------------------------------------------
async def unsubscribe(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    changed = await data.use_case(
        broadcasts.set_opt_out, tg_id=who.tg_id, opt_out=True, now=data.clock.now()
    )
    text = (
        _("You will no longer receive broadcasts. Send /subscribe to receive them again.")
        if changed
        else _("You had already unsubscribed. Send /subscribe to receive broadcasts again.")
    )
    if who.access.is_staff:
        text += "\n" + _("Reminders about your own work still come.")
    await show(update, text)


async def subscribe(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    changed = await data.use_case(
        broadcasts.set_opt_out, tg_id=who.tg_id, opt_out=False, now=data.clock.now()
    )
    await show(
        update,
        _("You will receive broadcasts again. Send /unsubscribe to stop them.")
        if changed
        else _("You already receive broadcasts. Send /unsubscribe to stop them."),
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    data: BotData = app.bot_data
    data.outbox.register_renderer(broadcasts.KIND, renderer(data.knowledge.stations))
    data.outbox.register_renderer(broadcasts.REPORT_KIND, report_renderer(data.translator))
    data.extras.setdefault(PLANNERS, []).append(plan_held_reports)
    app.add_handler(BROADCAST.conversation())
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CommandHandler("subscribe", subscribe))
