"""/evaluation: the yearly performance evaluation, for administrators (the civil affairs bureau).

The journey (diagram in `evaluation.mmd`), on the kit's Flow:

    year       a year, or 📂 the recorded results
    action     ✏️ enter scores, or 🧮 compute and record the ranking (then the table, a chart
               and an Excel workbook; the conversation ends)
    station    whose scores (✅ marks stations with every score entered)
    indicator  which hand-scored indicator, each with its points so far
    value      type the points: saved at once (`services.evaluation.enter_points`), then back
               to the indicators to enter or correct the next one
    runs       a recorded result, opened exactly as it was computed, whatever changed since

Typed points are read by `services.numbers.parse_points` (full-width digits, a decimal comma,
分). Cancel keeps what was saved, and says so. The states 0-5 and the draft key "evaluation"
are those the release before the kit persisted, so a person mid-way continues. What the steps
show from the database (entered scores, recorded runs) is read by the press that leads there
and kept in the draft, because a step renders without a database.

The indicators, weights, pass mark and tiers live in `knowledge/evaluation.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application

from handlers.documents import evaluation_files, report_files
from handlers.documents.evaluation_files import points
from handlers.kit.callbacks import Press, encode
from handlers.kit.context import Context, Speaker
from handlers.kit.flow import END, NUMBER, Draft, Flow, Outcome, Reask, Screen, Step
from handlers.kit.i18n import Gettext, ngettext_of
from handlers.kit.keyboards import grid
from handlers.kit.screen import show
from handlers.kit.steps import offered
from handlers.kit.words import moment_label, only_for
from handlers.management.choices import recent_years
from handlers.management.figures_out import send_chart_and_workbook
from services import evaluation
from services.errors import InvalidValue, NotFound
from services.evaluation import EvaluationOutcome
from services.numbers import parse_points
from services.people import ADMIN

PREFIX = "ev"
DRAFT = "evaluation"
# The states as the release before the kit persisted them, kept so people mid-way continue.
YEAR, ACTION, STATION, INDICATOR, VALUE, RUNS = range(6)
# Which branch the draft is on, so Back goes to the step before on that branch.
CHOSEN_YEAR, ENTERING, OPENING = "year", "enter", "runs"
CHECKING = "check"  # a computed draft, waiting to be recorded


def _button(label: str, kind: str, *args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(PREFIX, kind, *args))


def _station_name(context: Context, who: Speaker, code: str) -> str:
    station = context.bot_data.knowledge.stations.get(code)
    return station.name(who.lang) if station else code


async def _read_entries(context: Context, draft: Draft) -> None:
    """The year's typed points (for the ✅ marks and the indicator buttons), into the draft."""
    data = context.bot_data
    year = int(draft["year"])
    typed = await data.use_case(evaluation.entries_for, year=year)
    wanted = {i.code for i in data.knowledge.evaluation.entered}
    draft["done"] = [
        s.code for s in data.knowledge.stations.stations if wanted <= set(typed.get(s.code, {}))
    ]
    station = draft.get("station")
    if station is not None:
        draft["typed"] = typed.get(str(station), {})


def _points_of(_: Gettext, name: str, value: float | None, weight: float) -> str:
    shown = "—" if value is None else evaluation_files.points(value)
    return _("{indicator}: {points} / {max}").format(
        indicator=name, points=shown, max=evaluation_files.points(weight)
    )


