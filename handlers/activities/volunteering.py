"""The volunteer's side (diagram: `volunteering.mmd`): the four ledger messages and their
buttons, the QR scans and the poster links that arrive as `/start` payloads, `/myhours` with
its certificate, and `/verify CODE` for administrators and station heads.

Ledger kinds (rendered at send time in the recipient's language, `services.volunteer_activities`):
- `activity_offer`: the activity, with **Sign me up** (`vsg:up:<id>`); full → the waiting list
  is offered (`vsg:wait:<id>`);
- `activity_promoted`: a place freed up and is theirs, with **I can't come**;
- after signing up, **I can't come** (`vsg:nok:<id>`) asks first: **No, I will come**
  (`vsg:up:<id>`, which changes nothing) / **Yes, give up my place** (`vsg:no:<id>`);
- `activity_reminder`: the day before, **I'll come** (`vsg:yes:<id>`) / **I can't come**
  (`vsg:no:<id>`, which frees the place for the first on the waiting list);
- `activity_cancelled`: the activity was cancelled.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.activities.words import clock_time, hours_text, station_name, when_text
from handlers.documents.volunteer_certificate import (
    NoCjkFont,
    certificate_file_name,
    certificate_pdf,
)
from handlers.kit.callbacks import encode
from handlers.kit.context import BotData, Context, Speaker
from handlers.kit.flow import LookCommand
from handlers.kit.i18n import Gettext, ngettext_of
from handlers.kit.screen import alert, show
from handlers.kit.steps import STATION_PRESET
from handlers.kit.words import day_label, only_for, plural_n
from knowledge.deep_links import ASK, REQUEST, VOLUNTEER, ScanLink, StationLink, parse_payload
from services import volunteer_activities as va
from services import volunteer_certificates as vc
from services.delivery import PendingDelivery
from services.errors import Conflict, NotFound
from services.people import ADMIN, STATION_HEAD

SIGN = "vsg"  # the volunteer's buttons on ledger messages
HOURS = "vmh"  # /myhours' buttons
PRESET = STATION_PRESET  # user_data: the station of the poster someone scanned
MAX_LISTED = 30  # activities listed in /myhours

Rendered = tuple[str, InlineKeyboardMarkup | None]


# --- the ledger messages ---------------------------------------------------------------------
class ActivityRenderers:
    def __init__(self, data: BotData) -> None:
        self.stations = data.knowledge.stations
        self.zone = data.clock.zone

    def by_kind(self) -> dict[str, Any]:
        return {
            va.OFFER: self.offer,
            va.PROMOTED: self.promoted,
            va.DAY_BEFORE: self.reminder,
            va.CANCELLED_NOTICE: self.cancelled,
        }

    def _about(self, item: PendingDelivery, _: Gettext, lang: str) -> str:
        p = item.payload
        when = when_text(
            _,
            datetime.fromisoformat(p["starts_at"]),
            datetime.fromisoformat(p["ends_at"]),
            self.zone,
        )
        return "\n".join(
            [
                "<b>" + escape(p["title"]) + "</b>",
                _("Station: {station}").format(
                    station=escape(station_name(self.stations, p["station"], lang))
                ),
                _("When: {when}").format(when=when),
                _("Where: {place}").format(place=escape(p["place"])),
            ]
        )

    def offer(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        i = item.payload["activity_id"]
        text = _("🤝 A volunteer activity that fits you:") + "\n" + self._about(item, _, lang)
        return text, _one(_("🙋 Sign me up"), encode(SIGN, "up", i))

    def promoted(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        i = item.payload["activity_id"]
        text = _("🎉 A place freed up and it is yours: you are signed up.") + "\n"
        text += self._about(item, _, lang)
        return text, _one(_("I can't come"), encode(SIGN, "no", i))

    def reminder(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        i = item.payload["activity_id"]
        text = _("⏰ Tomorrow you volunteer at:") + "\n" + self._about(item, _, lang)
        text += "\n" + _("Will you come?")
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(_("✅ I'll come"), callback_data=encode(SIGN, "yes", i)),
                    InlineKeyboardButton(_("I can't come"), callback_data=encode(SIGN, "no", i)),
                ]
            ]
        )
        return text, markup

    def cancelled(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        text = _("🚫 This volunteer activity was cancelled:") + "\n" + self._about(item, _, lang)
        return text, None


def _one(label: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


def refusal(
    _: Gettext, error: Exception, zone: ZoneInfo | None = None, now: datetime | None = None
) -> str:
    """A domain error of signing up, replying or scanning, as the volunteer reads it (`now`:
    a check-in that opens on another day names the day)."""
    if isinstance(error, va.MinorsNotAllowed):
        return _("Sorry, this activity is for adults only.")
    if isinstance(error, va.NotAVolunteer):
        return _(
            "This is for the station's approved volunteers. Send /volunteer to sign up as one."
        )
    if isinstance(error, va.ActivityClosed):
        if error.status == va.CANCELLED:
            return _("This activity was cancelled.")
        if error.status == "started":
            return _("This activity has already started.")
        return _("This activity is over and has been recorded.")
    if isinstance(error, va.UnknownPayload):
        return _("This QR code is not valid. Please scan the code the social worker shows you.")
    if isinstance(error, va.PayloadUsed):
        if error.what == va.CHECKED_OUT:
            return _("You have already checked out of this activity. Thank you!")
        return _("You have already been counted for this activity. Thank you!")
    if isinstance(error, va.ScanOutsideWindow):
        if error.opens_at is not None:
            zone = zone or ZoneInfo("Asia/Shanghai")
            opens = error.opens_at.astimezone(zone)
            if now is not None and opens.date() != now.astimezone(zone).date():
                return _("Check-in opens on {day} at {time}. Please scan again then.").format(
                    day=day_label(_, opens.date(), today=now.astimezone(zone).date()),
                    time=clock_time(error.opens_at, zone),
                )
            return _("Check-in opens at {time}. Please scan again then.").format(
                time=clock_time(error.opens_at, zone)
            )
        return _("Scanning for this activity has closed.")
    if isinstance(error, va.AlreadyCheckedIn):
        return _("You are already checked in. Scan the same code again at the end to check out.")
    if isinstance(error, NotFound):
        return _("You are not signed up for this activity.")
    return _("That did not work. Please try again later.")


async def on_sign_press(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    press = context.press(update)
    activity_id = press.int_arg() if press is not None else None
    if press is None or activity_id is None:
        await alert(update, _("This button has expired. Please start again from the menu."))
        return
    if press.kind == "nok":  # "I can't come" under "You are signed up": asked first
        try:
            view = await data.use_case(va.activity, activity_id=activity_id)
        except NotFound:
            await alert(update, _("This button has expired. Please start again from the menu."))
            return
        if view.status != va.OPEN:  # cancelled or recorded since: nothing to give up
            await show(update, refusal(_, va.ActivityClosed(view.status)))
            return
        await show(
            update,
            _("Give up your place in this activity? If someone is waiting, they get it."),
            InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("No, I will come"), callback_data=encode(SIGN, "up", activity_id)
                        )
                    ],
                    [
                        InlineKeyboardButton(
                            _("Yes, give up my place"),
                            callback_data=encode(SIGN, "no", activity_id),
                        )
                    ],
                ]
            ),
        )
        return
    now, zone = data.clock.now(), data.clock.zone
    try:
        async with data.uow() as uow:
            if press.kind in ("up", "wait"):
                result = await va.sign_up(
                    uow,
                    activity_id=activity_id,
                    volunteer_tg_id=who.tg_id,
                    now=now,
                    join_waiting_list=press.kind == "wait",
                )
                if result.status == va.WAITING:
                    text = _(
                        "You are on the waiting list, number {position}. If a place frees up "
                        "it is yours and I will tell you."
                    ).format(position=result.position)
                    await show(update, text)
                else:
                    await show(
                        update,
                        _("✅ You are signed up for {title}, {when}. Thank you!").format(
                            title=escape(result.activity.title),
                            when=when_text(
                                _, result.activity.starts_at, result.activity.ends_at, zone
                            ),
                        ),
                        # Asked first (`nok`): it sits where "Sign me up" was, so a double
                        # tap on that would otherwise give the place away at once.
                        _one(_("I can't come"), encode(SIGN, "nok", activity_id)),
                    )
                return
            reply = await va.reply_to_reminder(
                uow,
                activity_id=activity_id,
                volunteer_tg_id=who.tg_id,
                coming=press.kind == "yes",
                schedule=data.knowledge.reminders,
                now=now,
                zone=zone,
            )
        if reply.coming:
            await show(update, _("✅ Thank you! See you there."))
        else:
            await show(update, _("Noted: you will not come. Your place goes to someone else."))
        await data.outbox.deliver_pending()  # the one promoted hears at once (quiet hours aside)
    except va.ActivityFull:
        await show(
            update,
            _("This activity is full. Would you like to join the waiting list?"),
            _one(_("⏳ Join the waiting list"), encode(SIGN, "wait", activity_id)),
        )
    except va.ActivityClosed as error:
        await show(update, refusal(_, error))
    except (va.NotAVolunteer, NotFound) as error:
        await alert(update, refusal(_, error))
    except Conflict:
        await alert(update, _("You are on the waiting list; there is nothing to confirm yet."))


# --- /start payloads -------------------------------------------------------------------------
async def open_payload(update: Update, context: Context, who: Speaker, payload: str) -> bool:
    """A `/start` payload of ours (a QR scan or a poster); False: not ours (an invitation)."""
    link = parse_payload(payload)
    if isinstance(link, ScanLink):
        await _scan(update, context, who, payload)
        return True
    if isinstance(link, StationLink):
        return await _station_link(update, context, who, link)
    return False


async def _scan(update: Update, context: Context, who: Speaker, payload: str) -> None:
    _ = who.gettext
    data = context.bot_data
    zone = data.clock.zone
    try:
        result = await data.use_case(
            va.scan,
            payload=payload,
            person_tg_id=who.tg_id,
            rules=data.knowledge.volunteer_hours,
            now=data.clock.now(),
        )
    except (va.UnknownPayload, va.ActivityClosed, va.PayloadUsed, va.ScanOutsideWindow) as error:
        await show(update, refusal(_, error, zone, data.clock.now()))
        return
    except va.NotAVolunteer as error:
        station = station_name(data.knowledge.stations, str(error.args[0]), who.lang)
        await show(
            update,
            _(
                "This QR code is for the approved volunteers of {station}, and you are not "
                "one of them yet. To become one, send /volunteer; as a resident, scan the "
                "residents' code instead."
            ).format(station=escape(station)),
        )
        return
    except (va.AlreadyCheckedIn, va.MinorsNotAllowed, NotFound) as error:
        await show(update, refusal(_, error))
        return
    title = escape(result.activity.title)
    at = clock_time(result.at, zone)
    if result.kind == va.CHECKED_IN:
        text = _(
            "✅ Checked in to {title} at {time}. Scan the same code again at the end to check out."
        ).format(title=title, time=at)
    elif result.kind == va.CHECKED_OUT:
        ngettext = ngettext_of(_)
        text = ngettext(
            "✅ Checked out of {title} at {time}: {hours} hour (rounded to half hours). "
            "A social worker will confirm it; /myhours shows your hours.",
            "✅ Checked out of {title} at {time}: {hours} hours (rounded to half hours). "
            "A social worker will confirm them; /myhours shows your hours.",
            plural_n((result.minutes or 0) / 60),
        ).format(title=title, time=at, hours=hours_text(result.minutes))
    else:
        text = _("✅ Welcome to {title}! You are counted as a participant.").format(title=title)
    await show(update, text)


async def _station_link(update: Update, context: Context, who: Speaker, link: StationLink) -> bool:
    _ = who.gettext
    station = context.bot_data.knowledge.stations.get(link.station_code)
    if station is None:
        return False
    if context.user_data is not None:
        context.user_data[PRESET] = station.code
    buttons = {
        ASK: InlineKeyboardButton(_("💬 Ask a question"), callback_data="menu:ask"),
        REQUEST: InlineKeyboardButton(_("🙋 Request a service"), callback_data="menu:request"),
        VOLUNTEER: InlineKeyboardButton(_("🤝 Volunteer"), callback_data="menu:volunteer"),
    }
    first = buttons.pop(link.action)
    rows = [
        [first],
        list(buttons.values()),
        [InlineKeyboardButton(_("🏠 Menu"), callback_data="menu:menu")],
    ]
    await show(
        update,
        _("Welcome to {station}! I am its assistant. What would you like to do?").format(
            station=escape(station.name(who.lang))
        ),
        InlineKeyboardMarkup(rows),
    )
    return True


# --- /myhours and the certificate ------------------------------------------------------------
async def my_hours(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    mine = await data.use_case(
        va.my_hours, volunteer_tg_id=who.tg_id, now=data.clock.now(), zone=data.clock.zone
    )
    lines = [
        "⏱ <b>" + _("Your volunteer hours") + "</b>",
        _("This year ({year}): {hours} h").format(
            year=mine.year, hours=hours_text(mine.year_minutes)
        ),
        _("In all: {hours} h").format(hours=hours_text(mine.total_minutes)),
    ]
    if mine.activities:
        lines.append("")
        for a in mine.activities[:MAX_LISTED]:
            lines.append(
                _("{day}, {year}: {title}, {hours} h").format(
                    day=day_label(_, a.local_date),
                    year=a.local_date.year,
                    title=escape(a.title),
                    hours=hours_text(a.minutes),
                )
            )
    else:
        lines.append(_("No confirmed hours yet."))
        if not mine.unconfirmed_minutes:
            # Someone who is not a volunteer yet learns how to become one, not only "0 h".
            lines.append(
                _(
                    "Hours are recorded when you take part in a station's volunteer "
                    "activities. Not a volunteer yet? Send /volunteer."
                )
            )
    if mine.unconfirmed_minutes:
        lines.append(
            _("{hours} h more are waiting for a social worker to confirm them.").format(
                hours=hours_text(mine.unconfirmed_minutes)
            )
        )
    markup = None
    if mine.total_minutes:
        markup = _one(_("📜 Certificate"), encode(HOURS, "cert"))
    await show(update, "\n".join(lines), markup)


async def on_hours_press(update: Update, context: Context) -> None:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    press = context.press(update)
    if press is None:
        return
    if press.kind == "cert":
        mine = await data.use_case(
            va.my_hours, volunteer_tg_id=who.tg_id, now=data.clock.now(), zone=data.clock.zone
        )
        years = sorted({a.local_date.year for a in mine.activities if a.minutes}, reverse=True)
        rows = [
            [InlineKeyboardButton(str(y), callback_data=encode(HOURS, "y", y)) for y in years[:4]],
            [InlineKeyboardButton(_("All my hours"), callback_data=encode(HOURS, "y", "all"))],
        ]
        await show(update, _("A certificate of which hours?"), InlineKeyboardMarkup(rows))
        return
    if press.kind != "y":
        return
    choice = press.arg()
    year = None if choice == "all" else press.int_arg()
    if choice != "all" and year is None:
        await alert(update, _("This button has expired. Please start again from the menu."))
        return
    try:
        certificate = await data.use_case(
            vc.issue_certificate,
            volunteer_tg_id=who.tg_id,
            year=year,
            station_code=None,
            now=data.clock.now(),
            zone=data.clock.zone,
        )
        name = station_name(data.knowledge.stations, certificate.station_code, who.lang)
        pdf = certificate_pdf(certificate, station_name=name, _=_, zone=data.clock.zone)
    except vc.NoConfirmedHours:
        await show(update, _("There are no confirmed hours for that period."))
        return
    except NotFound:
        await show(update, _("A certificate needs your volunteer application at the station."))
        return
    except NoCjkFont:
        await show(update, _("The certificate cannot be made on this server (no Chinese font)."))
        return
    await show(update, _("📜 Here is your certificate."))
    if update.effective_chat is not None:
        await update.effective_chat.send_document(
            InputFile(pdf, filename=certificate_file_name(certificate)),
            caption=_("Verification code: {code}").format(code=certificate.display_code),
        )


async def verify(update: Update, context: Context) -> None:
    """`/verify CODE`: administrators and station heads check a certificate."""
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    if not (who.access.is_admin or who.access.head_stations):
        await show(update, only_for(who, STATION_HEAD, ADMIN))
        return
    code = " ".join(context.args or ())
    if not code:
        await show(
            update,
            _("Send /verify and the certificate's code, for example /verify ABCD-EFGH-JKLM."),
        )
        return
    try:
        found = await data.use_case(vc.verify_certificate, code=code)
    except NotFound:
        await show(update, _("❌ No certificate has this code."))
        return
    period = (
        _("all volunteer service")
        if found.year is None
        else _("volunteer service in {year}").format(year=found.year)
    )
    head = _("✅ A valid certificate.") if found.valid else _("❌ This certificate was revoked.")
    issued = found.issued_at.astimezone(data.clock.zone).date()
    text = "\n".join(
        [
            head,
            _("Code: {code}").format(code=found.display_code),
            _("Volunteer: {name}").format(name=escape(found.holder_name or _("(name erased)"))),
            _("Hours: {hours} h ({period}; activities: {count})").format(
                hours=hours_text(found.minutes), period=period, count=len(found.activities)
            ),
            _("Station: {station}").format(
                station=escape(station_name(data.knowledge.stations, found.station_code, who.lang))
            ),
            _("Issued: {day}, {year}").format(day=day_label(_, issued), year=issued.year),
        ]
    )
    await show(update, text)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    data: BotData = app.bot_data
    for kind, renderer in ActivityRenderers(data).by_kind().items():
        data.outbox.register_renderer(kind, renderer)
    app.add_handler(CallbackQueryHandler(on_sign_press, pattern=rf"^{SIGN}:"))
    app.add_handler(LookCommand("myhours", my_hours))
    app.add_handler(CallbackQueryHandler(my_hours, pattern=r"^menu:myhours$"))
    app.add_handler(CallbackQueryHandler(on_hours_press, pattern=rf"^{HOURS}:"))
    app.add_handler(CommandHandler("verify", verify))
