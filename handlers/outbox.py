"""The one door every notification and reminder leaves through.

Replies to the person who just wrote go straight back through PTB; anything sent to someone
else (a worker told of a new request, a resident told their request was accepted, reminders,
broadcasts) goes through here, so pacing, retries and "they blocked the bot" are handled once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from db.uow import UowFactory
from services import delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    chat_id: int
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


@dataclass
class SendReport:
    sent: int = 0
    unreachable: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


class Outbox:
    def __init__(self, bot: Bot, uow: UowFactory, now: Callable[[], datetime]) -> None:
        self.bot = bot
        self.uow = uow
        self.now = now

    async def send(self, message: OutgoingMessage) -> bool:
        """Send one notification now. Returns False (and records why) when it did not go."""
        report = await self.send_many([message])
        return report.sent == 1

    async def send_many(self, messages: Sequence[OutgoingMessage]) -> SendReport:
        report = SendReport()
        for message in messages:
            try:
                await self.bot.send_message(
                    chat_id=message.chat_id, text=message.text, reply_markup=message.reply_markup
                )
                report.sent += 1
            except Forbidden:
                report.unreachable.append(message.chat_id)
                async with self.uow() as uow:
                    await delivery.mark_unreachable(uow, tg_id=message.chat_id, now=self.now())
            except TelegramError as error:
                log.warning("notification failed: %s", type(error).__name__)
                report.failed.append(message.chat_id)
        return report
