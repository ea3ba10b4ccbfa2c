"""The bot harness: the real Application, the offline Telegram, and people who talk to it.

Bot tests never sleep: the pacer (and through it the outbox's retry backoff) runs on a
`VirtualTimer`, so a wait of 1 s per chat or a 5 s backoff passes at once; `bot.timer.slept`
lists the waits, `bot.timer.now` is the virtual monotonic clock."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import delete, select

from bot.application import StationApp, build_application, on_startup
from bot.clock import FixedClock
from bot.offline_telegram import OFFLINE_TOKEN, OfflinePerson, OfflineTelegram
from bot.settings import Settings
from db.base import Base
from db.models import PersistedState
from db.uow import Database
from handlers.delivery.pace import Pace
from services import people, staff
from tests.virtual_time import VirtualTimer

ADMIN_ID = 900_001


class BotHarness:
    _ids = itertools.count(500_001)

    def __init__(
        self,
        database: Database,
        clock: FixedClock,
        *,
        notify_in_background: bool = False,
        **settings: Any,
    ) -> None:
        """`notify_in_background`: as `run` builds it (notifications through the ledger, sent
        by tasks of their own); by default they are sent before the handler returns."""
        self.database = database
        self.notify_in_background = notify_in_background
        self.clock = clock
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url="sqlite+aiosqlite:///:memory:",
            admins=frozenset({ADMIN_ID}),
            **settings,
        )
        self.telegram = OfflineTelegram()
        self.app: StationApp | None = None
        self.timer = VirtualTimer()

    async def start(self) -> None:
        self.app = build_application(
            self.settings,
            database=self.database,
            token=OFFLINE_TOKEN,
            request=self.telegram,
            clock=self.clock,
            pace=Pace(timer=self.timer),
            notify_in_background=self.notify_in_background,
        )
        await self.app.initialize()
        await on_startup(self.app)
        await self.app.start()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            await self.app.shutdown()
            self.app = None

    async def restart(self, *, lose_conversations: bool = False) -> None:
        """SIGTERM and start again: persistence is flushed on stop and read on start.

        `lose_conversations`: as a kill -9 between two flushes can leave it, the conversation
        states are gone while `user_data` (the drafts) is kept."""
        await self.stop()
        if lose_conversations:
            async with self.database.uow() as uow:
                await uow.session.execute(
                    delete(PersistedState).where(PersistedState.kind.like("conversation:%"))
                )
                await uow.commit()
        await self.start()
        for person in self._people:
            person.app = self.app  # type: ignore[assignment]

    async def rows(self, *, skip: tuple[str, ...] = ("persisted_state",)) -> dict[str, list[Any]]:
        """Every row of every table (but `skip`), to assert that nothing changed."""
        tables: dict[str, list[Any]] = {}
        async with self.database.uow() as uow:
            for table in Base.metadata.sorted_tables:
                if table.name not in skip:
                    result = await uow.session.execute(select(table))
                    tables[table.name] = sorted(map(repr, result.all()))
        return tables

    @property
    def _people(self) -> list[OfflinePerson]:
        return self.__dict__.setdefault("_people_list", [])

    async def person(
        self,
        *,
        role: str | None = None,
        stations: tuple[str, ...] = (),
        lang: str = "zh",
        name: str = "测试",
        tg_id: int | None = None,
        started: bool = True,
    ) -> OfflinePerson:
        """A new Telegram user; with `role`, already granted it (at each of `stations`), as a
        colleague who uses the bot: the database and the offline Telegram both know their chat
        (`started=False`: invited, never opened the chat; neither does)."""
        assert self.app is not None
        tg_id = tg_id or next(self._ids)
        if role == "admin" and not stations:
            stations = ()
        for station in stations or ((None,) if role else ()):
            async with self.database.uow() as uow:
                await staff.grant_directly(
                    uow, tg_id=tg_id, role=role or "", station_code=station,
                    now=self.clock.now(), started=started,
                )  # fmt: skip
        if role is not None and started:
            self.telegram.started.add(tg_id)
        if role is not None:
            async with self.database.uow() as uow:
                await people.set_language(uow, tg_id=tg_id, language=lang, now=self.clock.now())
        person = OfflinePerson(
            self.app,
            self.telegram,
            tg_id,
            first_name=name,
            language_code="zh-hans" if lang == "zh" else "en",
        )
        self._people.append(person)
        return person

    async def admin(self, lang: str = "zh") -> OfflinePerson:
        """The admin named in STATIONBOT_ADMINS."""
        return await self.person(tg_id=ADMIN_ID, lang=lang, name="管理员")
