"""`/quota`: supervision hours against the monthly quota (diagram: `quota.mmd`).

A view that ends at once: supervisors see each assigned station, station heads their station,
admins every station in one table, behind ones first (paged by buttons). Who sees which
stations, and (admins only) which stations have no supervisor in the bot, is the rule of
`services.quota.quota_screen`, asked on every press: this module only renders its plain values,
so neither a forged page button nor an old screen shows more. Early in the month a station under the line is
"just started", not red (`QuotaStatus.just_started`).
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler

from handlers.kit.callbacks import encode, pattern
from handlers.kit.context import Context
from handlers.kit.i18n import Gettext, ngettext_of
from handlers.kit.screen import show
from handlers.kit.wiring import command_and_button, persistent_conversation
from handlers.kit.words import hours_label, month_label, only_for
from services.errors import NotAllowed
from services.people import ADMIN, STATION_HEAD, SUPERVISOR
from services.quota import BEHIND, MET, MISSED, ON_TRACK, ONLINE, QuotaStatus, quota_screen

PAGE = 25  # stations per page of the admin table
STATUS_ICONS = {MET: "✅", ON_TRACK: "🟢", BEHIND: "🔴", MISSED: "❌"}
JUST_STARTED_ICON = "🕐"
NO_SUPERVISOR_ICON = "👤❔"
_ORDER = {BEHIND: 0, MISSED: 1, ON_TRACK: 2, MET: 3}


def status_label(_: Gettext, quota: QuotaStatus) -> str:
    if quota.just_started:
        return _("🕐 month just started")
    labels = {
        MET: _("✅ met"),
        ON_TRACK: _("🟢 on track"),
        BEHIND: _("🔴 behind"),
        MISSED: _("❌ missed"),
    }
    return labels.get(quota.status, quota.status)


def mode_label(_: Gettext, mode: str) -> str:
    return _("online") if mode == ONLINE else _("offline (in person)")


def quota_block(_: Gettext, station_name: str, quota: QuotaStatus) -> str:
    """One station's standing, as a supervisor or station head reads it."""
    lines = [
        f"<b>{escape(station_name)}</b> · {status_label(_, quota)}",
        _("{month}: {done} h of {quota} (online {online}, offline {offline})").format(
            month=month_label(_, quota.month),
            done=hours_label(quota.total_hours),
            quota=hours_label(quota.quota_hours),
            online=hours_label(quota.online_hours),
            offline=hours_label(quota.offline_hours),
        ),
    ]
    if quota.hours_needed == 0:
        lines.append(_("The quota is met."))
    elif quota.days_left == 0:
        lines.append(
            _("{needed} h were missing when the month ended.").format(
                needed=hours_label(quota.hours_needed)
            )
        )
    else:
        lines.append(
            ngettext_of(_)(
                "Still needed: {needed} h · {days} day left · about {weekly} h a week",
                "Still needed: {needed} h · {days} days left · about {weekly} h a week",
                quota.days_left,
            ).format(
                needed=hours_label(quota.hours_needed),
                days=quota.days_left,
                weekly=f"{quota.hours_per_week_needed:.1f}",
            )
        )
    return "\n".join(lines)


def rule_text(_: Gettext, statuses: list[QuotaStatus]) -> str:
    """The rule in one sentence: what counts, over which period, how much."""
    quotas = sorted({q.quota_hours for q in statuses}) or [13.0]
    return _(
        "Online and offline sessions count together, per calendar month (from the 1st to "
        "the last day): {quota} h a month for each station."
    ).format(quota="/".join(hours_label(q) for q in quotas))


