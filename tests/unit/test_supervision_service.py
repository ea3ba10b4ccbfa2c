"""Saving supervision sessions: assigned stations only, half hours, the window, the quota."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from db.uow import UnitOfWork
from knowledge.bundle import load_knowledge
from services import staff, supervision
from services.errors import InvalidValue, NotAllowed
from services.people import Access
from services.quota import BEHIND, MET, quota_overview

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
TOPICS = [t.code for t in load_knowledge().supervision_topics]
SUPERVISOR = 5001


async def _assign(uow: UnitOfWork, *stations: str) -> None:
    for station in stations:
        await staff.grant_directly(
            uow, tg_id=SUPERVISOR, role="supervisor", station_code=station, now=NOW
        )


async def _log(uow: UnitOfWork, **values: Any) -> supervision.SessionLogged:
    args: dict[str, Any] = {
        "supervisor_tg_id": SUPERVISOR,
        "station_code": "jiangnan",
        "session_date": date(2026, 11, 16),
        "minutes": 180,
        "mode": "offline",
        "topic_code": "case_work",
        "topic_text": None,
        "client_token": uuid.uuid4().hex,
        "now": NOW,
        "zone": SHANGHAI,
        "topic_codes": TOPICS,
    }
    args.update(values)
    return await supervision.log_session(uow, **args)


async def test_a_session_is_saved_and_the_quota_comes_back(uow: UnitOfWork) -> None:
    await _assign(uow, "jiangnan", "xicheng")
    saved = await _log(uow, minutes=300, mode="online")
    assert saved.session.hours == 5
    assert saved.quota is not None
    assert (saved.quota.status, saved.quota.online_hours) == (BEHIND, 5)
    await _log(uow, minutes=300, mode="offline")
    # Another day: one day holds at most 10 hours of one supervisor's sessions.
    saved = await _log(
        uow, minutes=180, topic_code=None, topic_text=" 个案研讨 ", session_date=date(2026, 11, 15)
    )
    assert saved.session.topic_text == "个案研讨"
    assert saved.quota is not None and saved.quota.status == MET
    other = await _log(uow, station_code="xicheng", session_date=date(2026, 11, 14))
    assert other.quota is not None and other.quota.total_hours == 3


async def test_the_same_token_saves_once(uow: UnitOfWork) -> None:
    await _assign(uow, "jiangnan")
    first = await _log(uow, client_token="once")
    second = await _log(uow, client_token="once")
    assert first.session.id == second.session.id
    assert second.quota is not None and second.quota.total_hours == 3


async def test_only_for_assigned_stations(uow: UnitOfWork) -> None:
    await _assign(uow, "jiangnan")
    with pytest.raises(NotAllowed):
        await _log(uow, station_code="dongcheng")
    await staff.grant_directly(uow, tg_id=5002, role="worker", station_code="jiangnan", now=NOW)
    with pytest.raises(NotAllowed):
        await _log(uow, supervisor_tg_id=5002)  # a worker of the station is no supervisor


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"minutes": 15}, "hours", "too_small"),
        ({"minutes": 510}, "hours", "too_large"),
        ({"minutes": 75}, "hours", "wrong_step"),
        ({"mode": "phone"}, "mode", "unknown"),
        ({"topic_code": "gossip"}, "topic", "unknown"),
        ({"topic_code": None, "topic_text": "  "}, "topic", "empty"),
        ({"topic_code": None, "topic_text": "字" * 201}, "topic", "too_long"),
        ({"session_date": date(2026, 11, 17)}, "date", "future"),
        ({"session_date": date(2026, 10, 30)}, "date", "too_old"),
    ],
)
async def test_bad_values_are_refused(
    uow: UnitOfWork, values: dict[str, Any], field: str, reason: str
) -> None:
    await _assign(uow, "jiangnan")
    with pytest.raises(InvalidValue) as error:
        await _log(uow, **values)
    assert (error.value.field, error.value.reason) == (field, reason)


async def test_a_late_entry_is_counted_for_the_month_it_happened(uow: UnitOfWork) -> None:
    await _assign(uow, "jiangnan")
    december_2nd = datetime(2026, 12, 2, 9, tzinfo=SHANGHAI)
    await _log(uow, session_date=date(2026, 11, 10), minutes=480, now=december_2nd)
    saved = await _log(uow, session_date=date(2026, 11, 30), minutes=300, now=december_2nd)
    assert saved.quota is not None
    assert (saved.quota.month, saved.quota.status) == (date(2026, 11, 1), MET)
    (december,) = await quota_overview(
        uow,
        actor=Access(person_id=0, tg_id=0, language="en", is_admin=True),
        station_codes=["jiangnan"],
        now=december_2nd,
        zone=SHANGHAI,
    )
    assert december.total_hours == 0


async def test_today_is_the_day_in_shanghai(uow: UnitOfWork) -> None:
    """At 00:30 on 1 December in Shanghai (still 30 November in UTC) "today" is 1 December,
    and 30 November is last month's last day, still open for entries until the 3rd."""
    await _assign(uow, "jiangnan")
    just_after_midnight = datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)
    saved = await _log(uow, session_date=date(2026, 12, 1), now=just_after_midnight)
    assert saved.quota is not None and saved.quota.month == date(2026, 12, 1)
    with pytest.raises(InvalidValue) as error:
        await _log(uow, session_date=date(2026, 12, 2), now=just_after_midnight)
    assert error.value.reason == "future"


def test_individual_is_one_worker_and_a_group_is_several() -> None:
    # A log had said "individual" with the whole team, and "group" with one worker.
    from services.supervision import GROUP, INDIVIDUAL, supervisees_problem

    assert supervisees_problem(INDIVIDUAL, 1, False) is None
    assert supervisees_problem(INDIVIDUAL, 0, True) == "individual_is_one"
    assert supervisees_problem(INDIVIDUAL, 2, False) == "individual_is_one"
    assert supervisees_problem(GROUP, 1, False) == "group_is_several"
    assert supervisees_problem(GROUP, 2, False) is None
    assert supervisees_problem(GROUP, 0, True) is None
