"""Reminders: a job that, every minute, plans what is due into the delivery ledger and sends
it through the outbox, and how each kind of reminder reads in its recipient's language.

The job takes `now` from `bot_data.clock` (tests and `stationbot remind --at` use a fixed
clock), so it can be run at any chosen moment without sleeping. Its first run comes shortly
after start (`first_check_after_seconds`) and is the catch-up: what is due is decided from the
ledger and `now`, never from the scheduler's memory of missed runs.

No conversation here; the buttons on reminders open other journeys (`menu:supervise`,
`menu:inbox`, `menu:menu`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from handlers.cases import render_case_overdue
from handlers.delivery import PLANNERS
from handlers.delivery.outbox import Renderer, SendReport
from handlers.kit.context import BotData, Context
from handlers.kit.i18n import Gettext, ngettext_of
from handlers.kit.words import moment_label, plural_n, role_label
from knowledge.stations import StationCatalog
from services import people, reminders
from services.delivery import PendingDelivery, PlannedMessage
from services.quota import BEHIND, MET
from services.reminders import PlanResult, Preview

log = logging.getLogger(__name__)

JOB_NAME = "reminders"
MAX_NAMES = 40  # per list in a month-close message; the rest are counted ("… and 12 more")
MAX_TEXT = 3800  # Telegram takes 4096 characters; markup and escapes count before they go

Rendered = tuple[str, InlineKeyboardMarkup | None]


# --- formatting ----------------------------------------------------------------------------


def hours(value: float) -> str:
    """4.5 → "4.5", 13.0 → "13", 0.25 → "0.25"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def month_label(_: Gettext, month: str) -> str:
    year, number = month.split("-")
    return _("{month}/{year}").format(month=int(number), year=year)


