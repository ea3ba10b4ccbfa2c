"""Record forms, completeness, evidence limits, corrections and the plausibility rules."""

from __future__ import annotations

import os
import stat
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import ActivityLog, AuditEntry, EvidenceFile, RecordFieldValue
from db.uow import UnitOfWork
from knowledge.bundle import load_knowledge
from knowledge.record_rules import RecordRules
from services import activities, media, records, staff, supervision
from services.activities import DayLimitExceeded
from services.errors import InvalidValue, NotAllowed, NotFound
from services.record_forms import PHOTO
from services.records import (
    EditWindowClosed,
    EvidenceLimitReached,
    EvidenceTooLarge,
    RecordChanges,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=SHANGHAI)
KNOWLEDGE = load_knowledge()
RULES = KNOWLEDGE.record_rules
GROUPS = [g.code for g in KNOWLEDGE.served_groups]
WORKER, OTHER_WORKER, HEAD, OTHER_HEAD, SUPERVISOR = 5001, 5002, 5003, 5004, 5005


async def _staff(uow: UnitOfWork) -> None:
    for tg_id, role, station in (
        (WORKER, "worker", "jiangnan"),
        (OTHER_WORKER, "worker", "jiangnan"),
        (HEAD, "station_head", "jiangnan"),
        (OTHER_HEAD, "station_head", "xicheng"),
        (SUPERVISOR, "supervisor", "jiangnan"),
        (SUPERVISOR, "supervisor", "xicheng"),
    ):
        await staff.grant_directly(uow, tg_id=tg_id, role=role, station_code=station, now=NOW)


async def _log(uow: UnitOfWork, **values: Any) -> activities.ActivityEntry:
    args: dict[str, Any] = {
        "worker_tg_id": WORKER,
        "station_code": "jiangnan",
        "template_code": "group_session",
        "activity_date": date(2026, 11, 16),
        "minutes": 90,
        "person_times": 12,
        "groups": {"elderly": 12},
        "note": None,
        "client_token": uuid.uuid4().hex,
        "now": NOW,
        "zone": SHANGHAI,
        "templates": KNOWLEDGE.record_templates,
        "group_codes": GROUPS,
        "rules": RULES,
    }
    args.update(values)
    return await activities.log_activity(uow, **args)


GROUP_SESSION = {
    "group_name": "<b>银龄</b> & 乐享 🌸",
    "session_no": "３",
    "session_goal": "认识彼此",
    "content": "破冰游戏\n分享",
    "attendance": "12",
    "reflection": "气氛" + "好" * 1998,
}


async def _photo(uow: UnitOfWork, activity_id: int, n: int, **values: Any) -> records.EvidenceItem:
    args: dict[str, Any] = {
        "actor_tg_id": WORKER,
        "activity_id": activity_id,
        "kind": "photo",
        "file_id": f"AgAC{n}",
        "file_unique_id": f"u{n}",
        "mime": "image/jpeg",
        "size": 50_000,
        "local_path": f"jiangnan/{activity_id}/u{n}.jpg",
        "now": NOW,
        "rules": RULES,
    }
    args.update(values)
    return await records.add_evidence(uow, **args)


async def test_typed_values_are_kept_exactly_and_checked_by_kind(uow: UnitOfWork) -> None:
    await _staff(uow)
    entry = await _log(uow, fields=GROUP_SESSION)
    view = await records.record_view(
        uow, actor_tg_id=WORKER, activity_id=entry.id, templates=KNOWLEDGE.record_templates
    )
    assert view.value("group_name") == "<b>银龄</b> & 乐享 🌸"  # HTML characters and emoji
    assert view.value("content") == "破冰游戏\n分享"
    assert len(view.value("reflection") or "") == 2000
    assert view.value("session_no") == "3"  # a full-width digit read as a number
    assert [c for c, _ in view.values][:2] == ["group_name", "session_no"]  # form order
    too_long = dict(GROUP_SESSION, reflection="字" * 2001)
    with pytest.raises(InvalidValue) as refused:
        await _log(uow, fields=too_long)
    assert (refused.value.field, refused.value.reason) == ("reflection", "too_long")


