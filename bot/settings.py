"""Settings from the environment or a `.env` file.

A wrong setting must stop the program with one line naming it (exit status 2), never a
traceback, because the people deploying a station's bot are not Python developers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.media import base_file_url_for

DEFAULT_API_URL = "https://api.telegram.org/bot"


class SettingsError(Exception):
    """One human-readable line naming the setting that is wrong."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STATIONBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = "sqlite+aiosqlite:///stationbot.db"
    admins: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    # A form (a kit Flow) idle this long is put aside; its next start offers to continue it.
    draft_idle_minutes: int = Field(default=120, ge=1)
    # The staff's record forms (/log, /supervise, completing a record) are kept open longer:
    # they are filled in between home visits, photos and all (`Flow(idle=WORK_IDLE)`).
    work_draft_idle_hours: int = Field(default=168, ge=1)
    timezone: str = "Asia/Shanghai"
    knowledge_dir: str | None = None
    # Our copies of evidence photos and documents; default `media/` beside the database.
    media_dir: str | None = None
    # Where files are downloaded from; derived from api_url when left out (PTB's base_file_url).
    file_url: str | None = None

    @field_validator("admins", mode="before")
    @classmethod
    def _parse_admins(cls, value: object) -> frozenset[int]:
        if value is None or value == "":
            return frozenset()
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated Telegram user ids") from None
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(int(v) for v in value)
        raise ValueError("must be comma-separated Telegram user ids")

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not (
            value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")
        ):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(
                "not a database URL (e.g. sqlite+aiosqlite:///stationbot.db)"
            ) from None
        if parsed.get_backend_name() == "sqlite" and (parsed.host or parsed.port):
            raise ValueError("a SQLite URL names a file: sqlite+aiosqlite:///path/to/bot.db")
        return value

    @field_validator("knowledge_dir")
    @classmethod
    def _check_knowledge_dir(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not Path(value).is_dir():
            raise ValueError(f"{value} is not a directory")
        return value

    @field_validator("api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("file_url")
    @classmethod
    def _check_file_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value or None

    @property
    def media_path(self) -> Path:
        if self.media_dir:
            return Path(self.media_dir)
        if self.database_url.startswith("sqlite+aiosqlite:///"):
            database = self.database_url.removeprefix("sqlite+aiosqlite:///")
            if database and database != ":memory:":
                return Path(database).parent / "media"
        return Path("media")

    @property
    def base_file_url(self) -> str:
        return self.file_url or base_file_url_for(self.api_url)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        if self.token is None or not self.token.get_secret_value().strip():
            raise SettingsError("STATIONBOT_TOKEN is not set (needed for `run` and `webhook`)")
        token = self.token.get_secret_value().strip()
        if ":" not in token:
            raise SettingsError("STATIONBOT_TOKEN is malformed (expected <bot id>:<secret>)")
        return token


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line that names the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic checks each value
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "STATIONBOT_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {message}") from None
