"""PTB persistence in our own database, so a restart resumes every open conversation.

PTB calls the update_* methods every `update_interval` seconds (2 here) and on shutdown.
Each write is skipped when the data is unchanged since the last write, so a quiet bot costs
nothing. Values must be JSON: drafts in `user_data` are plain dicts of str/int/float/list.

`bot.application.StationApplication` does not use PTB's round of update_* calls (one task
each, gathered): it stages what changed (`stage`, `stage_drop`, `stage_conversation`) and
writes the round as ONE transaction (`write_staged`): after an update that changed a
conversation's state and its draft, one commit. Writes take turns (one lock): on an
in-memory SQLite database every session shares one connection, so one write's rollback would
silently undo another's insert; on a file database they would only queue for SQLite's single
writer anyway.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from db.models import PersistedState
from db.uow import Database

USER, CHAT = "user", "chat"
_DROPPED = object()
_DELETE = delete(PersistedState).where(
    and_(PersistedState.kind == bindparam("drop_kind"), PersistedState.key == bindparam("drop_key"))
)


def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class SQLPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], Any]):
    def __init__(self, database: Database, *, update_interval: float = 2) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self.database = database
        self._written: dict[tuple[str, str], str] = {}
        self._lock = asyncio.Lock()
        # (kind, key) → the JSON to write, or _DROPPED: what the next write_staged() writes.
        self._staged: dict[tuple[str, str], Any] = {}
        self._upsert_statement: Any = None

    async def _load(self, kind: str) -> dict[str, Any]:
        async with self._lock, self.database.uow() as uow:
            rows = (
                await uow.session.execute(
                    select(PersistedState.key, PersistedState.data).where(
                        PersistedState.kind == kind
                    )
                )
            ).all()
        result = {}
        for key, data in rows:
            self._written[(kind, key)] = json.dumps(data, sort_keys=True, ensure_ascii=False)
            result[key] = data
        return result

    # --- one round, one transaction ----------------------------------------------------------
    def stage(self, kind: str, key: str, data: Any) -> None:
        """Note `data` for the next `write_staged()`, unless it is what is on record. The
        JSON taken now is what will be written, however `data` changes meanwhile."""
        where = (kind, key)
        if data == {} and where not in self._written:
            self._staged.pop(where, None)
            return  # nothing to remember (every new chat's chat_data): no row at all
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False)  # raises on non-JSON drafts
        if self._written.get(where) == encoded:
            self._staged.pop(where, None)
        else:
            self._staged[where] = encoded

    def stage_drop(self, kind: str, key: str) -> None:
        where = (kind, key)
        if where in self._written:
            self._staged[where] = _DROPPED
        else:
            self._staged.pop(where, None)  # never written: nothing to delete

    def stage_conversation(self, name: str, key: ConversationKey, state: object | None) -> None:
        kind, encoded_key = "conversation:" + name, json.dumps(list(key))
        if state is None:
            self.stage_drop(kind, encoded_key)
        else:
            self.stage(kind, encoded_key, state)

    async def write_staged(self) -> None:
        """Write what was staged in one Core transaction (no ORM session: written after every
        update, the session's machinery cost more than the statements). On a failure the
        changes stay staged and go with the next round."""
        async with self._lock:
            staged, self._staged = self._staged, {}
            if not staged:
                return
            writes = [
                {"kind": kind, "key": key, "data": json.loads(encoded)}
                for (kind, key), encoded in staged.items()
                if encoded is not _DROPPED
            ]
            drops = [
                {"drop_kind": kind, "drop_key": key}
                for (kind, key), encoded in staged.items()
                if encoded is _DROPPED
            ]
            try:
                await self.database.run(functools.partial(self._apply, writes, drops))
            except BaseException:
                self._staged = {**staged, **self._staged}
                raise
            for where, encoded in staged.items():
                if encoded is _DROPPED:
                    self._written.pop(where, None)
                else:
                    self._written[where] = encoded

    async def _write(self, kind: str, key: str, data: Any) -> None:
        self.stage(kind, key, data)
        await self.write_staged()

    async def _drop(self, kind: str, key: str) -> None:
        self.stage_drop(kind, key)
        await self.write_staged()

    def _apply(
        self, writes: list[dict[str, Any]], drops: list[dict[str, str]], connection: Connection
    ) -> None:
        if writes:
            connection.execute(self._upsert(connection.dialect.name), writes)
        if drops:
            connection.execute(_DELETE, drops)

    def _upsert(self, dialect: str) -> Any:
        if self._upsert_statement is None:
            # One upsert statement: the ORM's merge (a SELECT, then an INSERT or UPDATE) was
            # most of what a step's write cost.
            statement = _insert_for(dialect)(PersistedState)
            self._upsert_statement = statement.on_conflict_do_update(
                index_elements=["kind", "key"], set_={"data": statement.excluded.data}
            )
        return self._upsert_statement

    # --- user and chat data ---------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return defaultdict(dict, {int(k): v for k, v in (await self._load(USER)).items()})

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return defaultdict(dict, {int(k): v for k, v in (await self._load(CHAT)).items()})

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self._write(USER, str(user_id), data)

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        await self._write(CHAT, str(chat_id), data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop(USER, str(user_id))

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._drop(CHAT, str(chat_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    # --- conversations ----------------------------------------------------------------------
    async def get_conversations(self, name: str) -> ConversationDict:
        raw = await self._load("conversation:" + name)
        return {tuple(json.loads(key)): state for key, state in raw.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self.stage_conversation(name, key, new_state)
        await self.write_staged()

    # --- not stored: bot_data holds live services, callback data is plain strings -----------
    async def get_bot_data(self) -> Any:
        return None

    async def update_bot_data(self, data: Any) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Any) -> None:
        return None

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def flush(self) -> None:
        return None