def _button(label: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


def log_session_button(_: Gettext) -> InlineKeyboardMarkup:
    return _button(_("🧭 Log a session"), "menu:supervise")


def inbox_button(_: Gettext) -> InlineKeyboardMarkup:
    return _button(_("📥 Open the inbox"), "menu:inbox")


def menu_button(_: Gettext) -> InlineKeyboardMarkup:
    return _button(_("🏠 Menu"), "menu:menu")


class Renderers:
    """One renderer per kind; station names come from the catalogue, times in the zone."""

    def __init__(self, stations: StationCatalog, zone: ZoneInfo) -> None:
        self.stations = {s.code: s for s in stations.stations}  # a province has thousands
        self.zone = zone

    def station(self, code: str | None, lang: str) -> str:
        station = self.stations.get(code or "")
        return escape(station.name(lang) if station else (code or ""))

    def when(self, _: Gettext, iso: str) -> str:
        return moment_label(_, datetime.fromisoformat(iso), self.zone)

    def by_kind(self) -> dict[str, Renderer]:
        return {
            reminders.DIGEST: self.digest,
            reminders.QUOTA_WARNING: self.quota_warning,
            reminders.QUOTA_FINAL: self.quota_final,
            reminders.MONTH_CLOSE: self.month_close,
            reminders.REQUEST_WAITING: self.request_waiting,
            reminders.VOLUNTEER_WAITING: self.volunteer_waiting,
            reminders.CASE_OVERDUE: partial(render_case_overdue, self.station),
            reminders.URGENT_WAITING: self.urgent_waiting,
        }

    def urgent_waiting(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        """An urgent request nobody accepted in time, to the head and the administrators."""
        p = item.payload
        ngettext = ngettext_of(_)
        text = ngettext(
            "🚨 <b>URGENT: a request has waited over {hours} hour</b>\n"
            "Urgent request {ref} at {station}, submitted {since}, has still not been "
            "accepted. Someone's safety may be at risk: please make sure someone takes it now, "
            "or call the resident.",
            "🚨 <b>URGENT: a request has waited over {hours} hours</b>\n"
            "Urgent request {ref} at {station}, submitted {since}, has still not been "
            "accepted. Someone's safety may be at risk: please make sure someone takes it now, "
            "or call the resident.",
            plural_n(float(p.get("hours") or 0)),
        ).format(
            hours=p.get("hours", ""),
            ref=escape(p.get("ref") or ""),
            station=self.station(p["station"], lang),
            since=self.when(_, p["since"]),
        )
        return text, inbox_button(_)

    def with_folded(self, renderer: Renderer) -> Renderer:
        """Reminders folded into this one (services.reminders.combine) follow it."""
        by_kind = self.by_kind()

        def render(item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
            text, markup = renderer(item, _, lang)
            parts = [text]
            for part in item.payload.get("also", []):
                other = by_kind.get(part["kind"])
                if other is not None:
                    folded = replace(
                        item, kind=part["kind"], station_code=part["station_code"],
                        payload=part["payload"],
                    )  # fmt: skip
                    parts.append(other(folded, _, lang)[0])
            return "\n\n".join(parts), markup

        return render

    # --- supervisors ---------------------------------------------------------------------
    def _standing(self, _: Gettext, p: dict[str, Any]) -> str:
        if p["status"] == MET:
            return _("✅ Quota met.")
        if p["days_left"] <= 1:
            return _("{needed} h still needed, and today is the last day.").format(
                needed=hours(p["needed"])
            )
        ngettext = ngettext_of(_)
        if p["status"] == BEHIND:
            return ngettext(
                "⚠️ Behind: {needed} h still needed in {days} day (about {per_week} h a week).",
                "⚠️ Behind: {needed} h still needed in {days} days (about {per_week} h a week).",
                p["days_left"],
            ).format(
                needed=hours(p["needed"]),
                days=p["days_left"],
                per_week=hours(round(p["per_week"], 1)),
            )
        return ngettext(
            "On track: {needed} h still needed in {days} day.",
            "On track: {needed} h still needed in {days} days.",
            p["days_left"],
        ).format(needed=hours(p["needed"]), days=p["days_left"])

    def _pace_needed(self, _: Gettext, p: dict[str, Any]) -> str:
        values = {
            "done": hours(p["done"]),
            "quota": hours(p["quota"]),
            "needed": hours(p["needed"]),
            "days": p["days_left"],
            "per_week": hours(round(p["per_week"], 1)),
        }
        ngettext = ngettext_of(_)
        if p["days_left"] <= 7:  # "a week" says nothing when less than one is left
            return ngettext(
                "{done} h logged this month of the {quota} h required: {needed} h to go in "
                "{days} day.",
                "{done} h logged this month of the {quota} h required: {needed} h to go in "
                "{days} days.",
                p["days_left"],
            ).format(**values)
        return ngettext(
            "{done} h logged this month of the {quota} h required: {needed} h to go in "
            "{days} day (about {per_week} h a week).",
            "{done} h logged this month of the {quota} h required: {needed} h to go in "
            "{days} days (about {per_week} h a week).",
            p["days_left"],
        ).format(**values)

    def digest(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        p = item.payload
        lines = [
            _("📊 <b>Supervision this month</b> ({month}, as of {date})").format(
                month=month_label(_, p["month"]), date=p["date"]
            )
        ]
        for s in p["stations"]:
            lines.append("")
            lines.append(
                _(
                    "<b>{station}</b>: {done} h of {quota} h (online {online} h, offline {offline} h)"
                ).format(
                    station=self.station(s["station"], lang),
                    done=hours(s["done"]),
                    quota=hours(s["quota"]),
                    online=hours(s["online"]),
                    offline=hours(s["offline"]),
                )
            )
            lines.append(self._standing(_, s))
        return "\n".join(lines), log_session_button(_)

    def quota_warning(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        p = item.payload
        text = "\n".join(
            [
                _("⏰ <b>Supervision quota: {station}</b>").format(
                    station=self.station(p["station"], lang)
                ),
                self._pace_needed(_, p),
                _("Online {online} h, offline {offline} h.").format(
                    online=hours(p["online"]), offline=hours(p["offline"])
                ),
            ]
        )
        return text, log_session_button(_)

    def quota_final(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        p = item.payload
        text = "\n".join(
            [
                _("⚠️ <b>Last day of the month: {station}</b>").format(
                    station=self.station(p["station"], lang)
                ),
                _(
                    "{done} h of supervision logged of the {quota} h required; {needed} h still "
                    "to go. Sessions held this month can still be logged today."
                ).format(done=hours(p["done"]), quota=hours(p["quota"]), needed=hours(p["needed"])),
            ]
        )
        return text, log_session_button(_)

    # --- admins and station heads --------------------------------------------------------
    def _names(self, _: Gettext, names: list[str], limit: int) -> str:
        shown = _(", ").join(names[:limit])
        if len(names) > limit:
            shown += " " + _("… and {count} more").format(count=len(names) - limit)
        return shown

    def month_close(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        # A province's lists can outgrow Telegram's 4096 characters: name fewer, count the rest.
        for limit in (MAX_NAMES, 10, 3):
            text, markup = self._month_close(item, _, lang, limit)
            if len(text) <= MAX_TEXT:
                break
        return text, markup

    def _month_close(self, item: PendingDelivery, _: Gettext, lang: str, limit: int) -> Rendered:
        p = item.payload
        month = month_label(_, p["month"])
        if p.get("audience") != "admin":
            title = _("📋 <b>Supervision quota, {month}: {station}</b>").format(
                month=month, station=self.station(p["station"], lang)
            )
            if not p.get("supervised", True):  # rows planned before this key existed had one
                figures = _(
                    "{done} h of {quota} h. No supervisor is assigned to this station in the "
                    "bot, so it is not counted as met or missed. Please arrange one."
                ).format(done=hours(p["done"]), quota=hours(p["quota"]))
                return "\n".join([title, figures]), menu_button(_)
            verdict = _("✅ met") if p["status"] == MET else _("❌ missed")
            text = "\n".join(
                [
                    title,
                    _("{done} h of {quota} h: {verdict}.").format(
                        done=hours(p["done"]), quota=hours(p["quota"]), verdict=verdict
                    ),
                ]
            )
            return text, menu_button(_)

        def stations(entries: list[list[Any]]) -> list[str]:
            return [
                _("{station} {hours} h").format(station=self.station(code, lang), hours=hours(done))
                for code, done in entries
            ]

        lines = [
            _("📋 <b>Supervision quota, {month}</b> (at least {quota} h per station)").format(
                month=month, quota=hours(p["quota"])
            )
        ]
        lines.append(
            _("✅ Met ({count}): {stations}").format(
                count=len(p["met"]), stations=self._names(_, stations(p["met"]), limit) or "—"
            )
        )
        lines.append(
            _("❌ Missed ({count}): {stations}").format(
                count=len(p["missed"]), stations=self._names(_, stations(p["missed"]), limit) or "—"
            )
        )
        if p.get("unsupervised"):  # absent from rows planned before it was introduced
            lines.append(
                _("⚪ No supervisor assigned in the bot ({count}): {stations}").format(
                    count=len(p["unsupervised"]),
                    stations=self._names(_, stations(p["unsupervised"]), limit),
                )
            )
        if p["unreachable"]:
            people = []
            for entry in p["unreachable"]:
                roles = _(", ").join(role_label(_, r) for r in entry["roles"])
                where = _(", ").join(self.station(c, lang) for c in entry["stations"])
                people.append(f"{escape(entry['name'])} ({roles}{'; ' + where if where else ''})")
            lines.append("")
            lines.append(
                _("🚫 Blocked the bot, so they get no reminders ({count}): {people}").format(
                    count=len(people), people=self._names(_, people, limit)
                )
            )
        if p["undelivered"]:
            people = [
                escape(e["name"]) + (f" ×{e['count']}" if e["count"] > 1 else "")
                for e in p["undelivered"]
            ]
            lines.append("")
            lines.append(
                _("📭 Messages that could not be delivered last month ({count}): {people}").format(
                    count=sum(e["count"] for e in p["undelivered"]),
                    people=self._names(_, people, limit),
                )
            )
        return "\n".join(lines), menu_button(_)

    # --- waiting requests and applications -----------------------------------------------
    def request_waiting(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        p = item.payload
        values = {
            "ref": escape(p.get("ref") or ""),
            "station": self.station(p["station"], lang),
            "since": self.when(_, p["since"]),
            "hours": p["hours"],
        }
        ngettext = ngettext_of(_)
        n = plural_n(float(p["hours"]))
        if item.occasion == "head":
            text = ngettext(
                "📥 <b>A request has waited over {hours} hour</b>\n"
                "Request {ref} at {station}, submitted {since}, has still not been accepted. "
                "Please make sure someone at the station takes it.",
                "📥 <b>A request has waited over {hours} hours</b>\n"
                "Request {ref} at {station}, submitted {since}, has still not been accepted. "
                "Please make sure someone at the station takes it.",
                n,
            ).format(**values)
        else:
            text = ngettext(
                "📥 <b>A request is waiting</b>\n"
                "Request {ref} at {station}, submitted {since}, has not been accepted after "
                "{hours} hour. Please take it or pass it on.",
                "📥 <b>A request is waiting</b>\n"
                "Request {ref} at {station}, submitted {since}, has not been accepted after "
                "{hours} hours. Please take it or pass it on.",
                n,
            ).format(**values)
        return text, inbox_button(_)

    def volunteer_waiting(self, item: PendingDelivery, _: Gettext, lang: str) -> Rendered:
        p = item.payload
        days = round(p["hours"] / 24)
        text = ngettext_of(_)(
            "🤝 <b>A volunteer application is waiting</b>\n"
            "Submitted at {station} on {since}, it has not been decided after {days} day. "
            "Please review it.",
            "🤝 <b>A volunteer application is waiting</b>\n"
            "Submitted at {station} on {since}, it has not been decided after {days} days. "
            "Please review it.",
            days,
        ).format(
            station=self.station(p["station"], lang), since=self.when(_, p["since"]), days=days
        )
        return text, inbox_button(_)


# --- running what is due -------------------------------------------------------------------


async def run_due(data: BotData) -> tuple[PlanResult, SendReport]:
    """Plan what is due at the clock's `now`, then send whatever the ledger has due."""
    now = data.clock.now()
    async with data.uow() as uow:
        planned = await reminders.plan_due(
            uow,
            schedule=data.knowledge.reminders,
            now=now,
            zone=data.clock.zone,
            admin_ids=data.admin_ids,
        )
    # Other journeys' planners (`handlers.activities`: the day-before reminders), same `now`.
    for plan in data.extras.get(PLANNERS, ()):
        await plan(data, now)
    report = await data.outbox.deliver_pending()
    return planned, report


@dataclass(frozen=True)
class PreviewLine:
    preview: Preview
    language: str
    text: str


async def preview(data: BotData) -> list[PreviewLine]:
    """What `run_due` would send now, rendered, with nothing written or sent."""
    async with data.uow() as uow:
        items = await reminders.preview(
            uow,
            schedule=data.knowledge.reminders,
            now=data.clock.now(),
            zone=data.clock.zone,
            admin_ids=data.admin_ids,
        )
    async with data.uow() as uow:
        languages = await people.languages_of(uow, (i.message.recipient_tg_id for i in items))
    renderers = data.outbox.renderers
    lines = []
    for item in items:
        language = languages.get(item.message.recipient_tg_id, "zh")
        renderer = renderers.get(item.message.kind)
        if renderer is None:
            continue
        text, _markup = renderer(
            _as_pending(item.message), data.translator.for_language(language), language
        )
        lines.append(PreviewLine(preview=item, language=language, text=text))
    return lines


def _as_pending(message: PlannedMessage) -> PendingDelivery:
    return PendingDelivery(
        id=0,
        key=message.key,
        kind=message.kind,
        period=message.period,
        occasion=message.occasion,
        recipient_tg_id=message.recipient_tg_id,
        station_code=message.station_code,
        payload=message.payload,
        attempts=0,
    )


async def tick(context: Context) -> None:
    """The job: every minute (and once shortly after start, as the catch-up)."""
    planned, report = await run_due(context.bot_data)
    if planned.planned or report.sent or report.failed or report.unknown or report.unreachable:
        log.info(
            "reminders: planned %d, sent %d, unreachable %d, failed %d, unknown %d",
            planned.planned,
            report.sent,
            len(report.unreachable),
            len(report.failed),
            len(report.unknown),
        )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    data: BotData = app.bot_data
    renderers = Renderers(data.knowledge.stations, data.clock.zone)
    for kind, renderer in renderers.by_kind().items():
        data.outbox.register_renderer(kind, renderers.with_folded(renderer))
    schedule, zone = data.knowledge.reminders, data.clock.zone
    # Ordinary notifications in the quiet hours go without sound; urgent ones ring.
    data.outbox.quiet = lambda now, urgent: reminders.silent(
        schedule, now=now, zone=zone, urgent=urgent
    )
    if app.job_queue is None:  # installed without the job-queue extra: `stationbot remind`
        log.warning("no JobQueue: reminders run only through `stationbot remind`")
        return
    app.job_queue.run_repeating(
        tick,
        interval=schedule.check_every_seconds,
        first=schedule.first_check_after_seconds,
        name=JOB_NAME,
        # One run at a time; a run that overlaps the next tick makes that tick a no-op. Missed
        # runs are not replayed: the next run decides from the ledger what is still due.
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
