"""Every bad setting or bad knowledge file ends with one line naming it, and exit status 2.

The people deploying a station's bot are not Python developers: a traceback (or, worse, a bad
file silently accepted) leaves them guessing. Each case runs the real CLI: `main()` in-process
where the command has no event loop of its own to set up, a subprocess for `run`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.loading import DEFAULT_DIR

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("STATIONBOT_TEST_DATABASE_URL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _read_only_database(tmp_path: Path) -> str:
    """A migrated database SQLite must treat as read-only whoever runs the test (root ignores
    file modes): a write version above 2 in the header (byte 18) means "read-only"."""
    path = tmp_path / "ro.db"
    os.environ["STATIONBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{path}"
    assert main(["db", "upgrade"]) == 0
    data = bytearray(path.read_bytes())
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"ro.db{suffix}").unlink(missing_ok=True)
    data[18] = 3
    path.write_bytes(bytes(data))
    path.chmod(0o400)
    return f"sqlite+aiosqlite:///{path}"


def _knowledge(tmp_path: Path, name: str, make: Callable[[Path], None]) -> str:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    make(folder / name)
    return str(folder)


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 4)


def _directory(path: Path) -> None:
    path.mkdir()


def _colour(path: Path) -> None:
    text = (DEFAULT_DIR / "record_templates.yaml").read_text(encoding="utf-8")
    line = "      - code: case_record\n"
    assert line in text
    path.write_text(text.replace(line, line + "        colour: red\n"), encoding="utf-8")


DATABASE_CASES = {
    "malformed url": (lambda t: "sqlite+aiosqlite://:::", "STATIONBOT_DATABASE_URL", "not a database URL"),
    "missing directory": (
        lambda t: f"sqlite+aiosqlite:///{t / 'no' / 'such' / 'bot.db'}",
        "STATIONBOT_DATABASE_URL", "does not exist",
    ),
    "directory as the file": (
        lambda t: f"sqlite+aiosqlite:///{t}", "STATIONBOT_DATABASE_URL", "is a directory",
    ),
    "read-only file": (_read_only_database, "STATIONBOT_DATABASE_URL", "readonly"),
    "unknown host": (
        lambda t: "postgresql+asyncpg://postgres@no-such-host.invalid/test",
        "STATIONBOT_DATABASE_URL", "unknown host",
    ),
    "closed port": (
        lambda t: f"postgresql+asyncpg://postgres@127.0.0.1:{_free_port()}/test",
        "STATIONBOT_DATABASE_URL", "connection refused",
    ),
    "malformed port": (
        lambda t: "postgresql+asyncpg://postgres@127.0.0.1:abc/test",
        "STATIONBOT_DATABASE_URL", "not a database URL",
    ),
}  # fmt: skip
if PG_URL:
    from sqlalchemy.engine import make_url

    DATABASE_CASES["unknown database"] = (
        lambda t: make_url(PG_URL).set(database="no_such_db_here").render_as_string(False),
        "STATIONBOT_DATABASE_URL", "does not exist",
    )  # fmt: skip

KNOWLEDGE_CASES = {
    "binary file": ("stations.yaml", _binary, "not UTF-8"),
    "directory as a file": ("services.yaml", _directory, "is a directory"),
    "unknown key colour": ("record_templates.yaml", _colour, "case_record: unknown key 'colour'"),
}


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("STATIONBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env from elsewhere
    # The tests set these through os.environ; monkeypatch puts back whatever was there before.
    monkeypatch.setenv("STATIONBOT_KNOWLEDGE_DIR", "")
    monkeypatch.delenv("STATIONBOT_KNOWLEDGE_DIR")
    monkeypatch.setenv("STATIONBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'ok.db'}")
    return tmp_path


def _one_line(capsys: pytest.CaptureFixture[str], code: int, *expected: str) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.endswith("\n") and err.count("\n") == 1, err
    for text in expected:
        assert text in err, err
    return err


@pytest.mark.parametrize("case", DATABASE_CASES)
def test_a_bad_database_setting_is_one_line_and_exit_2(
    case: str, clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_url, setting, problem = DATABASE_CASES[case]
    os.environ["STATIONBOT_DATABASE_URL"] = make_url(clean_env)  # monkeypatch restores it
    capsys.readouterr()
    _one_line(capsys, main(["db", "upgrade"]), f"stationbot: {setting}", problem)
    # The commands that open the database themselves say the same.
    _one_line(capsys, main(["remind", "--dry-run", "--at", "2026-11-25T09:00"]), setting, problem)


def test_a_knowledge_dir_that_does_not_exist_is_refused(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.environ["STATIONBOT_KNOWLEDGE_DIR"] = str(clean_env / "no-such-folder")
    _one_line(capsys, main(["db", "upgrade"]), "STATIONBOT_KNOWLEDGE_DIR", "is not a directory")


@pytest.mark.parametrize("case", KNOWLEDGE_CASES)
def test_a_bad_knowledge_file_is_one_line_naming_it_and_exit_2(
    case: str, clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, make, problem = KNOWLEDGE_CASES[case]
    os.environ["STATIONBOT_KNOWLEDGE_DIR"] = _knowledge(clean_env, name, make)
    code = main(["remind", "--dry-run", "--at", "2026-11-25T09:00"])
    _one_line(capsys, code, f"knowledge/{name}", problem)


def test_run_with_an_unreachable_bot_api_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATIONBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        STATIONBOT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        STATIONBOT_TOKEN="123456:SECRETSECRETsecretSECRET_token-abc",
        STATIONBOT_API_URL=f"http://127.0.0.1:{_free_port()}/bot",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "stationbot: STATIONBOT_API_URL: cannot reach the Bot API" in result.stderr
    assert "SECRET" not in result.stderr
