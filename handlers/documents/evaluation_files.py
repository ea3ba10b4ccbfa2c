"""The yearly evaluation as people read it: the ranking table (chat), chart (PNG), workbook.

Pure functions of a `services.evaluation.EvaluationOutcome`, like `report_files` (which
provides the fonts, names and sheet helpers). Indicator and tier names come from the outcome's
own snapshot of the scoring sheet, so an old result reads as it was decided.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from handlers.documents.report_files import (
    QUOTA_COLOUR,
    Names,
    add_sheet,
    chart_style,
    new_figure,
    new_workbook,
    png_bytes,
    workbook_bytes,
)
from handlers.kit.i18n import Gettext, ngettext_of
from knowledge.evaluation import MEASURED, Indicator
from services.evaluation import EvaluationOutcome, StationScore

TIER_COLOURS = ("#D4A017", "#A7A9AC", "#B87333", "#6A8CAF", "#8FB996")
PASS_COLOUR, FAIL_COLOUR = "#4C78A8", "#E45756"
TIER_MEDALS = ("🥇", "🥈", "🥉")
RATES = ("accepted_within_24h", "completion_rate")


def points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def failing_consequence(outcome: EvaluationOutcome, _: Gettext) -> str:
    return _("{percent}% of operating funds next year, operator contract not renewed").format(
        percent=outcome.funding_percent
    )


def tier_label(outcome: EvaluationOutcome, row: StationScore, names: Names) -> str:
    tier = outcome.tier(row.tier_code)
    if tier is None:
        return ""
    index = outcome.tiers.index(tier)
    medal = TIER_MEDALS[index] + " " if index < len(TIER_MEDALS) else ""
    return medal + tier.name(names.lang)


def evaluation_table(outcome: EvaluationOutcome, _: Gettext, names: Names, zone: ZoneInfo) -> str:
    """The ranking in the chat (HTML): one line per station, best first."""
    lines = [
        "<b>" + escape(_("Yearly evaluation {year}").format(year=outcome.year)) + "</b>",
        escape(
            _("Computed {when}; pass mark {mark} of {max} points.").format(
                when=f"{outcome.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
                mark=points(outcome.pass_mark),
                max=points(outcome.max_points),
            )
        ),
        "",
    ]
    for row in outcome.rows:
        line = _("{rank}. {station}: {total}").format(
            rank=row.rank, station=escape(names.station(row.station_code)), total=points(row.total)
        )
        label = tier_label(outcome, row, names)
        if label:
            line += " · " + escape(label)
        if row.below_pass:
            line += " · ⚠️ " + escape(_("below the pass mark"))
        lines.append(line)
    failing = [names.station(r.station_code) for r in outcome.rows if r.below_pass]
    if failing:
        lines.append("")
        lines.append(
            escape(
                _("Below the pass mark ({consequence}): {stations}.").format(
                    consequence=failing_consequence(outcome, _), stations=_(", ").join(failing)
                )
            )
        )
    incomplete = sum(1 for r in outcome.rows if r.missing)
    if incomplete:
        lines.append("")
        lines.append(
            escape(
                ngettext_of(_)(
                    "Scores were not entered for {count} station; what is missing counts as 0.",
                    "Scores were not entered for {count} stations; what is missing counts as 0.",
                    incomplete,
                ).format(count=incomplete)
            )
        )
    return "\n".join(lines)


def evaluation_chart(outcome: EvaluationOutcome, _: Gettext, names: Names) -> bytes:
    """Totals, best on top, coloured by tier; red under the pass mark, which is drawn."""
    from matplotlib.patches import Patch

    with chart_style():
        height = 3 + 0.4 * max(len(outcome.rows), 1)
        figure = new_figure(figsize=(10, height))
        axes: Any = figure.subplots()
        figure.suptitle(_("Yearly evaluation {year}").format(year=outcome.year), fontsize=15)
        rows = list(outcome.rows)
        labels = [f"{r.rank}. {names.station(r.station_code)}" for r in rows]
        colours = []
        for row in rows:
            tier = outcome.tier(row.tier_code)
            if row.below_pass:
                colours.append(FAIL_COLOUR)
            elif tier is not None:
                colours.append(TIER_COLOURS[outcome.tiers.index(tier) % len(TIER_COLOURS)])
            else:
                colours.append(PASS_COLOUR)
        bars = axes.barh(range(len(rows)), [r.total for r in rows], color=colours)
        axes.bar_label(bars, labels=[points(r.total) for r in rows], padding=3, fontsize=9)
        axes.set_yticks(range(len(rows)), labels, fontsize=9)
        axes.invert_yaxis()
        axes.axvline(outcome.pass_mark, color=QUOTA_COLOUR, linestyle="--", linewidth=2)
        axes.set_xlim(0, outcome.max_points * 1.05)
        axes.set_xlabel(_("points (of {max})").format(max=points(outcome.max_points)))
        legend = [
            Patch(color=TIER_COLOURS[i % len(TIER_COLOURS)], label=t.name(names.lang))
            for i, t in enumerate(outcome.tiers)
        ]
        legend.append(Patch(color=PASS_COLOUR, label=_("passed")))
        legend.append(Patch(color=FAIL_COLOUR, label=_("below the pass mark")))
        legend.append(
            Patch(
                facecolor="white", edgecolor=QUOTA_COLOUR, linestyle="--",
                label=_("pass mark ({mark})").format(mark=points(outcome.pass_mark)),
            )
        )  # fmt: skip
        axes.legend(handles=legend, loc="lower right", fontsize=9)
        return png_bytes(figure)


def _value_cell(indicator: Indicator, value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, 4 if indicator.measure in RATES else 2)


def evaluation_workbook(
    outcome: EvaluationOutcome, _: Gettext, names: Names, zone: ZoneInfo
) -> bytes:
    """Ranking with points per indicator; the measured values; the scoring sheet used."""
    workbook = new_workbook()
    indicators = outcome.indicators
    header = [
        _("Rank"), _("Station"), _("Total"), _("Tier"), _("Note"),
        *(i.name(names.lang) for i in indicators),
    ]  # fmt: skip
    rows = [
        [
            r.rank, names.station(r.station_code), r.total, tier_label(outcome, r, names),
            failing_consequence(outcome, _) if r.below_pass else "",
            *(r.points.get(i.code, 0.0) for i in indicators),
        ]
        for r in outcome.rows
    ]  # fmt: skip
    note = _("Pass mark {mark} of {max} points; computed {when}.").format(
        mark=points(outcome.pass_mark),
        max=points(outcome.max_points),
        when=_local_text(outcome.created_at, zone),
    )
    add_sheet(workbook, _("Ranking"), header, rows, widths={"B": 30, "E": 40}, notes=[note])
    measured = [i for i in indicators if i.kind == MEASURED]
    add_sheet(
        workbook,
        _("Measured values"),
        [_("Station"), *(i.name(names.lang) for i in measured)],
        [
            [
                names.station(r.station_code),
                *(_value_cell(i, r.values.get(i.code)) for i in measured),
            ]
            for r in outcome.rows
        ],
        widths={"A": 30},
    )
    add_sheet(
        workbook,
        _("Scoring sheet"),
        [
            _("Indicator"),
            _("Kind"),
            _("Points"),
            _("Bonus"),
            _("Full points at"),
            _("No points at"),
        ],
        [
            [
                i.name(names.lang),
                _("measured") if i.kind == MEASURED else _("entered"),
                i.weight,
                _("yes") if i.bonus else _("no"),
                i.full_at if i.kind == MEASURED else None,
                i.zero_at if i.kind == MEASURED else None,
            ]
            for i in indicators
        ],
        widths={"A": 30},
    )
    return workbook_bytes(workbook)


def _local_text(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"
