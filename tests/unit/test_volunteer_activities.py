"""Volunteer activities: publishing and matching, sign-up and the waiting list, the day-before
reminder, QR check-in and check-out, confirmation, the record, /myhours and the figures."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import ActivityLog, Delivery, VolunteerApplication
from db.uow import Database
from knowledge.bundle import load_knowledge
from knowledge.deep_links import ScanLink, parse_payload
from knowledge.volunteer_hours import default_volunteer_hours
from services import station_figures
from services import volunteer_activities as va
from services.errors import InvalidValue, NotAllowed
from services.people import Access
from services.reports import gather_report, year_period
from tests.unit.test_request_lifecycle import person

ADMIN = Access(person_id=0, tg_id=0, language="en", is_admin=True)  # sees every station

Z = ZoneInfo("Asia/Shanghai")
K = load_knowledge()
RULES = default_volunteer_hours()
SCHEDULE = K.reminders
GROUPS = tuple(g.code for g in K.served_groups)
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=Z)  # a Monday
# Saturday 21 November, 9:00–11:30
START = datetime(2026, 11, 21, 9, 0, tzinfo=Z)
END = datetime(2026, 11, 21, 11, 30, tzinfo=Z)
_tokens = itertools.count(1)


async def volunteer(
    database: Database,
    *,
    skills: tuple[str, ...] = ("event_help",),
    availability: tuple[str, ...] = ("weekends",),
    age_group: str = "18_59",
    station: str = "jiangnan",
    name: str = "志愿者",
    status: str = "approved",
) -> Access:
    who = await person(database, NOW, name=name)
    async with database.uow() as uow:
        uow.session.add(
            VolunteerApplication(
                person_id=who.person_id,
                station_code=station,
                name=name,
                phone="+8613800138000",
                skills=list(skills),
                availability=list(availability),
                age_group=age_group,
                party_member="no" if age_group != "14_17" else "not_asked",
                guardian_name="王妈妈" if age_group == "14_17" else None,
                guardian_phone="+8613900139000" if age_group == "14_17" else None,
                status=status,
                created_at=NOW - timedelta(days=30),
                decided_at=NOW - timedelta(days=29),
            )
        )
        await uow.commit()
    return who


async def publish(database: Database, actor: Access, **overrides: Any) -> va.Published:
    values: dict[str, Any] = {
        "actor_tg_id": actor.tg_id,
        "station_code": "jiangnan",
        "title": "重阳敬老义剪",
        "place": "江南街道社工站活动室",
        "starts_at": START,
        "ends_at": END,
        "volunteers_needed": 2,
        "skills": ["event_help", "haircuts"],
        "minors_allowed": False,
        "known_skills": K.volunteer_skills.codes,
        "client_token": f"draft-{next(_tokens)}",
        "rules": RULES,
        "schedule": SCHEDULE,
        "now": NOW,
        "zone": Z,
        "served_groups": ["elderly"],
        "group_codes": GROUPS,
    }
    values.update(overrides)
    async with database.uow() as uow:
        return await va.publish(uow, **values)


@pytest.fixture
async def worker(database: Database) -> Access:
    return await person(database, NOW, role="worker", station="jiangnan", name="李社工")


async def sign_up(database: Database, activity_id: int, who: Access, **kw: Any) -> va.SignUpResult:
    async with database.uow() as uow:
        return await va.sign_up(
            uow, activity_id=activity_id, volunteer_tg_id=who.tg_id, now=kw.pop("now", NOW), **kw
        )


async def scan(database: Database, payload: str, who: Access, at: datetime) -> va.ScanResult:
    async with database.uow() as uow:
        return await va.scan(uow, payload=payload, person_tg_id=who.tg_id, rules=RULES, now=at)


async def links(database: Database, worker: Access, activity_id: int) -> va.ScanLinks:
    async with database.uow() as uow:
        return await va.scan_links(uow, actor_tg_id=worker.tg_id, activity_id=activity_id)


async def ledger(database: Database, kind: str) -> list[Delivery]:
    async with database.uow() as uow:
        rows = list(
            (
                await uow.session.scalars(
                    select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)
                )
            ).all()
        )
        uow.session.expunge_all()  # plain objects after the session closes
        return rows


# --- publishing and matching -----------------------------------------------------------------


def test_matching_rules() -> None:
    saturday = va.availability_slot(START, Z)
    assert saturday == "weekends"
    assert va.availability_slot(datetime(2026, 11, 17, 19, 0, tzinfo=Z), Z) == "evenings"
    assert va.availability_slot(datetime(2026, 11, 17, 9, 0, tzinfo=Z), Z) == "weekday_daytime"
    base = {
        "skills": ["haircuts"],
        "availability": ["weekends"],
        "age_group": "18_59",
        "wanted_skills": ["haircuts", "event_help"],
        "slot": saturday,
        "minors_allowed": False,
    }
    assert va.matches(**base)
    assert not va.matches(**{**base, "skills": ["driving"]})
    assert va.matches(**{**base, "skills": ["driving"], "wanted_skills": []})  # any skill
    assert not va.matches(**{**base, "availability": ["evenings"]})
    assert not va.matches(**{**base, "age_group": "14_17"})
    assert va.matches(**{**base, "age_group": "14_17", "minors_allowed": True})


async def test_publishing_offers_the_matching_volunteers_through_the_ledger(
    database: Database, worker: Access
) -> None:
    fits = await volunteer(database, name="合适")
    await volunteer(database, skills=("driving",), name="技能不符")
    await volunteer(database, availability=("evenings",), name="时间不符")
    await volunteer(database, age_group="14_17", name="未成年")
    await volunteer(database, station="xicheng", name="别的站")
    await volunteer(database, status="pending", name="未审核")
    published = await publish(database, worker)
    assert published.created
    assert [c.tg_id for c in published.offered] == [fits.tg_id]
    assert published.offers_due_at == NOW
    offers = await ledger(database, va.OFFER)
    assert [(d.recipient_tg_id, d.key) for d in offers] == [
        (fits.tg_id, f"activity_offer:va{published.activity.id}:offer:{fits.tg_id}:jiangnan")
    ]
    assert offers[0].payload["title"] == "重阳敬老义剪"
    again = await publish(database, worker, client_token="same")
    twice = await publish(database, worker, client_token="same")
    assert not twice.created and twice.activity.id == again.activity.id
    assert len(await ledger(database, va.OFFER)) == 2  # one per activity, none for the replay


async def test_offers_planned_at_night_wait_for_the_morning(
    database: Database, worker: Access
) -> None:
    await volunteer(database)
    late = datetime(2026, 11, 16, 22, 30, tzinfo=Z)
    published = await publish(database, worker, now=late)
    assert published.offers_due_at == datetime(2026, 11, 17, 8, 0, tzinfo=Z)
    (offer,) = await ledger(database, va.OFFER)
    assert offer.next_attempt_at == published.offers_due_at


async def test_only_the_station_staff_publish_and_values_are_checked(
    database: Database, worker: Access
) -> None:
    resident = await person(database, NOW)
    other = await person(database, NOW, role="worker", station="xicheng")
    head = await person(database, NOW, role="station_head", station="jiangnan")
    for actor in (resident, other):
        with pytest.raises(NotAllowed):
            await publish(database, actor)
    assert (await publish(database, head)).created
    for overrides, field in (
        ({"title": " "}, "title"),
        ({"starts_at": NOW - timedelta(hours=1)}, "starts_at"),
        ({"ends_at": START + timedelta(minutes=5)}, "ends_at"),
        ({"volunteers_needed": 0}, "volunteers_needed"),
        ({"skills": ["juggling"]}, "skills"),
        ({"template_code": "case_record"}, "template"),
    ):
        with pytest.raises(InvalidValue) as error:
            await publish(database, worker, **overrides)
        assert error.value.field == field


# --- sign-up and the waiting list ------------------------------------------------------------


async def test_sign_up_fills_places_then_the_waiting_list_and_cant_come_promotes(
    database: Database, worker: Access
) -> None:
    a, b, c, d = [await volunteer(database, name=n) for n in "甲乙丙丁"]
    activity = (await publish(database, worker)).activity
    assert (await sign_up(database, activity.id, a)).status == va.SIGNED_UP
    again = await sign_up(database, activity.id, a)
    assert not again.created and again.activity.signed_up == 1
    assert (await sign_up(database, activity.id, b)).activity.full
    with pytest.raises(va.ActivityFull) as full:
        await sign_up(database, activity.id, c)
    assert full.value.waiting == 0
    waiting_c = await sign_up(database, activity.id, c, join_waiting_list=True)
    waiting_d = await sign_up(database, activity.id, d, join_waiting_list=True)
    assert (waiting_c.status, waiting_c.position) == (va.WAITING, 1)
    assert waiting_d.position == 2
    async with database.uow() as uow:
        answer = await va.reply_to_reminder(
            uow, activity_id=activity.id, volunteer_tg_id=a.tg_id, coming=False,
            schedule=SCHEDULE, now=NOW, zone=Z,
        )  # fmt: skip
    assert answer.promoted is not None and answer.promoted.tg_id == c.tg_id
    assert answer.activity.signed_up == 2 and answer.activity.waiting == 1
    (told,) = await ledger(database, va.PROMOTED)
    assert told.recipient_tg_id == c.tg_id
    async with database.uow() as uow:
        roster = await va.roster(uow, actor_tg_id=worker.tg_id, activity_id=activity.id)
    assert [v.tg_id for v in roster.volunteers] == [b.tg_id, c.tg_id]
    assert [w.tg_id for w in roster.waiting] == [d.tg_id]


async def test_who_may_sign_up(database: Database, worker: Access) -> None:
    minor = await volunteer(database, age_group="14_17")
    elsewhere = await volunteer(database, station="xicheng")
    resident = await person(database, NOW)
    activity = (await publish(database, worker)).activity
    with pytest.raises(va.MinorsNotAllowed):
        await sign_up(database, activity.id, minor)
    for who in (elsewhere, resident):
        with pytest.raises(va.NotAVolunteer):
            await sign_up(database, activity.id, who)
    open_to_minors = (await publish(database, worker, minors_allowed=True)).activity
    assert (await sign_up(database, open_to_minors.id, minor)).status == va.SIGNED_UP
    with pytest.raises(va.ActivityClosed):
        await sign_up(database, activity.id, await volunteer(database), now=START)


# --- the day-before reminder -----------------------------------------------------------------


async def test_the_day_before_reminder_is_planned_once_at_its_time(
    database: Database, worker: Access
) -> None:
    a = await volunteer(database)
    waiting = await volunteer(database)
    activity = (await publish(database, worker, volunteers_needed=1)).activity
    await sign_up(database, activity.id, a)
    await sign_up(database, activity.id, waiting, join_waiting_list=True)

    async def plan(at: datetime) -> int:
        async with database.uow() as uow:
            return await va.plan_day_before(uow, rules=RULES, schedule=SCHEDULE, now=at, zone=Z)

    assert await plan(datetime(2026, 11, 20, 17, 59, tzinfo=Z)) == 0  # not yet
    assert await plan(datetime(2026, 11, 20, 18, 0, tzinfo=Z)) == 1
    assert await plan(datetime(2026, 11, 20, 18, 1, tzinfo=Z)) == 0  # once
    assert await plan(datetime(2026, 11, 21, 8, 0, tzinfo=Z)) == 0  # nor after a restart
    (reminder,) = await ledger(database, va.DAY_BEFORE)
    assert reminder.recipient_tg_id == a.tg_id  # not the waiting list
    assert reminder.key == f"activity_reminder:va{activity.id}:daybefore:{a.tg_id}:jiangnan"
    async with database.uow() as uow:
        coming = await va.reply_to_reminder(
            uow, activity_id=activity.id, volunteer_tg_id=a.tg_id, coming=True,
            schedule=SCHEDULE, now=datetime(2026, 11, 20, 18, 5, tzinfo=Z), zone=Z,
        )  # fmt: skip
    assert coming.coming and coming.promoted is None


async def test_no_day_before_reminder_in_the_quiet_hours(
    database: Database, worker: Access
) -> None:
    a = await volunteer(database)
    activity = (await publish(database, worker)).activity
    await sign_up(database, activity.id, a)
    async with database.uow() as uow:
        night = datetime(2026, 11, 20, 22, 0, tzinfo=Z)
        assert await va.plan_day_before(uow, rules=RULES, schedule=SCHEDULE, now=night, zone=Z) == 0


# --- QR check-in and check-out ---------------------------------------------------------------


def test_rounding_to_half_hours() -> None:
    assert [RULES.rounded(m) for m in (0, 14, 15, 44, 45, 74, 75, 150.5)] == [
        0, 0, 30, 30, 60, 60, 90, 150,
    ]  # fmt: skip
    assert RULES.rounded(20 * 60) == 12 * 60  # capped


async def test_check_in_and_out_by_qr_with_rounding(database: Database, worker: Access) -> None:
    a = await volunteer(database)
    activity = (await publish(database, worker)).activity
    await sign_up(database, activity.id, a)
    qr = await links(database, worker, activity.id)
    assert len(qr.volunteer_payload) <= 64 and len(qr.resident_payload) <= 64
    assert isinstance(parse_payload(qr.volunteer_payload), ScanLink)
    with pytest.raises(va.ScanOutsideWindow) as early:
        await scan(database, qr.volunteer_payload, a, START - timedelta(hours=2))
    assert early.value.opens_at == START - timedelta(hours=1)
    checked_in = await scan(database, qr.volunteer_payload, a, START - timedelta(minutes=5))
    assert checked_in.kind == va.CHECKED_IN and not checked_in.walk_in
    with pytest.raises(va.AlreadyCheckedIn):  # a double scan is not a check-out
        await scan(database, qr.volunteer_payload, a, START - timedelta(minutes=3))
    out = await scan(database, qr.volunteer_payload, a, END + timedelta(minutes=12))
    # 2 h 47 min → 3 h (nearest half hour)
    assert (out.kind, out.minutes) == (va.CHECKED_OUT, 180)
    with pytest.raises(va.PayloadUsed) as used:
        await scan(database, qr.volunteer_payload, a, END + timedelta(minutes=20))
    assert used.value.what == va.CHECKED_OUT


async def test_forged_and_reused_payloads_are_refused(database: Database, worker: Access) -> None:
    a = await volunteer(database)
    resident = await person(database, NOW)
    activity = (await publish(database, worker)).activity
    qr = await links(database, worker, activity.id)
    at = START + timedelta(minutes=10)
    forged = qr.volunteer_payload[:-4] + ("AAAA" if qr.volunteer_payload[-4:] != "AAAA" else "BBBB")
    for payload in (forged, "act-v-short", "stn-jiangnan-ask", "x" * 80, ""):
        with pytest.raises(va.UnknownPayload):
            await scan(database, payload, a, at)
    # the resident token is not a volunteer token: swapping the role letter finds nothing
    swapped = "act-v-" + qr.resident_payload.removeprefix("act-r-")
    with pytest.raises(va.UnknownPayload):
        await scan(database, swapped, a, at)
    counted = await scan(database, qr.resident_payload, resident, at)
    assert (counted.kind, counted.person_times) == (va.ATTENDED, 1)
    with pytest.raises(va.PayloadUsed) as again:
        await scan(database, qr.resident_payload, resident, at + timedelta(minutes=1))
    assert again.value.what == "counted"
    with pytest.raises(va.ScanOutsideWindow):
        await scan(database, qr.resident_payload, a, END + timedelta(hours=7))
    other = (await publish(database, worker)).activity
    other_qr = await links(database, worker, other.id)
    assert other_qr.volunteer_payload != qr.volunteer_payload


async def test_walk_in_volunteer_is_checked_in(database: Database, worker: Access) -> None:
    a = await volunteer(database)
    activity = (await publish(database, worker)).activity
    qr = await links(database, worker, activity.id)
    result = await scan(database, qr.volunteer_payload, a, START)
    assert result.walk_in and result.activity.signed_up == 1
    with pytest.raises(va.NotAVolunteer):
        await scan(database, qr.volunteer_payload, await person(database, NOW), START)


# --- confirmation, correction, the record, /myhours and the figures --------------------------


async def test_confirmation_correction_record_and_figures(
    database: Database, worker: Access
) -> None:
    a, b, c = [await volunteer(database, name=n) for n in "甲乙丙"]
    residents = [await person(database, NOW) for _ in range(3)]
    activity = (await publish(database, worker, volunteers_needed=3)).activity
    for who in (a, b, c):
        await sign_up(database, activity.id, who)
    qr = await links(database, worker, activity.id)
    for who in (a, b, c):
        await scan(database, qr.volunteer_payload, who, START)
    await scan(database, qr.volunteer_payload, a, END)  # 2.5 h
    await scan(database, qr.volunteer_payload, b, START + timedelta(minutes=64))  # 1 h
    for r in residents:
        await scan(database, qr.resident_payload, r, START + timedelta(minutes=30))
    async with database.uow() as uow:
        roster = await va.roster(uow, actor_tg_id=worker.tg_id, activity_id=activity.id)
    by_tg = {v.tg_id: v for v in roster.volunteers}
    assert [by_tg[x.tg_id].minutes for x in (a, b, c)] == [150, 60, None]
    assert roster.person_times == 3

    at = END + timedelta(hours=1)
    async with database.uow() as uow:  # c forgot to check out: the worker sets 2 h
        await va.correct_hours(
            uow, actor_tg_id=worker.tg_id, signup_id=by_tg[c.tg_id].signup_id, minutes=120,
            rules=RULES, now=at,
        )  # fmt: skip
    async with database.uow() as uow:
        with pytest.raises(InvalidValue):
            await va.correct_hours(
                uow, actor_tg_id=worker.tg_id, signup_id=by_tg[c.tg_id].signup_id, minutes=100,
                rules=RULES, now=at,
            )  # fmt: skip

    # before confirmation nothing counts
    async with database.uow() as uow:
        mine = await va.my_hours(uow, volunteer_tg_id=a.tg_id, now=at, zone=Z)
    assert (mine.total_minutes, mine.unconfirmed_minutes) == (0, 150)

    async with database.uow() as uow:  # one by one…
        one = await va.confirm_hours(
            uow, actor_tg_id=worker.tg_id, activity_id=activity.id,
            signup_ids=[by_tg[a.tg_id].signup_id], now=at,
        )  # fmt: skip
    assert one.confirmed_minutes == 150
    async with database.uow() as uow:
        with pytest.raises(NotAllowed):
            await va.confirm_hours(
                uow, actor_tg_id=a.tg_id, activity_id=activity.id, signup_ids=None, now=at
            )
    async with database.uow() as uow:  # …or all
        everyone = await va.confirm_hours(
            uow, actor_tg_id=worker.tg_id, activity_id=activity.id, signup_ids=None, now=at
        )
    assert everyone.confirmed_minutes == 150 + 60 + 120

    async with database.uow() as uow:
        recorded = await va.record_activity(
            uow, actor_tg_id=worker.tg_id, activity_id=activity.id, extra_person_times=2,
            groups=None, note="志愿者3人", templates=K.record_templates, group_codes=GROUPS,
            now=at, zone=Z,
        )  # fmt: skip
    assert recorded.activity.status == va.RECORDED
    assert (recorded.person_times, recorded.volunteers, recorded.confirmed_minutes) == (5, 3, 330)
    entry = recorded.entry
    assert (entry.template_code, entry.activity_date, entry.minutes) == (
        "vol_service", date(2026, 11, 21), 150,
    )  # fmt: skip
    assert entry.person_times == 5 and entry.groups == (("elderly", 5),)
    async with database.uow() as uow:
        logs = (await uow.session.scalars(select(ActivityLog))).all()
        assert [log.client_token for log in logs] == [va.record_client_token(activity.id)]
    with pytest.raises(va.ActivityClosed):  # scans end with the record
        await scan(database, qr.resident_payload, await person(database, NOW), at)

    async with database.uow() as uow:
        mine = await va.my_hours(uow, volunteer_tg_id=a.tg_id, now=at, zone=Z)
    assert (mine.year, mine.year_minutes, mine.total_minutes) == (2026, 150, 150)
    assert [(h.title, h.minutes) for h in mine.activities] == [("重阳敬老义剪", 150)]

    async with database.uow() as uow:
        rows = await va.hours_by_station_month(
            uow, start=date(2026, 1, 1), end=date(2026, 12, 31), station_codes=None
        )
    assert [(r.station_code, r.month, r.volunteers, r.minutes) for r in rows] == [
        ("jiangnan", date(2026, 11, 1), 3, 330)
    ]
    async with database.uow() as uow:
        figures = await station_figures.station_figures(
            uow, actor=ADMIN, station_codes=["jiangnan"], now=at, zone=Z
        )
    this = figures.stations[0].this_month
    assert (this.volunteer_minutes, this.volunteers_with_hours) == (330, 3)
    async with database.uow() as uow:
        report = await gather_report(
            uow, period=year_period(2026), station_code="jiangnan", now=at, zone=Z
        )
    assert [(r.month, r.minutes) for r in report.volunteer_hours] == [(date(2026, 11, 1), 330)]
    assert report.stations[0].volunteers_with_hours == 3
    assert report.stations[0].measure("volunteers_with_hours") == 3.0
    sheet = workbook_sheet(report, "志愿服务时长")
    assert sheet[0] == ["社工站", "月份", "有服务时长的志愿者", "志愿活动", "小时"]
    assert sheet[1] == ["江南街道社工站", "2026-11", 3, 1, 5.5]


def workbook_sheet(report: Any, title: str) -> list[list[Any]]:
    import io

    from openpyxl import load_workbook

    from handlers.documents import report_files
    from handlers.kit.i18n import Translator

    data = report_files.report_workbook(
        report, Translator().for_language("zh"), report_files.names_for(K, "zh"), Z
    )
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [[c for c in row] for row in book[title].iter_rows(values_only=True)]


async def test_recording_needs_a_worker_and_a_group_split(
    database: Database, worker: Access
) -> None:
    head = await person(database, NOW, role="station_head", station="jiangnan")
    activity = (await publish(database, worker, served_groups=["elderly", "disabled"])).activity
    at = END + timedelta(hours=1)
    args: dict[str, Any] = {
        "activity_id": activity.id, "extra_person_times": 4, "note": None,
        "templates": K.record_templates, "group_codes": GROUPS, "now": at, "zone": Z,
    }  # fmt: skip
    async with database.uow() as uow:
        with pytest.raises(InvalidValue) as split:
            await va.record_activity(uow, actor_tg_id=worker.tg_id, groups=None, **args)
    assert split.value.field == "groups"
    async with database.uow() as uow:
        with pytest.raises(NotAllowed):
            await va.record_activity(
                uow, actor_tg_id=head.tg_id, groups={"elderly": 4, "disabled": 1}, **args
            )
    async with database.uow() as uow:
        recorded = await va.record_activity(
            uow, actor_tg_id=worker.tg_id, groups={"elderly": 4, "disabled": 1}, **args
        )
    assert recorded.entry.groups == (("elderly", 4), ("disabled", 1))


def test_the_rules_file_is_checked(tmp_path: Any) -> None:
    from knowledge.loading import CatalogError
    from knowledge.volunteer_hours import load_volunteer_hours

    text = (Path(__file__).parents[2] / "knowledge" / "volunteer_hours.yaml").read_text()
    (tmp_path / "volunteer_hours.yaml").write_text(
        text.replace("[vol_service, comm_record]", "[vol_service, comm_plan]")
    )
    with pytest.raises(CatalogError, match="comm_plan"):
        load_volunteer_hours(tmp_path, catalog=K.record_templates)
    (tmp_path / "volunteer_hours.yaml").write_text(
        text.replace("rounding_minutes: 30", "rounding_minutes: 0")
    )
    with pytest.raises(CatalogError, match="rounding_minutes"):
        load_volunteer_hours(tmp_path)
