"""/report: monthly and yearly figures for station heads (their station) and admins (any or all).

The journey (diagram in `report.mmd`): pick a period (this month, last month, a month, a
year) → pick a station, or all of them (admins; a head with one station skips this) → the bot
sends a short summary, a chart (PNG, via sendPhoto) and an Excel workbook (via sendDocument),
and the conversation ends. Nothing is written, so Cancel at any step loses nothing.

Figures come from `services.reports.build_report` in one unit of work; words, chart and
workbook from `handlers.documents.report_files`, shared with `stationbot report`.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
)

from handlers.documents import report_files
from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.keyboards import choices, markup, nav_row, station_buttons
from handlers.kit.prompts import clear_draft, draft_in
from handlers.management.reply_steps import button_fallback, cancelled, nav_handlers
from handlers.people.start import reply
from services import reports
from services.errors import InvalidValue, NotFound
from services.people import Access

PERIOD, MONTH_YEAR, MONTH, YEAR, STATION = range(5)
DRAFT = "report"
YEARS_BACK = 3


def may_report(access: Access) -> bool:
    return access.is_admin or bool(access.head_stations)


def _stations_for(access: Access, context: Context) -> list[Any]:
    catalogue = context.bot_data.knowledge.stations
    if access.is_admin:
        return list(catalogue.stations)
    return [s for s in catalogue.stations if s.code in access.head_stations]


def _draft(context: Context) -> dict[str, Any]:
    return draft_in(context, DRAFT)


def _clear(context: Context) -> None:
    clear_draft(context, DRAFT)


async def start(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    if not may_report(who.access):
        await reply(update, _("Reports are for station heads and the civil affairs bureau."))
        return ConversationHandler.END
    _clear(context)
    _draft(context)
    await ask_period(update, context, who)
    return PERIOD


async def ask_period(update: Update, context: Context, who: Speaker) -> None:
    _ = who.gettext
    data = context.bot_data
    now, zone = data.clock.now(), data.clock.zone
    this = report_files.period_label(reports.this_month(now, zone), _)
    last = report_files.period_label(reports.last_month(now, zone), _)
    rows = choices(
        [
            (_("This month ({month})").format(month=this), "rep:p:this"),
            (_("Last month ({month})").format(month=last), "rep:p:last"),
            (_("Choose a month"), "rep:p:month"),
            (_("A whole year"), "rep:p:year"),
        ],
        per_row=1,
    )
    await reply(
        update,
        _("📈 Which period should the report cover?"),
        markup(rows, nav_row(_, "rep", back=False)),
    )


def _year_rows(context: Context, prefix: str) -> list[list[InlineKeyboardButton]]:
    year = context.bot_data.clock.now().astimezone(context.bot_data.clock.zone).year
    return choices(
        [(str(y), f"{prefix}:{y}") for y in range(year, year - YEARS_BACK, -1)], per_row=3
    )


async def period_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    data = context.bot_data
    now, zone = data.clock.now(), data.clock.zone
    choice = query.data.removeprefix("rep:p:")
    if choice == "month":
        await reply(
            update,
            _("Which year is the month in?"),
            markup(_year_rows(context, "rep:my"), nav_row(_, "rep")),
        )
        return MONTH_YEAR
    if choice == "year":
        await reply(
            update, _("Which year?"), markup(_year_rows(context, "rep:y"), nav_row(_, "rep"))
        )
        return YEAR
    period = reports.this_month(now, zone) if choice == "this" else reports.last_month(now, zone)
    _draft(context)["period"] = period.code
    return await ask_station(update, context, who)


async def month_year_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    year = int(query.data.removeprefix("rep:my:"))
    today = context.bot_data.clock.now().astimezone(context.bot_data.clock.zone).date()
    last = today.month if year == today.year else 12
    rows = choices(
        [(_(report_files.MONTH_NAMES[m - 1]), f"rep:m:{year}-{m:02d}") for m in range(1, last + 1)],
        per_row=4,
    )
    await reply(
        update,
        _("Which month of {year}?").format(year=year),
        markup(rows, nav_row(_, "rep")),
    )
    return MONTH


async def month_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    query = update.callback_query
    assert query is not None and query.data is not None
    _draft(context)["period"] = query.data.removeprefix("rep:m:")
    return await ask_station(update, context, who)


async def year_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    query = update.callback_query
    assert query is not None and query.data is not None
    _draft(context)["period"] = query.data.removeprefix("rep:y:")
    return await ask_station(update, context, who)


async def ask_station(update: Update, context: Context, who: Speaker) -> int:
    _ = who.gettext
    stations = _stations_for(who.access, context)
    if not who.access.is_admin and len(stations) == 1:
        return await send_report(update, context, who, stations[0].code)
    rows = station_buttons(stations, who.lang, "rep:s")
    if who.access.is_admin:
        rows.insert(0, [InlineKeyboardButton(_("🗺 All stations"), callback_data="rep:s:all")])
    await reply(update, _("Which station?"), markup(rows, nav_row(_, "rep")))
    return STATION


async def station_chosen(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.removeprefix("rep:s:")
    return await send_report(update, context, who, code)


async def send_report(update: Update, context: Context, who: Speaker, code: str) -> int:
    """Re-checks the person's right to the station, then sends summary, chart and workbook."""
    _ = who.gettext
    data = context.bot_data
    station_code = None if code == "all" else code
    allowed = who.access.is_admin or (
        station_code is not None and station_code in who.access.head_stations
    )
    if not may_report(who.access) or not allowed:
        _clear(context)
        await reply(update, _("You can only see reports for your own station."))
        return ConversationHandler.END
    try:
        period = reports.parse_period(str(_draft(context).get("period", "")))
        async with data.uow() as uow:
            report = await reports.build_report(
                uow,
                period=period,
                station_code=station_code,
                now=data.clock.now(),
                zone=data.clock.zone,
            )
    except (InvalidValue, NotFound):
        _clear(context)
        await reply(update, _("That report is not available. Please start again with /report."))
        return ConversationHandler.END
    _clear(context)
    names = report_files.names_for(data.knowledge, who.lang)
    await reply(update, report_files.report_summary(report, _, names))
    chart_lang = report_files.chart_language(who.lang)
    # Drawing and writing take CPU seconds on a big year: off the event loop, so other
    # people's messages are answered meanwhile.
    chart = await asyncio.to_thread(
        report_files.report_chart,
        report,
        data.translator.for_language(chart_lang),
        report_files.names_for(data.knowledge, chart_lang),
    )
    workbook = await asyncio.to_thread(
        report_files.report_workbook, report, _, names, data.clock.zone
    )
    stem = report_files.file_stem(report)
    chat = update.effective_chat
    assert chat is not None
    caption = escape(
        _("{scope}, {period}").format(
            scope=report_files.scope_label(report, _, names),
            period=report_files.period_label(report.period, _),
        )
    )
    await chat.send_photo(InputFile(chart, filename=f"{stem}.png"), caption=caption)
    await chat.send_document(
        InputFile(workbook, filename=f"{stem}.xlsx"),
        caption=_("The figures in detail, one sheet per subject."),
    )
    return ConversationHandler.END


