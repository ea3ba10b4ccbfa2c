"""One station's November and early December 2026 with cases, referrals and volunteer hours
on both sides of the month boundaries, so /stats, the report and the 台账 can be compared.

Every instant is Asia/Shanghai. Two things sit right on a boundary: a case opened at 00:30 on
1 November (still 31 October in UTC), counted in November, and one opened at 00:30 on
1 December (30 November in UTC), counted in December; likewise a volunteer activity from
midnight to 2:00 on 1 December, whose hours are December's although its UTC date is
30 November. A UTC month would get all three wrong.

Expected figures (jiangnan; Xicheng has one case that must never show up at Jiangnan):

| | November | December (up to the 2nd, 10:00) |
|---|---|---|
| cases opened | 2 | 1 |
| closed | 1 | 0 |
| open at the end (now) | 2 | 3 |
| overdue for a contact | 1 | 1 |
| referred to a station / an agency | 1 / 1 | 0 / 0 |
| confirmed volunteer hours | 3.5 (2 volunteers, 1 activity) | 2 (1 volunteer) |

The year 2026: 5.5 confirmed hours by 2 volunteers (one of them in both months, counted once).
A third volunteer's 2.5 hours in November were never confirmed and count nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from db.uow import Database
from services import volunteer_activities as va
from services.people import Access
from tests.conftest import SHANGHAI
from tests.unit.test_cases import call, open_case, person, record
from tests.unit.test_volunteer_activities import links, publish, scan, sign_up, volunteer

STATION = "jiangnan"
NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)
AFTER = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)  # "now" when the figures are read


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Scenario:
    worker: Access  # the worker who holds the cases and runs the activities
    volunteers: tuple[Access, ...]


async def _confirm(database: Database, worker: Access, activity_id: int, tg_ids: set[int]) -> None:
    async with database.uow() as uow:
        roster = await va.roster(uow, actor_tg_id=worker.tg_id, activity_id=activity_id)
    ids = [v.signup_id for v in roster.volunteers if v.tg_id in tg_ids]
    async with database.uow() as uow:
        await va.confirm_hours(
            uow, actor_tg_id=worker.tg_id, activity_id=activity_id, signup_ids=ids,
            now=at(12, 1, 9),
        )  # fmt: skip


async def seed(database: Database) -> Scenario:
    oct_ = at(10, 1)
    worker = await person(database, oct_, roles=(("worker", STATION),), name="王社工")
    other = await person(database, oct_, roles=(("worker", "xicheng"),), name="赵社工")

    # Cases.
    first = await open_case(database, at(11, 1, 0, 30), worker)  # 1 Nov 00:30: November
    await call(
        database, "set_next_contact", actor=worker, case_id=first.id, on=date(2026, 11, 10),
        every_days=None, now=at(11, 2),
    )  # fmt: skip
    await call(
        database, "refer_to_agency", actor=worker, case_id=first.id, agency_code="hospital",
        note="县人民医院老年科", now=at(11, 12),
    )  # fmt: skip
    closed = await open_case(database, at(10, 31, 23, 30), worker)  # October
    closing = await record(database, at(11, 20), worker, "case_closing", day=date(2026, 11, 20))
    await call(
        database, "link_record", actor=worker, case_id=closed.id, activity_id=closing,
        now=at(11, 20),
    )  # fmt: skip
    await call(
        database, "close", actor=worker, case_id=closed.id, note="目标达成，结案",
        now=at(11, 20, 11),
    )  # fmt: skip
    referred = await open_case(database, at(11, 5), worker)
    await call(
        database, "refer_to_station", actor=worker, case_id=referred.id, to_station="xicheng",
        note="搬到西城居住", now=at(11, 6),
    )  # fmt: skip
    await open_case(database, at(12, 1, 0, 30), worker)  # 1 Dec 00:30: December
    await open_case(database, at(11, 8), other, station_code="xicheng")

    # Volunteer hours.
    a, b, c = [await volunteer(database, name=n) for n in "甲乙丙"]
    november = (await publish(database, worker, volunteers_needed=3)).activity  # 21 Nov 9:00
    for who in (a, b, c):
        await sign_up(database, november.id, who)
    qr = await links(database, worker, november.id)
    start = at(11, 21, 9)
    for who in (a, b, c):
        await scan(database, qr.volunteer_payload, who, start)
    await scan(database, qr.volunteer_payload, a, start + timedelta(minutes=150))  # 2.5 h
    await scan(database, qr.volunteer_payload, b, start + timedelta(minutes=64))  # 1 h
    await scan(database, qr.volunteer_payload, c, start + timedelta(minutes=150))  # unconfirmed
    await _confirm(database, worker, november.id, {a.tg_id, b.tg_id})

    midnight = at(12, 1, 0, 0)
    december = (
        await publish(
            database, worker, title="跨年夜巡", starts_at=midnight,
            ends_at=midnight + timedelta(hours=2), volunteers_needed=1,
        )
    ).activity  # fmt: skip
    await sign_up(database, december.id, a)
    qr = await links(database, worker, december.id)
    await scan(database, qr.volunteer_payload, a, midnight)
    await scan(database, qr.volunteer_payload, a, midnight + timedelta(hours=2))
    await _confirm(database, worker, december.id, {a.tg_id})
    return Scenario(worker=worker, volunteers=(a, b, c))
