"""/report: a station's monthly or yearly figures, or its month's 台账 pack.

Who: the workers and the head of a station (that station), administrators (any, or all at
once); `services.reports.build_report` and `services.ledger.station_month` decide, on the
person's access, and refuse the rest. The journey (diagram in `report.mmd`), on the kit's Flow:

    period      this month / last month / choose a month / a whole year / 📒 the 台账 pack
    pack_month  (the 台账 only) this month / last month / choose a month
    month_year  (choose a month) which year
    month       which month of it
    year        (a whole year) which year
    station     which station, or all of them (admins); skipped with only one station

then one confirm: the report (a summary, a chart via sendPhoto and an Excel workbook via
sendDocument) or the 台账 zip (`handlers.documents.ledger_pack`). Nothing is written, so
Cancel at any step loses nothing. The states 0-4 and the draft key "report" are the ones the
release before the kit persisted (`persisted=`), so a person mid-way continues.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import Application

from handlers.documents import ledger_pack, report_files
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, Draft, Flow, Outcome, Reask, Screen, Step
from handlers.kit.i18n import N_, Gettext
from handlers.kit.keyboards import grid
from handlers.kit.screen import show
from handlers.kit.steps import local_today, offered
from handlers.kit.words import only_for
from handlers.management.choices import ALL, recent_years, station_rows, station_step
from handlers.management.figures_out import send_chart_and_workbook
from knowledge.stations import Station
from services import ledger, reports
from services.errors import InvalidValue, NotAllowed, NotFound
from services.people import ADMIN, STATION_HEAD, WORKER

PREFIX = "rep"
DRAFT = "report"
# The states as the release before the kit persisted them (integers), kept so people mid-way
# continue; the 台账 month step is new and has a name.
PERIOD, MONTH_YEAR, MONTH, YEAR, STATION = range(5)
PACK_MONTH = "pack_month"


def _button(label: str, kind: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(PREFIX, kind, *args))


def _stations(context: Context, who: Speaker) -> list[Station]:
    """The stations to offer, in catalogue order (what the service covers for this person)."""
    catalogue = context.bot_data.knowledge.stations.stations
    if who.access.is_admin:
        return list(catalogue)
    covered = reports.report_stations(who.access)
    return [s for s in catalogue if s.code in covered]


# --- the steps -------------------------------------------------------------------------------
def _month_rows(
    context: Context, _: Gettext, kind: str, *choose_row: InlineKeyboardButton
) -> list[list[InlineKeyboardButton]]:
    """This month, last month (named), then "Choose a month" with whatever shares its row."""
    data = context.bot_data
    now, zone = data.clock.now(), data.clock.zone
    this = report_files.period_label(reports.this_month(now, zone), _)
    last = report_files.period_label(reports.last_month(now, zone), _)
    return [
        [_button(_("This month ({month})").format(month=this), kind, "this")],
        [_button(_("Last month ({month})").format(month=last), kind, "last")],
        [_button(_("Choose a month"), kind, "month"), *choose_row],
    ]


def _month_chosen(context: Context, draft: Draft, choice: str | None) -> None:
    draft["choice"] = choice
    if choice in ("this", "last"):
        draft["period"] = _month_now(context, choice)


def render_period(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    rows = _month_rows(context, _, "p", _button(_("A whole year"), "p", "year"))
    rows.append([_button(_("📒 Ledger pack (台账)"), "p", "pack")])
    return Screen(_("📈 Which period should the report cover?"), rows)


def _month_now(context: Context, which: str | None) -> str:
    data = context.bot_data
    now, zone = data.clock.now(), data.clock.zone
    return (reports.this_month if which == "this" else reports.last_month)(now, zone).code


async def period_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    choice = offered(press.arg(), ("this", "last", "month", "year", "pack"))
    draft["pack"] = choice == "pack"
    if choice == "pack":
        draft.pop("choice", None)
        return None
    _month_chosen(context, draft, choice)
    return None


def render_pack_month(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    rows = _month_rows(context, _, "pm")
    text = _(
        "📒 The ledger pack (台账): every record of the month with its form and photos, the "
        "supervision sessions and the cover figures, in one zip. Which month?"
    )
    return Screen(text, rows)


async def pack_month_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    choice = offered(press.arg(), ("this", "last", "month"))
    _month_chosen(context, draft, choice)
    return None


def render_years(kind: str, question: str) -> Callable[[Context, Speaker, Draft], Screen]:
    def render(context: Context, who: Speaker, draft: Draft) -> Screen:
        buttons = [_button(str(y), kind, y) for y in recent_years(context)]
        return Screen(who.gettext(question), grid(buttons, 3))

    return render


async def month_year_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    year = offered(press.int_arg(), recent_years(context))
    draft["year"] = year
    return "month"  # by name: a draft of the older release has no "choice"


def render_month(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    today = local_today(context)
    year = int(draft.get("year") or today.year)
    last = today.month if year == today.year else 12
    buttons = [
        _button(_(report_files.MONTH_NAMES[m - 1]), "m", f"{year}-{m:02d}")
        for m in range(1, last + 1)
    ]
    return Screen(_("Which month of {year}?").format(year=year), grid(buttons, 4))


async def month_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    try:
        period = reports.parse_period(press.arg() or "")
    except InvalidValue as error:
        raise Reask(None) from error
    if period.kind != reports.MONTH or period.start > local_today(context):
        raise Reask(None)
    draft["period"] = period.code
    return None


async def year_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    year = offered(press.int_arg(), recent_years(context))
    draft["period"] = str(year)
    return None


def render_station(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    with_all = who.access.is_admin and not draft.get("pack")
    rows = station_rows(who, PREFIX, _stations(context, who), with_all=with_all)
    return Screen(_("Which station?"), rows)


async def station_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = press.arg()
    if not code:
        raise Reask(None)
    draft["station"] = code  # whether the person may see it is the service's to say
    return None


STEPS = (
    Step("period", render_period, {"p": period_pressed}, persisted=PERIOD),
    Step(
        PACK_MONTH,
        render_pack_month,
        {"pm": pack_month_pressed},
        applies_when=lambda d: bool(d.get("pack")),
    ),
    Step(
        "month_year",
        render_years("my", N_("Which year is the month in?")),
        {"my": month_year_pressed},
        applies_when=lambda d: d.get("choice") == "month",
        persisted=MONTH_YEAR,
    ),
    Step(
        "month",
        render_month,
        {"m": month_pressed},
        applies_when=lambda d: d.get("choice") == "month",
        persisted=MONTH,
    ),
    Step(
        "year",
        render_years("y", N_("Which year?")),
        {"y": year_pressed},
        applies_when=lambda d: d.get("choice") == "year" and not d.get("pack"),
        persisted=YEAR,
    ),
    station_step(render_station, station_pressed, persisted=STATION),
)


# --- who, the beginning, the one confirm --------------------------------------------------------
async def allowed(update: Update, context: Context, who: Speaker) -> bool:
    if reports.may_report(who.access):
        return True
    await show(update, only_for(who, WORKER, STATION_HEAD, ADMIN))
    return False


async def begin(update: Update, context: Context, who: Speaker) -> Draft:
    stations = _stations(context, who)
    if not who.access.is_admin and len(stations) == 1:
        return {"only": stations[0].code}  # the station step does not apply
    return {}


async def finish(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """The one confirm: the 台账 zip or the report, the service checking the person's right."""
    _ = who.gettext
    code = str(draft.get("station") or draft.get("only") or "")
    try:
        period = reports.parse_period(str(draft.get("period", "")))
    except InvalidValue:
        return "period"  # the draft is gone (e.g. /forget cleared it): ask again
    if draft.get("pack"):
        return await send_pack(update, context, who, code, period)
    return await send_report(update, context, who, None if code == ALL else code, period)


