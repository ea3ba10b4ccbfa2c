"""The clock: the only place that asks the system for the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass
class SystemClock:
    zone: ZoneInfo

    def now(self) -> datetime:
        return datetime.now(self.zone)


@dataclass
class FixedClock:
    """A clock for tests and the `remind --at` command; advance it explicitly."""

    current: datetime
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta
