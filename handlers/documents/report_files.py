"""The report as people read it: the chat summary, the chart (PNG) and the workbook (XLSX).

Pure functions of a `services.reports.Report`, a gettext and a `Names` (catalogue names in one
language), used by `/report` and by `stationbot report`. They live in `handlers/` because
every label is user-facing text from the gettext catalogues; they import neither `telegram`
nor `db`, so the CLI can write the same files without a bot.

Charts use matplotlib's object API on the Agg canvas (no pyplot, no global figure state) and
a CJK font (Debian's `fonts-noto-cjk`). matplotlib and openpyxl are imported when a file is
made, not when the bot starts: together they take seconds to import. Without one, Chinese would render as empty boxes, so
`chart_language` switches the chart to English and logs a warning.
"""

from __future__ import annotations

import functools
import io
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from handlers.kit.i18n import (
    N_,
    Gettext,
    Ngettext,
    hours_count,
    ngettext_of,
    person_times_count,
    volunteers_count,
)
from knowledge.bundle import Knowledge
from services.quota import BEHIND, MET, MISSED, OFFLINE, ON_TRACK, ONLINE
from services.reports import (
    GROUPS,
    MONTH,
    REQUEST_STATUSES,
    Period,
    Report,
    SessionRow,
    StationFigures,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from openpyxl import Workbook

log = logging.getLogger(__name__)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Families tried in order; the first Noto face matplotlib reads from the Debian .ttc is JP,
# whose shared ideographs are Japanese forms, so the SC face is asked for by name first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
CJK_FILE_HINTS = ("notosanscjk", "notosanssc", "sourcehansans", "wqy", "droidsansfallback")

MONTH_NAMES = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
REQUEST_STATUS_LABELS = {
    "submitted": N_("submitted"),
    "accepted": N_("accepted"),
    "in_progress": N_("in progress"),
    "completed": N_("completed"),
    "declined": N_("declined"),
    "cancelled": N_("cancelled"),
}
QUOTA_STATUS_LABELS = {
    MET: N_("met"),
    ON_TRACK: N_("on track"),
    BEHIND: N_("behind"),
    MISSED: N_("missed"),
}
# As /quota says it: behind the line in the month's first days is no cause for alarm (the
# report had said "behind" on the 3rd while /quota said "month just started").
JUST_STARTED = N_("month just started")
MODE_LABELS = {ONLINE: N_("online"), OFFLINE: N_("offline")}


# --- fonts ------------------------------------------------------------------------------------
@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    found = next((family for family in CJK_FAMILIES if family in known), None)
    if found is not None:
        return found
    # matplotlib caches its font list; a font installed after the cache was built is missing
    # from it, so look at the files themselves once.
    for path in font_manager.findSystemFonts():
        if any(hint in Path(path).name.lower() for hint in CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def chart_language(lang: str) -> str:
    """The language a chart can be drawn in on this machine."""
    return drawable_language(lang, cjk_font())


def drawable_language(lang: str, font: str | None) -> str:
    """Chinese needs a CJK font (else empty boxes); English never does."""
    if lang != "zh" or font is not None:
        return lang
    log.warning("no CJK font found (install fonts-noto-cjk); drawing charts with English labels")
    return "en"


# matplotlib's settings are global: two charts drawn at once in worker threads take turns.
_drawing = threading.Lock()


@contextmanager
def chart_style() -> Iterator[None]:
    import matplotlib

    family = cjk_font()
    fonts = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with (
        _drawing,
        matplotlib.rc_context(
            {"font.family": "sans-serif", "font.sans-serif": fonts, "axes.unicode_minus": False}
        ),
    ):
        yield


def new_figure(**options: Any) -> Figure:
    from matplotlib.figure import Figure

    return Figure(dpi=100, layout="constrained", **options)


def png_bytes(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    canvas = FigureCanvasAgg(figure)
    canvas.print_png(buffer)  # type: ignore[no-untyped-call]  # matplotlib ships it untyped
    return buffer.getvalue()


# --- names from the catalogues ----------------------------------------------------------------
@dataclass(frozen=True)
class Names:
    """Catalogue names in one language; an unknown code shows as itself."""

    lang: str
    station: Callable[[str], str]
    group: Callable[[str], str]
    category: Callable[[str], str]
    template: Callable[[str], str]
    service: Callable[[str], str]
    case_stage: Callable[[str], str] = str
    risk: Callable[[str], str] = str
    topic: Callable[[str], str] = str


class _Named(Protocol):
    def name(self, lang: str) -> str: ...


def _namer(find: Callable[[str], _Named | None], lang: str) -> Callable[[str], str]:
    """A code's name in `lang` from one catalogue; an unknown code as it is."""

    def name(code: str) -> str:
        found = find(code)
        return found.name(lang) if found else code

    return name


def names_for(knowledge: Knowledge, lang: str) -> Names:
    """Names from the catalogues the deployment ships; an unknown code is shown as it is."""
    groups = {group.code: group for group in knowledge.served_groups}
    risks = {level.code: level for level in knowledge.cases.risk_levels}
    topics = {t.code: t for t in knowledge.supervision_topics}
    templates = knowledge.record_templates
    return Names(
        lang=lang,
        station=_namer(knowledge.stations.get, lang),
        group=_namer(groups.get, lang),
        category=_namer(templates.category, lang),
        template=_namer(templates.template, lang),
        service=_namer(knowledge.services.get, lang),
        case_stage=_namer(knowledge.cases.stage, lang),
        risk=_namer(risks.get, lang),
        topic=_namer(topics.get, lang),
    )


# --- words ------------------------------------------------------------------------------------
def period_label(period: Period, _: Gettext) -> str:
    if period.kind == MONTH:
        return _("{month} {year}").format(
            month=_(MONTH_NAMES[period.start.month - 1]), year=period.start.year
        )
    return _("the year {year}").format(year=period.start.year)


def scope_label(report: Report, _: Gettext, names: Names) -> str:
    if report.all_stations:
        return _("All stations")
    return names.station(report.station_codes[0])


def hours(minutes: int | float) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def file_stem(report: Report) -> str:
    scope = "all" if report.all_stations else report.station_codes[0]
    return f"report-{report.period.code}-{scope}"


def report_summary(report: Report, _: Gettext, names: Names) -> str:
    """A few lines for the chat (HTML): the figures people ask for first."""
    total = report.total
    ngettext = ngettext_of(_)
    lines = [
        "<b>"
        + escape(
            _("Report: {scope}, {period}").format(
                scope=scope_label(report, _, names), period=period_label(report.period, _)
            )
        )
        + "</b>"
    ]
    if report.is_empty:
        lines.append(_("Nothing was recorded in this period."))
    lines.append(
        _("Activities: {count} ({hours}), {person_times}.").format(
            count=total.activities,
            hours=hours_phrase(ngettext, total.minutes),
            person_times=person_times_count(ngettext, total.person_times),
        )
    )
    by_group = [
        f"{escape(names.group(code))} {total.person_times_by_group[code]}"
        for code in _group_codes(report)
        if total.person_times_by_group.get(code)
    ]
    if by_group:
        lines.append(_("By group: {groups}.").format(groups=" · ".join(by_group)))
    lines.append(
        _(
            "Requests: {received} received, {completed} completed, "
            "{in_time} accepted within 24 hours."
        ).format(
            received=total.requests_received,
            completed=total.completed,
            in_time=total.accepted_within_24h,
        )
    )
    if total.average_rating is not None:
        lines.append(
            ngettext(
                "Average rating: {rating} of 5 ({count} rating).",
                "Average rating: {rating} of 5 ({count} ratings).",
                total.ratings,
            ).format(rating=f"{total.average_rating:.1f}", count=total.ratings)
        )
    lines.append(
        ngettext(
            "Volunteers: {new} new application, {active} active.",
            "Volunteers: {new} new applications, {active} active.",
            total.volunteers_applied,
        ).format(new=total.volunteers_applied, active=total.volunteers_active)
    )
    lines.extend(_supervision_lines(report, _, names))
    lines.append(
        _(
            "Cases: {opened} opened, {closed} closed, {open} open ({overdue} overdue for a "
            "contact); referred: {to_stations} to another station, {to_agencies} to an agency."
        ).format(
            opened=total.cases_opened,
            closed=total.cases_closed,
            open=total.cases_open,
            overdue=total.cases_overdue,
            to_stations=total.referrals_to_stations,
            to_agencies=total.referrals_to_agencies,
        )
    )
    lines.append(
        _("Volunteer hours: {hours} confirmed, by {volunteers}.").format(
            hours=hours_phrase(ngettext, total.volunteer_minutes),
            volunteers=volunteers_count(ngettext, total.volunteers_with_hours),
        )
    )
    lines.append("")
    lines.append(_("The chart and the Excel file follow."))
    return "\n".join(lines)


def hours_phrase(ngettext: Ngettext, minutes: int | float) -> str:
    """ "1 hour", "12.5 hours", written to one decimal as everywhere in the report."""
    return hours_count(ngettext, minutes / 60, label=lambda value: hours(value * 60))


def _supervision_lines(report: Report, _: Gettext, names: Names) -> list[str]:
    ngettext = ngettext_of(_)
    if report.period.kind == MONTH and not report.all_stations:
        status = next((q for q in report.quota if q.station_code == report.station_codes[0]), None)
        if status is None:
            return []
        return [
            _("Supervision: {hours} of {quota} ({status}).").format(
                hours=hours(status.total_hours * 60),
                quota=hours_phrase(ngettext, status.quota_hours * 60),
                status=_(
                    JUST_STARTED if status.just_started else QUOTA_STATUS_LABELS[status.status]
                ),
            )
        ]
    total = report.total
    # One sentence per kind of period; every one names the hours and the quota met, counted
    # per station (a month) or per station-month (a year).
    counted = len(report.station_codes) if report.period.kind == MONTH else len(report.quota)
    figures = {
        "hours": hours_phrase(ngettext, total.supervision_minutes),
        "met": total.months_quota_met,
        "stations": counted,
        "months": counted,
    }
    if report.period.kind == MONTH:
        lines = [
            ngettext(
                "Supervision: {hours} in all; {met} of {stations} station met the quota.",
                "Supervision: {hours} in all; {met} of {stations} stations met the quota.",
                counted,
            ).format(**figures)
        ]
        short = [
            escape(names.station(q.station_code))
            for q in report.quota
            if q.status in (BEHIND, MISSED)
        ]
        if short:
            lines.append(_("Short of the quota: {stations}.").format(stations=_(", ").join(short)))
        return lines
    if report.all_stations:
        sentence = ngettext(
            "Supervision: {hours} in all; the quota was met in {met} of {months} station-month.",
            "Supervision: {hours} in all; the quota was met in {met} of {months} station-months.",
            counted,
        )
    else:
        sentence = ngettext(
            "Supervision: {hours}; the quota was met in {met} of {months} month.",
            "Supervision: {hours}; the quota was met in {met} of {months} months.",
            counted,
        )
    return [sentence.format(**figures)]


def _group_codes(report: Report) -> list[str]:
    extra = sorted({g.group_code for g in report.groups} - set(GROUPS))
    return [*GROUPS, *extra]


# --- the chart --------------------------------------------------------------------------------
ONLINE_COLOUR, OFFLINE_COLOUR, QUOTA_COLOUR = "#4C78A8", "#72B7B2", "#E45756"


def report_chart(report: Report, _: Gettext, names: Names) -> bytes:
    """Supervision hours against the quota, person-times by group, requests by status."""
    with chart_style():
        stations = (
            1
            if report.period.kind != MONTH and not report.all_stations
            else len(report.station_codes)
        )
        figure = new_figure(figsize=(10, 10 + 0.3 * stations))
        top, middle, bottom = figure.subplots(3, 1, height_ratios=[max(1.0, 0.12 * stations), 1, 1])
        figure.suptitle(
            _("{scope}, {period}").format(
                scope=scope_label(report, _, names), period=period_label(report.period, _)
            ),
            fontsize=15,
        )
        _supervision_axes(top, report, _, names)
        _groups_axes(middle, report, _, names)
        _requests_axes(bottom, report, _)
        return png_bytes(figure)


def _no_data(axes: Any, _: Gettext) -> None:
    axes.text(
        0.5, 0.5, _("No data for this period"), ha="center", va="center",
        transform=axes.transAxes, color="grey", fontsize=12,
    )  # fmt: skip
    axes.set_xticks([])
    axes.set_yticks([])


def _supervision_axes(axes: Any, report: Report, _: Gettext, names: Names) -> None:
    """Months side by side for one station's year; otherwise one bar per station, lying down
    so that long station names stay readable. For a year, stations show their monthly average."""
    per_month = report.period.kind != MONTH
    by_month = per_month and not report.all_stations
    if by_month:
        rows = list(report.quota)
        labels = [_(MONTH_NAMES[q.month.month - 1]) for q in rows]
        online = [q.online_hours for q in rows]
        offline = [q.offline_hours for q in rows]
        quota = [q.quota_hours for q in rows]
        axes.set_title(_("Supervision hours per month against the quota"))
    else:
        labels, online, offline, quota = [], [], [], []
        for code in report.station_codes:
            months = [q for q in report.quota if q.station_code == code]
            count = max(len(months), 1)
            labels.append(names.station(code))
            online.append(sum(q.online_hours for q in months) / count)
            offline.append(sum(q.offline_hours for q in months) / count)
            quota.append(months[0].quota_hours if months else 0.0)
        axes.set_title(
            _("Average supervision hours per month against the quota")
            if per_month
            else _("Supervision hours per station against the quota")
        )
    if not labels:
        _no_data(axes, _)
        return
    positions = list(range(len(labels)))
    totals = [a + b for a, b in zip(online, offline, strict=True)]
    quota_label = _("quota ({hours})").format(hours=hours_phrase(ngettext_of(_), max(quota) * 60))
    top = max([*quota, *totals]) * 1.35 or 1  # headroom for the legend
    if by_month:
        axes.bar(positions, online, color=ONLINE_COLOUR, label=_("online"))
        bars = axes.bar(positions, offline, bottom=online, color=OFFLINE_COLOUR, label=_("offline"))
        axes.hlines(
            quota, [p - 0.45 for p in positions], [p + 0.45 for p in positions],
            colors=QUOTA_COLOUR, linestyles="--", linewidth=2, label=quota_label,
        )  # fmt: skip
        axes.set_xticks(positions, labels, fontsize=9)
        axes.set_ylabel(_("hours"))
        axes.set_ylim(0, top)
    else:
        axes.barh(positions, online, color=ONLINE_COLOUR, label=_("online"))
        bars = axes.barh(positions, offline, left=online, color=OFFLINE_COLOUR, label=_("offline"))
        axes.vlines(
            quota, [p - 0.45 for p in positions], [p + 0.45 for p in positions],
            colors=QUOTA_COLOUR, linestyles="--", linewidth=2, label=quota_label,
        )  # fmt: skip
        axes.set_yticks(positions, labels, fontsize=9)
        axes.invert_yaxis()
        axes.set_xlabel(_("hours"))
        axes.set_xlim(0, top)
    axes.bar_label(bars, labels=[f"{t:.1f}" for t in totals], padding=3, fontsize=8)
    axes.legend(
        loc="upper left" if by_month else "lower right", ncols=3 if by_month else 1, fontsize=9
    )


def _groups_axes(axes: Any, report: Report, _: Gettext, names: Names) -> None:
    axes.set_title(_("Person-times by group"))
    by_group = report.total.person_times_by_group
    codes = [c for c in _group_codes(report) if c in GROUPS or by_group.get(c)]
    values = [by_group.get(code, 0) for code in codes]
    if not any(values):
        _no_data(axes, _)
        return
    bars = axes.barh([names.group(c) for c in codes], values, color=ONLINE_COLOUR)
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlabel(_("person-times"))
    axes.set_xlim(0, max(values) * 1.15)


def _requests_axes(axes: Any, report: Report, _: Gettext) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.set_title(_("Requests by status"))
    by_status = report.total.requests_by_status
    values = [by_status.get(status, 0) for status in REQUEST_STATUSES]
    if not any(values):
        _no_data(axes, _)
        return
    bars = axes.bar(
        [_(REQUEST_STATUS_LABELS[s]) for s in REQUEST_STATUSES], values, color=OFFLINE_COLOUR
    )
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_ylabel(_("requests"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(values) * 1.2)


# --- the workbook -----------------------------------------------------------------------------
HEADER_COLOUR = "DDEBF7"


def new_workbook() -> Workbook:
    """An empty streaming workbook: rows are written as they are added, which keeps a year of
    requests quick to write (with lxml installed, openpyxl writes several times faster)."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


def add_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    total: Sequence[Any] | None = None,
    formats: dict[int, str] | None = None,
    widths: dict[str, float] | None = None,
    notes: Sequence[str] = (),
) -> None:
    """A sheet with a bold frozen header, rows, an optional bold total row, number formats by
    column (1-based) and notes under the table. Widths are set first: the sheet streams."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title[:31])
    for index, text in enumerate(header, start=1):
        letter = get_column_letter(index)
        default = max(10, min(40, len(str(text)) + 2))
        sheet.column_dimensions[letter].width = (widths or {}).get(letter, default)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_COLOUR)
    wrap = Alignment(wrap_text=True, vertical="top")
    number_formats = formats or {}

    def cells(values: Sequence[Any], font: Any = None) -> list[Any]:
        out: list[Any] = []
        for index, value in enumerate(values, start=1):
            number_format = number_formats.get(index)
            if number_format is None and font is None:
                out.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if number_format is not None:
                cell.number_format = number_format
            if font is not None:
                cell.font = font
            out.append(cell)
        return out

    head = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        head.append(cell)
    sheet.append(head)
    for row in rows:
        sheet.append(cells(row))
    if total is not None:
        sheet.append(cells(total, bold))
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([note])


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Excel has no time zones: local wall-clock time, naive."""
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def report_workbook(report: Report, _: Gettext, names: Names, zone: ZoneInfo) -> bytes:
    workbook = new_workbook()
    _summary_sheet(workbook, report, _, names)
    _activities_sheet(workbook, report, _, names)
    _groups_sheet(workbook, report, _, names)
    _requests_sheet(workbook, report, _, names, zone)
    _volunteers_sheet(workbook, report, _, names)
    _volunteer_hours_sheet(workbook, report, _, names)
    _cases_sheet(workbook, report, _, names, zone)
    _sessions_sheet(workbook, report, _, names)
    _quota_sheet(workbook, report, _, names)
    return workbook_bytes(workbook)


def _figures_row(label: str, f: StationFigures) -> list[Any]:
    return [
        label,
        f.activities,
        round(f.minutes / 60, 2),
        f.person_times,
        f.requests_received,
        f.completed,
        f.accepted_within_24h,
        _round(f.average_rating, 2),
        f.volunteers_applied,
        f.volunteers_active,
        round(f.supervision_minutes / 60, 2),
        f.months_quota_met,
        f.cases_opened,
        f.cases_closed,
        f.cases_open,
        f.cases_overdue,
        f.referrals_to_stations,
        f.referrals_to_agencies,
        round(f.volunteer_minutes / 60, 2),
        f.volunteers_with_hours,
    ]


def _summary_sheet(workbook: Workbook, report: Report, _: Gettext, names: Names) -> None:
    header = [
        _("Station"), _("Activities"), _("Hours of activities"), _("Person-times"),
        _("Requests received"), _("Requests completed"), _("Accepted within 24 hours"),
        _("Average rating"), _("New volunteer applications"), _("Active volunteers"),
        _("Supervision hours"), _("Months the quota was met"), _("Cases opened"),
        _("Cases closed"), _("Cases open (at the period's end, or now)"),
        _("Cases overdue for a contact"), _("Cases referred to another station"),
        _("Cases referred to an agency"), _("Confirmed volunteer hours"),
        _("Volunteers with confirmed hours"),
    ]  # fmt: skip
    rows = [_figures_row(names.station(f.station_code), f) for f in report.stations]
    total = _figures_row(_("Total"), report.total) if len(report.stations) > 1 else None
    notes = [
        _("Period: {period}").format(period=period_label(report.period, _)),
        _(
            "Requests received: all made in the period except those withdrawn before anyone answered."
        ),
    ]
    add_sheet(
        workbook, _("Summary"), header, rows, total=total, formats={3: "0.0", 11: "0.0"},
        widths={"A": 30}, notes=notes,
    )  # fmt: skip


def _activities_sheet(workbook: Workbook, report: Report, _: Gettext, names: Names) -> None:
    header = [
        _("Station"),
        _("Category"),
        _("Record template"),
        _("Activities"),
        _("Hours"),
        _("Person-times"),
    ]
    rows = [
        [
            names.station(a.station_code), names.category(a.category_code),
            names.template(a.template_code), a.activities, round(a.minutes / 60, 2), a.person_times,
        ]
        for a in report.activities
    ]  # fmt: skip
    total = [
        _("Total"), None, None,
        sum(a.activities for a in report.activities),
        round(sum(a.minutes for a in report.activities) / 60, 2),
        sum(a.person_times for a in report.activities),
    ]  # fmt: skip
    add_sheet(
        workbook, _("Activities"), header, rows, total=total, formats={5: "0.0"},
        widths=dict.fromkeys("ABC", 28),
    )  # fmt: skip


def _groups_sheet(workbook: Workbook, report: Report, _: Gettext, names: Names) -> None:
    codes = _group_codes(report)
    cells: dict[tuple[str, str, str], dict[str, int]] = {}
    for g in report.groups:
        cells.setdefault((g.station_code, g.category_code, g.template_code), {})[g.group_code] = (
            g.person_times
        )
    header = [
        _("Station"), _("Category"), _("Record template"), *(names.group(c) for c in codes), _("Total"),
    ]  # fmt: skip
    rows = [
        [
            names.station(station), names.category(category), names.template(template),
            *(by_group.get(c, 0) for c in codes), sum(by_group.values()),
        ]
        for (station, category, template), by_group in cells.items()
    ]  # fmt: skip
    totals = [sum(g.person_times for g in report.groups if g.group_code == c) for c in codes]
    total = [_("Total"), None, None, *totals, sum(totals)]
    add_sheet(
        workbook, _("Person-times by group"), header, rows, total=total,
        widths=dict.fromkeys("ABC", 28),
    )  # fmt: skip


def _requests_sheet(
    workbook: Workbook, report: Report, _: Gettext, names: Names, zone: ZoneInfo
) -> None:
    header = [
        _("Reference"), _("Station"), _("Service"), _("Status"), _("Requested at"),
        _("Accepted at"), _("Completed at"), _("Hours to accept"), _("Hours to complete"),
        _("Rating"),
    ]  # fmt: skip
    rows = [
        [
            r.ref, names.station(r.station_code), names.service(r.service_code),
            _(REQUEST_STATUS_LABELS.get(r.status, r.status)),
            _local(r.created_at, zone), _local(r.accepted_at, zone), _local(r.completed_at, zone),
            _round(r.hours_to_accept), _round(r.hours_to_complete), r.rating,
        ]
        for r in report.requests
    ]  # fmt: skip
    add_sheet(
        workbook, _("Requests"), header, rows,
        formats={5: "yyyy-mm-dd hh:mm", 6: "yyyy-mm-dd hh:mm", 7: "yyyy-mm-dd hh:mm", 8: "0.0", 9: "0.0"},
        widths=dict.fromkeys("BEFG", 20),
    )  # fmt: skip


def _volunteers_sheet(workbook: Workbook, report: Report, _: Gettext, names: Names) -> None:
    header = [
        _("Station"), _("New applications"), _("of which approved"), _("of which declined"),
        _("of which pending"), _("of which withdrawn"), _("Active volunteers at the end"),
    ]  # fmt: skip
    rows = [
        [
            names.station(v.station_code),
            v.applied,
            v.approved,
            v.declined,
            v.pending,
            v.withdrawn,
            v.active,
        ]
        for v in report.volunteers
    ]
    total = [
        _("Total"),
        *(sum(getattr(v, f) for v in report.volunteers)
          for f in ("applied", "approved", "declined", "pending", "withdrawn", "active")),
    ]  # fmt: skip
    add_sheet(workbook, _("Volunteers"), header, rows, total=total, widths={"A": 30})


def _volunteer_hours_sheet(workbook: Workbook, report: Report, _: Gettext, names: Names) -> None:
    """Confirmed volunteer hours per station and month (issue 16); a volunteer active in two
    months counts in each, so the volunteers column is not added up."""
    header = [
        _("Station"),
        _("Month"),
        _("Volunteers with hours"),
        _("Volunteer activities"),
        _("Hours"),
    ]
    rows = [
        [names.station(r.station_code), f"{r.month:%Y-%m}", r.volunteers, r.activities,
         round(r.hours, 2)]
        for r in report.volunteer_hours
    ]  # fmt: skip
    total = [
        _("Total"), None, None,
        sum(r.activities for r in report.volunteer_hours),
        round(sum(r.minutes for r in report.volunteer_hours) / 60, 2),
    ]  # fmt: skip
    add_sheet(workbook, _("Volunteer hours"), header, rows, total=total, widths={"A": 30})


CASE_STATUS_LABELS = {"open": N_("open"), "closed": N_("closed")}


def _cases_sheet(
    workbook: Workbook, report: Report, _: Gettext, names: Names, zone: ZoneInfo
) -> None:
    """The cases touched in the period (opened, closed, or open during it): the case number
    stands for the person, so no name or address appears."""
    header = [
        _("Case number"), _("Station"), _("Stage"), _("Status"), _("Risk"), _("Opened on"),
        _("Closed on"), _("Next contact"), _("Overdue"), _("Plan signed off"),
        _("Closing signed off"),
    ]  # fmt: skip
    yes, no = _("yes"), _("no")
    rows = [
        [c.number, names.station(c.station_code), names.case_stage(c.stage),
         _(CASE_STATUS_LABELS[c.status]) if c.status in CASE_STATUS_LABELS else c.status,
         names.risk(c.risk_level), _local(c.opened_at, zone), _local(c.closed_at, zone),
         c.next_contact_on, yes if c.overdue else no, yes if c.plan_signed_off else no,
         yes if c.closing_signed_off else no]
        for c in report.cases
    ]  # fmt: skip
    add_sheet(
        workbook, _("Cases"), header, rows,
        formats={6: "yyyy-mm-dd", 7: "yyyy-mm-dd", 8: "yyyy-mm-dd"}, widths={"B": 30},
    )  # fmt: skip


def _topic(session: SessionRow, names: Names) -> str:
    """The chosen topic by its name, and what the supervisor typed, either or both."""
    parts = [names.topic(session.topic_code)] if session.topic_code else []
    if session.topic_text and session.topic_text not in parts:
        parts.append(session.topic_text)
    return "; ".join(parts)


def _sessions_sheet(workbook: Workbook, report: Report, _: Gettext, names: Names) -> None:
    header = [_("Date"), _("Station"), _("Mode"), _("Hours"), _("Topic")]
    rows = [
        [s.session_date, names.station(s.station_code), _(MODE_LABELS.get(s.mode, s.mode)),
         round(s.minutes / 60, 2), _topic(s, names)]
        for s in report.sessions
    ]  # fmt: skip
    total = [_("Total"), None, None, round(sum(s.minutes for s in report.sessions) / 60, 2), ""]
    add_sheet(
        workbook, _("Supervision sessions"), header, rows, total=total,
        formats={1: "yyyy-mm-dd", 4: "0.0"}, widths={"B": 30},
    )  # fmt: skip


def _quota_sheet(workbook: Workbook, report: Report, _: Gettext, names: Names) -> None:
    header = [
        _("Month"), _("Station"), _("Online hours"), _("Offline hours"), _("Total hours"),
        _("Quota hours"), _("Status"),
    ]  # fmt: skip
    rows = [
        [f"{q.month:%Y-%m}", names.station(q.station_code), round(q.online_hours, 2),
         round(q.offline_hours, 2), round(q.total_hours, 2), q.quota_hours,
         _(QUOTA_STATUS_LABELS[q.status])]
        for q in report.quota
    ]  # fmt: skip
    add_sheet(
        workbook, _("Quota per month"), header, rows, formats={3: "0.0", 4: "0.0", 5: "0.0"},
        widths={"B": 30},
    )  # fmt: skip