async def _refused(update: Update, who: Speaker, error: Exception, not_yours: str) -> int:
    """The service refused (`not_yours`: the station is not this person's) or found nothing."""
    gone = who.gettext("That report is not available. Please start again with /report.")
    await show(update, not_yours if isinstance(error, NotAllowed) else gone)
    return END


async def send_report(
    update: Update, context: Context, who: Speaker, code: str | None, period: reports.Period
) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    try:
        report = await data.use_case(
            reports.build_report,
            actor=who.access,
            period=period,
            station_code=code,
            now=data.clock.now(),
            zone=data.clock.zone,
        )
    except (NotAllowed, NotFound) as error:
        return await _refused(
            update, who, error, _("You can only see reports for your own station.")
        )
    names = report_files.names_for(data.knowledge, who.lang)
    await show(update, report_files.report_summary(report, _, names))
    caption = escape(
        _("{scope}, {period}").format(
            scope=report_files.scope_label(report, _, names),
            period=report_files.period_label(report.period, _),
        )
    )
    await send_chart_and_workbook(
        update,
        context,
        who,
        report,
        chart=report_files.report_chart,
        workbook=report_files.report_workbook,
        stem=report_files.file_stem(report),
        captions=(caption, _("The figures in detail, one sheet per subject.")),
    )
    return END


async def send_pack(
    update: Update, context: Context, who: Speaker, code: str, period: reports.Period
) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    if period.kind != reports.MONTH:
        return PACK_MONTH
    try:
        month = await data.use_case(
            ledger.station_month,
            actor_tg_id=who.tg_id,
            admin_ids=data.admin_ids,
            station_code=code,
            month=period.start,
            now=data.clock.now(),
            zone=data.clock.zone,
            templates=data.knowledge.record_templates,
        )
    except (NotAllowed, NotFound) as error:
        return await _refused(
            update, who, error, _("You can only get the ledger pack of your own station.")
        )
    lang = "zh" if who.lang.startswith("zh") else "en"
    media_dir = Path(data.extras.get("media_dir", "media"))
    station = month.station_name(who.lang)
    when = report_files.period_label(period, _)
    await show(
        update,
        _(
            "📒 The ledger pack of {station}, {month}. Records: {records}; supervision "
            "sessions: {sessions}."
        ).format(
            station=escape(station),
            month=when,
            records=month.activities,
            sessions=len(month.sessions),
        ),
    )
    pack = await asyncio.to_thread(
        ledger_pack.build_pack,
        month,
        _=_,
        knowledge=data.knowledge,
        lang=lang,
        media_dir=media_dir,
    )
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(
        InputFile(pack, filename=ledger_pack.pack_name(month, _)),
        caption=_("The index, the forms as Word documents, and the photos."),
    )
    return END


REPORT = Flow(DRAFT, PREFIX, STEPS, begin, finish, command="report", allowed=allowed)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(REPORT.conversation())
