"""What handlers find in `context.bot_data` at run time. `bot/` fills it in; handlers never
import `bot/`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackContext, ExtBot

from db.uow import UowFactory
from handlers.kit.i18n import Gettext, Translator
from knowledge.bundle import Knowledge
from services import people
from services.people import Access

if TYPE_CHECKING:
    from handlers.delivery.outbox import Outbox


class Clock(Protocol):
    zone: ZoneInfo

    def now(self) -> datetime: ...


class BotData:
    """Runtime services for handlers. Not persisted (it holds connections, not data)."""

    uow: UowFactory
    clock: Clock
    admin_ids: frozenset[int]
    translator: Translator
    knowledge: Knowledge
    outbox: Outbox
    bot_username: str
    available_commands: set[str]

    def __init__(self) -> None:
        self.admin_ids = frozenset()
        self.available_commands = set()
        self.bot_username = ""
        self.extras: dict[str, Any] = {}


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]


def bot_data(context: Context) -> BotData:
    return context.bot_data


@dataclass(frozen=True)
class Speaker:
    """The person behind this update: who they are, their roles, and their language."""

    access: Access
    gettext: Gettext

    @property
    def lang(self) -> str:
        return self.access.language

    @property
    def tg_id(self) -> int:
        return self.access.tg_id


async def speaker(update: Update, context: Context) -> Speaker:
    """Identify the person (creating them on first contact); every handler starts here."""
    data = context.bot_data
    user = update.effective_user
    if user is None:
        raise RuntimeError("update without a user")
    async with data.uow() as uow:
        access = await people.access_for(
            uow,
            tg_id=user.id,
            now=data.clock.now(),
            admin_ids=data.admin_ids,
            language_code=user.language_code,
            display_name=user.full_name,
        )
    if context.user_data is not None and context.user_data.get("lang") != access.language:
        context.user_data["lang"] = access.language  # lets the error handler speak without SQL
    return Speaker(access=access, gettext=data.translator.for_language(access.language))
