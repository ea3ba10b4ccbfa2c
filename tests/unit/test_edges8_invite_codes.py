"""No invitation code begins as a poster's or an activity QR's payload does (edges8), so a
damaged QR is never taken for a wrong invitation, nor an invitation for a damaged QR."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from db.uow import UnitOfWork
from services import staff

NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


async def test_a_drawn_code_that_begins_like_ours_is_drawn_again(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: Iterator[str] = iter(["stn-" + "a" * 28, "act-" + "b" * 28, "C" * 32])
    monkeypatch.setattr(staff.secrets, "token_urlsafe", lambda n: next(drawn))
    created = await staff.create_invite(
        uow, role="worker", station_code="jiangnan", station_codes=("jiangnan",),
        created_by_tg_id=None, now=NOW,
    )  # fmt: skip
    assert created.code == "C" * 32
