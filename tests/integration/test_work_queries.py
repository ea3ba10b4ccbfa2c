"""The activity, figures and quota queries on the migrated schema, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.models import Person, ServiceRequest
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import activities, staff, station_figures, supervision
from services.people import Access
from services.quota import MET, quota_overview
from services.stations import sync_stations

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = Access(person_id=0, tg_id=0, language="en", is_admin=True)  # sees every station
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)


async def test_figures_and_quota_on_both_databases(migrated_database: Database) -> None:
    knowledge = load_knowledge()
    async with migrated_database.uow() as uow:
        await sync_stations(uow, knowledge.stations)
        await staff.grant_directly(uow, tg_id=1, role="worker", station_code="jiangnan", now=NOW)
        await staff.grant_directly(
            uow, tg_id=2, role="supervisor", station_code="jiangnan", now=NOW
        )
    for token, day, groups in (
        ("a", date(2026, 11, 16), {"elderly": 10, "children": 4}),
        ("b", date(2026, 11, 2), {"disabled": 3}),
    ):
        async with migrated_database.uow() as uow:
            await activities.log_activity(
                uow, worker_tg_id=1, station_code="jiangnan", template_code="case_record",
                activity_date=day, minutes=90, person_times=10, groups=groups, note=None,
                client_token=token, now=NOW, zone=SHANGHAI,
                templates=knowledge.record_templates,
                group_codes=[g.code for g in knowledge.served_groups],
            )  # fmt: skip
    async with migrated_database.uow() as uow:
        person = await uow.session.scalar(select(Person.id).limit(1))
        uow.session.add(
            ServiceRequest(
                ref="JN-1", client_token="r1", station_code="jiangnan", resident_id=person,
                service_code="elderly_care", for_whom="self", age_group="60+",
                preferred_time="any", status="submitted", created_at=NOW,
            )
        )  # fmt: skip
        await uow.commit()
    async with migrated_database.uow() as uow:
        saved = await supervision.log_session(
            uow, supervisor_tg_id=2, station_code="jiangnan", session_date=date(2026, 11, 3),
            minutes=480, mode="offline", topic_code="case_work", topic_text=None,
            client_token="s", now=NOW, zone=SHANGHAI, topic_codes=["case_work"],
        )  # fmt: skip
        assert saved.quota is not None and saved.quota.total_hours == 8
    async with migrated_database.uow() as uow:
        report = await station_figures.station_figures(
            uow, actor=ADMIN, station_codes=None, now=NOW, zone=SHANGHAI
        )
        network = await station_figures.network_month(
            uow, actor=ADMIN, last_month=False, now=NOW, zone=SHANGHAI
        )
        await supervision.log_session(
            uow, supervisor_tg_id=2, station_code="jiangnan", session_date=date(2026, 11, 4),
            minutes=300, mode="online", topic_code="case_work", topic_text=None,
            client_token="t", now=NOW, zone=SHANGHAI, topic_codes=["case_work"],
        )  # fmt: skip
        quotas = await quota_overview(uow, actor=ADMIN, now=NOW, zone=SHANGHAI)
    jiangnan = next(s for s in report.stations if s.station_code == "jiangnan")
    assert (jiangnan.this_month.activities, jiangnan.this_month.person_times) == (2, 20)
    assert jiangnan.this_month.by_group == {"elderly": 10, "children": 4, "disabled": 10}
    assert jiangnan.this_month.requests_by_status == {"submitted": 1}
    assert network.by_group == {"elderly": 10, "children": 4, "disabled": 10}
    assert next(q for q in quotas if q.station_code == "jiangnan").status == MET
    assert len(quotas) == 14
