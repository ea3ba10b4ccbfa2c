"""The main menu and the command list, per role.

One table says which commands exist, who may use them and how they are described, so `/help`,
the menu buttons and Telegram's command menu (`set_my_commands`) can never disagree. A command
appears only once a journey has registered it (`BotData.available_commands`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import Forbidden, TelegramError

from handlers.kit.i18n import N_, Gettext, Translator
from handlers.kit.keyboards import grid
from services.people import ADMIN, STATION_HEAD, SUPERVISOR, WORKER, Access

EVERYONE = "everyone"
RESIDENT = "resident"  # people without a staff role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # msgid
    label: str  # msgid of the menu button
    roles: frozenset[str]
    in_menu: bool = True
    admin_label: str | None = None  # msgid of the button an administrator sees, if different


def _c(
    name: str,
    description: str,
    label: str,
    *roles: str,
    in_menu: bool = True,
    admin_label: str | None = None,
) -> Command:
    return Command(name, description, label, frozenset(roles), in_menu, admin_label)


COMMANDS: tuple[Command, ...] = (
    _c("request", N_("Request a service from your station"), N_("🙋 Request a service"), RESIDENT),
    _c("myrequests", N_("Follow your requests"), N_("📋 My requests"), RESIDENT),
    _c("ask", N_("Ask a question"), N_("💬 Ask a question"), EVERYONE),
    _c("volunteer", N_("Sign up as a volunteer"), N_("🤝 Volunteer"), RESIDENT),
    _c("inbox", N_("Your station's requests and questions"), N_("📥 Inbox"), WORKER, STATION_HEAD),
    _c("register", N_("Register a walk-in or phone request"), N_("📋 Register a request"), WORKER, STATION_HEAD),
    _c("cases", N_("Your open cases"), N_("📁 Cases"), WORKER, STATION_HEAD),
    _c("review", N_("Case records to sign off"), N_("🧭 Records to review"), SUPERVISOR),
    _c("log", N_("Log an activity"), N_("📝 Log an activity"), WORKER),
    _c("mylogs", N_("Your last activity logs"), N_("🗂 My logs"), WORKER),
    _c("stats", N_("Station figures"), N_("📊 Figures"), WORKER, STATION_HEAD, SUPERVISOR, ADMIN,
       admin_label=N_("📊 All stations' figures")),
    _c("activity", N_("Publish and run volunteer activities"), N_("🗓 Volunteer activities"), WORKER, STATION_HEAD),
    _c("myhours", N_("Your volunteer hours and certificate"), N_("⏱ My volunteer hours"), RESIDENT),
    _c("supervise", N_("Log a supervision session"), N_("🧭 Log supervision"), SUPERVISOR),
    _c("quota", N_("Supervision hours against the quota"), N_("⏱ Supervision quota"), SUPERVISOR, STATION_HEAD, ADMIN),
    _c("report", N_("Monthly and yearly reports"), N_("📈 Reports"), WORKER, STATION_HEAD, ADMIN),
    _c("evaluation", N_("Yearly evaluation and ranking"), N_("🏆 Evaluation"), ADMIN),
    _c("broadcast", N_("Send a message to many people"), N_("📣 Broadcast"), STATION_HEAD, ADMIN),
    _c("invite", N_("Invite a staff member"), N_("✉️ Invite staff"), ADMIN),
    _c("staff", N_("Staff by station"), N_("👥 Staff"), ADMIN),
    _c("kbgaps", N_("Questions the bot could not answer"), N_("🕳 Knowledge gaps"), ADMIN),
    _c("mydata", N_("Download the data we hold about you"), N_("📦 My data"), EVERYONE, in_menu=False),
    _c("forget", N_("Erase your personal data"), N_("🗑 Erase my data"), EVERYONE, in_menu=False),
    _c("privacy", N_("Privacy notice and consent"), N_("🔒 Privacy"), EVERYONE),
    _c("language", N_("Language / 语言"), N_("🌐 Language / 语言"), EVERYONE),
    _c("subscribe", N_("Receive broadcasts again"), N_("🔔 Subscribe"), EVERYONE, in_menu=False),
    _c("unsubscribe", N_("Stop receiving broadcasts"), N_("🔕 Unsubscribe"), EVERYONE, in_menu=False),
    _c("menu", N_("Main menu"), N_("🏠 Menu"), EVERYONE, in_menu=False),
    _c("help", N_("What I can do"), N_("❓ Help"), EVERYONE, in_menu=False),
    _c("cancel", N_("Stop what you are doing"), N_("✖ Cancel"), EVERYONE, in_menu=False),
    _c("start", N_("Start"), N_("Start"), EVERYONE, in_menu=False),
)  # fmt: skip

COMMAND_BY_NAME = {c.name: c for c in COMMANDS}


def role_keys(access: Access | None) -> frozenset[str]:
    """The roles a command table is matched against; `None` means an anonymous resident."""
    if access is None or not access.is_staff:
        return frozenset({EVERYONE, RESIDENT})
    return access.roles | {EVERYONE}


def commands_for(keys: Iterable[str], available: Iterable[str]) -> list[Command]:
    wanted, ready = set(keys), set(available)
    return [c for c in COMMANDS if c.name in ready and c.roles & wanted]


def main_menu(_: Gettext, access: Access, available: Iterable[str]) -> InlineKeyboardMarkup:
    items = [c for c in commands_for(role_keys(access), available) if c.in_menu]
    buttons = [
        InlineKeyboardButton(_(label(c, access)), callback_data=f"menu:{c.name}") for c in items
    ]
    return InlineKeyboardMarkup(grid(buttons, 2))


def label(command: Command, access: Access) -> str:
    """The button's msgid: an administrator sees every station, so some buttons say so."""
    if access.is_admin and command.admin_label is not None:
        return command.admin_label
    return command.label


def allowed(access: Access, command: str) -> bool:
    """Resident journeys are open to everyone (staff are residents too); staff ones are not."""
    spec = COMMAND_BY_NAME.get(command)
    if spec is None:
        return False
    return bool(spec.roles & (role_keys(access) | {RESIDENT}))


def chat_commands(_: Gettext, access: Access, available: Iterable[str]) -> list[BotCommand]:
    """A staff member's own "/" menu: every command of their roles, in their language."""
    return [
        BotCommand(c.name, _(c.description))
        for c in commands_for(role_keys(access), available)
        if c.name != "start"
    ]


async def set_chat_commands(
    bot: Bot,
    translator: Translator,
    access: Access,
    available: Iterable[str],
    *,
    blocked: Callable[[], Awaitable[object]] | None = None,
) -> bool:
    """Telegram's "/" menu for this one chat (`BotCommandScopeChat`): staff get their roles'
    commands in their language; a person with no staff role left gets the chat scope deleted,
    so the default (resident) menu applies again. False when Telegram refused; when it said
    the person blocked the bot (403), `blocked` is awaited (the caller marks them unreachable,
    so nothing is tried on that chat again until they write)."""
    scope = BotCommandScopeChat(access.tg_id)
    try:
        if access.is_staff:
            _ = translator.for_language(access.language)
            await bot.set_my_commands(chat_commands(_, access, available), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except Forbidden:
        log.info("commands for chat %s not set: the bot is blocked", access.tg_id)
        if blocked is not None:
            await blocked()
        return False
    except TelegramError as problem:
        log.warning("commands for chat %s not set: %s", access.tg_id, problem)
        return False
    return True
