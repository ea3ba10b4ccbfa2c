"""/forget blanks the delivery ledger's composed messages (issue 11): the text of notices to
the person, and of notices to staff about their requests, applications and questions, is
gone from the rows and from the database file and its WAL; one not sent yet is never sent.
Another person's notices are untouched. (test_erasure_on_disk.py is the model.)"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from db import migrate
from db.models import Delivery, Question, ServiceRequest, VolunteerApplication
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import delivery, privacy
from services.delivery import PlannedMessage
from services.stations import sync_stations
from tests.integration.test_erasure_on_disk import _found, _on_disk
from tests.unit.test_privacy import NOW, seed_resident

WORKER = 5151
OTHER = 6161
TO_RESIDENT = "NOTICE-TO-RESIDENT-4417 上门三次"
ABOUT_REQUEST = "NOTICE-ABOUT-REQUEST-8802 腿脚不便 +8613800138000"
ABOUT_APPLICATION = "MESSAGE-ABOUT-APPLICATION-1190 王小明"
ABOUT_QUESTION = "MESSAGE-ABOUT-QUESTION-5530 王阿姨 问补贴"
NOT_YET_SENT = "NOTICE-NOT-YET-SENT-7204 腿脚不便"
SOMEONE_ELSE = "NOTICE-ABOUT-SOMEONE-ELSE-3306"
ERASED_TEXTS = (TO_RESIDENT, ABOUT_REQUEST, ABOUT_APPLICATION, ABOUT_QUESTION, NOT_YET_SENT)


def _row(kind: str, period: str, occasion: str, to: int, text: str) -> PlannedMessage:
    return PlannedMessage(
        kind=kind, period=period, occasion=occasion, recipient_tg_id=to, station_code="jiangnan",
        payload={"text": text, "buttons": [[["✅ Accept", "ib:acc:1"]]]},
    )  # fmt: skip


async def test_forget_blanks_the_ledgers_notices_to_and_about_the_person(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(database.engine)
        async with database.uow() as uow:
            await sync_stations(uow, load_knowledge().stations)
        async with database.uow() as uow:
            person_id = await seed_resident(uow)
        async with database.uow() as uow:
            request_id = await uow.session.scalar(select(ServiceRequest.id))
            application_id = await uow.session.scalar(select(VolunteerApplication.id))
            question = Question(
                asker_id=person_id, station_code="jiangnan", text="问补贴", lang="zh",
                status="open", created_at=NOW, last_activity_at=NOW,
            )  # fmt: skip
            uow.session.add(question)
            await uow.session.flush()
            question_id = question.id
            await uow.commit()
        async with database.uow() as uow:
            await delivery.plan(
                uow,
                messages=[
                    _row(delivery.NOTICE, f"request:{request_id}", "completed", 4242, TO_RESIDENT),
                    _row(delivery.NOTICE, f"request:{request_id}", "new", WORKER, ABOUT_REQUEST),
                    _row(delivery.MESSAGE, f"volunteer:{application_id}", "a", WORKER,
                         ABOUT_APPLICATION),
                    _row(delivery.MESSAGE, f"question:{question_id}", "q", WORKER, ABOUT_QUESTION),
                    _row(delivery.NOTICE, f"request:{request_id}", "later", OTHER, NOT_YET_SENT),
                    _row(delivery.NOTICE, "request:999", "new", WORKER, SOMEONE_ELSE),
                ],
                now=NOW,
            )  # fmt: skip
            for row in (await uow.session.scalars(select(Delivery))).all():
                if row.recipient_tg_id != OTHER:
                    row.status, row.sent_at, row.next_attempt_at = "sent", NOW, None
            await uow.commit()
        assert [t for t in ERASED_TEXTS if not _found(t.split()[0], _on_disk(path))] == []

        async with database.uow() as uow:
            await privacy.erase(uow, tg_id=4242, now=NOW + timedelta(days=1))

        async with database.uow() as uow:
            rows = [
                (r.recipient_tg_id, r.payload, r.status, r.last_error)
                for r in (await uow.session.scalars(select(Delivery).order_by(Delivery.id)))
            ]
        erased = [r for r in rows if r[1] == {delivery.ERASED: True}]
        # To the resident, and to staff about their request, application and question.
        assert len(erased) == 5
        kept = [r for r in rows if r[1] != {delivery.ERASED: True}]
        assert [(r[1]["text"], r[2]) for r in kept] == [(SOMEONE_ELSE, "sent")]
        assert [r[2:] for r in rows if r[0] == OTHER] == [("skipped", delivery.ERASED)]
        assert all(r[2] == "sent" for r in erased if r[0] != OTHER)  # what went stays "sent"
        after = _on_disk(path)
        for text in ERASED_TEXTS:
            assert not _found(text.split()[0], after), text
        async with database.uow() as uow:  # nothing is left to send
            assert await delivery.pending(uow, now=NOW + timedelta(days=2)) == []
    finally:
        await database.dispose()
