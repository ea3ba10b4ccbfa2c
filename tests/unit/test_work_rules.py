"""Rules that used to live in the /log, /quota and /stats handlers, now in services: the
person-times split, and who may see the quota and the station figures (refused on the actor)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from db.uow import UnitOfWork
from services import station_figures
from services.activities import SplitQuestion, group_figures, next_split_question, split_asked
from services.errors import NotAllowed
from services.people import Access
from services.quota import BEHIND, quota_overview, quota_status

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 16, 10, tzinfo=SHANGHAI)


def _person(**roles: object) -> Access:
    return Access(person_id=1, tg_id=1, language="en", **roles)  # type: ignore[arg-type]


def test_the_split_is_asked_only_for_several_groups_and_the_last_covers_the_rest() -> None:
    assert not split_asked(["elderly"])
    assert next_split_question(groups=["elderly"], person_times=5, split={}) is None
    groups = ["elderly", "children", "disabled"]
    assert next_split_question(groups=groups, person_times=40, split={}) == SplitQuestion(
        "elderly", 1, 40
    )
    assert next_split_question(
        groups=groups, person_times=40, split={"elderly": 20, "children": 5}
    ) == SplitQuestion("disabled", 15, 40)
    assert next_split_question(
        groups=groups, person_times=40, split={"elderly": 40, "children": 5}
    ) == SplitQuestion("disabled", 1, 40)
    done = {"elderly": 40, "children": 5, "disabled": 1}
    assert next_split_question(groups=groups, person_times=40, split=done) is None
    assert group_figures(groups=["elderly"], person_times=7, split={}) == {"elderly": 7}
    assert group_figures(groups=groups, person_times=40, split=done) == done


async def test_quota_is_refused_to_whom_it_does_not_concern(uow: UnitOfWork) -> None:
    with pytest.raises(NotAllowed):
        await quota_overview(uow, actor=_person(), now=NOW, zone=SHANGHAI)
    worker = _person(worker_stations=frozenset({"jiangnan"}))
    with pytest.raises(NotAllowed):
        await quota_overview(uow, actor=worker, now=NOW, zone=SHANGHAI)
    supervisor = _person(supervisor_stations=frozenset({"jiangnan"}))
    with pytest.raises(NotAllowed):
        await quota_overview(
            uow, actor=supervisor, station_codes=["xicheng"], now=NOW, zone=SHANGHAI
        )
    (mine,) = await quota_overview(uow, actor=supervisor, now=NOW, zone=SHANGHAI)
    assert mine.station_code == "jiangnan"
    admin = _person(is_admin=True)
    assert len(await quota_overview(uow, actor=admin, now=NOW, zone=SHANGHAI)) == 14


async def test_station_figures_are_refused_to_whom_they_do_not_concern(uow: UnitOfWork) -> None:
    worker = _person(worker_stations=frozenset({"jiangnan"}))
    with pytest.raises(NotAllowed):
        await station_figures.station_figures(
            uow, actor=worker, station_codes=["xicheng"], now=NOW, zone=SHANGHAI
        )
    supervisor = _person(supervisor_stations=frozenset({"jiangnan"}))
    with pytest.raises(NotAllowed):  # a supervisor sees their stations (issue 15), no other
        await station_figures.station_figures(
            uow, actor=supervisor, station_codes=["xicheng"], now=NOW, zone=SHANGHAI
        )
    theirs = await station_figures.station_figures(
        uow, actor=supervisor, station_codes=None, now=NOW, zone=SHANGHAI
    )
    assert [s.station_code for s in theirs.stations] == ["jiangnan"]
    with pytest.raises(NotAllowed):  # a resident sees none
        await station_figures.station_figures(
            uow, actor=_person(), station_codes=None, now=NOW, zone=SHANGHAI
        )
    with pytest.raises(NotAllowed):
        await station_figures.network_month(
            uow, actor=worker, last_month=False, now=NOW, zone=SHANGHAI
        )
    report = await station_figures.station_figures(
        uow, actor=worker, station_codes=None, now=NOW, zone=SHANGHAI
    )
    assert [s.station_code for s in report.stations] == ["jiangnan"]


def test_below_the_line_in_the_first_week_is_just_started_not_red() -> None:
    def on(day: int) -> bool:
        status = quota_status(
            station_code="jiangnan",
            month=NOW.date().replace(day=1),
            minutes_by_mode={},
            quota_hours=13,
            now=datetime(2026, 11, day, 9, tzinfo=SHANGHAI),
            zone=SHANGHAI,
        )
        assert status.status == BEHIND
        return status.just_started

    assert on(2) and on(7)
    assert not on(8)


async def test_quota_screen_checks_who_asks_and_only_admins_see_unsupervised_stations(
    uow: UnitOfWork,
) -> None:
    from services import staff
    from services.quota import quota_screen, stations_without_supervisor

    codes = ["jiangnan", "xicheng"]
    await staff.grant_directly(uow, tg_id=7, role="supervisor", station_code="jiangnan", now=NOW)
    head = _person(head_stations=frozenset({"jiangnan"}))
    supervisor = _person(supervisor_stations=frozenset({"jiangnan"}))
    for not_admin in (head, supervisor, _person(worker_stations=frozenset({"jiangnan"}))):
        with pytest.raises(NotAllowed):
            await stations_without_supervisor(uow, actor=not_admin, station_codes=codes)
    with pytest.raises(NotAllowed):
        await quota_screen(uow, actor=_person(), station_codes=codes, now=NOW, zone=SHANGHAI)
    mine = await quota_screen(uow, actor=supervisor, station_codes=codes, now=NOW, zone=SHANGHAI)
    assert [q.station_code for q in mine.statuses] == ["jiangnan"]
    assert (mine.every_station, mine.unsupervised, mine.can_log) == (False, frozenset(), True)
    theirs = await quota_screen(uow, actor=head, station_codes=codes, now=NOW, zone=SHANGHAI)
    assert not theirs.can_log and not theirs.every_station
    admin = _person(is_admin=True)
    table = await quota_screen(uow, actor=admin, station_codes=codes, now=NOW, zone=SHANGHAI)
    assert table.every_station and table.unsupervised == frozenset({"xicheng"})
