"""Saving, listing and deleting activity logs; who may; the person-times rule; the figures."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from db.models import ActivityGroup, AuditEntry, Person, ServiceRequest
from db.uow import Database, UnitOfWork
from knowledge.bundle import load_knowledge
from knowledge.record_rules import RecordRules
from services import activities, staff, station_figures
from services.activities import AlreadyDeleted, DeleteWindowClosed
from services.errors import InvalidValue, NotAllowed, NotFound
from services.people import Access

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = Access(person_id=0, tg_id=0, language="en", is_admin=True)  # sees every station
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
KNOWLEDGE = load_knowledge()
GROUPS = [g.code for g in KNOWLEDGE.served_groups]
WORKER, OTHER_WORKER = 4001, 4002


async def _workers(uow: UnitOfWork) -> None:
    await staff.grant_directly(uow, tg_id=WORKER, role="worker", station_code="jiangnan", now=NOW)
    await staff.grant_directly(
        uow, tg_id=OTHER_WORKER, role="worker", station_code="xicheng", now=NOW
    )


async def _log(uow: UnitOfWork, **values: Any) -> activities.ActivityEntry:
    args: dict[str, Any] = {
        "worker_tg_id": WORKER,
        "station_code": "jiangnan",
        "template_code": "case_record",
        "activity_date": date(2026, 11, 16),
        "minutes": 90,
        "person_times": 30,
        "groups": {"elderly": 30},
        "note": None,
        "client_token": values.pop("client_token", None) or uuid.uuid4().hex,
        "now": NOW,
        "zone": SHANGHAI,
        "templates": KNOWLEDGE.record_templates,
        "group_codes": GROUPS,
    }
    args.update(values)
    return await activities.log_activity(uow, **args)


async def test_an_activity_is_saved_with_its_groups(uow: UnitOfWork) -> None:
    await _workers(uow)
    entry = await _log(
        uow, person_times=30, groups={"children": 8, "elderly": 25}, note=" 入户 ", client_token="a"
    )
    assert entry.category_code == "casework"
    assert entry.groups == (("elderly", 25), ("children", 8))  # catalogue order
    assert entry.note == "入户"
    rows = (await uow.session.scalars(select(ActivityGroup))).all()
    assert {(r.group_code, r.person_times) for r in rows} == {("elderly", 25), ("children", 8)}


async def test_one_group_gets_every_person_time(uow: UnitOfWork) -> None:
    await _workers(uow)
    entry = await _log(uow, person_times=12, groups={"disabled": 3}, client_token="b")
    assert entry.groups == (("disabled", 12),)


async def test_the_same_token_saves_once(uow: UnitOfWork) -> None:
    await _workers(uow)
    first = await _log(uow, client_token="same")
    second = await _log(uow, client_token="same")
    assert first.id == second.id
    assert len(await activities.recent_activities(uow, worker_tg_id=WORKER)) == 1


async def test_a_worker_logs_only_for_their_own_station(uow: UnitOfWork) -> None:
    await _workers(uow)
    with pytest.raises(NotAllowed):
        await _log(uow, station_code="xicheng")
    with pytest.raises(NotAllowed):
        await _log(uow, worker_tg_id=999_999)  # a resident, or nobody


async def test_a_revoked_worker_can_no_longer_log(uow: UnitOfWork) -> None:
    await _workers(uow)
    members = [m for m in await staff.list_staff(uow) if m.tg_id == WORKER]
    await staff.revoke(uow, role_id=members[0].role_id, actor_tg_id=WORKER, now=NOW)
    with pytest.raises(NotAllowed):
        await _log(uow)


@pytest.mark.parametrize(
    ("values", "field", "reason"),
    [
        ({"activity_date": date(2026, 11, 17)}, "date", "future"),
        ({"activity_date": date(2026, 10, 31)}, "date", "too_old"),
        ({"minutes": 10}, "hours", "too_small"),
        ({"minutes": 721}, "hours", "too_large"),
        ({"person_times": 0}, "person_times", "too_small"),
        ({"person_times": 1001}, "person_times", "too_large"),
        ({"groups": {}}, "groups", "empty"),
        ({"groups": {"aliens": 3}}, "groups", "unknown"),
        ({"person_times": 10, "groups": {"elderly": 11, "children": 1}}, "groups", "out_of_range"),
        ({"person_times": 10, "groups": {"elderly": 4, "children": 5}}, "groups", "short"),
        ({"template_code": "nope"}, "template", "unknown"),
        ({"note": "字" * 501}, "note", "too_long"),
    ],
)
async def test_bad_values_are_refused(
    uow: UnitOfWork, values: dict[str, Any], field: str, reason: str
) -> None:
    await _workers(uow)
    with pytest.raises(InvalidValue) as error:
        await _log(uow, **values)
    assert (error.value.field, error.value.reason) == (field, reason)


async def test_groups_may_overlap_and_add_up_to_more(uow: UnitOfWork) -> None:
    await _workers(uow)
    entry = await _log(uow, person_times=10, groups={"elderly": 10, "disabled": 4})
    assert entry.person_times == 10
    assert dict(entry.groups) == {"elderly": 10, "disabled": 4}


async def test_desk_work_has_no_person_times(uow: UnitOfWork) -> None:
    await _workers(uow)
    entry = await _log(uow, template_code="admin_monthly", person_times=None, groups={})
    assert (entry.person_times, entry.groups) == (0, ())


async def test_last_month_is_open_for_a_week_into_the_next(uow: UnitOfWork) -> None:
    await _workers(uow)
    on_7th = datetime(2026, 12, 7, 23, 0, tzinfo=SHANGHAI)
    entry = await _log(uow, activity_date=date(2026, 11, 30), now=on_7th)
    assert entry.activity_date == date(2026, 11, 30)
    with pytest.raises(InvalidValue):
        await _log(uow, activity_date=date(2026, 11, 30), now=on_7th + timedelta(hours=1))


async def test_the_grace_period_comes_from_the_rules(uow: UnitOfWork) -> None:
    await _workers(uow)
    on_4th = datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(InvalidValue) as refused:
        await _log(
            uow, activity_date=date(2026, 11, 30), now=on_4th, rules=RecordRules(late_entry_days=3)
        )
    assert refused.value.reason == "too_old"
    await _log(uow, activity_date=date(2026, 11, 30), now=on_4th)  # the shipped 7 days


async def test_recent_lists_the_last_ten_newest_first(uow: UnitOfWork) -> None:
    await _workers(uow)
    for n in range(12):
        await _log(uow, minutes=30 + n, now=NOW + timedelta(minutes=n), client_token=f"r{n}")
    await _log(uow, worker_tg_id=OTHER_WORKER, station_code="xicheng", client_token="x")
    recent = await activities.recent_activities(uow, worker_tg_id=WORKER)
    assert [e.minutes for e in recent] == list(range(41, 31, -1))


async def test_delete_within_24_hours_is_audited(uow: UnitOfWork) -> None:
    await _workers(uow)
    entry = await _log(uow, client_token="d")
    later = NOW + timedelta(hours=23, minutes=59)
    deleted = await activities.delete_activity(
        uow, worker_tg_id=WORKER, activity_id=entry.id, now=later
    )
    assert deleted.deleted_at is not None
    assert await activities.recent_activities(uow, worker_tg_id=WORKER) == []
    audit = (await uow.session.scalars(select(AuditEntry))).all()
    deletion = [a for a in audit if a.action == "activity.delete"]
    assert len(deletion) == 1 and deletion[0].subject == f"activity:{entry.id}"
    assert "note" not in deletion[0].detail
    with pytest.raises(AlreadyDeleted):
        await activities.delete_activity(uow, worker_tg_id=WORKER, activity_id=entry.id, now=later)


async def test_delete_after_24_hours_or_of_someone_else_is_refused(uow: UnitOfWork) -> None:
    await _workers(uow)
    entry = await _log(uow, client_token="e")
    with pytest.raises(DeleteWindowClosed):
        await activities.delete_activity(
            uow, worker_tg_id=WORKER, activity_id=entry.id, now=NOW + timedelta(hours=24)
        )
    with pytest.raises(NotFound):
        await activities.delete_activity(
            uow, worker_tg_id=OTHER_WORKER, activity_id=entry.id, now=NOW
        )
    with pytest.raises(NotFound):
        await activities.activity_to_repeat(uow, worker_tg_id=OTHER_WORKER, activity_id=entry.id)


async def _request(uow: UnitOfWork, station: str, status: str, at: datetime, n: int) -> None:
    resident = await uow.session.scalar(select(Person.id).where(Person.tg_id == WORKER))
    assert resident is not None
    uow.session.add(
        ServiceRequest(
            ref=f"R-{n}", client_token=f"req{n}", station_code=station, resident_id=resident,
            service_code="elderly_care", for_whom="self", age_group="60+", description=None,
            phone=None, preferred_time="any", status=status, created_at=at,
        )
    )  # fmt: skip
    await uow.commit()


async def test_station_figures_this_month_and_last(uow: UnitOfWork) -> None:
    await _workers(uow)
    await _log(uow, person_times=20, groups={"elderly": 15, "children": 6}, client_token="f1")
    await _log(uow, template_code="group_session", person_times=8, groups={"disabled": 8},
               minutes=120, client_token="f2")  # fmt: skip
    await _log(uow, template_code="admin_monthly", person_times=None, groups={},
               activity_date=date(2026, 10, 31), now=datetime(2026, 11, 2, 9, tzinfo=SHANGHAI),
               client_token="f3")  # fmt: skip
    gone = await _log(uow, person_times=99, groups={"other": 99}, client_token="f4")
    await activities.delete_activity(uow, worker_tg_id=WORKER, activity_id=gone.id, now=NOW)
    await _log(uow, worker_tg_id=OTHER_WORKER, station_code="xicheng", client_token="f5")
    # 1 November 00:30 in Shanghai is still 31 October in UTC: it belongs to November.
    await _request(uow, "jiangnan", "submitted", datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI), 1)
    await _request(uow, "jiangnan", "completed", datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI), 2)
    await _request(uow, "jiangnan", "completed", datetime(2026, 9, 30, 12, tzinfo=SHANGHAI), 3)

    report = await station_figures.station_figures(
        uow, actor=ADMIN, station_codes=["jiangnan"], now=NOW, zone=SHANGHAI
    )
    assert (report.this_month, report.last_month) == (date(2026, 11, 1), date(2026, 10, 1))
    (jiangnan,) = report.stations
    this, last = jiangnan.this_month, jiangnan.last_month
    assert (this.activities, this.minutes, this.person_times) == (2, 210, 28)
    assert this.by_group == {"elderly": 15, "children": 6, "disabled": 8}
    assert this.by_category == {"casework": 1, "groupwork": 1}
    assert this.requests_by_status == {"submitted": 1}
    assert (last.activities, last.person_times, last.by_category) == (1, 0, {"admin": 1})
    assert last.requests_by_status == {"completed": 1}


async def test_figures_for_every_station_take_a_fixed_number_of_queries(
    database: Database, uow: UnitOfWork
) -> None:
    await _workers(uow)
    await _log(uow, client_token="g1")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        report = await station_figures.station_figures(
            uow, actor=ADMIN, station_codes=None, now=NOW, zone=SHANGHAI
        )
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len(report.stations) == 14
    # stations, activities, groups, requests, cases, referrals, confirmed volunteer hours of
    # the two months and of the year: never one per station
    assert len(statements) == 8


async def test_network_month_totals_every_station_in_four_statements(
    database: Database, uow: UnitOfWork
) -> None:
    await _workers(uow)
    await _log(uow, person_times=20, groups={"elderly": 15, "children": 6})
    await _log(uow, worker_tg_id=OTHER_WORKER, station_code="xicheng", person_times=4,
               groups={"elderly": 4}, minutes=60)  # fmt: skip
    await _log(uow, activity_date=date(2026, 10, 31), now=datetime(2026, 11, 1, 9, tzinfo=SHANGHAI))
    await _request(uow, "xicheng", "accepted", datetime(2026, 11, 3, 9, tzinfo=SHANGHAI), 1)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        network = await station_figures.network_month(
            uow, actor=ADMIN, last_month=False, now=NOW, zone=SHANGHAI
        )
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 4
    assert network.month == date(2026, 11, 1)
    assert len(network.stations) == 14
    by_code = {s.station_code: s for s in network.stations}
    assert (by_code["jiangnan"].activities, by_code["jiangnan"].person_times) == (1, 20)
    assert (by_code["xicheng"].hours, by_code["xicheng"].requests) == (1, 1)
    assert network.by_group == {"elderly": 19, "children": 6}
    assert (network.activities, network.person_times) == (2, 24)
    october = await station_figures.network_month(
        uow, actor=ADMIN, last_month=True, now=NOW, zone=SHANGHAI
    )
    assert (october.month, october.activities, october.by_group) == (
        date(2026, 10, 1), 1, {"elderly": 30},
    )  # fmt: skip
