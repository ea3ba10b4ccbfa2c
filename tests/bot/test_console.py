"""`stationbot console` with piped input: a scripted session, as a newcomer would run it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.console import _act
from tests.harness import BotHarness

ROOT = Path(__file__).resolve().parents[2]


def _console(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "STATIONBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'console.db'}",
    }
    env.pop("STATIONBOT_ADMINS", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        cwd=tmp_path, env=env, input=script, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_piped_session_shows_numbered_buttons_and_presses_them(tmp_path: Path) -> None:
    result = _console(tmp_path, "/start\n/language\n2\n/help\n", "--lang", "zh")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "您好" in out
    assert "[1] 中文" in out and "[2] English" in out
    assert "From now on I will speak English." in out
    assert "Here is what I can do for you:" in out


def test_console_as_admin_in_english(tmp_path: Path) -> None:
    result = _console(tmp_path, "/help\n", "--as", "admin", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "Here is what I can do for you:" in result.stdout


def test_a_number_with_no_such_button_is_sent_as_text(tmp_path: Path) -> None:
    """A phone number typed where a few buttons show must reach the bot as text."""
    result = _console(tmp_path, "/language\n13805791234\n", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "no button" not in result.stdout
    assert "PTBUserWarning" not in result.stderr


def test_a_second_session_sets_the_demo_staff_menus_without_refusals(tmp_path: Path) -> None:
    """The database is kept between sessions, the offline Telegram is new: it must know the
    chats the database says wrote to the bot, or every demo colleague's own "/" menu is refused
    at start ("commands for chat 10002 not set: Chat not found")."""
    first = _console(tmp_path, "/start\n:as worker\n/start\n")
    assert first.returncode == 0, first.stderr
    second = _console(tmp_path, ":as supervisor\n/help\n")
    assert second.returncode == 0, second.stderr
    assert "not set" not in first.stderr + second.stderr
    assert "Chat not found" not in first.stderr + second.stderr


async def test_the_consoles_photo_and_document_carry_files_getfile_serves(bot: BotHarness) -> None:
    """An outside tester's `:photo` at the evidence step got "Invalid file_id": a real photo
    always has a file Telegram keeps; the console's now do too, one file per message."""
    person = await bot.person()
    await _act(person, ":photo", io.StringIO())
    await _act(person, ":photo", io.StringIO())
    await _act(person, ":document 签到表.pdf", io.StringIO())
    photos = sorted(k for k in bot.telegram.files if k.startswith("console-photo-"))
    documents = [k for k in bot.telegram.files if k.startswith("console-doc-")]
    assert len(photos) == 2 and len(documents) == 1
    assert bot.telegram.files[photos[0]][1].startswith(b"\x89PNG")
    assert bot.telegram.files[documents[0]][1].startswith(b"%PDF")
    served = bot.telegram._api_getFile({"file_id": photos[0]}, None)
    assert served["file_path"].endswith(photos[0])
