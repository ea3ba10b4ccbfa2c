"""The one door every notification, reminder and broadcast leaves through.

Replies to the person who just wrote go straight back through PTB; anything sent to someone
else (a worker told of a new request, a resident told their request was accepted, reminders,
broadcasts) goes through here, so pacing, retries and "they blocked the bot" are handled once.

Two ways in:
- `send` / `send_many`: notifications composed now (already translated for the recipient);
- `deliver_pending`: messages planned in the delivery ledger (`services.delivery`), rendered
  at send time in the recipient's language by the renderer registered for their `kind`.

The policy (README, "Reminders and delivery"):
- pace: the bot's `Pace` rate limiter (handlers/pace.py) keeps every call under 30 a second,
  and `send_many` / `deliver_pending` keep one second between messages to the same chat.
  Several sends are in flight at once (`concurrency`), because one send takes a round trip
  and 30 a second one after the other would need each to take under 33 ms;
- 429 `RetryAfter`: the limiter waits as told and sends again;
- 403 `Forbidden`: the person blocked the bot; they are marked unreachable and nothing more
  is sent to them (the ledger's later rows for them are marked unreachable unsent);
- network errors and 5xx: retried after `retry_delays` (1 s, 5 s, 15 s), then `failed`;
- `TimedOut`: the message may have arrived (Telegram has no idempotency key), so it is not
  retried at once: the ledger row is `unknown` and retried ONCE after 10 minutes;
- 400 (bad markup, chat not found): `failed` at once; trying again would fail the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut
from telegram.ext import ExtBot

from db.uow import UnitOfWork, UowFactory
from handlers.delivery.pace import BULK, NOTICE, Pace
from handlers.kit.i18n import Gettext, Translator
from services import delivery, people
from services.delivery import PendingDelivery

log = logging.getLogger(__name__)

# (planned message, gettext in the recipient's language, that language) → (text, buttons)
Renderer = Callable[[PendingDelivery, Gettext, str], tuple[str, InlineKeyboardMarkup | None]]

SENT, UNREACHABLE, UNKNOWN, FAILED = "sent", "unreachable", "unknown", "failed"
RETRY_DELAYS = (1.0, 5.0, 15.0)
CONCURRENCY = 8
BATCH = 500
T = TypeVar("T")


@dataclass(frozen=True)
class OutgoingMessage:
    chat_id: int
    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    # Without sound (`disable_notification`)? None: the outbox's `quiet` policy decides.
    silent: bool | None = None
    # What it is about ("request:17", "application:3", "question:5"): /forget blanks the
    # ledger's copy of messages about what it erases (services.delivery.blank_composed).
    about: str | None = None


@dataclass
class SendReport:
    sent: int = 0
    unreachable: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # timed out: may or may not have arrived
    skipped: int = 0  # ledger rows someone else (another process) took first


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | unreachable | unknown | failed
    error: str | None = None


def render_message(
    item: PendingDelivery, _: Gettext, language: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A `message` row: composed (and translated) when it was put into the ledger."""
    markup = item.payload.get("markup")
    return str(item.payload["text"]), InlineKeyboardMarkup.de_json(markup, None) if markup else None