async def back(update: Update, context: Context) -> int:
    """Every step's Back returns to the period question (the steps are short)."""
    who = await speaker(update, context)
    _draft(context).pop("period", None)
    await ask_period(update, context, who)
    return PERIOD


async def cancel(update: Update, context: Context) -> int:
    return await cancelled(update, context, DRAFT)


def register(app: Application) -> None:  # type: ignore[type-arg]
    nav = nav_handlers("rep", back, cancel)
    fallback = button_fallback()
    app.add_handler(
        ConversationHandler(
            name="report",
            persistent=True,
            entry_points=[
                CommandHandler("report", start),
                CallbackQueryHandler(start, pattern=r"^menu:report$"),
            ],
            states={
                PERIOD: [
                    CallbackQueryHandler(period_chosen, pattern=r"^rep:p:(this|last|month|year)$"),
                    *nav,
                    fallback,
                ],
                MONTH_YEAR: [
                    CallbackQueryHandler(month_year_chosen, pattern=r"^rep:my:\d{4}$"),
                    *nav,
                    fallback,
                ],
                MONTH: [
                    CallbackQueryHandler(month_chosen, pattern=r"^rep:m:\d{4}-\d{2}$"),
                    *nav,
                    fallback,
                ],
                YEAR: [CallbackQueryHandler(year_chosen, pattern=r"^rep:y:\d{4}$"), *nav, fallback],
                STATION: [
                    CallbackQueryHandler(station_chosen, pattern=r"^rep:s:\w+$"),
                    *nav,
                    fallback,
                ],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                CommandHandler("report", start),
            ],
            allow_reentry=True,
        )
    )
