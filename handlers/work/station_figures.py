"""`/stats`: a station's figures for this month and last month
(diagram: `station_figures.mmd`).

Workers, station heads and supervisors see their stations (they pick first if they have
several); admins pick any station, or see every station in one table. Shown: person-times by
group (the figures stations report: "elderly 874, disabilities 304, children 188"), activities
by category, hours logged, residents' requests by status, cases (open, opened, closed, overdue,
referred) and confirmed volunteer hours (the month's and the year's, with the volunteers who
earned them). The service decides who sees which station (`figures_stations`).

Only the station choice is a conversation step. The figures themselves are a view that ends
the conversation, and their buttons (another station, the table's pages, this month / last
month) are entry points that check the person's stations again on every press, so neither a
forged button nor an old screen shows a station the person may not see.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.documents.report_files import REQUEST_STATUS_LABELS  # the report's words
from handlers.kit.callbacks import encode
from handlers.kit.context import Context, Speaker
from handlers.kit.i18n import Gettext, ngettext_of
from handlers.kit.keyboards import grid
from handlers.kit.screen import alert, show
from handlers.kit.wiring import command_and_button, persistent_conversation, presses
from handlers.kit.words import (
    activities_count,
    hours_count,
    hours_label,
    month_label,
    ngettext_for,
    only_for,
    person_times_count,
    volunteers_count,
)
from services import station_figures
from services.errors import NotAllowed
from services.people import ADMIN, STATION_HEAD, SUPERVISOR, WORKER
from services.quota import month_of, previous_month
from services.station_figures import StationFigures

PICK = "pick"
STATIONS_PER_PAGE = 20
ROWS_PER_PAGE = 25


def _allowed(who: Speaker) -> frozenset[str] | None:
    """The stations the service lets this person see (None: every station), for the picker."""
    return station_figures.figures_stations(who.access)


def _refusal(who: Speaker) -> str:
    return only_for(who, WORKER, STATION_HEAD, SUPERVISOR, ADMIN)


def _bold(text: str) -> str:
    return "<b>" + text + "</b>"


def _pair(_: Gettext, this: float | int, last: float | int, hours: bool = False) -> str:
    if hours:
        return _("{this} / {last}").format(
            this=hours_label(float(this)), last=hours_label(float(last))
        )
    return _("{this} / {last}").format(this=this, last=last)


def figures_text(
    context: Context, who: Speaker, report: station_figures.FiguresReport, item: StationFigures
) -> str:
    _ = who.gettext
    knowledge = context.bot_data.knowledge
    station = knowledge.stations.get(item.station_code)
    name = station.name(who.lang) if station else item.station_code
    this, last = item.this_month, item.last_month
    lines = [
        "📊 <b>" + escape(name) + "</b>",
        _("This month ({this_month}) / last month ({last_month})").format(
            this_month=month_label(_, report.this_month),
            last_month=month_label(_, report.last_month),
        ),
        "",
        _bold(
            _("Person-times: {pair}").format(pair=_pair(_, this.person_times, last.person_times))
        ),
    ]
    for group in knowledge.served_groups:
        lines.append(
            _("  {name}: {figures}").format(
                name=escape(group.name(who.lang)),
                figures=_pair(
                    _, this.by_group.get(group.code, 0), last.by_group.get(group.code, 0)
                ),
            )
        )
    lines.append(_("  (someone in two groups counts in both)"))
    lines += [
        "",
        _bold(_("Activities: {pair}").format(pair=_pair(_, this.activities, last.activities))),
    ]
    for category in knowledge.record_templates.categories:
        a, b = this.by_category.get(category.code, 0), last.by_category.get(category.code, 0)
        if a or b:
            lines.append(
                _("  {name}: {figures}").format(
                    name=escape(category.name(who.lang)), figures=_pair(_, a, b)
                )
            )
    requests = _pair(_, this.requests, last.requests)
    lines += [
        _bold(_("Hours logged: {pair}").format(pair=_pair(_, this.hours, last.hours, hours=True))),
        "",
        _bold(_("Requests from residents: {pair}").format(pair=requests)),
    ]
    statuses = list(REQUEST_STATUS_LABELS) + sorted(
        (set(this.requests_by_status) | set(last.requests_by_status)) - set(REQUEST_STATUS_LABELS)
    )
    for status in statuses:
        a, b = this.requests_by_status.get(status, 0), last.requests_by_status.get(status, 0)
        if a or b:
            label = _(REQUEST_STATUS_LABELS[status]) if status in REQUEST_STATUS_LABELS else status
            lines.append(
                _("  {name}: {figures}").format(name=escape(label), figures=_pair(_, a, b))
            )
    lines += ["", *case_lines(_, this, last)]
    lines += ["", *volunteer_lines(context, who, report, item)]
    return "\n".join(lines)


def case_lines(
    _: Gettext, this: station_figures.MonthFigures, last: station_figures.MonthFigures
) -> list[str]:
    """Cases: open at the month's end (now, for this month), then the month's movements."""
    rows = (
        (_("  opened: {figures}"), this.cases_opened, last.cases_opened),
        (_("  closed: {figures}"), this.cases_closed, last.cases_closed),
        (_("  overdue for a contact: {figures}"), this.cases_overdue, last.cases_overdue),
        (
            _("  referred to another station: {figures}"),
            this.referrals_to_stations,
            last.referrals_to_stations,
        ),
        (
            _("  referred to an agency: {figures}"),
            this.referrals_to_agencies,
            last.referrals_to_agencies,
        ),
    )
    return [
        _bold(_("Open cases: {pair}").format(pair=_pair(_, this.cases_open, last.cases_open))),
        *(line.format(figures=_pair(_, a, b)) for line, a, b in rows),
    ]


def volunteer_lines(
    context: Context,
    who: Speaker,
    report: station_figures.FiguresReport,
    item: StationFigures,
) -> list[str]:
    """Confirmed volunteer hours: this month / last month, then the year so far."""
    _ = who.gettext
    ngettext = ngettext_for(context.bot_data.translator, who.lang)
    this, last, year = item.this_month, item.last_month, item.this_year
    return [
        _bold(
            _("Volunteer hours (confirmed): {pair}").format(
                pair=_pair(_, this.volunteer_hours, last.volunteer_hours, hours=True)
            )
        ),
        _("  volunteers with confirmed hours: {figures}").format(
            figures=_pair(_, this.volunteers_with_hours, last.volunteers_with_hours)
        ),
        _("  {year} so far: {hours}, {volunteers}").format(
            year=report.year,
            hours=hours_count(ngettext, year.hours),
            volunteers=volunteers_count(ngettext, year.volunteers),
        ),
    ]


def table_text(
    context: Context, who: Speaker, network: station_figures.NetworkMonth, page: int
) -> tuple[str, int, int]:
    """Every station in one table for one month: totals first, then a short line a station."""
    _ = who.gettext
    knowledge = context.bot_data.knowledge
    names = {s.code: s.name(who.lang) for s in knowledge.stations.stations}
    ngettext = ngettext_of(_)
    pages = max(1, -(-len(network.stations) // ROWS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    separator = "，" if who.lang == "zh" else ", "
    lines = [
        "📊 <b>" + _("All stations, {month}").format(month=month_label(_, network.month)) + "</b>",
        _("{activities} · {hours} h · {person_times}").format(
            activities=activities_count(ngettext, network.activities),
            hours=hours_label(network.minutes / 60),
            person_times=person_times_count(ngettext, network.person_times),
        ),
        separator.join(
            f"{escape(g.name(who.lang))} {network.by_group.get(g.code, 0)}"
            for g in knowledge.served_groups
        ),
        "",
    ]
    position = {code: index for index, code in enumerate(names)}  # catalogue order
    ordered = sorted(network.stations, key=lambda s: position.get(s.station_code, len(position)))
    for item in ordered[page * ROWS_PER_PAGE : (page + 1) * ROWS_PER_PAGE]:
        lines.append(
            _("{name}: {figures}").format(
                name=escape(names.get(item.station_code, item.station_code)),
                figures=_(
                    "{activities} act. · {hours} h · {person_times} p-t · {requests} req."
                ).format(
                    activities=item.activities,
                    hours=hours_label(item.hours),
                    person_times=item.person_times,
                    requests=item.requests,
                ),
            )
        )
    if pages > 1:
        lines += ["", _("Page {page} of {pages}").format(page=page + 1, pages=pages)]
    return "\n".join(lines), page, pages


async def _load(
    context: Context, who: Speaker, codes: list[str] | None
) -> station_figures.FiguresReport:
    """The figures; NotAllowed (from the service) for a station the person may not see."""
    data = context.bot_data
    return await data.use_case(
        station_figures.station_figures,
        actor=who.access,
        station_codes=codes,
        now=data.clock.now(),
        zone=data.clock.zone,
    )


def _catalogue_order(context: Context, codes: frozenset[str] | None) -> list[str]:
    stations = context.bot_data.knowledge.stations.stations
    return [s.code for s in stations if codes is None or s.code in codes]


async def _pick(
    update: Update, context: Context, who: Speaker, page: int = 0, problem: str | None = None
) -> str:
    _ = who.gettext
    allowed = _allowed(who)
    codes = _catalogue_order(context, allowed)
    pages = max(1, -(-len(codes) // STATIONS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    names = {s.code: s.name(who.lang) for s in context.bot_data.knowledge.stations.stations}
    buttons = [
        InlineKeyboardButton(names.get(code, code), callback_data=encode("stats", "st", code))
        for code in codes[page * STATIONS_PER_PAGE : (page + 1) * STATIONS_PER_PAGE]
    ]
    rows = []
    if allowed is None:
        everything = _("📋 All stations in one table")
        rows.append(
            [InlineKeyboardButton(everything, callback_data=encode("stats", "all", 0, "this"))]
        )
    rows += grid(buttons, 2)
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("‹", callback_data=encode("stats", "pp", page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("›", callback_data=encode("stats", "pp", page + 1)))
    rows += [nav] if nav else []
    rows.append([InlineKeyboardButton(_("✖ Cancel"), callback_data="stats:cancel")])
    text = _("📊 Which station's figures?")
    if problem:
        text = problem + "\n\n" + text
    await show(update, text, InlineKeyboardMarkup(rows))
    return PICK


async def _sees_none(update: Update, who: Speaker, allowed: frozenset[str] | None) -> bool:
    """The service lets this person see no station: say so (the conversation ends)."""
    if allowed is not None and not allowed:
        await show(update, _refusal(who))
        return True
    return False


async def start_stats(update: Update, context: Context) -> str | int:
    who = await context.person(update)
    allowed = _allowed(who)
    if await _sees_none(update, who, allowed):
        return ConversationHandler.END
    if allowed is not None and len(allowed) == 1:
        return await _station(update, context, who, next(iter(allowed)), can_pick=False)
    return await _pick(update, context, who)


async def _station(
    update: Update, context: Context, who: Speaker, code: str, *, can_pick: bool
) -> int:
    _ = who.gettext
    report = await _load(context, who, [code])
    if not report.stations:
        await show(update, _("I could not find that station."))
        return ConversationHandler.END
    rows = []
    if can_pick:
        rows.append([InlineKeyboardButton(_("« Other stations"), callback_data="stats:pick")])
    await show(
        update,
        figures_text(context, who, report, report.stations[0]),
        InlineKeyboardMarkup(rows) if rows else None,
    )
    return ConversationHandler.END


async def on_station(update: Update, context: Context) -> str | int:
    who = await context.person(update)
    _ = who.gettext
    press = context.press(update)
    code = (press.arg() if press is not None else None) or ""
    allowed = _allowed(who)
    try:
        return await _station(
            update, context, who, code, can_pick=allowed is None or len(allowed) > 1
        )
    except NotAllowed:
        # Forged or outdated: no figures, no hint whether that station exists.
        await alert(update, _("You can only see your own station's figures."))
        return PICK if allowed else ConversationHandler.END


async def on_pick_again(update: Update, context: Context) -> str | int:
    who = await context.person(update)
    allowed = _allowed(who)
    if await _sees_none(update, who, allowed):
        return ConversationHandler.END
    press = context.press(update)
    page = (press.int_arg() or 0) if press is not None and press.kind == "pp" else 0
    return await _pick(update, context, who, page)


async def on_table(update: Update, context: Context) -> int | None:
    who = await context.person(update)
    _ = who.gettext
    press = context.press(update)
    page = (press.int_arg() or 0) if press is not None else 0
    which = press.arg(1) if press is not None else None
    which = which if which in ("this", "last") else "this"
    data = context.bot_data
    try:
        network = await data.use_case(
            station_figures.network_month,
            actor=who.access,
            last_month=which == "last",
            now=data.clock.now(),
            zone=data.clock.zone,
        )
    except NotAllowed:
        await alert(update, _("Only administrators see every station."))
        return None  # whatever the person was doing stays as it was
    text, page, pages = table_text(context, who, network, page)
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("‹", callback_data=encode("stats", "all", page - 1, which)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("›", callback_data=encode("stats", "all", page + 1, which)))
    other = "last" if which == "this" else "this"
    this_month = month_of(data.clock.now(), data.clock.zone)
    label = month_label(_, previous_month(this_month) if other == "last" else this_month)
    label = label + " »" if other == "this" else "« " + label
    rows: list[list[InlineKeyboardButton]] = [nav] if nav else []
    rows.append(
        [
            InlineKeyboardButton(label, callback_data=encode("stats", "all", 0, other)),
            InlineKeyboardButton(_("« Stations"), callback_data="stats:pick"),
        ]
    )
    await show(update, text, InlineKeyboardMarkup(rows))
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    who = await context.person(update)
    _ = who.gettext
    await show(update, _("Cancelled. Nothing was saved."))  # the one "cancelled" sentence
    return ConversationHandler.END


async def reask(update: Update, context: Context) -> str:
    who = await context.person(update)
    _ = who.gettext
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        problem = _("You are choosing a station for the figures. Choose one, or send /cancel.")
    else:
        problem = _("Please choose a station with the buttons, or send /cancel.")
    return await _pick(update, context, who, problem=problem)


def stats_conversation() -> ConversationHandler[Context]:
    picking = [
        *presses({r"^stats:st:": on_station, r"^stats:cancel$": cancel}),
        CommandHandler("cancel", cancel),
        MessageHandler(filters.ALL, reask),
    ]
    entry = presses({r"^stats:(pick|pp:\d+)$": on_pick_again, r"^stats:all:": on_table})
    return persistent_conversation(
        "stats", [*command_and_button("stats", start_stats), *entry], {PICK: picking}
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(stats_conversation())
