"""/evaluation: the yearly performance evaluation, for administrators (the civil affairs bureau).

The journey (diagram in `evaluation.mmd`): pick a year, or open a recorded result. For a year:
enter the points of the indicators the bureau scores by hand (station → indicator → type a
number; each typed number is saved at once and can be corrected the same way), or compute the
ranking: the bot scores every station (measured indicators from the year's figures), ranks
them, records the result, and sends the table, a chart and an Excel workbook. A recorded result
opens exactly as it was computed, whatever changed since.

The indicators, weights, pass mark and tiers live in `knowledge/evaluation.yaml`.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from typing import Any

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.documents import evaluation_files, report_files
from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.keyboards import choices, markup, nav_row
from handlers.kit.prompts import clear_draft, draft_in
from handlers.management.reply_steps import button_fallback
from handlers.people.start import reply
from services import evaluation
from services.errors import InvalidValue, NotFound
from services.evaluation import EvaluationOutcome

YEAR, ACTION, STATION, INDICATOR, VALUE, RUNS = range(6)
DRAFT = "evaluation"
YEARS_BACK = 3
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def parse_points(text: str) -> float | None:
    """'18', '18.5', '１８．５', '18,5', '18分' → a number; anything else → None."""
    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix("分").strip()
    cleaned = cleaned.replace(",", ".").replace("。", ".")
    if not _NUMBER.match(cleaned):
        return None
    return float(cleaned)


def _draft(context: Context) -> dict[str, Any]:
    return draft_in(context, DRAFT)


def _clear(context: Context) -> None:
    clear_draft(context, DRAFT)


async def _admin(update: Update, context: Context) -> Speaker | None:
    """The person, if an administrator; otherwise tell them and return None."""
    who = await speaker(update, context)
    if who.access.is_admin:
        return who
    _ = who.gettext
    _clear(context)
    await reply(update, _("The yearly evaluation is for the civil affairs bureau."))
    return None


async def start(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    _clear(context)
    _draft(context)
    await ask_year(update, context, who)
    return YEAR


async def ask_year(update: Update, context: Context, who: Speaker) -> None:
    _ = who.gettext
    data = context.bot_data
    year = data.clock.now().astimezone(data.clock.zone).year
    rows = choices([(str(y), f"ev:y:{y}") for y in range(year, year - YEARS_BACK, -1)], per_row=3)
    rows.append([InlineKeyboardButton(_("📂 Recorded results"), callback_data="ev:runs")])
    await reply(
        update,
        _("🏆 Yearly evaluation. Which year?"),
        markup(rows, nav_row(_, "ev", back=False)),
    )


async def year_chosen(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    query = update.callback_query
    assert query is not None and query.data is not None
    _draft(context)["year"] = int(query.data.removeprefix("ev:y:"))
    await show_actions(update, context, who)
    return ACTION


async def _fully_entered(context: Context, year: int) -> set[str]:
    """The stations with every hand-scored indicator of `year` entered."""
    data = context.bot_data
    async with data.uow() as uow:
        typed = await evaluation.entries_for(uow, year=year)
    wanted = {i.code for i in data.knowledge.evaluation.entered}
    return {
        s.code for s in data.knowledge.stations.stations if wanted <= set(typed.get(s.code, {}))
    }


async def show_actions(update: Update, context: Context, who: Speaker) -> None:
    _ = who.gettext
    data = context.bot_data
    year = int(_draft(context)["year"])
    complete = len(await _fully_entered(context, year))
    rows = choices(
        [
            (_("✏️ Enter scores"), "ev:enter"),
            (_("🧮 Compute and record the ranking"), "ev:compute"),
        ],
        per_row=1,
    )
    await reply(
        update,
        _("Evaluation {year}. Scores entered for {done} of {total} stations.").format(
            year=year, done=complete, total=len(data.knowledge.stations.stations)
        ),
        markup(rows, nav_row(_, "ev")),
    )


async def enter_chosen(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    await show_stations(update, context, who)
    return STATION


async def show_stations(update: Update, context: Context, who: Speaker) -> None:
    _ = who.gettext
    data = context.bot_data
    year = int(_draft(context)["year"])
    entered = await _fully_entered(context, year)
    buttons = []
    for station in data.knowledge.stations.stations:
        done = station.code in entered
        label = ("✅ " if done else "") + station.name(who.lang)
        buttons.append((label, f"ev:s:{station.code}"))
    await reply(
        update,
        _("Whose scores for {year}? ✅ marks stations with every score entered.").format(year=year),
        markup(choices(buttons, per_row=2), nav_row(_, "ev")),
    )


async def station_chosen(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.removeprefix("ev:s:")
    if code not in context.bot_data.knowledge.stations:
        await query.answer()
        return STATION
    _draft(context)["station"] = code
    await show_indicators(update, context, who)
    return INDICATOR


async def show_indicators(
    update: Update, context: Context, who: Speaker, *, intro: str | None = None, new: bool = False
) -> None:
    _ = who.gettext
    data = context.bot_data
    draft = _draft(context)
    year, code = int(draft["year"]), str(draft["station"])
    async with data.uow() as uow:
        typed = (await evaluation.entries_for(uow, year=year)).get(code, {})
    station = data.knowledge.stations.get(code)
    lines = [intro, ""] if intro else []
    lines.append(
        _("Scores of {station} for {year}. Choose one to enter or correct it:").format(
            station=station.name(who.lang) if station else code, year=year
        )
    )
    buttons = []
    for indicator in data.knowledge.evaluation.entered:
        value = typed.get(indicator.code)
        shown = "—" if value is None else evaluation_files.points(value)
        label = f"{indicator.name(who.lang)}: {shown} / {evaluation_files.points(indicator.weight)}"
        buttons.append((label, f"ev:i:{indicator.code}"))
    keyboard = markup(choices(buttons, per_row=1), nav_row(_, "ev"))
    text = "\n".join(lines)
    if new and update.effective_chat is not None:
        await update.effective_chat.send_message(text, reply_markup=keyboard)
    else:
        await reply(update, text, keyboard)


async def indicator_chosen(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    rules = context.bot_data.knowledge.evaluation
    indicator = rules.indicator(query.data.removeprefix("ev:i:"))
    if indicator is None or indicator not in rules.entered:
        await query.answer()
        return INDICATOR
    draft = _draft(context)
    draft["indicator"] = indicator.code
    station = context.bot_data.knowledge.stations.get(str(draft["station"]))
    await reply(
        update,
        _("Type the points for “{indicator}” at {station}: a number from 0 to {max}.").format(
            indicator=indicator.name(who.lang),
            station=station.name(who.lang) if station else draft["station"],
            max=evaluation_files.points(indicator.weight),
        ),
        markup([], nav_row(_, "ev")),
    )
    return VALUE


async def value_typed(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    _ = who.gettext
    data = context.bot_data
    draft = _draft(context)
    rules = data.knowledge.evaluation
    indicator = rules.indicator(str(draft.get("indicator")))
    message = update.effective_message
    assert message is not None and indicator is not None
    maximum = evaluation_files.points(indicator.weight)
    value = parse_points(message.text or "")
    if value is None or value > indicator.weight:
        await reply(
            update,
            _("Please type a number from 0 to {max}, for example 12 or 12.5.").format(max=maximum),
        )
        return VALUE
    try:
        async with data.uow() as uow:
            saved = await evaluation.enter_points(
                uow,
                rules=rules,
                year=int(draft["year"]),
                station_code=str(draft["station"]),
                indicator_code=indicator.code,
                points=value,
                actor_tg_id=who.tg_id,
                now=data.clock.now(),
                zone=data.clock.zone,
            )
    except InvalidValue:
        await reply(
            update,
            _("Please type a number from 0 to {max}, for example 12 or 12.5.").format(max=maximum),
        )
        return VALUE
    draft.pop("indicator", None)
    intro = _("Saved: {indicator} {points} / {max}.").format(
        indicator=indicator.name(who.lang),
        points=evaluation_files.points(saved.points),
        max=maximum,
    )
    await show_indicators(update, context, who, intro=intro, new=True)
    return INDICATOR


async def compute_chosen(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    _ = who.gettext
    data = context.bot_data
    year = int(_draft(context)["year"])
    try:
        async with data.uow() as uow:
            outcome = await evaluation.compute(
                uow,
                rules=data.knowledge.evaluation,
                year=year,
                actor_tg_id=who.tg_id,
                now=data.clock.now(),
                zone=data.clock.zone,
            )
    except InvalidValue:
        _clear(context)
        await reply(
            update, _("That year cannot be evaluated. Please start again with /evaluation.")
        )
        return ConversationHandler.END
    _clear(context)
    await send_outcome(update, context, who, outcome)
    return ConversationHandler.END


async def runs_chosen(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    _ = who.gettext
    data = context.bot_data
    async with data.uow() as uow:
        runs = await evaluation.list_runs(uow)
    if not runs:
        await reply(
            update,
            _("No result has been recorded yet. Choose a year and compute the ranking first."),
            markup([], nav_row(_, "ev")),
        )
        return RUNS
    buttons = [
        (
            _("{year} (computed {when})").format(
                year=run.year, when=f"{run.created_at.astimezone(data.clock.zone):%Y-%m-%d %H:%M}"
            ),
            f"ev:run:{run.run_id}",
        )
        for run in runs
    ]
    await reply(
        update,
        _("Which recorded result should I open?"),
        markup(choices(buttons, per_row=1), nav_row(_, "ev")),
    )
    return RUNS


async def run_chosen(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    _ = who.gettext
    query = update.callback_query
    assert query is not None and query.data is not None
    data = context.bot_data
    try:
        async with data.uow() as uow:
            outcome = await evaluation.open_run(uow, run_id=int(query.data.removeprefix("ev:run:")))
    except NotFound:
        _clear(context)
        await reply(update, _("That result no longer exists."))
        return ConversationHandler.END
    _clear(context)
    await send_outcome(update, context, who, outcome)
    return ConversationHandler.END


async def send_outcome(
    update: Update, context: Context, who: Speaker, outcome: EvaluationOutcome
) -> None:
    _ = who.gettext
    data = context.bot_data
    names = report_files.names_for(data.knowledge, who.lang)
    await reply(update, evaluation_files.evaluation_table(outcome, _, names, data.clock.zone))
    chart_lang = report_files.chart_language(who.lang)
    chart = await asyncio.to_thread(
        evaluation_files.evaluation_chart,
        outcome,
        data.translator.for_language(chart_lang),
        report_files.names_for(data.knowledge, chart_lang),
    )
    workbook = await asyncio.to_thread(
        evaluation_files.evaluation_workbook, outcome, _, names, data.clock.zone
    )
    chat = update.effective_chat
    assert chat is not None
    stem = f"evaluation-{outcome.year}"
    await chat.send_photo(
        InputFile(chart, filename=f"{stem}.png"),
        caption=_("Yearly evaluation {year}").format(year=outcome.year),
    )
    await chat.send_document(
        InputFile(workbook, filename=f"{stem}.xlsx"),
        caption=_("The ranking, the measured values and the scoring sheet used."),
    )


async def back(update: Update, context: Context) -> int:
    """One step up while entering scores: the number → the indicators → the stations."""
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    draft = _draft(context)
    if "indicator" in draft:
        draft.pop("indicator")
        await show_indicators(update, context, who)
        return INDICATOR
    draft.pop("station", None)
    await show_stations(update, context, who)
    return STATION


async def back_to_actions(update: Update, context: Context) -> int:
    who = await _admin(update, context)
    if who is None:
        return ConversationHandler.END
    await show_actions(update, context, who)
    return ACTION


async def cancel(update: Update, context: Context) -> int:
    who = await speaker(update, context)
    _ = who.gettext
    _clear(context)
    await reply(update, _("Closed. The scores you saved are kept."))
    return ConversationHandler.END


async def reask_number(update: Update, context: Context) -> None:
    who = await speaker(update, context)
    _ = who.gettext
    await reply(update, _("Please type the points as a number, or press Back."))


def register(app: Application) -> None:  # type: ignore[type-arg]
    cancel_button = CallbackQueryHandler(cancel, pattern=r"^ev:cancel$")
    fallback = button_fallback()
    app.add_handler(
        ConversationHandler(
            name="evaluation",
            persistent=True,
            entry_points=[
                CommandHandler("evaluation", start),
                CallbackQueryHandler(start, pattern=r"^menu:evaluation$"),
            ],
            states={
                YEAR: [
                    CallbackQueryHandler(year_chosen, pattern=r"^ev:y:\d{4}$"),
                    CallbackQueryHandler(runs_chosen, pattern=r"^ev:runs$"),
                    cancel_button,
                    fallback,
                ],
                ACTION: [
                    CallbackQueryHandler(enter_chosen, pattern=r"^ev:enter$"),
                    CallbackQueryHandler(compute_chosen, pattern=r"^ev:compute$"),
                    CallbackQueryHandler(start, pattern=r"^ev:back$"),
                    cancel_button,
                    fallback,
                ],
                STATION: [
                    CallbackQueryHandler(station_chosen, pattern=r"^ev:s:\w+$"),
                    CallbackQueryHandler(back_to_actions, pattern=r"^ev:back$"),
                    cancel_button,
                    fallback,
                ],
                INDICATOR: [
                    CallbackQueryHandler(indicator_chosen, pattern=r"^ev:i:\w+$"),
                    CallbackQueryHandler(back, pattern=r"^ev:back$"),
                    cancel_button,
                    fallback,
                ],
                VALUE: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, value_typed),
                    CallbackQueryHandler(back, pattern=r"^ev:back$"),
                    cancel_button,
                    MessageHandler(filters.ALL & ~filters.COMMAND, reask_number),
                ],
                RUNS: [
                    CallbackQueryHandler(run_chosen, pattern=r"^ev:run:\d+$"),
                    CallbackQueryHandler(start, pattern=r"^ev:back$"),
                    cancel_button,
                    fallback,
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel), CommandHandler("evaluation", start)],
            allow_reentry=True,
        )
    )