@pytest.mark.parametrize(
    ("template", "values", "stored"),
    [
        ("group_session", {"group_name": "  组  "}, {"group_name": "  组  "}),  # short_text
        ("needs_visit", {"situation": "独居\n\n需要送餐"}, {"situation": "独居\n\n需要送餐"}),
        ("case_record", {"session_no": "4"}, {"session_no": "4"}),  # number
        ("research_plan", {"start_date": "2026年12月1日"}, {"start_date": "2026-12-01"}),  # date
        ("case_assess", {"risk_level": "high"}, {"risk_level": "high"}),  # choice
        ("needs_visit", {"referral_needed": "是"}, {"referral_needed": "yes"}),  # yes_no
    ],
)
async def test_each_field_kind(
    uow: UnitOfWork, template: str, values: dict[str, str], stored: dict[str, str]
) -> None:
    await _staff(uow)
    entry = await _log(uow, template_code=template, fields=values)
    rows = (
        await uow.session.scalars(
            select(RecordFieldValue).where(RecordFieldValue.activity_id == entry.id)
        )
    ).all()
    assert {r.field_code: r.value for r in rows} == stored


@pytest.mark.parametrize(
    ("template", "values", "reason"),
    [
        ("case_record", {"session_no": "0"}, "too_small"),
        ("case_record", {"session_no": "many"}, "not_a_number"),
        ("research_plan", {"start_date": "2026-02-30"}, "no_such_day"),
        ("research_plan", {"start_date": "soon"}, "not_a_date"),
        ("case_assess", {"risk_level": "extreme"}, "unknown_option"),
        ("needs_visit", {"referral_needed": "maybe"}, "unknown_option"),
        ("needs_visit", {"situation": "   "}, "empty"),
        ("needs_visit", {"no_such_field": "x"}, "unknown_field"),
    ],
)
async def test_bad_values_are_refused_by_kind(
    uow: UnitOfWork, template: str, values: dict[str, str], reason: str
) -> None:
    await _staff(uow)
    with pytest.raises(InvalidValue) as refused:
        await _log(uow, template_code=template, fields=values)
    assert refused.value.reason == reason


async def test_incomplete_until_required_fields_and_a_photo(uow: UnitOfWork) -> None:
    await _staff(uow)
    entry = await _log(uow, fields={"group_name": "银龄"})
    listed = await records.my_records(
        uow, worker_tg_id=WORKER, templates=KNOWLEDGE.record_templates
    )
    assert listed[0].missing == (
        "session_no", "session_goal", "content", "attendance", "reflection", PHOTO,
    )  # fmt: skip
    later = NOW + timedelta(days=1)
    view = await records.correct_record(
        uow, actor_tg_id=WORKER, activity_id=entry.id,
        changes=RecordChanges(fields={k: v for k, v in GROUP_SESSION.items() if k != "group_name"}),
        now=later, zone=SHANGHAI, templates=KNOWLEDGE.record_templates, group_codes=GROUPS,
        rules=RULES,
    )  # fmt: skip
    assert view.missing == (PHOTO,)  # a group session needs its photo
    await _photo(uow, entry.id, 1)
    view = await records.record_view(
        uow, actor_tg_id=WORKER, activity_id=entry.id, templates=KNOWLEDGE.record_templates
    )
    assert view.complete


async def test_incomplete_records_are_listed_first(uow: UnitOfWork) -> None:
    await _staff(uow)
    done = await _log(
        uow, template_code="admin_monthly", fields={"month_summary": "a", "next_month": "b"}
    )
    todo = await _log(uow, template_code="admin_monthly", now=NOW - timedelta(hours=1))
    listed = await records.my_records(
        uow, worker_tg_id=WORKER, templates=KNOWLEDGE.record_templates
    )
    assert [v.entry.id for v in listed] == [todo.id, done.id]


