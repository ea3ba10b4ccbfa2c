"""PTB persistence in our own database, so a restart resumes every open conversation.

PTB calls the update_* methods every `update_interval` seconds (2 here) and on shutdown.
Each write is skipped when the data is unchanged since the last write, so a quiet bot costs
nothing. Values must be JSON: drafts in `user_data` are plain dicts of str/int/float/list.

PTB runs the update_* calls of one round concurrently (`asyncio.gather`). They take turns here
(one lock): on an in-memory SQLite database every session shares one connection, so one call's
rollback would silently undo another's insert; on a file database they would only queue for
SQLite's single writer anyway.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from db.models import PersistedState
from db.uow import Database

USER, CHAT = "user", "chat"


def _insert_for(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class SQLPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], Any]):
    def __init__(self, database: Database, *, update_interval: float = 2) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self.database = database
        self._written: dict[tuple[str, str], str] = {}
        self._lock = asyncio.Lock()

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

    async def _write(self, kind: str, key: str, data: Any) -> None:
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False)  # raises on non-JSON drafts
        if self._written.get((kind, key)) == encoded:
            return
        if data == {} and (kind, key) not in self._written:
            return  # nothing to remember (every new chat's chat_data): no row at all
        async with self._lock, self.database.uow() as uow:
            # One upsert statement: written after every update now, so the ORM's merge (a
            # SELECT, then an INSERT or UPDATE) was most of what a step's write cost.
            insert = _insert_for(uow.session.get_bind().dialect.name)
            statement = insert(PersistedState).values(kind=kind, key=key, data=data)
            await uow.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["kind", "key"], set_={"data": statement.excluded.data}
                )
            )
            await uow.commit()
        self._written[(kind, key)] = encoded

    async def _drop(self, kind: str, key: str) -> None:
        async with self._lock, self.database.uow() as uow:
            await uow.session.execute(
                delete(PersistedState).where(PersistedState.kind == kind, PersistedState.key == key)
            )
            await uow.commit()
        self._written.pop((kind, key), None)

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
        kind, encoded_key = "conversation:" + name, json.dumps(list(key))
        if new_state is None:
            if (kind, encoded_key) in self._written:
                await self._drop(kind, encoded_key)
            return
        await self._write(kind, encoded_key, new_state)

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
