"""services.privacy: export gathers everything about one person; erase keeps only counts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from db.models import (
    AuditEntry,
    Consent,
    PersistedState,
    Person,
    RequestEvent,
    ServiceRequest,
    VolunteerApplication,
)
from db.uow import UnitOfWork
from services import privacy, staff

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PERSONAL = (
    "王阿姨",
    "+8613800138000",
    "腿脚不便",
    "谢谢社工",
    "上门三次",
    "王小明",
    "+8613900139000",
    "李监护",
)


async def seed_resident(uow: UnitOfWork, tg_id: int = 4242, language: str = "zh") -> int:
    """A resident with a consent, a completed request (with events) and a volunteer sign-up."""
    person = Person(tg_id=tg_id, language=language, display_name="王阿姨", created_at=NOW)
    uow.session.add(person)
    await uow.session.flush()
    uow.session.add(Consent(person_id=person.id, kind="personal_info", version="1", granted_at=NOW))
    request = ServiceRequest(
        ref=f"JN-{tg_id:04d}", client_token=f"t{tg_id}", station_code="jiangnan", resident_id=person.id,
        service_code="elderly_care", for_whom="self", age_group="60+", description="腿脚不便",
        phone="+8613800138000", preferred_time="morning", status="completed", created_at=NOW,
        completion_note="上门三次", rating=5, rating_comment="谢谢社工",
    )  # fmt: skip
    uow.session.add(request)
    await uow.session.flush()
    uow.session.add(
        RequestEvent(request_id=request.id, at=NOW, to_status="completed", note="上门三次")
    )
    uow.session.add(
        VolunteerApplication(
            person_id=person.id,
            station_code="jiangnan",
            name="王小明",
            phone="+8613900139000",
            skills=["tutoring"],
            availability=["weekend"],
            age_group="14-17",
            party_member="no",
            guardian_name="李监护",
            guardian_phone="+8613700137000",
            status="pending",
            created_at=NOW,
            extra={"school": "永康一中"},
        )
    )
    uow.session.add(PersistedState(kind="user", key=str(tg_id), data={"request": {"phone": "x"}}))
    await uow.commit()
    return person.id


async def test_export_holds_everything_about_the_person(uow: UnitOfWork) -> None:
    pid = await seed_resident(uow)
    await staff.grant_directly(uow, tg_id=4242, role="worker", station_code="jiangnan", now=NOW)
    document = await privacy.export(uow, tg_id=4242, now=NOW)
    text = json.dumps(document, ensure_ascii=False)
    for value in ("王阿姨", "+8613800138000", "腿脚不便", "王小明", "李监护", "永康一中"):
        assert value in text
    assert document["person"]["tg_id"] == 4242
    assert document["consents"][0]["kind"] == "personal_info"
    assert document["service_requests"][0]["events"][0]["to_status"] == "completed"
    assert document["staff_roles"][0]["role"] == "worker"
    assert {e["action"] for e in document["audit_log"]} == {"role.grant"}
    assert document["generated_at"] == NOW.isoformat()
    # The export itself is audited, with counts only.
    entry = await uow.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "privacy.export")
    )
    assert entry is not None and entry.subject == f"person:{pid}"
    assert entry.detail == {"requests": 1, "applications": 1}


async def test_export_leaves_out_other_people(uow: UnitOfWork) -> None:
    await seed_resident(uow, tg_id=1)
    await seed_resident(uow, tg_id=2)
    document = await privacy.export(uow, tg_id=2, now=NOW)
    assert len(document["service_requests"]) == 1
    assert document["service_requests"][0]["client_token"] == "t2"


async def test_erase_blanks_the_personal_fields_and_keeps_counts(uow: UnitOfWork) -> None:
    pid = await seed_resident(uow)
    later = NOW + timedelta(days=1)
    report = await privacy.erase(uow, tg_id=4242, now=later)
    assert report == privacy.ErasureReport(
        requests=1, applications=1, consents_withdrawn=1, already_erased=False
    )
    document = await privacy.export(uow, tg_id=4242, now=later)
    text = json.dumps(document, ensure_ascii=False)
    for value in (*PERSONAL, "永康一中"):
        assert value not in text, value
    request = document["service_requests"][0]
    assert request["erased"] is True
    assert (request["status"], request["service_code"], request["rating"]) == (
        "completed", "elderly_care", 5,
    )  # fmt: skip
    assert document["volunteer_applications"][0]["erased"] is True
    assert document["volunteer_applications"][0]["skills"] == ["tutoring"]
    assert datetime.fromisoformat(document["person"]["erased_at"]) == later
    assert document["consents"][0]["withdrawn_at"] is not None
    assert await uow.session.scalar(select(func.count()).select_from(PersistedState)) == 0
    entry = await uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.erase"))
    assert entry is not None and entry.subject == f"person:{pid}"
    assert entry.detail == {
        "requests": 1,
        "applications": 1,
        "consents_withdrawn": 1,
        "question_rows": 0,
    }
    again = await privacy.erase(uow, tg_id=4242, now=later)
    assert again.already_erased and again.consents_withdrawn == 0


async def test_an_erased_staff_member_shows_as_erased(uow: UnitOfWork) -> None:
    await staff.grant_directly(
        uow, tg_id=77, role="worker", station_code="jiangnan", now=NOW, display_name="李社工"
    )
    await privacy.erase(uow, tg_id=77, now=NOW)
    [member] = await staff.list_staff(uow)
    assert member.erased and member.display_name is None