async def test_evidence_limits_refuse_the_tenth_and_an_oversized_file(uow: UnitOfWork) -> None:
    await _staff(uow)
    entry = await _log(uow, fields=GROUP_SESSION)
    for n in range(9):
        await _photo(uow, entry.id, n)
    assert (
        await records.evidence_slots_left(
            uow, actor_tg_id=WORKER, activity_id=entry.id, now=NOW, rules=RULES
        )
        == 0
    )
    with pytest.raises(EvidenceLimitReached) as full:
        await _photo(uow, entry.id, 10)
    assert full.value.limit == 9
    again = await _photo(uow, entry.id, 3)  # the same file twice: the first, no error
    assert again.file_unique_id == "u3"
    other = await _log(uow, fields=GROUP_SESSION)
    with pytest.raises(EvidenceTooLarge) as big:
        await _photo(uow, other.id, 1, size=RULES.evidence_max_bytes + 1)
    assert big.value.max_bytes == RULES.evidence_max_bytes
    with pytest.raises(InvalidValue):
        await _photo(uow, other.id, 2, kind="document", mime="application/zip")
    await _photo(uow, other.id, 3, kind="document", mime="application/pdf")
    # Nothing lost: the nine files and the record are all still there.
    files = (await uow.session.scalars(select(EvidenceFile))).all()
    assert sorted(f.file_unique_id for f in files if f.activity_id == entry.id) == [
        f"u{n}" for n in range(9)
    ]
    view = await records.record_view(
        uow, actor_tg_id=WORKER, activity_id=entry.id, templates=KNOWLEDGE.record_templates
    )
    assert len(view.evidence) == 9 and view.value("group_name") == GROUP_SESSION["group_name"]


async def test_the_media_store_keeps_a_private_copy_within_the_limit(tmp_path: Path) -> None:
    relative = media.evidence_relative_path(
        station_code="jiangnan", activity_id=7, file_unique_id="AQAD/x", mime="image/jpeg"
    )
    assert relative == "jiangnan/7/AQAD_x.jpg"

    async def download() -> bytes:
        return b"\xff\xd8photo"

    stored = await media.store_copy(
        media_dir=tmp_path, relative_path=relative, max_bytes=100, download=download
    )
    path = tmp_path / stored.relative_path
    assert path.read_bytes() == b"\xff\xd8photo"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(EvidenceTooLarge):
        await media.store_copy(
            media_dir=tmp_path, relative_path="jiangnan/7/big.jpg", max_bytes=3, data=b"1234"
        )
    assert sorted(p.name for p in (tmp_path / "jiangnan/7").iterdir()) == ["AQAD_x.jpg"]

    async def broken() -> bytes:
        raise OSError("https://api.telegram.org/file/bot123:SECRET/photos/1.jpg")

    with pytest.raises(media.MediaDownloadFailed) as failed:
        await media.store_copy(
            media_dir=tmp_path, relative_path="jiangnan/7/x.jpg", max_bytes=100, download=broken
        )
    assert "SECRET" not in str(failed.value)


def test_file_urls_follow_the_api_url() -> None:
    assert media.base_file_url_for("https://api.telegram.org/bot") == (
        "https://api.telegram.org/file/bot"
    )
    assert media.base_file_url_for("http://10.0.0.5:8081/bot/") == "http://10.0.0.5:8081/file/bot"
    assert media.file_download_url("http://h/file/bot", "1:T", "photos/f.jpg") == (
        "http://h/file/bot1:T/photos/f.jpg"
    )


async def test_the_head_corrects_any_record_with_an_audit_row(uow: UnitOfWork) -> None:
    await _staff(uow)
    entry = await _log(uow, fields=GROUP_SESSION)
    much_later = NOW + timedelta(days=40)
    view = await records.correct_record(
        uow, actor_tg_id=HEAD, activity_id=entry.id,
        changes=RecordChanges(minutes=120, fields={"attendance": "15"}),
        now=much_later, zone=SHANGHAI, templates=KNOWLEDGE.record_templates, group_codes=GROUPS,
        rules=RULES,
    )  # fmt: skip
    assert (view.entry.minutes, view.value("attendance")) == (120, "15")
    rows = (
        await uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "record.correct"))
    ).all()
    changes = {r.detail["field"]: (r.detail["old"], r.detail["new"], r.detail["by"]) for r in rows}
    assert changes == {"minutes": (90, 120, "head"), "attendance": ("12", "15", "head")}
    with pytest.raises(NotFound):  # another station's head does not see it
        await records.correct_record(
            uow, actor_tg_id=OTHER_HEAD, activity_id=entry.id, changes=RecordChanges(minutes=60),
            now=much_later, zone=SHANGHAI, templates=KNOWLEDGE.record_templates,
            group_codes=GROUPS, rules=RULES,
        )  # fmt: skip
    deleted = await records.delete_record(
        uow, head_tg_id=HEAD, activity_id=entry.id, now=much_later
    )
    assert deleted.deleted_at is not None
    audit_row = await uow.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "record.delete")
    )
    assert audit_row is not None and audit_row.detail["fields"]["attendance"] == "15"
    with pytest.raises(NotAllowed):
        await records.delete_record(uow, head_tg_id=WORKER, activity_id=entry.id, now=much_later)


