"""Pieces the staff journeys share: answering in place, the date step and its calendar, and
turning reason codes (`services.numbers`, `services.entry_window`) into sentences.

Used by `/log` (prefix `log`) and `/supervise` (prefix `sup`): the same window of days, the
same buttons, the same explanations, so workers and supervisors learn one way of entering.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardButton

from handlers.kit.i18n import N_, Gettext
from handlers.kit.keyboards import grid
from handlers.kit.screen import show as show  # the one `show`, re-exported
from services.entry_window import LATE_ENTRY_DAYS, days_open, entry_window

MONTH_NAMES = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


def day_label(_: Gettext, day: date) -> str:
    return _("{month_name} {day}").format(month_name=_(MONTH_NAMES[day.month - 1]), day=day.day)


def month_label(_: Gettext, month: date) -> str:
    return _(MONTH_NAMES[month.month - 1])


def hours_label(hours: float) -> str:
    """1.5 → "1.5", 2.0 → "2", 0.25 → "0.25"."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def date_buttons(_: Gettext, prefix: str, today: date) -> list[list[InlineKeyboardButton]]:
    yesterday = today - timedelta(days=1)
    rows = [
        [
            InlineKeyboardButton(
                _("Today ({day})").format(day=day_label(_, today)),
                callback_data=f"{prefix}:date:today",
            ),
            InlineKeyboardButton(
                _("Yesterday ({day})").format(day=day_label(_, yesterday)),
                callback_data=f"{prefix}:date:yesterday",
            ),
        ],
        [InlineKeyboardButton(_("📅 Another day"), callback_data=f"{prefix}:date:pick")],
    ]
    return rows


def window_hint(_: Gettext, today: date) -> str:
    first, last = entry_window(today)
    return _("You can enter any day from {first} to {last}.").format(
        first=day_label(_, first), last=day_label(_, last)
    )


def calendar_buttons(
    _: Gettext, prefix: str, today: date, month: date
) -> list[list[InlineKeyboardButton]]:
    """The open days of `month` (7 a row), and a button to the other open month, if any."""
    open_days = days_open(today)
    shown = [d for d in open_days if (d.year, d.month) == (month.year, month.month)]
    buttons = [
        InlineKeyboardButton(str(d.day), callback_data=f"{prefix}:day:{d.isoformat()}")
        for d in shown
    ]
    rows = grid(buttons, 7)
    months = sorted({d.replace(day=1) for d in open_days})
    if len(months) > 1:
        other = months[0] if month.replace(day=1) == months[-1] else months[-1]
        arrow = "« {month}" if other < month else "{month} »"
        rows.append(
            [
                InlineKeyboardButton(
                    arrow.format(month=month_label(_, other)),
                    callback_data=f"{prefix}:cal:{other.isoformat()}",
                )
            ]
        )
    return rows


def calendar_step(
    _: Gettext, prefix: str, today: date, wanted: str | None
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The DAY step's text and buttons: the month asked for (if open, else this one)."""
    month = calendar_month(today, wanted)
    text = _("Choose the day, or type it (like 11-3).") + "\n" + window_hint(_, today)
    return text, calendar_buttons(_, prefix, today, month)


def calendar_month(today: date, wanted: str | None) -> date:
    """The month the calendar shows: the one asked for if it is open, else this one."""
    months = sorted({d.replace(day=1) for d in days_open(today)})
    if wanted:
        try:
            chosen = date.fromisoformat(wanted).replace(day=1)
        except ValueError:
            chosen = months[-1]
        if chosen in months:
            return chosen
    return months[-1]


def date_problem(_: Gettext, reason: str, today: date) -> str:
    hint = window_hint(_, today)
    if reason == "future":
        return _("That day has not come yet.") + " " + hint
    if reason == "too_old":
        return (
            _(
                "That day is too long ago: last month can only be entered until day {day} of "
                "this month."
            ).format(day=LATE_ENTRY_DAYS)
            + " "
            + hint
        )
    return _("I could not read that date. Please type it like 11-3 or 3, or choose a button.")


def number_problem(
    _: Gettext, reason: str, *, minimum: str, maximum: str, example: str, unit: str
) -> str:
    """A sentence for a `services.numbers` reason code. `unit`: "hours" or "count"."""
    if reason == "too_small":
        if unit == "hours":
            return _("That is too little: the shortest is {minimum} hours.").format(minimum=minimum)
        return _("That is too few: at least {minimum}.").format(minimum=minimum)
    if reason == "too_large":
        if unit == "hours":
            return _("That is too much: the longest is {maximum} hours.").format(maximum=maximum)
        return _("That is too many: at most {maximum}.").format(maximum=maximum)
    if reason == "not_whole":
        return _("Please type a whole number, like {example}.").format(example=example)
    if reason == "wrong_step":
        return _("Please use half hours, like {example}.").format(example=example)
    if unit == "hours":
        return _("Please type the hours as a number, like {example}.").format(example=example)
    return _("Please type a number, like {example}.").format(example=example)


def hours_problem(_: Gettext, reason: str, *, minimum: float, maximum: float) -> str:
    """A sentence for a `services.numbers` reason code about typed hours."""
    return number_problem(
        _,
        reason,
        minimum=hours_label(minimum),
        maximum=hours_label(maximum),
        example="1.5",
        unit="hours",
    )


def staff_only(_: Gettext) -> str:
    """What a resident hears for a staff command: that it exists for staff, and nothing more."""
    return _("Sorry, this is only for social work station staff.")
