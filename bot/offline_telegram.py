"""An offline Telegram: the Bot API answered in-process, for `stationbot console` and tests.

It plays Telegram's part faithfully enough that a bug which real Telegram would refuse is
refused here too: empty or overlong text, callback_data over 64 bytes, HTML or MarkdownV2 that
Telegram could not parse, editing a message into what it already is. Every call is recorded,
and every chat keeps the messages its person would see, edits applied.

`OfflinePerson` is the other half: a simulated Telegram user who types, presses buttons and
shares a contact, by feeding real `Update` objects to the real `Application`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

BOT_ID = 7_000_000_001
BOT_USERNAME = "stationbot_offline_bot"
OFFLINE_TOKEN = f"{BOT_ID}:OFFLINE-not-a-real-token"

MAX_TEXT = 4096
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile serves bots files up to 20 MB
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64

_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "a", "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_HTML_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"]*\"|='[^']*'|=[^\s>]+)?)*)\s*>"
)
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


class TelegramRefusal(Exception):
    """What real Telegram would answer with an error (status code and description)."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def html_to_plain(text: str) -> str:
    """Validate Telegram-HTML and return the text a person would see. Raises on bad markup."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            match = _HTML_TAG.match(text, i)
            if match is None:
                raise TelegramRefusal(
                    400, f"Bad Request: can't parse entities: unexpected < at byte offset {i}"
                )
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in _HTML_TAGS:
                raise TelegramRefusal(
                    400, f'Bad Request: can\'t parse entities: unsupported start tag "{name}"'
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise TelegramRefusal(
                        400, f'Bad Request: can\'t parse entities: unmatched end tag "{name}"'
                    )
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
        elif ch == "&":
            match = _HTML_ENTITY.match(text, i)
            if match is None:
                raise TelegramRefusal(
                    400, f"Bad Request: can't parse entities: unsupported entity at offset {i}"
                )
            entity = match.group(1)
            named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
            if entity in named:
                out.append(named[entity])
            elif entity.startswith("#x"):
                out.append(chr(int(entity[2:], 16)))
            else:
                out.append(chr(int(entity[1:])))
            i = match.end()
        else:
            out.append(ch)
            i += 1
    if stack:
        raise TelegramRefusal(
            400, f"Bad Request: can't parse entities: can't find end tag for \"{stack[-1]}\""
        )
    return "".join(out)


def markdown_v2_to_plain(text: str) -> str:
    """Validate MarkdownV2 (reserved characters escaped, entities closed) and strip it."""
    out: list[str] = []
    open_marks: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise TelegramRefusal(400, "Bad Request: can't parse entities: trailing backslash")
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "*~":
            _toggle(open_marks, ch)
        elif ch == "_":
            mark = "__" if text.startswith("__", i) else "_"
            _toggle(open_marks, mark)
            i += len(mark)
            continue
        elif ch == "|" and text.startswith("||", i):
            _toggle(open_marks, "||")
            i += 2
            continue
        elif ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise TelegramRefusal(400, "Bad Request: can't parse entities: unclosed code")
            out.append(text[i + 1 : end])
            i = end + 1
            continue
        elif ch == "[":
            match = re.match(r"\[([^\]]*)\]\(([^)]*)\)", text[i:])
            if match is None:
                raise TelegramRefusal(
                    400, "Bad Request: can't parse entities: character '[' is reserved"
                )
            out.append(markdown_v2_to_plain(match.group(1)))
            i += match.end()
            continue
        elif ch in _MDV2_RESERVED:
            raise TelegramRefusal(
                400,
                f"Bad Request: can't parse entities: character '{ch}' is reserved and must be "
                "escaped with the preceding '\\'",
            )
        else:
            out.append(ch)
        i += 1
    if open_marks:
        raise TelegramRefusal(
            400, f"Bad Request: can't parse entities: can't find end of {open_marks[-1]} entity"
        )
    return "".join(out)


def _toggle(stack: list[str], mark: str) -> None:
    if stack and stack[-1] == mark:
        stack.pop()
    else:
        stack.append(mark)


def visible_text(text: str, parse_mode: str | None) -> str:
    if parse_mode == "HTML":
        return html_to_plain(text)
    if parse_mode == "MarkdownV2":
        return markdown_v2_to_plain(text)
    return text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None
    request_contact: bool = False


@dataclass
class BotMessage:
    """A message as its person sees it (the latest edit)."""

    message_id: int
    chat_id: int
    text: str  # visible text (markup removed); the caption for photos and documents
    raw_text: str
    parse_mode: str | None
    kind: str = "text"  # text | photo | document
    inline_keyboard: list[list[Button]] = field(default_factory=list)
    reply_keyboard: list[list[Button]] | None = None
    remove_keyboard: bool = False
    file_name: str | None = None
    file_bytes: bytes | None = None
    edits: int = 0
    deleted: bool = False
    date: int = 0

    @property
    def buttons(self) -> list[Button]:
        return [b for row in self.inline_keyboard for b in row]

    def as_api_dict(self, bot_user: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": {"id": self.chat_id, "type": "private"},
            "from": bot_user,
        }
        if self.kind == "text":
            data["text"] = self.text
        else:
            data["caption"] = self.text
        if self.inline_keyboard:
            data["reply_markup"] = {
                "inline_keyboard": [
                    [{k: v for k, v in (("text", b.text), ("callback_data", b.callback_data),
                                         ("url", b.url)) if v is not None} for b in row]
                    for row in self.inline_keyboard
                ]
            }  # fmt: skip
        if self.kind == "document":
            data["document"] = {
                "file_id": f"doc{self.message_id}",
                "file_unique_id": f"udoc{self.message_id}",
                "file_name": self.file_name,
            }
        if self.kind == "photo":
            data["photo"] = [
                {"file_id": f"ph{self.message_id}", "file_unique_id": f"uph{self.message_id}",
                 "width": 800, "height": 600}
            ]  # fmt: skip
        return data


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float


FaultHook = Callable[
    [str, dict[str, Any]], Awaitable[TelegramRefusal | None] | TelegramRefusal | None
]


class OfflineTelegram(BaseRequest):
    """A `BaseRequest` that is Telegram. Give the same instance to `request` and `get_updates_request`."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.calls: list[ApiCall] = []
        self.chats: dict[int, list[BotMessage]] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # default scope, by language
        # BotCommandScopeChat menus, by (chat, language_code; "" when none was given)
        self.chat_commands: dict[tuple[int, str], list[dict[str, Any]]] = {}
        self.started: set[int] = set()  # chats whose user has written to the bot
        self.blocked: set[int] = set()
        self.fault_hook: FaultHook | None = None
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "社工站助手",
            "username": BOT_USERNAME,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._ids = itertools.count(1)
        # Files people sent, as Telegram keeps them: file_id -> (file_unique_id, bytes).
        self.files: dict[str, tuple[str, bytes]] = {}
        self.listeners: list[Callable[[BotMessage, bool], None]] = []

    # --- BaseRequest ------------------------------------------------------------------
    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a download (PTB's base_file_url): the bytes themselves
            file_id = url.rsplit("/", 1)[-1]
            self.calls.append(ApiCall("download", {"file_id": file_id}, time.monotonic()))
            stored = self.files.get(file_id)
            if stored is None:
                return 404, b"Not Found"
            return 200, stored[1]
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = request_data.multipart_data if request_data else {}
        self.calls.append(ApiCall(endpoint, params, time.monotonic()))
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            if self.fault_hook is not None:
                fault = self.fault_hook(endpoint, params)
                if asyncio.iscoroutine(fault) or isinstance(fault, Awaitable):
                    fault = await fault  # type: ignore[misc]  # the hook may be sync or async
                if fault is not None:
                    raise fault
            handler = getattr(self, "_api_" + endpoint, None)
            if handler is None:
                raise TelegramRefusal(404, "Not Found")
            result = handler(params, files)
        except TelegramRefusal as refusal:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": refusal.status,
                "description": refusal.description,
            }
            if refusal.retry_after is not None:
                body["parameters"] = {"retry_after": refusal.retry_after}
            return refusal.status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # --- what tests and the console read ------------------------------------------------
    def messages(self, chat_id: int) -> list[BotMessage]:
        return [m for m in self.chats.get(chat_id, []) if not m.deleted]

    def last(self, chat_id: int) -> BotMessage | None:
        messages = self.messages(chat_id)
        return messages[-1] if messages else None

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def block(self, chat_id: int) -> None:
        """The person blocks the bot: sends to them now answer 403."""
        self.blocked.add(chat_id)

    # --- the Bot API ------------------------------------------------------------------
    def _api_getMe(self, params: dict[str, Any], files: Any) -> Any:
        return self.bot_user

    def _api_deleteWebhook(self, params: dict[str, Any], files: Any) -> Any:
        return True

    def _api_setWebhook(self, params: dict[str, Any], files: Any) -> Any:
        return True

    def _api_getUpdates(self, params: dict[str, Any], files: Any) -> Any:
        return []

    def _api_close(self, params: dict[str, Any], files: Any) -> Any:
        return True

    def _api_sendChatAction(self, params: dict[str, Any], files: Any) -> Any:
        return True

    def _api_setMyCommands(self, params: dict[str, Any], files: Any) -> Any:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise TelegramRefusal(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise TelegramRefusal(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise TelegramRefusal(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        chat = self._scope_chat(params)
        if chat is None:
            self.commands[params.get("language_code", "")] = list(commands)
        else:
            self.chat_commands[(chat, params.get("language_code", ""))] = list(commands)
        return True

    def _api_getMyCommands(self, params: dict[str, Any], files: Any) -> Any:
        chat = self._scope_chat(params)
        if chat is None:
            return self.commands.get(params.get("language_code", ""), [])
        return self.chat_commands.get((chat, params.get("language_code", "")), [])

    def _api_deleteMyCommands(self, params: dict[str, Any], files: Any) -> Any:
        chat = self._scope_chat(params)
        if chat is None:
            self.commands.pop(params.get("language_code", ""), None)
        else:
            self.chat_commands.pop((chat, params.get("language_code", "")), None)
        return True

    def _scope_chat(self, params: dict[str, Any]) -> int | None:
        """The chat of a `BotCommandScopeChat`; None for the default scope. Only those two are
        modelled (the bot uses no other): any other scope is refused, as is a chat that never
        wrote to the bot or blocked it, as Telegram does."""
        scope = params.get("scope")
        if scope is None:
            return None
        if isinstance(scope, str):
            scope = json.loads(scope)
        kind = scope.get("type") if isinstance(scope, dict) else None
        if kind == "default":
            return None
        if kind != "chat":
            raise TelegramRefusal(
                400, "Bad Request: unsupported bot command scope in the offline Telegram"
            )
        try:
            chat_id = int(scope["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise TelegramRefusal(400, "Bad Request: chat not found") from None
        if chat_id in self.blocked:
            raise TelegramRefusal(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.started:
            raise TelegramRefusal(400, "Bad Request: chat not found")
        return chat_id

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: Any) -> Any:
        text = params.get("text")
        if text is not None and len(text) > 200:
            raise TelegramRefusal(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_answers.append(params)
        return True

    def _api_sendMessage(self, params: dict[str, Any], files: Any) -> Any:
        chat_id = self._chat(params)
        raw = params.get("text")
        if not isinstance(raw, str) or not raw:
            raise TelegramRefusal(400, "Bad Request: message text is empty")
        visible = visible_text(raw, params.get("parse_mode"))
        if not visible.strip():
            raise TelegramRefusal(400, "Bad Request: message text is empty")
        if _utf16_len(visible) > MAX_TEXT:
            raise TelegramRefusal(400, "Bad Request: message is too long")
        message = BotMessage(
            message_id=next(self._ids),
            chat_id=chat_id,
            text=visible,
            raw_text=raw,
            parse_mode=params.get("parse_mode"),
            date=int(time.time()),
        )
        self._apply_markup(message, params.get("reply_markup"))
        return self._store(message)

    def _api_getFile(self, params: dict[str, Any], files: Any) -> Any:
        """As Telegram: an unknown file_id is refused, and bots get files of 20 MB at most."""
        file_id = str(params.get("file_id", ""))
        stored = self.files.get(file_id)
        if stored is None:
            raise TelegramRefusal(400, "Bad Request: invalid file_id")
        unique, data = stored
        if len(data) > MAX_DOWNLOAD:
            raise TelegramRefusal(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": len(data),
            "file_path": f"files/{file_id}",
        }

    def _api_sendPhoto(self, params: dict[str, Any], files: Any) -> Any:
        return self._send_file(params, files, "photo", "photo")

    def _api_sendDocument(self, params: dict[str, Any], files: Any) -> Any:
        return self._send_file(params, files, "document", "document")

    def _api_editMessageText(self, params: dict[str, Any], files: Any) -> Any:
        message = self._find(params)
        raw = params.get("text")
        if not isinstance(raw, str) or not raw:
            raise TelegramRefusal(400, "Bad Request: message text is empty")
        visible = visible_text(raw, params.get("parse_mode"))
        if _utf16_len(visible) > MAX_TEXT:
            raise TelegramRefusal(400, "Bad Request: MESSAGE_TOO_LONG")
        before = (message.raw_text, message.inline_keyboard)
        new_keyboard = self._inline_keyboard(params.get("reply_markup"))
        if before == (raw, new_keyboard):
            raise TelegramRefusal(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.raw_text, message.text, message.parse_mode = raw, visible, params.get("parse_mode")
        message.inline_keyboard = new_keyboard
        message.edits += 1
        self._notify(message, edited=True)
        return message.as_api_dict(self.bot_user)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any], files: Any) -> Any:
        message = self._find(params)
        new_keyboard = self._inline_keyboard(params.get("reply_markup"))
        if new_keyboard == message.inline_keyboard:
            raise TelegramRefusal(400, "Bad Request: message is not modified")
        message.inline_keyboard = new_keyboard
        message.edits += 1
        self._notify(message, edited=True)
        return message.as_api_dict(self.bot_user)

    def _api_deleteMessage(self, params: dict[str, Any], files: Any) -> Any:
        message = self._find(params)
        message.deleted = True
        return True

    # --- internals ----------------------------------------------------------------------
    def _chat(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise TelegramRefusal(400, "Bad Request: chat not found") from None
        if chat_id in self.blocked:
            raise TelegramRefusal(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _find(self, params: dict[str, Any]) -> BotMessage:
        chat_id = self._chat(params)
        message_id = params.get("message_id")
        for message in self.chats.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        raise TelegramRefusal(400, "Bad Request: message to edit not found")

    def _send_file(self, params: dict[str, Any], files: Any, field_name: str, kind: str) -> Any:
        chat_id = self._chat(params)
        caption = params.get("caption") or ""
        visible = visible_text(caption, params.get("parse_mode")) if caption else ""
        if _utf16_len(visible) > MAX_CAPTION:
            raise TelegramRefusal(400, "Bad Request: message caption is too long")
        file_name, content = None, None
        for part in (files or {}).values():
            file_name, content = part[0], part[1]
            if hasattr(content, "read"):
                content = content.read()
        if content is None:
            raise TelegramRefusal(400, f"Bad Request: there is no {field_name} in the request")
        message = BotMessage(
            message_id=next(self._ids),
            chat_id=chat_id,
            text=visible,
            raw_text=caption,
            parse_mode=params.get("parse_mode"),
            kind=kind,
            file_name=file_name,
            file_bytes=content,
            date=int(time.time()),
        )
        self._apply_markup(message, params.get("reply_markup"))
        return self._store(message)

    def _store(self, message: BotMessage) -> Any:
        self.chats.setdefault(message.chat_id, []).append(message)
        self._notify(message, edited=False)
        return message.as_api_dict(self.bot_user)

    def _notify(self, message: BotMessage, *, edited: bool) -> None:
        for listener in self.listeners:
            listener(message, edited)

    def _apply_markup(self, message: BotMessage, markup: Any) -> None:
        if not markup:
            return
        if "inline_keyboard" in markup:
            message.inline_keyboard = self._inline_keyboard(markup)
        elif "keyboard" in markup:
            rows = []
            for row in markup["keyboard"]:
                buttons = []
                for button in row:
                    if isinstance(button, str):
                        button = {"text": button}
                    if not button.get("text"):
                        raise TelegramRefusal(400, "Bad Request: keyboard button text is empty")
                    buttons.append(
                        Button(
                            text=button["text"], request_contact=bool(button.get("request_contact"))
                        )
                    )
                rows.append(buttons)
            message.reply_keyboard = rows
        elif markup.get("remove_keyboard"):
            message.remove_keyboard = True

    @staticmethod
    def _inline_keyboard(markup: Any) -> list[list[Button]]:
        if not markup or "inline_keyboard" not in markup:
            return []
        rows: list[list[Button]] = []
        for row in markup["inline_keyboard"]:
            buttons = []
            for button in row:
                if not button.get("text"):
                    raise TelegramRefusal(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
                    raise TelegramRefusal(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and button.get("url") is None:
                    raise TelegramRefusal(400, "Bad Request: can't parse inline keyboard button")
                buttons.append(
                    Button(text=button["text"], callback_data=data, url=button.get("url"))
                )
            rows.append(buttons)
        return rows


class OfflinePerson:
    """A Telegram user in a private chat with the bot, driving the real `Application`."""

    _update_ids = itertools.count(1)
    _message_ids = itertools.count(1_000_000)

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        telegram: OfflineTelegram,
        user_id: int,
        *,
        first_name: str = "测试",
        language_code: str | None = "zh-hans",
        phone: str = "+8613800138000",
    ) -> None:
        self.app = app
        self.telegram = telegram
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.phone = phone

    # --- what this person sees ------------------------------------------------------------
    @property
    def messages(self) -> list[BotMessage]:
        return self.telegram.messages(self.user_id)

    @property
    def last(self) -> BotMessage:
        message = self.telegram.last(self.user_id)
        if message is None:
            raise AssertionError(f"user {self.user_id} has received nothing")
        return message

    @property
    def last_text(self) -> str:
        return self.last.text

    def last_with_buttons(self) -> BotMessage:
        for message in reversed(self.messages):
            if message.inline_keyboard:
                return message
        raise AssertionError(f"user {self.user_id} has no message with buttons")

    def button_labels(self) -> list[str]:
        return [b.text for b in self.last_with_buttons().buttons]

    def reply_keyboard(self) -> list[Button]:
        for message in reversed(self.messages):
            if message.remove_keyboard:
                return []
            if message.reply_keyboard is not None:
                return [b for row in message.reply_keyboard for b in row]
        return []

    # --- what this person does ------------------------------------------------------------
    def _user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name},
            "from": self._user(),
            **content,
        }

    async def _feed(self, payload: dict[str, Any]) -> None:
        self.telegram.started.add(self.user_id)
        update = Update.de_json({"update_id": next(self._update_ids), **payload}, self.app.bot)
        await self.app.process_update(update)

    async def send(self, text: str) -> None:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._feed({"message": self._message(**content)})

    async def send_contact(self, phone: str | None = None, *, own: bool = True) -> None:
        contact = {"phone_number": phone or self.phone, "first_name": self.first_name}
        if own:
            contact["user_id"] = self.user_id
        await self._feed({"message": self._message(contact=contact)})

    async def send_photo(self, data: bytes | None = None, *, file_id: str = "p1") -> None:
        """A photo; with `data`, Telegram keeps it (getFile and the download serve it)."""
        photo: list[dict[str, Any]] = [
            {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 90, "height": 90}
        ]
        if data is not None:
            self.telegram.files[file_id] = ("u" + file_id, data)
            photo[0]["file_size"] = len(data)
        await self._feed({"message": self._message(photo=photo)})

    async def send_document(
        self, data: bytes, *, file_id: str = "d1", mime: str = "application/pdf",
        file_name: str = "sign-in.pdf",
    ) -> None:  # fmt: skip
        """A file sent as a document (kept by Telegram like a photo)."""
        self.telegram.files[file_id] = ("u" + file_id, data)
        document = {
            "file_id": file_id, "file_unique_id": "u" + file_id, "file_name": file_name,
            "mime_type": mime, "file_size": len(data),
        }  # fmt: skip
        await self._feed({"message": self._message(document=document)})

    async def send_sticker(self) -> None:
        sticker = {
            "file_id": "s1", "file_unique_id": "us1", "width": 512, "height": 512,
            "is_animated": False, "is_video": False, "type": "regular",
        }  # fmt: skip
        await self._feed({"message": self._message(sticker=sticker)})

    async def send_location(self, latitude: float = 28.9, longitude: float = 120.03) -> None:
        await self._feed(
            {"message": self._message(location={"latitude": latitude, "longitude": longitude})}
        )

    async def press(self, which: str | int, *, message: BotMessage | None = None) -> None:
        """Press an inline button by its label, its callback_data, or its 1-based number."""
        message = message or self.last_with_buttons()
        buttons = message.buttons
        button: Button | None = None
        if isinstance(which, int):
            if not 1 <= which <= len(buttons):
                raise AssertionError(f"no button {which} in {[b.text for b in buttons]}")
            button = buttons[which - 1]
        else:
            button = next((b for b in buttons if b.callback_data == which), None) or next(
                (b for b in buttons if b.text == which), None
            )
            if button is None:
                button = next((b for b in buttons if which in b.text), None)
        if button is None or button.callback_data is None:
            raise AssertionError(f"no button {which!r} in {[b.text for b in buttons]}")
        await self.press_data(button.callback_data, message=message)

    async def tap(self, label: str) -> None:
        """Tap a button of the reply keyboard on screen (by its label, or a part of it): the
        client sends its label as text, or the person's contact for a share-contact button."""
        buttons = self.reply_keyboard()
        button = next((b for b in buttons if b.text == label), None) or next(
            (b for b in buttons if label in b.text), None
        )
        if button is None:
            raise AssertionError(f"no typed button {label!r} in {[b.text for b in buttons]}")
        if button.request_contact:
            await self.send_contact()
        else:
            await self.send(button.text)

    async def press_data(self, data: str, *, message: BotMessage | None = None) -> None:
        """Send a callback query with any data, as a stale or forged button would."""
        message = message or self.last_with_buttons()
        await self._feed(
            {
                "callback_query": {
                    "id": str(next(self._update_ids)),
                    "from": self._user(),
                    "chat_instance": str(self.user_id),
                    "data": data,
                    "message": message.as_api_dict(self.telegram.bot_user),
                }
            }
        )

    def callback_answers(self) -> list[dict[str, Any]]:
        return list(self.telegram.callback_answers)

    async def edit_message(self, text: str) -> None:
        """Edit a message this person sent earlier (Telegram sends an `edited_message`)."""
        content = self._message(text=text)
        content["edit_date"] = content["date"]
        await self._feed({"edited_message": content})

    async def send_in_group(self, text: str, group_id: int = -100_123) -> None:
        content = self._message(text=text)
        content["chat"] = {"id": group_id, "type": "supergroup", "title": "社区群"}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._feed({"message": content})

    async def block_bot(self) -> None:
        """Block the bot: later sends answer 403, and the bot is told via `my_chat_member`."""
        self.telegram.block(self.user_id)
        await self._feed({"my_chat_member": self._membership("member", "kicked")})

    async def unblock_bot(self) -> None:
        self.telegram.blocked.discard(self.user_id)
        await self._feed({"my_chat_member": self._membership("kicked", "member")})

    def _membership(self, old: str, new: str) -> dict[str, Any]:
        bot = {k: self.telegram.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": bot}
            if status == "kicked":
                data["until_date"] = 0
            return data

        return {
            "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name},
            "from": self._user(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