# --- the steps -------------------------------------------------------------------------------
def render_year(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    rows = grid([_button(str(y), "y", y) for y in recent_years(context)], 3)
    rows.append([_button(_("📂 Recorded results"), "runs")])
    return Screen(_("🏆 Yearly evaluation. Which year?"), rows)


async def year_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    year = offered(press.int_arg(), recent_years(context))
    draft.clear()
    draft.update(year=year, mode=CHOSEN_YEAR)
    await _read_entries(context, draft)
    return "action"


async def runs_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    data = context.bot_data
    runs = await data.use_case(evaluation.list_runs)
    draft["mode"] = OPENING
    draft["runs"] = [
        [
            run.run_id,
            run.year,
            moment_label(who.gettext, run.created_at, data.clock.zone, now=data.clock.now()),
            run.confirmed,
        ]
        for run in runs
    ]
    return "runs"


def render_action(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    total = len(context.bot_data.knowledge.stations.stations)
    rows = [
        [_button(_("✏️ Enter scores"), "enter")],
        [_button(_("🧮 Compute the ranking"), "compute")],
    ]
    text = ngettext_of(_)(
        "Evaluation {year}. Scores entered for {done} of {total} station.",
        "Evaluation {year}. Scores entered for {done} of {total} stations.",
        total,
    ).format(year=draft.get("year"), done=len(draft.get("done", [])), total=total)
    return Screen(text, rows)


async def enter_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    draft["mode"] = ENTERING
    await _read_entries(context, draft)
    return "station"


async def compute_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    """Compute a draft (`services.evaluation.compute`), then ask before it is recorded."""
    _ = who.gettext
    data = context.bot_data
    try:
        outcome = await data.use_case(
            evaluation.compute,
            rules=data.knowledge.evaluation,
            year=int(draft["year"]),
            actor_tg_id=who.tg_id,
            now=data.clock.now(),
            zone=data.clock.zone,
        )
    except (InvalidValue, KeyError):
        await show(update, _("That year cannot be evaluated. Please start again with /evaluation."))
        return END
    draft["mode"] = CHECKING
    draft["run"] = outcome.run_id
    draft["missing"] = list(outcome.missing_stations)
    draft["incomplete"] = list(outcome.incomplete_stations)
    draft["ranked"] = len(outcome.rows)
    # The ranking itself, for the check step (which renders without a database): rank,
    # station, total, below the pass mark.
    draft["rows"] = [[r.rank, r.station_code, r.total, r.below_pass] for r in outcome.rows]
    draft["year_open"] = not evaluation.year_over(
        int(draft["year"]), now=data.clock.now(), zone=data.clock.zone
    )
    return "check"


def render_check(context: Context, who: Speaker, draft: Draft) -> Screen:
    """What the draft lacks, and Record / Enter the missing scores."""
    _ = who.gettext
    missing, incomplete = draft.get("missing") or [], draft.get("incomplete") or []
    ngettext = ngettext_of(_)
    ranked = int(draft.get("ranked", 0))
    lines = [
        ngettext(
            "🧮 Draft ranking {year} for {count} station: not recorded yet.",
            "🧮 Draft ranking {year} for {count} stations: not recorded yet.",
            ranked,
        ).format(year=draft.get("year"), count=ranked)
    ]
    if draft.get("year_open"):
        lines += ["", _year_open_warning(_, draft)]
    if draft.get("rows"):
        lines.append("")
    for rank, code, total, below in draft.get("rows") or []:
        line = _("{rank}. {station}: {total}").format(
            rank=rank, station=_station_name(context, who, code), total=points(float(total))
        )
        if below:
            line += " · ⚠️ " + _("below the pass mark")
        lines.append(line)
    comma = "、" if who.lang.startswith("zh") else ", "
    if missing:
        lines += [
            "",
            ngettext(
                "⚠️ No scores entered yet for {count} station: {names}. Recorded now, it "
                "would get 0 points for everything scored by hand, and may fall below the pass "
                "mark.",
                "⚠️ No scores entered yet for {count} stations: {names}. Recorded now, they "
                "would get 0 points for everything scored by hand, and may fall below the pass "
                "mark.",
                len(missing),
            ).format(
                count=len(missing),
                names=comma.join(_station_name(context, who, c) for c in missing),
            ),
        ]
    if incomplete:
        lines += [
            "",
            ngettext(
                "Some scores are still missing for {count} station: {names}.",
                "Some scores are still missing for {count} stations: {names}.",
                len(incomplete),
            ).format(
                count=len(incomplete),
                names=comma.join(_station_name(context, who, c) for c in incomplete),
            ),
        ]
    lines += ["", _("Record this ranking as the result of the year?")]
    record = (
        _button(_("✅ Record it before the year ends"), "confy")
        if draft.get("year_open")
        else _button(_("✅ Record the ranking"), "conf")
    )
    rows = [[record], [_button(_("✏️ Enter the missing scores"), "enter")]]
    return Screen("\n".join(lines), rows)


def _year_open_warning(_: Gettext, draft: Draft) -> str:
    return _(
        "⚠️ {year} is not over yet. The months still to come count as nothing (no supervision "
        "or activities yet), so every station scores lower than it will at the end of the "
        "year. Record it now only if the ranking really must be made before the year ends."
    ).format(year=draft.get("year"))


async def confirm_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    run_id = draft.get("run")
    if not isinstance(run_id, int):
        raise Reask(None)
    try:
        outcome = await data.use_case(
            evaluation.confirm,
            run_id=run_id,
            actor_tg_id=who.tg_id,
            now=data.clock.now(),
            zone=data.clock.zone,
            before_year_end=press.kind == "confy",  # the answer to the year-not-over warning
        )
    except NotFound:
        await show(update, _("That result no longer exists."))
        return END
    except InvalidValue:  # the year is not over (an old Record button): the warning again
        draft["year_open"] = True
        raise Reask(_year_open_warning(_, draft)) from None
    await send_outcome(update, context, who, outcome)
    return END


def render_station(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    done = set(draft.get("done", []))
    buttons = [
        _button(("✅ " if s.code in done else "") + s.name(who.lang), "s", s.code)
        for s in context.bot_data.knowledge.stations.stations
    ]
    text = _("Whose scores for {year}? ✅ marks stations with every score entered.").format(
        year=draft.get("year")
    )
    return Screen(text, grid(buttons, 2))


async def station_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    code = offered(press.arg(), context.bot_data.knowledge.stations)
    draft["station"] = code
    await _read_entries(context, draft)
    return "indicator"


def render_indicator(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    typed: dict[str, float] = draft.get("typed") or {}
    buttons = [
        _button(_points_of(_, i.name(who.lang), typed.get(i.code), i.weight), "i", i.code)
        for i in context.bot_data.knowledge.evaluation.entered
    ]
    text = _("Scores of {station} for {year}. Choose one to enter or correct it:").format(
        station=_station_name(context, who, str(draft.get("station", ""))), year=draft.get("year")
    )
    saved = draft.pop("saved", None)  # shown once, above the list, right after saving
    return Screen(f"{saved}\n\n{text}" if saved else text, grid(buttons, 1))


async def indicator_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    indicator = context.bot_data.knowledge.evaluation.indicator(press.arg() or "")
    if indicator is None or indicator not in context.bot_data.knowledge.evaluation.entered:
        raise Reask(None)
    draft["indicator"] = indicator.code
    return "value"


def render_value(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    indicator = context.bot_data.knowledge.evaluation.indicator(str(draft.get("indicator")))
    if indicator is None:
        return Screen(_("Please type the points as a number, or press Back."))
    return Screen(
        _("Type the points for “{indicator}” at {station}: a number from 0 to {max}.").format(
            indicator=indicator.name(who.lang),
            station=_station_name(context, who, str(draft.get("station", ""))),
            max=evaluation_files.points(indicator.weight),
        )
    )


async def value_typed(
    update: Update, context: Context, who: Speaker, draft: Draft, text: str
) -> Outcome:
    _ = who.gettext
    data = context.bot_data
    rules = data.knowledge.evaluation
    indicator = rules.indicator(str(draft.get("indicator")))
    if indicator is None:
        return "indicator"
    maximum = evaluation_files.points(indicator.weight)
    again = _("Please type a number from 0 to {max}, for example 12 or 12.5.").format(max=maximum)
    try:
        points = parse_points(text, maximum=indicator.weight)
        saved = await data.use_case(
            evaluation.enter_points,
            rules=rules,
            year=int(draft["year"]),
            station_code=str(draft["station"]),
            indicator_code=indicator.code,
            points=points,
            actor_tg_id=who.tg_id,
            now=data.clock.now(),
            zone=data.clock.zone,
        )
    except InvalidValue as error:
        raise Reask(again) from error
    draft.pop("indicator", None)
    await _read_entries(context, draft)
    draft["saved"] = _("Saved: {indicator} {points} / {max}.").format(
        indicator=indicator.name(who.lang),
        points=evaluation_files.points(saved.points),
        max=maximum,
    )
    return "indicator"


def render_runs(context: Context, who: Speaker, draft: Draft) -> Screen:
    _ = who.gettext
    runs = draft.get("runs") or []
    if not runs:
        return Screen(
            _("No result has been recorded yet. Choose a year and compute the ranking first.")
        )
    buttons = [
        _button(
            (
                _("{year} (computed {when})")
                if confirmed
                else _("📝 {year} draft (computed {when})")
            ).format(year=year, when=when),
            "run",
            run_id,
        )
        for run_id, year, when, *rest in runs
        for confirmed in (rest[0] if rest else True,)  # runs listed before drafts existed
    ]
    return Screen(_("Which recorded result should I open?"), grid(buttons, 1))


async def run_pressed(
    update: Update, context: Context, who: Speaker, draft: Draft, press: Press
) -> Outcome:
    _ = who.gettext
    run_id = press.int_arg()
    if run_id is None:
        raise Reask(None)
    try:
        outcome = await context.bot_data.use_case(evaluation.open_run, run_id=run_id)
    except NotFound:
        await show(update, _("That result no longer exists."))
        return END
    await send_outcome(update, context, who, outcome)
    return END


def _on(mode: str, older: str | None = None) -> Callable[[Draft], bool]:
    """The step applies on branch `mode`; for a draft of the release before the kit (no
    "mode"), when the draft holds `older`."""

    def applies(draft: Draft) -> bool:
        branch = draft.get("mode")
        if branch is None:
            return older is not None and older in draft
        return branch == mode or (mode == CHOSEN_YEAR and branch in (ENTERING, CHECKING))

    return applies


STEPS = (
    Step("year", render_year, {"y": year_pressed, "runs": runs_pressed}, persisted=YEAR),
    Step(
        "action",
        render_action,
        {"enter": enter_pressed, "compute": compute_pressed},
        applies_when=_on(CHOSEN_YEAR, "year"),
        persisted=ACTION,
    ),
    Step(
        "check",
        render_check,
        {"conf": confirm_pressed, "confy": confirm_pressed, "enter": enter_pressed},
        applies_when=_on(CHECKING),
    ),
    Step(
        "station",
        render_station,
        {"s": station_pressed},
        applies_when=_on(ENTERING, "station"),
        persisted=STATION,
    ),
    Step(
        "indicator",
        render_indicator,
        {"i": indicator_pressed},
        applies_when=_on(ENTERING, "station"),
        persisted=INDICATOR,
    ),
    Step(
        "value",
        render_value,
        on_text=value_typed,
        expects=NUMBER,
        applies_when=_on(ENTERING, "station"),
        persisted=VALUE,
    ),
    Step(
        "runs",
        render_runs,
        {"run": run_pressed},
        applies_when=_on(OPENING),
        persisted=RUNS,
    ),
)


async def allowed(update: Update, context: Context, who: Speaker) -> bool:
    if who.access.is_admin:
        return True
    await show(update, only_for(who, ADMIN))
    return False


async def begin(update: Update, context: Context, who: Speaker) -> Draft:
    return {}


async def finish(update: Update, context: Context, who: Speaker, draft: Draft) -> Outcome:
    """Never reached: every branch ends in its own step (compute, a recorded result)."""
    return END


def closed_text(_: Gettext) -> str:
    return _("Closed. The scores you saved are kept.")


EVALUATION = Flow(DRAFT, PREFIX, STEPS, begin, finish, command="evaluation", allowed=allowed,
                  cancelled=closed_text)  # fmt: skip


async def send_outcome(
    update: Update, context: Context, who: Speaker, outcome: EvaluationOutcome
) -> None:
    _ = who.gettext
    data = context.bot_data
    names = report_files.names_for(data.knowledge, who.lang)
    await show(update, evaluation_files.evaluation_table(outcome, _, names, data.clock.zone))
    await show(update, months_text(context, who, outcome), new=True, answered=True)
    await send_chart_and_workbook(
        update,
        context,
        who,
        outcome,
        chart=evaluation_files.evaluation_chart,
        workbook=evaluation_files.evaluation_workbook,
        stem=f"evaluation-{outcome.year}",
        captions=(
            _("Yearly evaluation {year}").format(year=outcome.year),
            _("The ranking, the measured values and the scoring sheet used."),
        ),
    )


def months_text(context: Context, who: Speaker, outcome: EvaluationOutcome) -> str:
    """Whether the result is a draft, and how many months each station's quota was counted."""
    _ = who.gettext
    lines = []
    if outcome.is_draft:
        lines.append(_("📝 This is a draft: it has not been recorded as the year's ranking."))
    else:
        lines.append(_("✅ This is the recorded ranking of {year}.").format(year=outcome.year))
    lines.append("")
    lines.append(_("Quota months counted (months before the station was in the bot are not):"))
    for row in outcome.rows:
        if row.months_counted is None or row.months_begun is None:
            continue
        lines.append(
            ngettext_of(_)(
                "{station}: {counted} of {begun} month",
                "{station}: {counted} of {begun} months",
                row.months_begun,
            ).format(
                station=_station_name(context, who, row.station_code),
                counted=row.months_counted,
                begun=row.months_begun,
            )
        )
    return "\n".join(lines)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(EVALUATION.conversation())
