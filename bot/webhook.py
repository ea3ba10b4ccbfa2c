"""`stationbot webhook`: our own small webhook server in front of PTB's update queue.

PTB's built-in server (`run_webhook`) answers a request with the right secret and a body that
is not JSON with 500 and a traceback, and logs an update it cannot read together with its
whole content (a person's message). This one, on the same Tornado PTB uses:

- `POST <path>` only; the secret in `X-Telegram-Bot-Api-Secret-Token` is compared in constant
  time; missing or different: 403;
- a body that is not a JSON object, or not an update: 400 and one log line, with the size of
  the body and never its content;
- an update: 200 at once, and it goes into the application's update queue, exactly as PTB's
  own server does; the update processor (bot/updates.py) takes it from there.

The secret is checked at start (`check_secret`): Telegram accepts 1–256 characters of
`A-Za-z0-9_-`, and `setWebhook` with anything else would fail only later, at Telegram.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from http import HTTPStatus
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update

from bot.settings import SettingsError

log = logging.getLogger(__name__)

SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def check_secret(secret: str) -> str:
    if not SECRET.fullmatch(secret):
        raise SettingsError(
            "--secret must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (what Telegram "
            "accepts), e.g. $(openssl rand -hex 32)"
        )
    return secret


class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]  # tornado types it as all seven

    def initialize(self, app: Any, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(HTTPStatus.FORBIDDEN)
            return
        body = self.request.body
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update = Update.de_json(data, self.app.bot)
            if update is None:
                raise ValueError("empty")
        except (ValueError, TypeError, KeyError) as error:
            log.warning(
                "webhook: refused a body of %d bytes with the right secret: not an update (%s)",
                len(body),
                type(error).__name__,
            )
            self.set_status(HTTPStatus.BAD_REQUEST)
            return
        await self.app.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *args: Any) -> None:  # tornado's: never a request's content
        log.error("webhook: unexpected error answering a request")


class _Server(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        return None  # the bot's own logs are enough; no per-request access log


def make_server(app: Any, *, path: str, secret: str) -> tornado.web.Application:
    return _Server([(rf"{re.escape(path)}/?", _UpdateHandler, {"app": app, "secret": secret})])


def run_webhook(app: Any, *, listen: str, port: int, url: str, path: str, secret: str) -> None:
    """Serve until SIGTERM or SIGINT, then stop the way `run_polling` does."""
    asyncio.run(_serve(app, listen=listen, port=port, url=url, path=path, secret=secret))


async def _serve(app: Any, *, listen: str, port: int, url: str, path: str, secret: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with app:  # initialize, and shutdown (persistence flushed) on the way out
        if app.post_init is not None:
            await app.post_init(app)
        await app.bot.set_webhook(url=url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
        server = tornado.httpserver.HTTPServer(make_server(app, path=path, secret=secret))
        server.listen(port, address=listen)
        await app.start()
        try:
            await stop.wait()
        finally:
            log.info("stop signal received: finishing the updates in hand")
            server.stop()
            await server.close_all_connections()
            if app.running:
                await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
