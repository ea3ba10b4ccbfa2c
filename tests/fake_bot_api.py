"""A fake Bot API server on 127.0.0.1 for tests that run the real `stationbot` process.

The bot talks to it over real HTTP through PTB's httpx request path (`STATIONBOT_API_URL`), the
way it would talk to a local Bot API server. Every method is answered by an `OfflineTelegram`
(so the same refusals apply), except `getUpdates`, which serves updates queued by the test and
forgets those below `offset`, as Telegram does. Long polls are cut to half a second so a
SIGTERM is answered quickly.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.offline_telegram import BotMessage, OfflineTelegram

# PTB sends strings as they are and everything else JSON-encoded (RequestData.json_parameters);
# the form loses the difference, so the fake restores types by parameter name.
_JSON_PARAMS = {
    "reply_markup", "commands", "allowed_updates", "entities", "caption_entities",
    "link_preview_options", "reply_parameters", "scope",
}  # fmt: skip
_INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"}
_BOOL_PARAMS = {"show_alert", "drop_pending_updates", "disable_notification"}
LONG_POLL_CAP = 0.5


@dataclass
class _RequestData:
    parameters: dict[str, Any]
    multipart_data: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)


def _decode(name: str, value: str) -> Any:
    if name in _JSON_PARAMS:
        return json.loads(value)
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value == "true"
    return value


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.telegram = OfflineTelegram()
        self.methods: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(10_000)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what the test does ----------------------------------------------------------------
    def called(self, method: str) -> int:
        with self._lock:
            return self.methods.count(method)

    def wait_for(self, check: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if check():
                    return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what or check}; calls: {self.methods[-20:]}")

    def message_update(self, user_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Tester"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Tester", "language_code": "en"},
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    def press_update(self, user_id: int, message: BotMessage, data: str) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._message_ids)),
                "from": {"id": user_id, "is_bot": False, "first_name": "Tester",
                         "language_code": "en"},
                "chat_instance": str(user_id),
                "data": data,
                "message": message.as_api_dict(self.telegram.bot_user),
            },
        }  # fmt: skip

    def queue(self, update: dict[str, Any]) -> None:
        """Hand an update to the next getUpdates (long polling)."""
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    def messages(self, chat_id: int) -> list[BotMessage]:
        with self._lock:
            return list(self.telegram.messages(chat_id))

    # --- the server ---------------------------------------------------------------------------
    def _answer(self, path: str, content_type: str, body: bytes) -> tuple[int, bytes]:
        prefix = f"/bot{self.token}/"
        if path.startswith(f"/file{prefix}"):  # a download at base_file_url, as Telegram serves
            with self._lock:
                return asyncio.run(self.telegram.do_request(f"{self.base_url}{path}", "GET"))
        if not path.startswith(prefix):
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        method = path[len(prefix) :]
        data = self._parse(content_type, body)
        with self._lock:
            self.methods.append(method)
        if method == "getUpdates":
            return 200, json.dumps({"ok": True, "result": self._get_updates(data)}).encode()
        with self._lock:
            return asyncio.run(
                self.telegram.do_request(f"{self.base_url}{self.token}/{method}", "POST", data)  # type: ignore[arg-type]
            )

    def _get_updates(self, data: _RequestData) -> list[dict[str, Any]]:
        offset = int(data.parameters.get("offset") or 0)
        timeout = min(float(data.parameters.get("timeout") or 0), LONG_POLL_CAP)
        deadline = time.monotonic() + timeout
        with self._changed:
            # Telegram forgets every update below the offset: they are confirmed.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._changed.wait(max(0.0, deadline - time.monotonic()))
            return list(self._updates)

    @staticmethod
    def _parse(content_type: str, body: bytes) -> _RequestData:
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
            )
            params: dict[str, Any] = {}
            files: dict[str, tuple[str, bytes, str]] = {}
            for part in message.iter_parts():  # type: ignore[attr-defined]
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True) or b""
                if filename:
                    files[name] = (filename, payload, part.get_content_type())
                else:
                    params[name] = _decode(name, payload.decode("utf-8"))
            return _RequestData(params, files)
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        return _RequestData({k: _decode(k, v) for k, v in pairs})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = api._answer(
                    self.path, self.headers.get("Content-Type") or "", body
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                return None  # quiet: the test reads what matters from the calls

        return Handler
