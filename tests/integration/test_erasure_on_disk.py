"""After /forget's erasure, the erased values are in neither the database file nor its WAL.

The database stays open, as in the running bot: nothing here relies on a clean stop.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

from db import migrate
from db.models import PersistedState
from db.uow import Database
from knowledge.bundle import load_knowledge
from services import privacy
from services.stations import sync_stations
from tests.unit.test_privacy import NOW, PERSONAL, seed_resident

MARKERS = (*PERSONAL, "永康一中", "DRAFT-MARKER-7731")


def _found(marker: str, data: bytes) -> bool:
    """As UTF-8 text, or as JSON columns store it (\\uXXXX escapes)."""
    escaped = json.dumps(marker).strip('"').encode()
    return marker.encode() in data or escaped in data


def _on_disk(path: Path) -> bytes:
    return b"".join(
        file.read_bytes() for file in (path, path.with_name(path.name + "-wal")) if file.exists()
    )


async def test_erased_values_are_gone_from_the_database_and_its_wal(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate.upgrade(database.engine)
        async with database.uow() as uow:
            await sync_stations(uow, load_knowledge().stations)
        async with database.uow() as uow:
            await seed_resident(uow)
        # The bot rewrites a draft many times while a person types: every version was on disk.
        for step in range(5):
            async with database.uow() as uow:
                await uow.session.merge(
                    PersistedState(
                        kind="user",
                        key="4242",
                        data={"request": {"note": f"DRAFT-MARKER-7731 {step}"}},
                    )
                )
                await uow.commit()
        before = _on_disk(path)
        assert [m for m in MARKERS if not _found(m, before)] == []

        async with database.uow() as uow:
            await privacy.erase(uow, tg_id=4242, now=NOW + timedelta(days=1))

        after = _on_disk(path)
        assert [m for m in MARKERS if _found(m, after)] == []
        async with database.engine.connect() as connection:
            # On by our connection settings, whatever the SQLite build's default (Debian's
            # is already on, so on such a machine this line, not the grep, covers it).
            assert (await connection.exec_driver_sql("PRAGMA secure_delete")).scalar() == 1
        # … and the bot still works on the same database afterwards.
        async with database.uow() as uow:
            document = await privacy.export(uow, tg_id=4242, now=NOW + timedelta(days=1))
        assert document["person"]["erased_at"] is not None
    finally:
        await database.dispose()


async def test_the_database_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    old = os.umask(0o022)  # a typical umask, which would make them 0644
    try:
        database = Database(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(database.engine)
        files = [path, path.with_name("bot.db-wal"), path.with_name("bot.db-shm")]
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files if f.exists()}
        await database.dispose()
    finally:
        os.umask(old)
    assert "bot.db-wal" in modes
    assert modes == dict.fromkeys(modes, 0o600)