async def test_a_record_to_delete_that_is_not_the_actors_is_not_found(uow: UnitOfWork) -> None:
    """Another station's head, or a colleague who is neither its worker nor the head, learns
    nothing of the record (NotFound, as for the card); nothing is deleted or audited."""
    await _staff(uow)
    entry = await _log(uow, fields=GROUP_SESSION)
    for actor in (OTHER_HEAD, OTHER_WORKER, SUPERVISOR, 999_999):
        for call in (records.deletable_record, records.delete_record):
            kwargs: dict[str, Any] = {"now": NOW} if call is records.delete_record else {}
            with pytest.raises(NotFound):
                await call(uow, head_tg_id=actor, activity_id=entry.id, **kwargs)
    with pytest.raises(NotFound):
        await records.deletable_record(uow, head_tg_id=HEAD, activity_id=entry.id + 1)
    with pytest.raises(NotAllowed):  # its own worker: not the head
        await records.deletable_record(uow, head_tg_id=WORKER, activity_id=entry.id)
    assert await records.deletable_record(uow, head_tg_id=HEAD, activity_id=entry.id) == entry.id
    row = await uow.session.get(ActivityLog, entry.id)
    assert row is not None and row.deleted_at is None
    deleted = await uow.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "record.delete")
    )
    assert deleted is None


async def test_a_worker_corrects_their_own_record_for_seven_days(uow: UnitOfWork) -> None:
    await _staff(uow)
    entry = await _log(uow, fields=GROUP_SESSION)

    async def correct(actor: int, at: datetime) -> records.RecordView:
        return await records.correct_record(
            uow, actor_tg_id=actor, activity_id=entry.id,
            changes=RecordChanges(note="补记", person_times=14, fields={"session_no": "4"}),
            now=at, zone=SHANGHAI, templates=KNOWLEDGE.record_templates, group_codes=GROUPS,
            rules=RULES,
        )  # fmt: skip

    view = await correct(WORKER, NOW + timedelta(days=6, hours=23))
    assert (view.entry.note, view.entry.person_times, view.entry.groups) == (
        "补记", 14, (("elderly", 14),),
    )  # fmt: skip
    with pytest.raises(EditWindowClosed):
        await correct(WORKER, NOW + timedelta(days=7))
    with pytest.raises(NotFound):  # a colleague's record
        await correct(OTHER_WORKER, NOW + timedelta(hours=1))


async def test_a_day_over_sixteen_hours_is_refused(uow: UnitOfWork) -> None:
    await _staff(uow)
    for _ in range(2):
        await _log(uow, template_code="admin_monthly", minutes=7 * 60)
    with pytest.raises(DayLimitExceeded) as refused:
        await _log(uow, template_code="admin_monthly", minutes=2 * 60 + 1)
    assert (refused.value.logged_minutes, refused.value.limit_minutes) == (840, 960)
    await _log(uow, template_code="admin_monthly", minutes=2 * 60)  # exactly 16 is fine
    await _log(uow, template_code="admin_monthly", minutes=60, activity_date=date(2026, 11, 15))
    entry = await _log(
        uow, template_code="admin_monthly", minutes=60, activity_date=date(2026, 11, 14)
    )
    with pytest.raises(DayLimitExceeded):  # a correction cannot overfill a day either
        await records.correct_record(
            uow, actor_tg_id=WORKER, activity_id=entry.id,
            changes=RecordChanges(activity_date=date(2026, 11, 16)),
            now=NOW, zone=SHANGHAI, templates=KNOWLEDGE.record_templates, group_codes=GROUPS,
            rules=RULES,
        )  # fmt: skip
    strict = RecordRules(max_activity_hours_per_day=1)
    with pytest.raises(DayLimitExceeded):
        await _log(
            uow,
            template_code="admin_monthly",
            minutes=90,
            activity_date=date(2026, 11, 13),
            rules=strict,
        )


