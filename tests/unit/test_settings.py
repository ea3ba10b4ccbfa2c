"""Settings: defaults, parsing, and one clear line (exit 2) for a wrong value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("STATIONBOT_"):
            monkeypatch.delenv(key)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite+aiosqlite:///stationbot.db"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.api_url == "https://api.telegram.org/bot"
    assert settings.admins == frozenset()


def test_admins_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATIONBOT_ADMINS", "12, 34")
    assert load_settings(_env_file=None).admins == {12, 34}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STATIONBOT_ADMINS", "12,abc"),
        ("STATIONBOT_TIMEZONE", "Mars/Olympus"),
        ("STATIONBOT_DATABASE_URL", "mysql://x"),
        ("STATIONBOT_API_URL", "ftp://x"),
    ],
)
def test_bad_setting_names_itself(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert str(error.value).startswith(name)


def test_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "STATIONBOT_TIMEZONE": "Nowhere/Else", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        cwd=tmp_path, env=env, capture_output=True, text=True, input="", timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "stationbot: STATIONBOT_TIMEZONE is invalid: unknown time zone 'Nowhere/Else'"
    ]


def test_run_without_token_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STATIONBOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "STATIONBOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
