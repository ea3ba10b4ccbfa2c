"""`build_application()`: the one place where settings, database, knowledge and handlers meet."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
    DictPersistence,
    PersistenceInput,
)
from telegram.ext._handlers.conversationhandler import PendingState
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.request import BaseRequest

import handlers
from bot.clock import SystemClock
from bot.persistence import CHAT, USER, SQLPersistence
from bot.settings import Settings
from bot.update_order import PerPersonOrder
from db.uow import Database
from handlers.delivery.outbox import Outbox
from handlers.delivery.pace import Pace
from handlers.kit.context import BotData, Clock, Context
from handlers.kit.i18n import Translator
from handlers.people.start import set_staff_commands
from knowledge.bundle import Knowledge, load_knowledge
from services.stations import sync_stations

log = logging.getLogger(__name__)

StationApp = Application[Any, Any, Any, Any, BotData, Any]


class StationApplication(Application[Any, Any, Any, Any, BotData, Any]):
    """PTB's Application, writing what an update changed as soon as it has been handled.

    PTB writes persistence on a timer (every 2 s here), so a kill -9 lost the last seconds of
    steps, and a button on screen then no longer matched the step on record. Here each update's
    changes (the person's conversation states, their draft) are written right after it; the
    timer stays as the fallback. `update_persistence` writes only what was touched since the
    last write, `SQLPersistence` skips values that did not change, and what is left is written
    in one transaction, so a step costs at most one small commit (bench/updates.py measures
    it)."""

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if self.persistence is not None and self.running:
                await self.update_persistence()

    async def update_persistence(self) -> None:
        """PTB's round (what was touched since the last one), as ONE transaction. PTB's own
        round makes a task per user, chat and conversation touched and deep-copies each
        user's data; that bookkeeping cost more than the write (bench/updates.py)."""
        persistence = self.persistence
        if not isinstance(persistence, SQLPersistence):
            await super().update_persistence()
            return
        try:
            self._stage_round(persistence)
            await persistence.write_staged()
        except Exception as error:  # noqa: BLE001 - PTB reports persistence errors this way too
            await self.process_error(update=None, error=error)

    def _stage_round(self, persistence: SQLPersistence) -> None:
        # What PTB's Application.__update_persistence collects (PTB 22), staged synchronously.
        chats, self._chat_ids_to_be_updated_in_persistence = (
            self._chat_ids_to_be_updated_in_persistence, set(),
        )  # fmt: skip
        dropped_chats, self._chat_ids_to_be_deleted_in_persistence = (
            self._chat_ids_to_be_deleted_in_persistence, set(),
        )  # fmt: skip
        users, self._user_ids_to_be_updated_in_persistence = (
            self._user_ids_to_be_updated_in_persistence, set(),
        )  # fmt: skip
        dropped_users, self._user_ids_to_be_deleted_in_persistence = (
            self._user_ids_to_be_deleted_in_persistence, set(),
        )  # fmt: skip
        for chat_id in chats - dropped_chats:
            persistence.stage(CHAT, str(chat_id), self.chat_data[chat_id])
        for chat_id in dropped_chats:
            persistence.stage_drop(CHAT, str(chat_id))
        for user_id in users - dropped_users:
            persistence.stage(USER, str(user_id), self.user_data[user_id])
        for user_id in dropped_users:
            persistence.stage_drop(USER, str(user_id))
        for name, states in self._conversation_handler_conversations.items():
            for key, new_state in states.pop_accessed_write_items():
                if isinstance(new_state, PendingState):  # a non-blocking handler still running
                    if new_state.done():
                        state = new_state.resolve()
                    else:
                        state = new_state.old_state  # the best guess; looked at again next round
                        states.mark_as_accessed(key)
                else:
                    state = new_state
                persistence.stage_conversation(
                    name, key, None if state is TrackingDict.DELETED else state
                )


def build_application(
    settings: Settings,
    *,
    database: Database,
    token: str,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    knowledge: Knowledge | None = None,
    persistence: bool = True,
    pace: Pace | None = None,
    notify_in_background: bool = False,
    update_processor: BaseUpdateProcessor | None = None,
) -> StationApp:
    """Build the bot. `request` replaces the network (the offline Telegram for console/tests).

    `pace` replaces Telegram's 30 messages a second (`bench/updates.py` lifts it to measure our
    own cost per update rather than the deliberate wait).

    Updates from the queue (polling, the webhook) are processed concurrently, one person's in
    order (bot/update_order.py). With `notify_in_background` (`run` and `webhook`), the outbox
    sends notifications as tasks of their own instead of making the handler wait for them
    (and their retries); `stop()` waits for those still going. Tests and the console feed
    `process_update` directly and keep inline notifications, so what a test asserts has been
    sent has been sent."""
    clock = clock or SystemClock(settings.zone)
    knowledge = knowledge or load_knowledge(_knowledge_dir(settings))
    builder = (
        ApplicationBuilder()
        .application_class(StationApplication)
        .token(token)
        .base_url(settings.api_url)
        .base_file_url(settings.base_file_url)  # downloads follow a local Bot API server too
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.zone))
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .post_init(on_startup)
        .rate_limiter(pace or Pace())  # every call with a chat shares one pace (handlers/pace.py)
        .concurrent_updates(update_processor or PerPersonOrder())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request).updater(None)
    if persistence:
        builder = builder.persistence(SQLPersistence(database, update_interval=2))
    else:
        # Conversations are persistent, so PTB needs some persistence; a one-off process (the
        # `remind` command) gets one that keeps nothing, so it never overwrites the running
        # bot's conversation state in the shared database.
        builder = builder.persistence(
            DictPersistence(store_data=PersistenceInput(bot_data=False, callback_data=False))
        )
    app: StationApp = builder.build()
    data: BotData = app.bot_data
    data.uow = database.uow
    data.clock = clock
    data.admin_ids = settings.admins
    data.draft_idle = timedelta(minutes=settings.draft_idle_minutes)
    data.work_draft_idle = timedelta(hours=settings.work_draft_idle_hours)
    data.translator = Translator()
    data.knowledge = knowledge
    data.outbox = Outbox(
        app.bot,
        database.uow,
        clock.now,
        data.translator,
        spawn=app.create_task if notify_in_background else None,
    )
    data.extras["database"] = database
    data.extras["media_dir"] = settings.media_path  # evidence copies, read into the 台账 pack
    handlers.register(app)
    return app


def _knowledge_dir(settings: Settings) -> Any:
    from pathlib import Path

    return Path(settings.knowledge_dir) if settings.knowledge_dir else None


async def on_startup(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """PTB runs this itself under run_polling/run_webhook; console and tests call it."""
    data: BotData = app.bot_data
    data.bot_username = app.bot.username
    async with data.uow() as uow:
        await sync_stations(uow, data.knowledge.stations)
    # The first question of the day should not wait for the matcher's dictionaries to load.
    data.knowledge.faq.matcher.warm()
    for language in ("zh", "en"):
        commands = handlers.bot_commands(data.translator, language, data.available_commands)
        await app.bot.set_my_commands(commands, language_code=language)
    # Telegram shows the default list to everyone whose language has none of its own.
    await app.bot.set_my_commands(
        handlers.bot_commands(data.translator, "zh", data.available_commands)
    )
    # Each staff member's own "/" menu (their roles, their language); residents keep the default.
    await set_staff_commands(app.bot, data)


__all__ = ["StationApp", "Update", "build_application"]