class Outbox:
    def __init__(
        self,
        bot: Bot,
        uow: UowFactory,
        now: Callable[[], datetime],
        translator: Translator,
        *,
        concurrency: int = CONCURRENCY,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        spawn: Callable[[Coroutine[Any, Any, Any]], object] | None = None,
    ) -> None:
        self.bot = bot
        self.uow = uow
        self.now = now
        self.translator = translator
        self.renderers: dict[str, Renderer] = {delivery.MESSAGE: render_message}
        self.concurrency = concurrency
        self.retry_delays = tuple(retry_delays)
        # With `spawn` (the application's create_task), `send` and `send_many` start the
        # sending as a task of its own and return at once: the handler, and the person it
        # answers, never wait for another person's chat, its retries or the pace.
        self.spawn = spawn
        limiter = bot.rate_limiter if isinstance(bot, ExtBot) else None
        # Without the bot's own limiter (a bare Bot), the outbox paces its own sends.
        self._own_pace = None if isinstance(limiter, Pace) else Pace()
        # The sends overlap; the ledger writes between them take turns. They are short, and
        # one at a time keeps SQLite free of writer contention (and the tests' one shared
        # in-memory connection free of interleaved transactions).
        self._ledger_lock = asyncio.Lock()
        self._stopping = False
        # `quiet(now, urgent)`: whether a notification goes without sound at `now` (set by
        # handlers.delivery.reminders from services.reminders.silent; none: always rings).
        self.quiet: Callable[[datetime, bool], bool] | None = None

    def is_silent(self, explicit: object, urgent: object = False) -> bool:
        """A message's own `silent` flag (a ledger payload's or an OutgoingMessage's), else the
        quiet-hours policy: ordinary messages at night go without sound, urgent ones ring."""
        if isinstance(explicit, bool):
            return explicit
        return self.quiet is not None and self.quiet(self.now(), bool(urgent))

    @contextlib.asynccontextmanager
    async def _unit(self) -> AsyncIterator[UnitOfWork]:
        async with self._ledger_lock, self.uow() as uow:
            yield uow

    @property
    def pace(self) -> Pace:
        if self._own_pace is not None:
            return self._own_pace
        assert isinstance(self.bot, ExtBot) and isinstance(self.bot.rate_limiter, Pace)
        return self.bot.rate_limiter

    def stop_claiming(self) -> None:
        """Shutting down (SIGTERM): finish and mark the sends in flight, claim no more rows, so
        nothing is left `unknown` and the next run sends the rest."""
        self._stopping = True

    def register_renderer(self, kind: str, renderer: Renderer) -> None:
        self.renderers[kind] = renderer

    # --- one message, with the retry policy ------------------------------------------------
    async def _deliver(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
        *,
        bulk: bool,
        silent: bool = False,
        notice: bool = False,
    ) -> Outcome:
        async def post() -> None:
            """One attempt: after our own pace's slot, or through the limiter (bulk)."""
            if self._own_pace is not None:
                await self._own_pace.acquire(chat_id, bulk=bulk, notice=notice)
            elif bulk:
                assert isinstance(self.bot, ExtBot)  # the limiter (checked in __init__) is ExtBot's
                await self.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    reply_markup=markup,
                    rate_limit_args=NOTICE if notice else BULK,
                    disable_notification=silent,
                )
                return
            await self.bot.send_message(
                chat_id=chat_id, text=text, reply_markup=markup, disable_notification=silent
            )

        delays = iter(self.retry_delays)
        while True:
            try:
                await post()
                return Outcome(SENT)
            except Forbidden:
                return Outcome(UNREACHABLE, "forbidden")
            except TimedOut:  # before NetworkError: TimedOut is one
                return Outcome(UNKNOWN, "timed_out")
            except BadRequest as error:
                log.warning("message refused: %s", error.message)
                return Outcome(FAILED, "bad_request")
            except NetworkError as error:  # 5xx and connection failures
                delay = next(delays, None)
                if delay is None:
                    return Outcome(FAILED, f"network: {error.message}"[:200])
                await self.pace.timer.sleep(delay)
            except TelegramError as error:  # RetryAfter beyond the limiter's patience, …
                return Outcome(FAILED, type(error).__name__)

    # --- notifications composed now ---------------------------------------------------------
    async def send(self, message: OutgoingMessage) -> bool:
        """Send one notification now. Returns False (and records why) when it did not go.
        In the background (`spawn`), returns True once it is in the ledger (see `send_many`)."""
        if self.spawn is not None:
            keys = await self._ledger([message])
            self.spawn(self.deliver_pending(keys, bulk=False))
            return True
        report = await self._send_all([message], bulk=False)
        return report.sent == 1

    async def send_many(self, messages: Sequence[OutgoingMessage]) -> SendReport:
        """A batch, several in flight, one second apart per chat.

        In the background (`spawn`, what `run` does), the messages are first committed to the
        delivery ledger (kind `message`), then sent from it by a task of their own, and an
        empty report comes back at once: a kill -9 before the send leaves them planned, and
        the next start's minute tick sends each once (one in flight at the kill is `unknown`
        and retried once, as every ledger row). Inline (tests, the console), they are sent
        before returning and not ledgered: a timed-out one is reported `unknown`."""
        if self.spawn is not None:
            keys = await self._ledger(messages)
            self.spawn(self.deliver_pending(keys, notice=True))
            return SendReport()
        return await self._send_all(messages, bulk=True)

    async def _ledger(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        planned = [
            delivery.PlannedMessage(
                kind=delivery.MESSAGE,
                period=m.about or "-",
                occasion=uuid.uuid4().hex,  # each message is its own: nothing to deduplicate
                recipient_tg_id=m.chat_id,
                station_code=None,
                payload={
                    "text": m.text,
                    "markup": m.reply_markup.to_dict() if m.reply_markup else None,
                    "silent": m.silent,
                },
            )
            for m in messages
        ]
        if planned:
            async with self._unit() as uow:
                await delivery.plan(uow, messages=planned, now=self.now())
        return [m.key for m in planned]

    async def _send_all(self, messages: Sequence[OutgoingMessage], *, bulk: bool) -> SendReport:
        report = SendReport()
        if not messages:
            return report
        async with self._unit() as uow:
            blocked = await delivery.unreachable_among(uow, (m.chat_id for m in messages))

        async def one(message: OutgoingMessage) -> None:
            if message.chat_id in blocked:
                report.unreachable.append(message.chat_id)
                return
            outcome = await self._deliver(
                message.chat_id,
                message.text,
                message.reply_markup,
                bulk=bulk,
                silent=self.is_silent(message.silent),
            )
            if outcome.status == SENT:
                report.sent += 1
            elif outcome.status == UNREACHABLE:
                blocked.add(message.chat_id)
                report.unreachable.append(message.chat_id)
                async with self._unit() as uow:
                    await delivery.mark_unreachable(uow, tg_id=message.chat_id, now=self.now())
            elif outcome.status == UNKNOWN:
                report.unknown.append(message.chat_id)
            else:
                log.warning("notification failed: %s", outcome.error)
                report.failed.append(message.chat_id)

        await self._run_all(messages, one)
        return report

    async def _run_all(self, items: Sequence[T], job: Callable[[T], Awaitable[None]]) -> None:
        """Run `job` on every item, at most `concurrency` in flight, in the items' order."""
        queue: asyncio.Queue[T] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while not queue.empty():
                await job(queue.get_nowait())

        workers = min(self.concurrency, len(items))
        if workers == 1:
            await worker()
            return
        async with asyncio.TaskGroup() as group:  # one failing worker stops the others
            for _ in range(workers):
                group.create_task(worker())

    # --- the ledger ------------------------------------------------------------------------
    async def deliver_soon(self, keys: Sequence[str]) -> None:
        """Deliver these ledger rows now: in the background when the outbox sends in the
        background (so a person's own answer never waits on another chat's retries), else
        before returning (the tests and the console, so what they assert was sent, was sent).
        Rows a stop leaves planned go out with the next minute's tick."""
        if not self.start_in_background(keys):
            await self.deliver_pending(keys, notice=True)

    def start_in_background(self, keys: Sequence[str]) -> bool:
        """`deliver_soon` when the outbox sends in the background: started now, without an
        await, so the notices queue at the pace with the person's own reply instead of after
        it. False when it sends inline (then call `deliver_soon` after the reply)."""
        if self.spawn is None:
            return False
        self.spawn(self.deliver_pending(keys, notice=True))
        return True

    async def deliver_pending(
        self, keys: Sequence[str] | None = None, *, bulk: bool = True, notice: bool = False
    ) -> SendReport:
        """Send what the ledger says is due (only the rows with `keys`, when given), marking
        each row as it goes. `bulk=False`: one notification of `send`, not held one second
        behind an earlier message to the same chat; `notice=True`: what one person's action
        just planned (a new request to the station's workers), which goes before reminders
        and broadcasts waiting for the same slot (after replies).

        Each row is claimed (committed as in flight) before its send and marked after, so a
        restart halfway resends nothing that went and loses nothing that did not.
        """
        report = SendReport()
        seen: set[int] = set()
        blocked: set[int] = set()
        while not self._stopping:
            async with self._unit() as uow:
                due = await delivery.pending(uow, now=self.now(), limit=BATCH, keys=keys)
                fresh = [d for d in due if d.id not in seen]
                languages = await people.languages_of(uow, (d.recipient_tg_id for d in fresh))
            if not fresh:
                return report
            seen.update(d.id for d in fresh)
            await self._run_all(
                fresh,
                functools.partial(self._deliver_row, languages, blocked, report, bulk, notice),
            )
        return report

    async def _deliver_row(
        self,
        languages: dict[int, str],
        blocked: set[int],
        report: SendReport,
        bulk: bool,
        notice: bool,
        item: PendingDelivery,
    ) -> None:
        renderer = self.renderers.get(item.kind)
        if renderer is None:
            log.error("no renderer for delivery kind %s", item.kind)
            return
        if self._stopping:
            report.skipped += 1  # left pending for the next run
            return
        async with self._unit() as uow:
            if not await delivery.claim(uow, item=item, now=self.now()):
                report.skipped += 1
                return
        chat_id = item.recipient_tg_id
        if chat_id in blocked:
            await self._mark(item, Outcome(UNREACHABLE, "blocked"))
            report.unreachable.append(chat_id)
            return
        language = languages.get(chat_id, "zh")
        try:
            text, markup = renderer(item, self.translator.for_language(language), language)
        except Exception as error:  # a bad payload fails its row, not the run
            log.exception("renderer for %s failed", item.kind)
            await self._mark(item, Outcome(FAILED, f"render: {type(error).__name__}"))
            report.failed.append(chat_id)
            return
        silent = self.is_silent(item.payload.get("silent"), item.payload.get("urgent"))
        outcome = await self._deliver(
            chat_id, text, markup, bulk=bulk, silent=silent, notice=notice
        )
        await self._mark(item, outcome)
        if outcome.status == SENT:
            report.sent += 1
        elif outcome.status == UNREACHABLE:
            blocked.add(chat_id)
            report.unreachable.append(chat_id)
        elif outcome.status == UNKNOWN:
            report.unknown.append(chat_id)
        else:
            report.failed.append(chat_id)

    async def _mark(self, item: PendingDelivery, outcome: Outcome) -> None:
        now = self.now()
        next_attempt_at = None
        if outcome.status == UNKNOWN and not item.is_retry:
            next_attempt_at = now + delivery.UNKNOWN_RETRY_AFTER
        async with self._unit() as uow:
            await delivery.mark(
                uow,
                delivery_id=item.id,
                status=outcome.status,
                now=now,
                error=outcome.error,
                next_attempt_at=next_attempt_at,
                count_attempt=False,
            )
