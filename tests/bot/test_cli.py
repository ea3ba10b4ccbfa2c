"""`stationbot invite` on the command line: a deep link whose code only the link holds."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _stationbot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        STATIONBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_invite_prints_a_link_and_stores_only_the_hash(tmp_path: Path) -> None:
    result = _stationbot(tmp_path, "invite", "--role", "worker", "--station", "jiangnan")
    assert result.returncode == 0, result.stderr
    match = re.fullmatch(
        r"https://t\.me/stationbot_offline_bot\?start=([A-Za-z0-9_-]{32})\n", result.stdout
    )
    assert match, result.stdout
    code = match.group(1)
    assert "valid until" in result.stderr
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        rows = connection.execute("SELECT code_hash, role, station_code FROM invites").fetchall()
    assert rows == [(hashlib.sha256(code.encode()).hexdigest(), "worker", "jiangnan")]
    for file in tmp_path.glob("cli.db*"):  # the database and any WAL beside it
        assert code.encode() not in file.read_bytes()


def test_invite_refuses_an_unknown_station(tmp_path: Path) -> None:
    result = _stationbot(tmp_path, "invite", "--role", "worker", "--station", "atlantis")
    assert result.returncode == 2
    assert "--station must be one of" in result.stderr
    assert "Traceback" not in result.stderr
    result = _stationbot(tmp_path, "invite", "--role", "worker", "--valid-hours", "5")
    assert result.returncode == 2  # a worker needs a station
    result = _stationbot(tmp_path, "invite", "--role", "admin", "--valid-hours", "0")
    assert result.returncode == 2
    assert "invalid valid_hours" in result.stderr


def test_doctor_lists_gaps_and_exits_zero(tmp_path: Path) -> None:
    result = _stationbot_with(tmp_path, {"STATIONBOT_ADMINS": "424242"}, "doctor")
    assert result.returncode == 0, result.stderr
    assert "Stations without reachable staff: 14" in result.stdout
    assert "424242: ask them to open the bot" in result.stdout
    assert "Stations without a supervisor: 14" in result.stdout
    assert "古山镇社工站 (gushan)" in result.stdout


def _stationbot_with(
    tmp_path: Path, extra: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        STATIONBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