async def _session(uow: UnitOfWork, **values: Any) -> supervision.SessionLogged:
    args: dict[str, Any] = {
        "supervisor_tg_id": SUPERVISOR,
        "station_code": "jiangnan",
        "session_date": date(2026, 11, 16),
        "minutes": 240,
        "mode": "offline",
        "topic_code": "records",
        "topic_text": None,
        "client_token": uuid.uuid4().hex,
        "now": NOW,
        "zone": SHANGHAI,
        "topic_codes": [t.code for t in KNOWLEDGE.supervision_topics],
        "rules": RULES,
    }
    args.update(values)
    return await supervision.log_session(uow, **args)


async def test_supervision_over_ten_hours_a_day_is_refused(uow: UnitOfWork) -> None:
    await _staff(uow)
    await _session(uow, minutes=480)
    with pytest.raises(DayLimitExceeded) as refused:
        await _session(uow, station_code="xicheng", minutes=180)  # any station counts
    assert refused.value.limit_minutes == 600
    await _session(uow, station_code="xicheng", minutes=120)


async def test_a_supervision_record_names_supervisees_and_keeps_both_topics(
    uow: UnitOfWork,
) -> None:
    await _staff(uow)
    workers = await supervision.station_workers(
        uow, supervisor_tg_id=SUPERVISOR, station_code="jiangnan"
    )
    ids = [w.person_id for w in workers]
    assert len(ids) == 2
    saved = await _session(
        uow, supervisee_ids=ids, form="group", topic_text="小组记录怎么写 <要点>",
        key_points="目标要具体", suggestions="下周交计划书",
    )  # fmt: skip
    entry = saved.session
    assert (entry.topic_code, entry.topic_text) == ("records", "小组记录怎么写 <要点>")
    assert (entry.form, entry.supervisee_ids, entry.whole_team) == (
        "group",
        tuple(sorted(ids)),
        False,
    )
    team = await _session(uow, whole_team=True, minutes=60)
    assert team.session.whole_team and team.session.form == "group"
    with pytest.raises(InvalidValue):  # a person who is no worker of the station
        await _session(uow, supervisee_ids=[999], minutes=60)
    mine = await supervision.my_sessions(uow, supervisor_tg_id=SUPERVISOR)
    assert [s.id for s in mine] == [team.session.id, entry.id]
    corrected = await supervision.correct_session(
        uow, supervisor_tg_id=SUPERVISOR, session_id=entry.id,
        changes=supervision.SessionChanges(mode="online", supervisee_ids=ids[:1], form="individual"),
        now=NOW + timedelta(days=1), zone=SHANGHAI,
        topic_codes=[t.code for t in KNOWLEDGE.supervision_topics], rules=RULES,
    )  # fmt: skip
    assert (corrected.mode, corrected.supervisee_ids, corrected.form) == (
        "online",
        (ids[0],),
        "individual",
    )
    fields = {
        r.detail["field"]
        for r in (
            await uow.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "supervision.correct")
            )
        ).all()
    }
    assert fields == {"mode", "supervisees", "form"}
    with pytest.raises(supervision.SessionEditWindowClosed):
        await supervision.delete_session(
            uow, supervisor_tg_id=SUPERVISOR, session_id=entry.id, now=NOW + timedelta(days=8),
            rules=RULES,
        )  # fmt: skip


async def test_the_last_template_is_offered_first(uow: UnitOfWork) -> None:
    await _staff(uow)
    assert await records.last_template(uow, worker_tg_id=WORKER) is None
    await _log(uow, template_code="case_record")
    await _log(uow, template_code="needs_visit", now=NOW + timedelta(minutes=5))
    assert await records.last_template(uow, worker_tg_id=WORKER) == "needs_visit"


def test_media_folder_and_file_url_settings() -> None:
    from bot.settings import load_settings

    settings = load_settings(database_url="sqlite+aiosqlite:///var/bot/stationbot.db")
    assert settings.media_path == Path("var/bot/media")  # beside the database
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    local = load_settings(api_url="http://127.0.0.1:8081/bot", media_dir="/srv/media")
    assert (local.media_path, local.base_file_url) == (
        Path("/srv/media"), "http://127.0.0.1:8081/file/bot",
    )  # fmt: skip
    explicit = load_settings(file_url="https://files.example/file/bot")
    assert explicit.base_file_url == "https://files.example/file/bot"
