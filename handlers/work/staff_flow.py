"""The step plumbing `/log` and `/supervise` share: starting a draft in
`context.user_data[key]`, the station step, the date step (today / yesterday / a calendar of
the open window, or a typed date), Back, Cancel, and a re-ask for anything unexpected.

Each journey builds one `StepFlow` with what differs (its key, which doubles as the
callback prefix, its `ask` and `steps` functions, its STATION, DATE and DAY states, which
stations a person may enter for, the steps that take typed text, and the "you are in the
middle of ..." sentence) and keeps its own steps.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.kit.context import Context, Speaker, speaker
from handlers.kit.i18n import Gettext
from handlers.kit.work_steps import date_problem, show
from services.entry_window import check_entry_date, parse_entry_date
from services.errors import InvalidValue

Draft = dict[str, Any]
Handlers = list[BaseHandler[Update, Context, Any]]
TEXT = filters.TEXT & ~filters.COMMAND


class Ask(Protocol):
    def __call__(
        self,
        update: Update,
        context: Context,
        who: Speaker,
        step: int,
        problem: str | None = None,
    ) -> Awaitable[int]: ...


def value(update: Update) -> str:
    """What a `prefix:kind:value` button carries."""
    query = update.callback_query
    assert query is not None and query.data is not None
    return query.data.split(":", 2)[2]


def typed(update: Update) -> str:
    message = update.effective_message
    return (message.text if message is not None else None) or ""


def local_today(context: Context) -> date:
    data = context.bot_data
    return data.clock.now().astimezone(data.clock.zone).date()


@dataclass(frozen=True)
class StepFlow:
    key: str
    ask: Ask
    steps: Callable[[Context, Draft], list[int]]
    station_step: int
    date_step: int
    day_step: int
    stations: Callable[[Speaker], frozenset[str]]  # the stations this person enters for
    typed_steps: frozenset[int]
    default_step: int
    busy: Callable[[Gettext], str]  # "You are in the middle of ...", for a stray command

    # --- the draft ----------------------------------------------------------------------------
    def draft(self, context: Context) -> Draft:
        assert context.user_data is not None
        draft: Draft = context.user_data.setdefault(self.key, {})
        return draft

    def drop(self, context: Context) -> None:
        if context.user_data is not None:
            context.user_data.pop(self.key, None)

    def next_step(self, context: Context, draft: Draft, step: int) -> int:
        """The step after `step`. States are numbered in journey order, so this holds even
        when `step` is not among the draft's steps (a draft whose flags were cleared)."""
        return next(s for s in self.steps(context, draft) if s > step)

    def previous_step(self, context: Context, draft: Draft) -> int:
        steps = self.steps(context, draft)
        step = draft.get("step", self.default_step)
        index = steps.index(step) if step in steps else 1
        return steps[max(0, index - 1)]

    # --- the start and the station step -------------------------------------------------------
    async def start(self, update: Update, context: Context, who: Speaker, refusal: str) -> int:
        """A fresh draft with a token (so Save saves once); the station is asked only of
        someone with several, else the step after it comes first. `refusal` if none."""
        stations = sorted(self.stations(who))
        if not stations:
            await show(update, refusal)
            return ConversationHandler.END
        assert context.user_data is not None
        draft: Draft = {"token": uuid.uuid4().hex, "several_stations": len(stations) > 1}
        if len(stations) == 1:
            draft["station"] = stations[0]
        context.user_data[self.key] = draft
        steps = self.steps(context, draft)
        return await self.ask(update, context, who, steps[0])

    async def on_station(self, update: Update, context: Context) -> int:
        who = await speaker(update, context)
        _ = who.gettext
        code = value(update)
        if code not in self.stations(who):
            # A forged or outdated button: say nothing about that station, ask again.
            problem = _("Please choose one of your stations.")
            return await self.ask(update, context, who, self.station_step, problem)
        draft = self.draft(context)
        draft["station"] = code
        return await self.ask(
            update, context, who, self.next_step(context, draft, self.station_step)
        )

    async def on_back(self, update: Update, context: Context) -> int:
        who = await speaker(update, context)
        previous = self.previous_step(context, self.draft(context))
        return await self.ask(update, context, who, previous)

    # --- the date step ------------------------------------------------------------------------
    async def set_date(
        self, update: Update, context: Context, who: Speaker, day: date, step: int
    ) -> int:
        draft = self.draft(context)
        draft["date"] = day.isoformat()
        return await self.ask(update, context, who, self.next_step(context, draft, step))

    async def date_refused(
        self, update: Update, context: Context, who: Speaker, problem: InvalidValue
    ) -> int:
        """The service refused the day (it left the window overnight, say): ask it again."""
        self.draft(context)["picked"] = False
        reason = date_problem(who.gettext, problem.reason, local_today(context))
        return await self.ask(update, context, who, self.date_step, reason)

    async def on_date(self, update: Update, context: Context) -> int:
        who = await speaker(update, context)
        draft = self.draft(context)
        choice = value(update)
        now = local_today(context)
        if choice == "pick":
            draft["picked"] = True
            draft.pop("calendar", None)
            return await self.ask(update, context, who, self.day_step)
        draft["picked"] = False
        day = now if choice == "today" else now - timedelta(days=1)
        try:
            check_entry_date(day, now)
        except InvalidValue as problem:
            reason = date_problem(who.gettext, problem.reason, now)
            return await self.ask(update, context, who, self.date_step, reason)
        draft["step"] = self.date_step
        return await self.set_date(update, context, who, day, self.date_step)

    async def on_calendar(self, update: Update, context: Context) -> int:
        who = await speaker(update, context)
        self.draft(context)["calendar"] = value(update)
        return await self.ask(update, context, who, self.day_step)

    async def on_day(self, update: Update, context: Context) -> int:
        who = await speaker(update, context)
        now = local_today(context)
        try:
            day = check_entry_date(date.fromisoformat(value(update)), now)
        except ValueError:
            return await self.ask(update, context, who, self.day_step)
        except InvalidValue as problem:
            reason = date_problem(who.gettext, problem.reason, now)
            return await self.ask(update, context, who, self.day_step, reason)
        return await self.set_date(update, context, who, day, self.day_step)

    async def on_typed_date(self, update: Update, context: Context) -> int:
        who = await speaker(update, context)
        draft = self.draft(context)
        step = draft.get("step", self.date_step)
        now = local_today(context)
        try:
            day = parse_entry_date(typed(update), now)
        except InvalidValue as problem:
            reason = date_problem(who.gettext, problem.reason, now)
            return await self.ask(update, context, who, step, reason)
        if step == self.date_step:
            draft["picked"] = False
        return await self.set_date(update, context, who, day, step)

    # --- cancel, and anything unexpected ------------------------------------------------------
    async def cancel(self, update: Update, context: Context) -> int:
        who = await speaker(update, context)
        _ = who.gettext
        self.drop(context)
        await show(update, _("Cancelled. Nothing was saved."))
        return ConversationHandler.END

    async def reask(self, update: Update, context: Context) -> int:
        """Text where a button is expected, a photo, a sticker, another command: ask again."""
        who = await speaker(update, context)
        _ = who.gettext
        step = self.draft(context).get("step", self.default_step)
        message = update.effective_message
        if message is not None and message.text and message.text.startswith("/"):
            problem = self.busy(_)
        elif step in self.typed_steps:
            problem = _("Please type your answer as text, or use the buttons.")
        else:
            problem = _("Please choose one of the buttons.")
        return await self.ask(update, context, who, step, problem)

    async def stale_step(self, update: Update, context: Context) -> None:
        """A button of this journey from an earlier screen: it no longer applies."""
        who = await speaker(update, context)
        _ = who.gettext
        query = update.callback_query
        assert query is not None
        await query.answer(_("That button belongs to an earlier step."), show_alert=True)

    # --- wiring -------------------------------------------------------------------------------
    def state(
        self,
        on_back: Callable[[Update, Context], Awaitable[int]],
        *handlers: BaseHandler[Update, Context, Any],
    ) -> Handlers:
        """A state's own handlers, then Back, Cancel, /cancel and the re-ask for the rest."""
        return [
            *handlers,
            CallbackQueryHandler(on_back, pattern=rf"^{self.key}:back$"),
            CallbackQueryHandler(self.cancel, pattern=rf"^{self.key}:cancel$"),
            CommandHandler("cancel", self.cancel),
            MessageHandler(filters.ALL, self.reask),
        ]

    def date_states(
        self, on_back: Callable[[Update, Context], Awaitable[int]]
    ) -> dict[int, Handlers]:
        """The DATE and DAY states: the three date buttons, the calendar, or a typed date."""
        prefix = self.key
        return {
            self.date_step: self.state(
                on_back,
                CallbackQueryHandler(
                    self.on_date, pattern=rf"^{prefix}:date:(today|yesterday|pick)$"
                ),
                MessageHandler(TEXT, self.on_typed_date),
            ),
            self.day_step: self.state(
                on_back,
                CallbackQueryHandler(self.on_day, pattern=rf"^{prefix}:day:"),
                CallbackQueryHandler(self.on_calendar, pattern=rf"^{prefix}:cal:"),
                MessageHandler(TEXT, self.on_typed_date),
            ),
        }
