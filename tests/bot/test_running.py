"""`stationbot run`, `stationbot webhook` and `stationbot db upgrade` as real processes.

The bot runs as `python -m bot …` against a fake Bot API server on 127.0.0.1
(`STATIONBOT_API_URL`), over real HTTP, with a SQLite file database and, when
`STATIONBOT_TEST_DATABASE_URL` is set, a fresh PostgreSQL database on that server as well. It is
stopped with SIGTERM the way a service manager stops it. The token must never appear in what it
prints.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:SECRETSECRETsecretSECRET_token-abc"
ADMIN = 4_000_001
RESIDENT = 4_000_002
PG_URL = os.environ.get("STATIONBOT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLite file, or a database of its own on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    assert PG_URL is not None
    name = "stationbot_" + uuid.uuid4().hex[:12]
    asyncio.run(_on_server(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _on_server(statement: str) -> None:
    assert PG_URL is not None
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _env(tmp_path: Path, api: FakeBotApi | None, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        STATIONBOT_DATABASE_URL=database_url or f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        STATIONBOT_ADMINS=str(ADMIN),
    )
    if api is not None:
        env.update(STATIONBOT_TOKEN=TOKEN, STATIONBOT_API_URL=api.base_url)
    return env


@contextmanager
def _bot_process(
    tmp_path: Path, api: FakeBotApi, *args: str, database_url: str | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `python -m bot <args>`; on leaving, SIGTERM it and check it stopped cleanly."""
    runs = len(list(tmp_path.glob("out-*.txt")))
    out = (tmp_path / f"out-{runs}.txt").open("wb")
    err = (tmp_path / f"err-{runs}.txt").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env=_env(tmp_path, api, database_url), stdout=out, stderr=err,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            out.close()
            err.close()
    printed = (tmp_path / f"out-{runs}.txt").read_text() + (
        tmp_path / f"err-{runs}.txt"
    ).read_text()
    assert code == 0, printed
    assert TOKEN not in printed
    assert TOKEN.split(":")[1] not in printed
    assert "Application started" in printed  # logging was on: the check above means something


def test_run_polls_answers_and_resumes_a_conversation_after_sigterm(
    tmp_path: Path, database_url: str
) -> None:
    with FakeBotApi(TOKEN) as api:
        with _bot_process(tmp_path, api, "run", database_url=database_url):
            api.wait_for(lambda: api.called("getUpdates") > 0, what="getUpdates")
            assert api.telegram.commands["zh"] and api.telegram.commands["en"]  # set_my_commands
            api.queue(api.message_update(RESIDENT, "/start"))
            api.wait_for(lambda: bool(api.messages(RESIDENT)), what="the answer to /start")
            assert api.messages(RESIDENT)[-1].text.startswith("Hello, Tester!")
            # An admin starts /invite and picks a role; then the service is stopped.
            api.queue(api.message_update(ADMIN, "/invite"))
            api.wait_for(lambda: bool(api.messages(ADMIN)), what="the role question")
            question = api.messages(ADMIN)[-1]
            api.queue(api.press_update(ADMIN, question, "inv:role:worker"))
            api.wait_for(lambda: question.edits == 1, what="the station question")
        assert "Which station" in question.text
        with _bot_process(tmp_path, api, "run", database_url=database_url):
            polls = api.called("getUpdates")
            api.wait_for(lambda: api.called("getUpdates") > polls, what="getUpdates again")
            api.queue(api.press_update(ADMIN, question, "inv:st:jiangnan"))
            api.wait_for(lambda: question.edits == 2, what="the invitation link")
        assert "Station: Jiangnan Street Social Work Station" in question.text
        assert "https://t.me/stationbot_offline_bot?start=" in question.text


def test_a_second_bot_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    with FakeBotApi(TOKEN) as api:
        with _bot_process(tmp_path, api, "run"):
            api.wait_for(lambda: api.called("getUpdates") > 0, what="getUpdates")
            second = subprocess.run(
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path, env=_env(tmp_path, api), capture_output=True, text=True,
                timeout=120,
            )  # fmt: skip
            assert second.returncode == 2, second.stderr
            assert second.stderr.count("\n") == 1, second.stderr
            assert "another stationbot is already running on" in second.stderr
            # The first one is unaffected and still answers.
            api.queue(api.message_update(RESIDENT, "/help"))
            api.wait_for(lambda: bool(api.messages(RESIDENT)), what="the answer to /help")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(url: str, body: bytes, secret: str | None) -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_webhook_checks_the_secret_and_answers(tmp_path: Path, database_url: str) -> None:
    import json

    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    with FakeBotApi(TOKEN) as api:
        args = ("webhook", "--url", "https://example.invalid", "--listen", "127.0.0.1",
                "--port", str(port), "--secret", "S3cret")  # fmt: skip
        with _bot_process(tmp_path, api, *args, database_url=database_url):
            api.wait_for(lambda: api.called("setWebhook") > 0, what="setWebhook")
            hook = next(c for c in api.telegram.calls if c.method == "setWebhook").params
            assert hook["url"] == "https://example.invalid/telegram"
            assert hook["secret_token"] == "S3cret"
            update = json.dumps(api.message_update(RESIDENT, "/help")).encode()
            api.wait_for(lambda: _connects(port), what="the webhook port")
            assert _post(url, update, "wrong") == 403
            assert _post(url, update, None) == 403
            assert _post(url, update, "S3cret") == 200
            api.wait_for(lambda: bool(api.messages(RESIDENT)), what="the answer to /help")
            # The right secret and a body that is not an update: 400, one log line, no content.
            assert _post(url, b'{"update_id": 1, "message": {"text": "PRIVATE', "S3cret") == 400
            assert _post(url, b"[1, 2]", "S3cret") == 400
        texts = [m.text for m in api.messages(RESIDENT)]
        assert len(texts) == 1 and texts[0].startswith("Here is what I can do for you:")
        printed = (tmp_path / "err-0.txt").read_text()
        assert printed.count("webhook: refused a body") == 2, printed
        assert "Traceback" not in printed and "PRIVATE" not in printed


@pytest.mark.parametrize("secret", ["bad secret!", "", "x" * 257, "秘密"])
def test_webhook_refuses_at_start_a_secret_telegram_would_refuse(
    tmp_path: Path, secret: str
) -> None:
    env = _env(tmp_path, None)
    env["STATIONBOT_TOKEN"] = TOKEN
    result = subprocess.run(
        [sys.executable, "-m", "bot", "webhook", "--url", "https://example.invalid",
         "--secret", secret],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "stationbot: --secret must be" in result.stderr


def _connects(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_db_upgrade_builds_a_fresh_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=tmp_path, env=_env(tmp_path, None), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "bot.db") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"people", "staff_roles", "invites", "persisted_state", "alembic_version"} <= tables
