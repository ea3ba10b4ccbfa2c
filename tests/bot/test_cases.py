"""Case work in the chat: /register, /cases and the case card, a referral between stations,
the supervisor's sign-off, an overdue case reminded once, and every case button refused to a
worker of another station (forged ids included) with nothing changed."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.offline_telegram import OfflinePerson
from db.models import (
    ActivityGroup,
    ActivityLog,
    AgencyReferral,
    AuditEntry,
    Case,
    CaseEvent,
    CaseRecord,
    Delivery,
    Person,
    RecordFieldValue,
    ServiceRequest,
    WalkIn,
)
from knowledge.bundle import load_knowledge
from services import activities, consent
from tests.bot.test_reminders import run
from tests.harness import BotHarness
from tests.unit.test_privacy import seed_resident

SHANGHAI = ZoneInfo("Asia/Shanghai")
KNOWLEDGE = load_knowledge()
GROUPS = [g.code for g in KNOWLEDGE.served_groups]
_tokens = itertools.count(1)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def record(
    bot: BotHarness, who: OfflinePerson, template: str, station: str = "jiangnan"
) -> int:
    """An activity record the worker wrote with /log (written here through the service)."""
    async with bot.database.uow() as uow:
        entry = await activities.log_activity(
            uow,
            worker_tg_id=who.user_id,
            station_code=station,
            template_code=template,
            activity_date=date(2026, 11, 16),
            minutes=60,
            person_times=1,
            groups={"elderly": 1},
            note=None,
            client_token=f"rec-{next(_tokens)}",
            now=bot.clock.now(),
            zone=SHANGHAI,
            templates=KNOWLEDGE.record_templates,
            group_codes=GROUPS,
        )
    return entry.id


async def register_walk_in(worker: OfflinePerson, *, take: str = "no", en: bool = True) -> None:
    await worker.send("/register")
    assert not en or "Which service is it?" in worker.last_text
    await worker.press("wk:service:elderly_care")
    await worker.press("wk:who:neighbour")
    await worker.press("wk:age:80_plus")
    await worker.send("Lives alone, cannot walk far; needs a home visit.")
    await worker.send("Grandma Liu")
    await worker.send("123")
    assert not en or "does not look like a phone number" in worker.last_text
    await worker.send("138 0013 8000")
    await worker.send("城西村")
    await worker.press("wk:skip")
    await worker.press("wk:time:any")
    await worker.press("wk:src:phone")
    await worker.press("wk:urg:no")
    assert not en or "Please read this to the resident" in worker.last_text
    await worker.press("wk:agree")
    await worker.press(f"wk:take:{take}")


async def case_row(bot: BotHarness) -> SimpleNamespace:
    async with bot.database.uow() as uow:
        row = await uow.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
        assert row is not None
        return SimpleNamespace(
            id=row.id, worker_id=row.worker_id, station_code=row.station_code,
            referred_to_station=row.referred_to_station,
        )  # fmt: skip


async def open_direct_case(worker: OfflinePerson) -> None:
    await worker.send("/cases")
    await worker.press("cs:new")
    await worker.send("Old Zhang")
    await worker.press("oc:age:60_79")
    await worker.press("oc:tog:elderly")
    await worker.press("oc:done")
    await worker.press("oc:skip")
    await worker.press("oc:risk:low")
    assert "Please read this to the resident" in worker.last_text
    await worker.press("oc:agree")
    assert "Person served: Old Zhang" in worker.last_text
    await worker.press("oc:save")
    assert "is open" in worker.last_text


async def test_a_walk_in_is_registered_and_the_station_told(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await register_walk_in(worker)
    summary = worker.last_text
    assert "Resident: Grandma Liu" in summary and "How it came: Phone call" in summary
    assert "Verbal consent: yes" in summary and "Address: —" in summary
    await worker.press("wk:edit:name")
    await worker.send("Liu Nainai")
    assert "Resident: Liu Nainai" in worker.last_text  # back at the summary
    await worker.press("wk:save")
    assert "Registered as JN-0001" in worker.last_text
    assert "New request for your station" in colleague.last_text
    async with bot.database.uow() as uow:
        request = await uow.session.scalar(select(ServiceRequest))
        walk_in = await uow.session.scalar(select(WalkIn))
        assert request is not None and walk_in is not None
        assert (request.source, request.phone, request.resident_id) == (
            "phone",
            "+8613800138000",
            None,
        )
        assert (walk_in.resident_name, walk_in.village, walk_in.address) == (
            "Liu Nainai",
            "城西村",
            None,
        )
        assert walk_in.consent_channel == "verbal_to_staff"


async def test_register_is_for_station_staff(bot: BotHarness) -> None:
    resident = await bot.person(lang="en")
    await resident.send("/register")
    assert "only for social work station staff" in resident.last_text or "只" in resident.last_text


async def test_a_case_through_every_stage(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en", name="Zhang")
    await register_walk_in(worker, take="yes")
    await worker.press("wk:save")
    assert "it is yours" in worker.last_text
    await worker.press("📁 Open as a case")  # the walk-in's name and address come along
    assert "Which groups" in worker.last_text
    await worker.press("oc:tog:elderly")
    await worker.press("oc:done")
    await worker.press("oc:risk:medium")
    assert "From request JN-0001" in worker.last_text
    await worker.press("oc:save")
    assert "Case JN-C-0001 is open" in worker.last_text
    case = await case_row(bot)
    cid = case.id
    assert "Next step: write the Intake record" in worker.last_text

    await worker.press_data(f"cs:close:{cid}")
    assert "closes only with a closing record" in worker.callback_answers()[-1]["text"]
    await worker.press_data(f"cs:link:{cid}")
    assert "no case record of this station" in worker.last_text
    for template, stage in (("case_intake", "Intake"), ("case_assess", "Assessment"),
                            ("case_plan", "Service plan"), ("case_record", "Service")):  # fmt: skip
        await record(bot, worker, template)
        await worker.press_data(f"cs:open:{cid}")
        await worker.press_data(f"cs:link:{cid}")
        await worker.press(stage)
        assert "The record is filed on the case" in worker.last_text
        assert f"Stage: {stage}" in worker.last_text
    await worker.press_data(f"cs:next:{cid}")
    await worker.send("11月3日")  # two weeks ago: a slip, refused (it had meant next November)
    assert "That day has passed; please choose today or later." in worker.last_text
    await worker.send("3月5日")  # long past this year: next year's
    assert "Next contact saved" in worker.last_text and "Mar 5" in worker.last_text
    await worker.press_data(f"cs:next:{cid}")
    await worker.press("every 7 days")
    assert "Next contact: Nov 23 · every 7 days" in worker.last_text
    await worker.press_data(f"cs:risk:{cid}")
    await worker.press_data(f"cs:rk:{cid}:high")
    assert "Risk: High risk" in worker.last_text
    await worker.press_data(f"cs:rag:{cid}")
    await worker.press_data(f"cs:ra:{cid}:hospital")
    assert "Referring JN-C-0001 to Hospital. Please type a note" in worker.last_text
    assert "Skip" not in worker.button_labels()  # the note is needed
    await worker.send_sticker()
    assert "Please type your answer as text" in worker.last_text
    await worker.send("x" * 1001)
    assert "please keep it under 1000" in worker.last_text
    await worker.send("Dr Chen, rehabilitation <ward 3>: needs physiotherapy")
    assert "The referral is recorded" in worker.last_text
    assert (
        "Hospital · outcome not yet known · “Dr Chen, rehabilitation <ward 3>" in worker.last_text
    )
    await worker.press("Outcome of the referral to Hospital")
    await worker.press("Service given")
    assert "Hospital · Service given" in worker.last_text
    await worker.press_data(f"cs:asg:{cid}")  # a worker hands over only through the head
    assert f"cs:asg:{cid}" not in [b.callback_data for b in worker.last_with_buttons().buttons]
    await head.send("/cases")
    await head.press("JN-C-0001")
    await head.press_data(f"cs:asg:{cid}")
    await head.press(1)  # Li (never spoke to the bot: no name yet)
    assert "The case has a new worker" in head.last_text
    assert (await case_row(bot)).worker_id != case.worker_id
    await head.press_data(f"cs:as:{cid}:{case.worker_id}")  # and back to Wang
    await record(bot, worker, "case_closing")
    await worker.press_data(f"cs:open:{cid}")
    await worker.press_data(f"cs:link:{cid}")
    await worker.press("Closing")
    await worker.press_data(f"cs:close:{cid}")
    assert "Closing JN-C-0001. Please type a short closing note" in worker.last_text
    await worker.send("Goals met: she walks to the market again.")
    assert "The case is closed" in worker.last_text
    assert "closed · Wang · “Goals met: she walks to the market again.”" in worker.last_text
    await worker.press_data(f"cs:reopen:{cid}")  # only the head reopens
    assert "not open to you" in worker.last_text
    await head.press_data(f"cs:open:{cid}")
    await head.press_data(f"cs:reopen:{cid}")
    assert "The case is open again" in head.last_text
    async with bot.database.uow() as uow:
        kinds = list(
            await uow.session.scalars(
                select(CaseEvent.kind).where(CaseEvent.case_id == cid).order_by(CaseEvent.id)
            )
        )
        reads = await uow.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.read")
        )
    assert kinds == ["opened", "record", "record", "record", "record", "next_contact", "next_contact", "risk",
                     "agency_referral", "agency_outcome", "assigned", "assigned", "record",
                     "closed", "reopened"]  # fmt: skip
    assert reads and reads > 5  # every card shown was an audited read
    assert colleague.user_id  # the colleague was the one handed to


async def test_a_referral_between_stations_is_accepted(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    other = await bot.person(role="worker", stations=("xicheng",), lang="en", name="Zhao")
    await open_direct_case(worker)
    cid = (await case_row(bot)).id
    await worker.press_data(f"cs:rst:{cid}")
    await worker.press_data(f"cs:rs:{cid}:xicheng")
    assert "Please type a note for its staff" in worker.last_text
    await worker.send("Moves to her daughter's in Xicheng next week.")
    assert "Referred; the other station has been told" in worker.last_text
    assert "“Moves to her daughter's in Xicheng next week.”" in worker.last_text
    assert "has been referred to your station" in other.last_text
    notice = other.last
    assert [b.callback_data for b in notice.buttons] == [f"cs:open:{cid}"]
    await other.send("/cases")
    assert "referred to your station: accept or decline it" in other.last_text
    await other.press("📁 Open the case", message=notice)
    await other.press("✅ Accept the case", message=notice)  # the notice now shows the card
    assert "now at your station" in notice.text
    row = await case_row(bot)
    async with bot.database.uow() as uow:
        zhao = await uow.session.scalar(select(Person.id).where(Person.tg_id == other.user_id))
    assert (row.station_code, row.referred_to_station, row.worker_id) == ("xicheng", None, zhao)
    await other.send("/cases")
    assert "JN-C-0001" in other.last_text


async def test_the_supervisor_signs_off_a_plan(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    supervisor = await bot.person(role="supervisor", stations=("jiangnan",), lang="en")
    await open_direct_case(worker)
    cid = (await case_row(bot)).id
    await record(bot, worker, "case_plan")
    await worker.press_data(f"cs:link:{cid}")
    await worker.press("Service plan")
    await supervisor.send("/review")
    assert "JN-C-0001 · Service plan" in supervisor.last_text
    await supervisor.press("✅ Sign off JN-C-0001")
    assert "Signed off." in supervisor.last_text and "Nothing waits" in supervisor.last_text
    async with bot.database.uow() as uow:
        signed = await uow.session.scalar(select(CaseRecord.signed_off_at))
    assert signed is not None


async def test_an_overdue_case_is_reminded_once(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await open_direct_case(worker)
    cid = (await case_row(bot)).id
    await worker.press_data(f"cs:next:{cid}")
    await worker.press_data("nc:in:3")  # due on 19 November
    await run(bot, at(2026, 11, 20, 8, 30))  # overdue, but before the worker's 9:00
    await run(bot, at(2026, 11, 20, 9, 30))
    await run(bot, at(2026, 11, 20, 14, 0))
    reminded = [m for m in worker.messages if "A case is overdue" in (m.text or "")]
    assert len(reminded) == 1
    assert "Your case JN-C-0001 at Jiangnan" in reminded[0].text and "Nov 19" in reminded[0].text
    await worker.press_data(f"cs:open:{cid}", message=reminded[0])
    assert "overdue by 1 day" in worker.last_text
    async with bot.database.uow() as uow:
        kinds = list(await uow.session.scalars(select(Delivery.kind)))
    assert kinds.count("case_overdue") == 1


async def snapshot(bot: BotHarness) -> Any:
    async with bot.database.uow() as uow:
        cases = [(c.station_code, c.worker_id, c.status, c.risk_level, c.next_contact_on,
                  c.referred_to_station, c.stage) for c in await uow.session.scalars(select(Case))]  # fmt: skip
        events = await uow.session.scalar(select(func.count()).select_from(CaseEvent))
        records = [
            (r.case_id, r.signed_off_at) for r in await uow.session.scalars(select(CaseRecord))
        ]
        referrals = [(r.outcome,) for r in await uow.session.scalars(select(AgencyReferral))]
    return cases, events, records, referrals


async def test_a_worker_of_another_station_is_refused_every_case_button(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    other = await bot.person(role="worker", stations=("xicheng",), lang="en", name="Zhao")
    await open_direct_case(worker)
    cid = (await case_row(bot)).id
    await record(bot, worker, "case_plan")
    await worker.press_data(f"cs:link:{cid}")
    await worker.press("Service plan")
    await worker.press_data(f"cs:rag:{cid}")
    await worker.press_data(f"cs:ra:{cid}:police")
    await worker.send("Reported to the local police station")
    async with bot.database.uow() as uow:
        rec = await uow.session.scalar(select(CaseRecord.id))
        ref = await uow.session.scalar(select(AgencyReferral.id))
    theirs = await record(bot, other, "case_intake", station="xicheng")
    before = await snapshot(bot)
    await other.send("/cases")
    assert "JN-C-0001" not in other.last_text
    presses = [
        f"cs:open:{cid}", f"cs:link:{cid}", f"cs:lk:{cid}:{theirs}", f"cs:next:{cid}",
        f"cs:nx:{cid}:d:3", "nc:in:3", "nc:none", f"cs:risk:{cid}",
        f"cs:rk:{cid}:high", f"cs:asg:{cid}", f"cs:as:{cid}:1", f"cs:rst:{cid}",
        f"cs:rs:{cid}:xicheng", f"cs:rag:{cid}", f"cs:ra:{cid}:school", f"cs:out:{cid}:{ref}",
        f"cs:ro:{ref}:served", f"cs:close:{cid}", f"cs:reopen:{cid}", f"cs:acc:{cid}",
        f"cs:dec:{cid}", f"cs:so:{rec}", "cs:fromrq:1", f"cs:file:{cid}:1", "cs:open:999999",
        "cs:open:" + "9" * 40, "cs:open:abc", "cs:rk:0:high", "cs:nope:1",
    ]  # fmt: skip
    for data in presses:
        await other.press_data(data, message=other.last)
        text = other.last_text
        refused = ("not open to you", "only for social work station staff")
        if data.startswith("nc:"):  # a step of the new-case Flow pressed outside it
            refused += ("That conversation is over",)
        assert any(sentence in text for sentence in refused), data
    assert await snapshot(bot) == before


async def test_open_as_a_case_from_the_inbox_request_card_in_chinese(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), name="李社工")
    await register_walk_in(worker)
    await worker.press("wk:save")
    async with bot.database.uow() as uow:
        request_id = await uow.session.scalar(select(ServiceRequest.id))
    await colleague.send("/inbox")
    await colleague.press_data(f"ib:rq:{request_id}")
    assert "📁 建立个案" in colleague.button_labels()
    await colleague.press("📁 建立个案")
    assert "服务对象属于哪些群体" in colleague.last_text
    await colleague.press("oc:tog:elderly")
    await colleague.press("oc:done")
    await colleague.press("oc:risk:low")
    assert "服务对象：Grandma Liu" in colleague.last_text
    await colleague.press("oc:save")
    text = colleague.last_text
    assert "✅ 个案 JN-C-0001 已建立。" in text
    assert "阶段：接案" in text and "下一步：填写接案记录" in text and "来自求助 JN-0001" in text
    await colleague.press_data("cs:fromrq:" + str(request_id))  # a second case: it names the first
    assert "已有进行中的个案：JN-C-0001" in colleague.last_text


async def test_the_inbox_overview_leads_to_register_and_cases(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await worker.send("/inbox")
    await worker.press("📋 Register a request")
    assert "Which service is it?" in worker.last_text
    await worker.send("/cancel")
    await worker.send("/inbox")
    await worker.press("📁 Cases")
    assert "No open cases." in worker.last_text


async def test_a_typed_next_contact(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await open_direct_case(worker)
    cid = (await case_row(bot)).id
    await worker.press_data(f"cs:next:{cid}")
    await worker.send("soon")
    assert "I could not read that date" in worker.last_text
    await worker.send("2028-01-05")
    assert "too far ahead" in worker.last_text
    await worker.send("2026-11-30")
    assert "Next contact saved" in worker.last_text and "Nov 30" in worker.last_text
    await worker.send("/cases")
    assert "JN-C-0001" in worker.last_text


async def complete_in_inbox(worker: OfflinePerson, request_id: int, note: str) -> None:
    await worker.send("/inbox")
    await worker.press_data(f"ib:rq:{request_id}")
    await worker.press_data(f"ib:go:{request_id}")
    await worker.press_data(f"ib:done:{request_id}")
    await worker.send(note)
    await worker.press("ibn:ok")
    # "Done." alone for a walk-in's request: nobody is on the bot to be told (probe10).
    assert any(s in worker.last_text for s in ("Done.", "已完成，已通知居民", "已记录。"))


async def test_completing_a_request_files_it_on_the_persons_case(bot: BotHarness) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    colleague = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Li")
    await register_walk_in(worker, take="yes")
    await worker.press("wk:save")
    await worker.press("📁 Open as a case")
    await worker.press("oc:tog:elderly")
    await worker.press("oc:tog:disabled")
    await worker.press("oc:done")
    await worker.press("oc:risk:low")
    await worker.press("oc:save")
    assert "File this" not in worker.last_text  # not completed yet: nothing to file
    async with bot.database.uow() as uow:
        request_id = await uow.session.scalar(select(ServiceRequest.id))
    cid = (await case_row(bot)).id
    await complete_in_inbox(worker, request_id, "Visited twice; <b>shopping</b> arranged.")
    assert "File this as a service record of Grandma Liu's case JN-C-0001?" in worker.last_text
    offer = worker.last
    assert f"cs:file:{cid}:{request_id}" in [b.callback_data for b in offer.buttons]
    await worker.press("📎 File on JN-C-0001")
    assert "How many hours did the work take?" in worker.last_text
    await worker.send("lots")
    assert "JN-0001" in worker.last_text  # re-asked, nothing saved
    await worker.press("1.5")
    summary = worker.last_text
    assert "From request JN-0001" in summary and "Hours: 1.5" in summary
    assert "Date: Nov 16 (the day the request was completed)" in summary
    assert "What was done: “Visited twice; <b>shopping</b> arranged.”" in summary
    await worker.press("fq:save")
    assert "Filed as a service record of JN-C-0001" in worker.last_text
    assert "Stage: Service" in worker.last_text and "request JN-0001" in worker.last_text
    async with bot.database.uow() as uow:
        record = await uow.session.scalar(select(CaseRecord))
        assert record is not None and record.request_id == request_id
        assert (record.case_id, record.stage) == (cid, "service")
        activity = await uow.session.get(ActivityLog, record.activity_id)
        assert activity is not None
        assert (activity.template_code, activity.minutes, activity.person_times) == (
            "case_record", 90, 1,
        )  # fmt: skip
        assert activity.activity_date == bot.clock.now().astimezone(SHANGHAI).date()
        values = dict(
            (await uow.session.execute(
                select(RecordFieldValue.field_code, RecordFieldValue.value)
                .where(RecordFieldValue.activity_id == activity.id)
            )).all()
        )  # fmt: skip
        groups = set(
            await uow.session.scalars(
                select(ActivityGroup.group_code).where(ActivityGroup.activity_id == activity.id)
            )
        )
        event = await uow.session.scalar(
            select(CaseEvent.detail).where(CaseEvent.kind == "record").order_by(CaseEvent.id.desc())
        )
    assert values == {
        "case_no": "JN-C-0001", "session_no": "1",
        "intervention": "Visited twice; <b>shopping</b> arranged.",
    }  # fmt: skip
    assert groups == {"elderly", "disabled"}
    assert event is not None and event["request"] == request_id
    assert event["service"] == "elderly_care"
    before = await snapshot(bot)
    await worker.press_data(f"cs:file:{cid}:{request_id}")  # a second time
    assert "cannot be filed on that case" in worker.last_text
    await colleague.send("/cases")
    await colleague.press_data(f"cs:file:{cid}:{request_id}")  # not their case
    assert "cannot be filed on that case" in colleague.last_text
    await colleague.press_data(f"cs:file:{cid}:999", message=colleague.last)
    assert "not open to you" in colleague.last_text
    assert await snapshot(bot) == before


async def test_a_completed_request_without_a_case_opens_one_then_files_it(
    bot: BotHarness,
) -> None:
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="zh", name="王社工")
    await register_walk_in(worker, take="yes", en=False)
    await worker.press("wk:save")
    async with bot.database.uow() as uow:
        request_id = await uow.session.scalar(select(ServiceRequest.id))
    await complete_in_inbox(worker, request_id, "已上门两次")
    assert "请先为它建立个案" in worker.last_text
    await worker.press("📁 建立个案")
    await worker.press("oc:tog:elderly")
    await worker.press("oc:done")
    await worker.press("oc:risk:low")
    await worker.press("oc:save")
    assert "把这次服务记为 Grandma Liu 的个案 JN-C-0001 的服务记录吗？" in worker.last_text
    await worker.press("📎 记入 JN-C-0001")
    await worker.press("fq:hrs:60")
    await worker.press("fq:save")
    assert "已记为 JN-C-0001 的服务记录" in worker.last_text


async def residents_case(
    bot: BotHarness, lang: str, worker_name: str
) -> tuple[OfflinePerson, OfflinePerson, int]:
    """A resident with a request of their own, and a case a worker opened from it."""
    resident = await bot.person(lang=lang, name="王阿姨", tg_id=4242)
    async with bot.database.uow() as uow:
        pid = await seed_resident(uow, tg_id=4242, language=lang)
    async with bot.database.uow() as uow:
        await consent.give(uow, person_id=pid, now=bot.clock.now())
        request = await uow.session.scalar(select(ServiceRequest))
        assert request is not None
        request_id, request.age_group = request.id, "60_79"  # the seed's is an older code
        await uow.commit()
    worker = await bot.person(role="worker", stations=("jiangnan",), lang=lang, name=worker_name)
    await worker.send("/cases")
    await worker.press_data(f"cs:fromrq:{request_id}")
    await worker.send("王阿姨")  # a resident's own request has no name yet
    await worker.press("oc:tog:elderly")
    await worker.press("oc:done")
    await worker.press("oc:risk:low")
    await worker.press("oc:save")
    return resident, worker, (await case_row(bot)).id


async def test_mydata_lists_who_read_the_residents_case_newest_first(bot: BotHarness) -> None:
    resident, worker, cid = await residents_case(bot, "en", "Wang")
    head = await bot.person(role="station_head", stations=("jiangnan",), lang="en", name="Zhang")
    for _ in range(11):  # the card read eleven times, a minute apart
        bot.clock.advance(timedelta(minutes=1))
        await worker.press_data(f"cs:open:{cid}")
    bot.clock.advance(timedelta(minutes=1))
    await head.send("/cases")
    await head.press_data(f"cs:open:{cid}")
    read_at = bot.clock.now().astimezone(SHANGHAI)
    await resident.send("/mydata")
    summary = resident.messages[-2].text
    assert "Who read your case records" in summary
    lines = summary.split("Who read your case records")[1].strip().splitlines()
    newest = f"{read_at.hour}:{read_at.minute:02d}: Zhang (station head) read case JN-C-0001"
    assert lines[0].startswith("• ") and newest in lines[0]
    assert "Wang (social worker) read case JN-C-0001" in lines[1]
    assert len([line for line in lines if line.startswith("• ")]) == 10
    assert "and 2 more" in summary  # 12 reads, 10 shown
    stranger = await bot.person(lang="en", name="Other")
    await stranger.send("/mydata")
    assert "Who read your case records" not in stranger.messages[-2].text


async def test_mydata_case_readers_in_chinese(bot: BotHarness) -> None:
    resident, worker, cid = await residents_case(bot, "zh", "王社工")
    await worker.press_data(f"cs:open:{cid}")
    await resident.send("/mydata")
    summary = resident.messages[-2].text
    assert "谁查看过您的个案记录" in summary
    assert "王社工（社工）查看了个案 JN-C-0001" in summary


async def test_a_value_the_service_refuses_at_save_is_asked_again_with_why(
    bot: BotHarness,
) -> None:
    """/register's save refused a field (a preferred time since dropped from the catalogue):
    that step comes back under "Please check this answer again.", and nothing is saved."""
    worker = await bot.person(role="worker", stations=("jiangnan",), lang="en", name="Wang")
    await register_walk_in(worker)
    assert bot.app is not None
    bot.app.user_data[worker.user_id]["register"]["time"] = "gone_from_the_catalogue"
    await worker.press("wk:save")
    assert worker.last_text.startswith("Please check this answer again.\n\n")
    assert "wk:time:any" in [b.callback_data for b in worker.last_with_buttons().buttons]
    async with bot.database.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0
    await worker.press("wk:time:any")  # back to the summary, then saved
    await worker.press("wk:save")
    assert "Registered as JN-0001" in worker.last_text
