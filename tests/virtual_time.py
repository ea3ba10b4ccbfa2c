"""A virtual monotonic clock for the pacer: sleeping advances it at once, so pacing and
backoff run in no real time, and the waits can still be read back."""

from __future__ import annotations

import asyncio


class VirtualTimer:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)