def quota_table(
    _: Gettext,
    names: dict[str, str],
    statuses: list[QuotaStatus],
    page: int,
    unsupervised: frozenset[str] = frozenset(),
) -> tuple[str, int]:
    """Every station in one table, behind ones first (most hours missing first, then in
    catalogue order, the order of `names`); one page of it and the number of pages. Lines stay
    short so a page fits a phone and 4096 characters."""
    position = {code: index for index, code in enumerate(names)}  # catalogue order
    ordered = sorted(
        statuses,
        key=lambda q: (
            2 if q.just_started else _ORDER.get(q.status, 9),
            -q.hours_needed,
            position.get(q.station_code, len(position)),
        ),
    )
    pages = max(1, -(-len(ordered) // PAGE))
    page = min(max(page, 0), pages - 1)
    early = sum(1 for q in statuses if q.just_started)
    counts = {
        s: sum(1 for q in statuses if q.status == s and not q.just_started)
        for s in (BEHIND, ON_TRACK, MET, MISSED)
    }
    month = ordered[0].month if ordered else None
    summary = _("behind {behind} · on track {on_track} · met {met}").format(
        behind=counts[BEHIND] + counts[MISSED], on_track=counts[ON_TRACK], met=counts[MET]
    )
    if early:
        summary += " · " + _("just started {count}").format(count=early)
    lines = [
        "<b>"
        + _("Supervision hours, {month}: all stations").format(
            month=month_label(_, month) if month else ""
        )
        + "</b>",
        summary,
        rule_text(_, statuses),
    ]
    if unsupervised:
        lines.append(
            ngettext_of(_)(
                "{icon} no supervisor in the bot yet: {count} station",
                "{icon} no supervisor in the bot yet: {count} stations",
                len(unsupervised),
            ).format(icon=NO_SUPERVISOR_ICON, count=len(unsupervised))
        )
    lines.append("")
    for quota in ordered[page * PAGE : (page + 1) * PAGE]:
        icon = JUST_STARTED_ICON if quota.just_started else STATUS_ICONS.get(quota.status, "")
        line = (
            icon
            + " "
            + escape(names.get(quota.station_code, quota.station_code))
            + " "
            + _("{done}/{quota} h").format(
                done=hours_label(quota.total_hours), quota=hours_label(quota.quota_hours)
            )
        )
        if quota.hours_needed:
            line += " · " + _("needs {needed}").format(needed=hours_label(quota.hours_needed))
        if quota.station_code in unsupervised:
            line += " · " + NO_SUPERVISOR_ICON + " " + _("no supervisor")
        lines.append(line)
    if pages > 1:
        lines += ["", _("Page {page} of {pages}").format(page=page + 1, pages=pages)]
    return "\n".join(lines), pages


async def show_quota(update: Update, context: Context) -> int:
    who = await context.person(update)
    _ = who.gettext
    data = context.bot_data
    press = context.press(update)
    page = (press.int_arg() or 0) if press is not None and press.prefix == "quota" else 0
    try:
        screen = await data.use_case(
            quota_screen,
            actor=who.access,
            station_codes=data.knowledge.stations.codes,
            now=data.clock.now(),
            zone=data.clock.zone,
        )
    except NotAllowed:
        await show(update, only_for(who, SUPERVISOR, STATION_HEAD, ADMIN))
        return ConversationHandler.END
    names = {s.code: s.name(who.lang) for s in data.knowledge.stations.stations}
    statuses = list(screen.statuses)
    if screen.every_station:  # every station: the one table
        text, pages = quota_table(_, names, statuses, page, screen.unsupervised)
        page = min(max(page, 0), pages - 1)
        nav = []
        if page > 0:
            nav.append(InlineKeyboardButton("‹", callback_data=encode("quota", "pg", page - 1)))
        if page < pages - 1:
            nav.append(InlineKeyboardButton("›", callback_data=encode("quota", "pg", page + 1)))
        await show(update, text, InlineKeyboardMarkup([nav]) if nav else None)
        return ConversationHandler.END
    blocks = [quota_block(_, names.get(q.station_code, q.station_code), q) for q in statuses]
    header = "<b>" + _("⏱ Supervision quota this month") + "</b>\n" + rule_text(_, statuses)
    markup = None
    if screen.can_log:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🧭 Log a session"), callback_data="menu:supervise")]]
        )
    await show(update, "\n\n".join([header, *blocks]), markup)
    return ConversationHandler.END


def quota_conversation() -> ConversationHandler[Context]:
    """A view: every entry shows and ends, so it never holds on to what is typed later."""
    return persistent_conversation(
        "quota",
        [
            *command_and_button("quota", show_quota, look=True),  # mid-/supervise too
            CallbackQueryHandler(show_quota, pattern=pattern("quota", "pg")),
        ],
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(quota_conversation())
