"""The per-update context: `BotData` (what `bot/` fills in at start; handlers never import
`bot/`) and `Context`, PTB's `CallbackContext` with the person resolved once per update.

    who = await context.person(update)   # Speaker: tg id, language, gettext, roles/stations
    press = context.press(update)        # the parsed `prefix:kind:args` of the pressed button

`bot/application.py` installs `Context` with `ContextTypes(context=Context, bot_data=BotData)`,
and PTB builds one context per update, so `person` asks the database once per update. After a
handler changes the person (language, roles), `context.forget_person()` makes the next call
read them again. `speaker(update, context)` is the older spelling of `context.person(update)`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import CallbackContext, ExtBot

from db.uow import UnitOfWork, UowFactory
from handlers.kit.callbacks import Press, pressed
from handlers.kit.i18n import Gettext, Translator
from knowledge.bundle import Knowledge
from knowledge.matcher import MatchResult
from services import people
from services.errors import NotFound
from services.people import Access

if TYPE_CHECKING:
    from handlers.delivery.outbox import Outbox


class Clock(Protocol):
    zone: ZoneInfo

    def now(self) -> datetime: ...


P = ParamSpec("P")
T = TypeVar("T")


class BotData:
    """Runtime services for handlers. Not persisted (it holds connections, not data)."""

    uow: UowFactory
    clock: Clock
    admin_ids: frozenset[int]
    draft_idle: timedelta
    work_draft_idle: timedelta
    translator: Translator
    knowledge: Knowledge
    outbox: Outbox
    bot_username: str
    available_commands: set[str]

    def __init__(self) -> None:
        self.admin_ids = frozenset()
        # A Flow's draft idle this long is put aside (STATIONBOT_DRAFT_IDLE_MINUTES).
        self.draft_idle = timedelta(minutes=120)
        # A Flow declared `idle=WORK_IDLE` (the staff's record forms): this long
        # (STATIONBOT_WORK_DRAFT_IDLE_HOURS).
        self.work_draft_idle = timedelta(days=7)
        self.available_commands = set()
        self.bot_username = ""
        self.extras: dict[str, Any] = {}
        self.show_menu: ShowMenu = _no_menu  # set by `handlers.people.register(app)`
        # What text typed outside any conversation becomes (a question): set by
        # `handlers.questions.register(app)`, called by people's last-resort fallback.
        self.on_free_text: UpdateCallback = _nothing
        # A question typed mid-form (at a step that does not take free text): answered as
        # outside any form, True if it was. Set by `handlers.questions.register(app)`; None:
        # the kit's plain answer (`flow.plain_answer`).
        self.answer_in_form: AnswerInForm | None = None

    async def use_case(
        self,
        call: Callable[Concatenate[UnitOfWork, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """One use case in a unit of work of its own (the service commits; else it rolls back)."""
        async with self.uow() as uow:
            return await call(uow, *args, **kwargs)


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """PTB's context, plus the person and the press, each worked out once per update."""

    def __init__(self, application: Any, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id, user_id)
        self._person: Speaker | None = None
        self._press: Press | None = None
        # Set by a handler that answered the press and said something of its own: what the
        # Flow shows next in this update comes as a new message (see `Flow.ask`).
        self.anew = False
        # (flow key, step name) of the step a Flow showed last in this update (`Flow.ask`):
        # a handler or `finish` that showed a step itself (under its own problem) and returns
        # that step's state is not shown it again, plainly, by `Flow.go`.
        self.shown: tuple[str, str] | None = None

    async def person(self, update: Update) -> Speaker:
        """Who sent this update (created on first contact); asked of the database once."""
        if self._person is None or self._person.tg_id != _user_id(update):
            self._person = await _resolve(update, self)
        return self._person

    def forget_person(self) -> None:
        self._person = None

    def press(self, update: Update) -> Press | None:
        if self._press is None:
            self._press = pressed(update)
        return self._press

    def button(self, update: Update) -> tuple[CallbackQuery, Press]:
        """The pressed button's query and its data, for a handler only a button reaches."""
        query, press = update.callback_query, self.press(update)
        assert query is not None and press is not None
        return query, press

    def found_id(self, update: Update, what: str) -> int:
        """The pressed button's id; `NotFound(what)` when it carries none (a forged button), so
        the handler's "I could not find it" answers both."""
        found = self.pressed_id(update)
        if found is None:
            raise NotFound(what)
        return found

    def pressed_id(self, update: Update, index: int = 0) -> int | None:
        """The pressed button's argument as a database id, or None (no button, or forged)."""
        press = self.press(update)
        return press.int_arg(index) if press is not None else None


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


ShowMenu = Callable[[Update, Context, Speaker], Awaitable[None]]
UpdateCallback = Callable[[Update, Context], Awaitable[None]]
AnswerInForm = Callable[[Update, Context, Speaker, str, MatchResult], Awaitable[bool]]


async def _no_menu(update: Update, context: Context, who: Speaker) -> None:
    return None


async def _nothing(update: Update, context: Context) -> None:
    return None


def _user_id(update: Update) -> int | None:
    user = update.effective_user
    return user.id if user is not None else None


async def speaker(update: Update, context: Context) -> Speaker:
    """Identify the person (creating them on first contact). Reads the database each time;
    the kit's flows use `context.person(update)`, which reads it once per update."""
    return await _resolve(update, context)


async def _resolve(update: Update, context: Context) -> Speaker:
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


def draft_in(context: Context, key: str) -> dict[str, Any]:
    """A conversation's JSON draft in `user_data[key]`, created empty when missing (the journeys
    not yet on the Flow; a `Flow` keeps its own with `Flow.draft`)."""
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(key, {})
    return draft


def clear_draft(context: Context, key: str) -> None:
    """Forget the conversation's draft in `user_data[key]`."""
    if context.user_data is not None:
        context.user_data.pop(key, None)
