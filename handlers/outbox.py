"""The one door every notification, reminder and broadcast leaves through.

Replies to the person who just wrote go straight back through PTB; anything sent to someone
else (a worker told of a new request, a resident told their request was accepted, reminders,
broadcasts) goes through here, so pacing, retries and "they blocked the bot" are handled once.

Two ways in:
- `send` / `send_many`: notifications composed now (already translated for the recipient);
- `deliver_pending`: messages planned in the delivery ledger (`services.delivery`), rendered
  at send time in the recipient's language by the renderer registered for their `kind`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from db.uow import UowFactory
from handlers.i18n import Gettext, Translator
from services import delivery, people
from services.delivery import PendingDelivery

log = logging.getLogger(__name__)

# (planned message, gettext in the recipient's language, that language) → (text, buttons)
Renderer = Callable[[PendingDelivery, Gettext, str], tuple[str, InlineKeyboardMarkup | None]]


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
    def __init__(
        self, bot: Bot, uow: UowFactory, now: Callable[[], datetime], translator: Translator
    ) -> None:
        self.bot = bot
        self.uow = uow
        self.now = now
        self.translator = translator
        self.renderers: dict[str, Renderer] = {}

    def register_renderer(self, kind: str, renderer: Renderer) -> None:
        self.renderers[kind] = renderer

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

    async def deliver_pending(self) -> SendReport:
        """Send what the ledger says is due, marking each row as it goes."""
        report = SendReport()
        async with self.uow() as uow:
            due = await delivery.pending(uow, now=self.now())
            languages = await people.languages_of(uow, (d.recipient_tg_id for d in due))
        for item in due:
            renderer = self.renderers.get(item.kind)
            if renderer is None:
                log.error("no renderer for delivery kind %s", item.kind)
                continue
            language = languages.get(item.recipient_tg_id, "zh")
            text, markup = renderer(item, self.translator.for_language(language), language)
            status, error = delivery.SENT, None
            try:
                await self.bot.send_message(
                    chat_id=item.recipient_tg_id, text=text, reply_markup=markup
                )
                report.sent += 1
            except Forbidden:
                status, error = delivery.UNREACHABLE, "forbidden"
                report.unreachable.append(item.recipient_tg_id)
            except TelegramError as failure:
                status, error = delivery.FAILED, type(failure).__name__
                report.failed.append(item.recipient_tg_id)
            async with self.uow() as uow:
                await delivery.mark(
                    uow, delivery_id=item.id, status=status, now=self.now(), error=error
                )
        return report
