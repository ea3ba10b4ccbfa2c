"""When reminders go out, from `reminders.yaml`. Pure data: the planning lives in services."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from knowledge.loading import CatalogError, read_yaml, resolve

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether a wall-clock time falls in the quiet hours (which may span midnight)."""
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class ReminderSchedule:
    digest_weekday: int  # 0 = Monday, as `date.weekday()`
    digest_time: time
    warning_days: tuple[int, ...]
    warning_time: time
    final_time: time
    close_day: int
    close_time: time
    request_workers_after: timedelta
    request_head_after: timedelta
    volunteer_workers_after: timedelta
    quiet_hours: QuietHours | None
    check_every_seconds: int
    first_check_after_seconds: int
    # Overdue cases: the worker at this time the morning after the missed next contact, the
    # head `case_head_after` later. Defaults so a deployment's older file still loads.
    case_worker_time: time = time(9, 0)
    case_head_after: timedelta = timedelta(days=3)
    # Urgent requests nobody accepted: the head and the administrators are reminded after this.
    urgent_escalate_after: timedelta = timedelta(hours=2)


def default_schedule() -> ReminderSchedule:
    return load_reminders(None)


def load_reminders(directory: Path | None = None) -> ReminderSchedule:
    path = resolve(directory, "reminders.yaml")
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError(path, None, "expected a mapping of reminder settings")

    def section(name: str) -> dict[str, Any]:
        value = data.get(name)
        if not isinstance(value, dict):
            raise CatalogError(path, name, "missing (expected a mapping)")
        return value

    digest = section("weekly_digest")
    weekday = digest.get("weekday")
    if not isinstance(weekday, str) or weekday.strip().lower() not in WEEKDAYS:
        raise CatalogError(path, "weekly_digest.weekday", f"must be one of {', '.join(WEEKDAYS)}")
    warnings = section("quota_warnings")
    days = warnings.get("days")
    if (
        not isinstance(days, list)
        or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 31 for d in days)
        or len(set(days)) != len(days)
    ):
        raise CatalogError(path, "quota_warnings.days", "must be a list of distinct days 1–31")
    close = section("month_close")
    close_day = close.get("day", 1)
    if not isinstance(close_day, int) or not 1 <= close_day <= 28:
        raise CatalogError(path, "month_close.day", "must be a day 1–28 (every month has it)")
    requests = section("requests_waiting")
    urgent_raw = data.get("urgent_requests", {"escalate_after_hours": 2})
    if not isinstance(urgent_raw, dict):
        raise CatalogError(path, "urgent_requests", "must have `escalate_after_hours`")
    volunteers = section("volunteer_applications")
    quiet_raw = data.get("quiet_hours")
    quiet = None
    if quiet_raw is not None:
        if not isinstance(quiet_raw, dict):
            raise CatalogError(path, "quiet_hours", "must have `start` and `end` times")
        quiet = QuietHours(
            start=_time(path, "quiet_hours.start", quiet_raw.get("start")),
            end=_time(path, "quiet_hours.end", quiet_raw.get("end")),
        )
        if quiet.start == quiet.end:
            raise CatalogError(path, "quiet_hours", "start and end must differ")
    schedule = ReminderSchedule(
        digest_weekday=WEEKDAYS.index(weekday.strip().lower()),
        digest_time=_time(path, "weekly_digest.time", digest.get("time")),
        warning_days=tuple(sorted(days)),
        warning_time=_time(path, "quota_warnings.time", warnings.get("time")),
        final_time=_time(path, "final_warning.time", section("final_warning").get("time")),
        close_day=close_day,
        close_time=_time(path, "month_close.time", close.get("time")),
        request_workers_after=timedelta(
            hours=_number(path, "requests_waiting.workers_after_hours", requests, 24 * 30)
        ),
        request_head_after=timedelta(
            hours=_number(path, "requests_waiting.head_after_hours", requests, 24 * 30)
        ),
        volunteer_workers_after=timedelta(
            days=_number(path, "volunteer_applications.workers_after_days", volunteers, 60)
        ),
        quiet_hours=quiet,
        check_every_seconds=int(
            _number(path, "check_every_seconds", data, 3600, minimum=10, minimum_allowed=True)
        ),
        first_check_after_seconds=int(
            _number(path, "first_check_after_seconds", data, 3600, minimum_allowed=True)
        ),
        urgent_escalate_after=timedelta(
            hours=_number(path, "urgent_requests.escalate_after_hours", urgent_raw, 72)
        ),
    )
    cases = data.get("cases_overdue")
    if cases is not None:
        if not isinstance(cases, dict):
            raise CatalogError(
                path, "cases_overdue", "must have `worker_time` and `head_after_days`"
            )
        schedule = replace(
            schedule,
            case_worker_time=_time(path, "cases_overdue.worker_time", cases.get("worker_time")),
            case_head_after=timedelta(
                days=_number(path, "cases_overdue.head_after_days", cases, 60, minimum_allowed=True)
            ),
        )
    if quiet is not None:
        for entry, moment in (
            ("weekly_digest.time", schedule.digest_time),
            ("quota_warnings.time", schedule.warning_time),
            ("final_warning.time", schedule.final_time),
            ("month_close.time", schedule.close_time),
            ("cases_overdue.worker_time", schedule.case_worker_time),
        ):
            if quiet.contains(moment):
                raise CatalogError(path, entry, "falls in the quiet hours, so it would never go")
    return schedule


def _time(path: Path, entry: str, value: object) -> time:
    if isinstance(value, int) and not isinstance(value, bool):
        raise CatalogError(path, entry, 'write the time in quotes, e.g. "09:00"')
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise CatalogError(path, entry, 'must be a time like "09:00"')
    return time(int(match.group(1)), int(match.group(2)))


def _number(
    path: Path,
    entry: str,
    data: dict[str, Any],
    maximum: float,
    *,
    minimum: float = 0,
    minimum_allowed: bool = False,
) -> float:
    value = data.get(entry.rsplit(".", 1)[-1])
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not minimum <= value <= maximum
        or (value == minimum and not minimum_allowed)
    ):
        low = "[" if minimum_allowed else "("
        raise CatalogError(path, entry, f"must be a number in {low}{minimum:g}, {maximum:g}]")
    return float(value)
