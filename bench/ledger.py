"""Benchmark: a station-month's 台账 pack, 300 records and 600 small photos.

    python -m bench.ledger [--records 300] [--photos 600] [--lang zh]

Fills an in-memory SQLite database through the services (workers, records with their form
values, evidence rows, supervision sessions) and writes the photos into a temporary media
folder, none of which is measured; then times gathering the month (`services.ledger`) and
building the zip (`handlers.documents.ledger_pack`), without any download, and prints the time and size.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import struct
import tempfile
import time
import uuid
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from db import models  # noqa: F401 - every table on the metadata
from db.base import Base
from db.uow import Database
from handlers.documents import ledger_pack
from handlers.kit.i18n import Translator
from knowledge.bundle import Knowledge, load_knowledge
from knowledge.record_rules import RecordRules
from knowledge.record_templates import (
    CHOICE,
    DATE,
    LONG_TEXT,
    NUMBER,
    SHORT_TEXT,
    YES_NO,
    FormField,
)
from services import activities, ledger, media, records, staff, supervision
from services.stations import sync_stations

ZONE = ZoneInfo("Asia/Shanghai")
MONTH = date(2026, 11, 1)
NOW = datetime(2026, 11, 30, 20, 0, tzinfo=ZONE)
STATION = "jiangnan"
WORKERS = (7001, 7002, 7003)
SUPERVISOR = 7100


def small_png(seed: int, width: int = 64, height: int = 48) -> bytes:
    """A real PNG (python-docx reads its header), different for every seed."""
    rng = random.Random(seed)
    rows = b"".join(
        b"\x00" + bytes(rng.randrange(256) for _ in range(width * 3)) for _ in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def sample_value(form_field: FormField, rng: random.Random) -> str:
    kind, options = form_field.kind, [o.code for o in form_field.options]
    if kind == SHORT_TEXT:
        return rng.choice(["银龄乐享互助小组", "邻里守望 <第二期>", "JN-C0012", "亲子阅读会 📚"])
    if kind == LONG_TEXT:
        return "本次活动按计划开展，居民参与积极，" * rng.randint(1, 8)
    if kind == NUMBER:
        low = int(form_field.min_value or 1)
        return str(rng.randint(low, min(low + 30, int(form_field.max_value or low + 30))))
    if kind == DATE:
        return f"2026-11-{rng.randint(1, 30):02d}"
    if kind == CHOICE:
        return rng.choice(options)
    assert kind == YES_NO
    return rng.choice(["yes", "no"])


async def seed_month(
    database: Database,
    knowledge: Knowledge,
    media_dir: Path,
    *,
    records_count: int,
    photos: int,
    seed: int = 11,
) -> None:
    """A station-month: records spread over workers, days and templates, photos spread over
    the records that take evidence (the group and community ones first), a few sessions."""
    rng = random.Random(seed)
    rules = RecordRules(max_activity_hours_per_day=24, evidence_per_record=9)
    groups = [g.code for g in knowledge.served_groups]
    templates = knowledge.record_templates.templates
    async with database.uow() as uow:
        await sync_stations(uow, knowledge.stations)
        for worker in WORKERS:
            await staff.grant_directly(
                uow, tg_id=worker, role="worker", station_code=STATION, now=NOW - timedelta(days=60)
            )
        await staff.grant_directly(
            uow,
            tg_id=SUPERVISOR,
            role="supervisor",
            station_code=STATION,
            now=NOW - timedelta(days=60),
        )
    ids: list[tuple[int, int, bool]] = []
    for n in range(records_count):
        template = (
            templates[n % len(templates)]
            if n % 3
            else rng.choice([t for t in templates if t.photo_required])
        )
        fields = {
            f.code: sample_value(f, rng) for f in template.form if f.required or rng.random() < 0.5
        }
        if n % 10 == 0 and template.required_fields:  # some incomplete
            fields.pop(template.required_fields[-1].code, None)
        worker = WORKERS[n % len(WORKERS)]
        person_times = rng.randint(1, 40)
        async with database.uow() as uow:
            entry = await activities.log_activity(
                uow, worker_tg_id=worker, station_code=STATION, template_code=template.code,
                activity_date=MONTH + timedelta(days=n % 30), minutes=30 + 15 * (n % 8),
                person_times=person_times, groups={rng.choice(groups): person_times},
                note="电话13800138000已联系" if n % 50 == 0 else None,
                client_token=uuid.uuid4().hex, now=NOW - timedelta(minutes=n), zone=ZONE,
                templates=knowledge.record_templates, group_codes=groups, fields=fields, rules=rules,
            )  # fmt: skip
        ids.append((entry.id, worker, template.photo_required))
    takers = [(i, w) for i, w, needs in sorted(ids, key=lambda t: not t[2])]
    for index in range(photos):
        activity_id, worker = takers[index % len(takers)]
        data = small_png(index)
        relative = media.evidence_relative_path(
            station_code=STATION,
            activity_id=activity_id,
            file_unique_id=f"u{index}",
            mime="image/png",
        )
        await media.store_copy(
            media_dir=media_dir, relative_path=relative, max_bytes=10**6, data=data
        )
        async with database.uow() as uow:
            await records.add_evidence(
                uow, actor_tg_id=worker, activity_id=activity_id, kind="photo",
                file_id=f"AgAD{index}", file_unique_id=f"u{index}", mime="image/png",
                size=len(data), local_path=relative, now=NOW, rules=rules,
            )  # fmt: skip
    topics = [t.code for t in knowledge.supervision_topics]
    for n in range(8):
        async with database.uow() as uow:
            await supervision.log_session(
                uow, supervisor_tg_id=SUPERVISOR, station_code=STATION,
                session_date=MONTH + timedelta(days=3 * n), minutes=90 + 30 * (n % 3),
                mode="online" if n % 2 else "offline", topic_code=topics[n % len(topics)],
                topic_text="个案记录规范" if n % 3 == 0 else None, client_token=uuid.uuid4().hex,
                now=NOW, zone=ZONE, topic_codes=topics, whole_team=n % 2 == 0,
                key_points="记录要具体", suggestions="下次带上案例",
            )  # fmt: skip


async def new_database() -> Database:
    database = Database("sqlite+aiosqlite:///:memory:")
    async with database.engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return database


async def run(records_count: int, photos: int, lang: str) -> None:
    knowledge = load_knowledge()
    database = await new_database()
    with tempfile.TemporaryDirectory() as folder:
        media_dir = Path(folder)
        started = time.perf_counter()
        await seed_month(database, knowledge, media_dir, records_count=records_count, photos=photos)
        print(
            f"seeded {records_count} records and {photos} photos in {time.perf_counter() - started:.1f} s (not measured)"
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        async with database.uow() as uow:
            month = await ledger.gather_month(
                uow, station_code=STATION, month=MONTH, now=NOW, zone=ZONE,
                templates=knowledge.record_templates,
            )  # fmt: skip
        gathered = time.perf_counter()
        _ = Translator().for_language(lang)
        data = ledger_pack.build_pack(
            month, _=_, knowledge=knowledge, lang=lang, media_dir=media_dir
        )
        done, cpu = time.perf_counter(), time.process_time() - cpu_started
    await database.dispose()
    print(
        f"ledger pack: {month.activities} records, {sum(len(r.evidence) for r in month.records)} "
        f"photos, {len(month.sessions)} sessions: gathered in {gathered - started:.2f} s, "
        f"built in {done - gathered:.2f} s, {done - started:.2f} s in all "
        f"({cpu:.2f} s of CPU; the wall time grows when other work shares the cores); "
        f"{len(data) / 1e6:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--photos", type=int, default=600)
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    args = parser.parse_args()
    asyncio.run(run(args.records, args.photos, args.lang))


if __name__ == "__main__":
    main()
