"""Our own copies of evidence files, under STATIONBOT_MEDIA_DIR, so the 台账 never depends on
Telegram keeping a file.

- `store_copy` writes bytes (given, or fetched by a download callable) with a size limit, to
  a temporary file first and then into place, readable by the bot's user only (0600, folders
  0700); a refused or failed copy leaves nothing behind;
- downloads follow the Bot API server the bot talks to, the way PTB's `base_file_url` does:
  `<host>/file/bot<token>/<file_path>` (`base_file_url_for`). The URL holds the bot token, so
  nothing here logs it or puts it into an error message.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
import re
import tempfile
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from services.errors import DomainError
from services.records import EvidenceTooLarge

CHUNK = 64 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9_-]")
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


class MediaDownloadFailed(DomainError):
    """The file could not be fetched (network, or the server's answer); no URL inside."""


@dataclass(frozen=True)
class StoredCopy:
    relative_path: str  # under the media folder, `/`-separated
    size: int


def base_file_url_for(api_url: str) -> str:
    """PTB's `base_file_url` for a `base_url`: `https://api.telegram.org/bot` gives
    `https://api.telegram.org/file/bot`, a local server's `http://host:8081/bot` gives
    `http://host:8081/file/bot`."""
    base = api_url.rstrip("/")
    if base.endswith("/bot"):
        base = base[: -len("/bot")]
    return f"{base}/file/bot"


def file_download_url(base_file_url: str, token: str, file_path: str) -> str:
    """Where to fetch a file Telegram's `getFile` named (never log the result)."""
    return f"{base_file_url}{token}/{file_path.lstrip('/')}"


def evidence_relative_path(
    *, station_code: str, activity_id: int, file_unique_id: str, mime: str | None
) -> str:
    """`<station>/<activity id>/<file_unique_id><ext>`: stable, so a retried download lands in
    the same place, and free of anything a person typed."""
    extension = _EXTENSIONS.get(mime or "") or mimetypes.guess_extension(mime or "") or ".bin"
    return (
        f"{_SAFE.sub('_', station_code)}/{activity_id}/{_SAFE.sub('_', file_unique_id)}{extension}"
    )


async def store_copy(
    *,
    media_dir: Path,
    relative_path: str,
    max_bytes: int,
    data: bytes | None = None,
    download: Callable[[], Awaitable[bytes]] | None = None,
) -> StoredCopy:
    """Write one copy. EvidenceTooLarge past `max_bytes`; MediaDownloadFailed when the
    download raises. Exactly one of `data` and `download`."""
    if (data is None) == (download is None):
        raise ValueError("give either data or download")
    if data is None:
        assert download is not None
        try:
            data = await download()
        except EvidenceTooLarge:
            raise
        except Exception as error:  # noqa: BLE001 - any transport's error, the URL kept out
            raise MediaDownloadFailed(type(error).__name__) from None
    if len(data) > max_bytes:
        raise EvidenceTooLarge(max_bytes)
    await asyncio.to_thread(_write, media_dir, relative_path, data)
    return StoredCopy(relative_path=relative_path, size=len(data))


def _write(media_dir: Path, relative_path: str, data: bytes) -> None:
    target = (media_dir / relative_path).resolve()
    root = media_dir.resolve()
    if root not in target.parents:
        raise ValueError("relative_path leaves the media folder")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def discard(*, media_dir: Path, relative_path: str) -> None:
    """Remove a copy whose record refused it (e.g. the 10th file)."""
    with contextlib.suppress(FileNotFoundError):
        (media_dir / relative_path).unlink()


def url_downloader(
    url: str, *, max_bytes: int, timeout: float = 60
) -> Callable[[], Awaitable[bytes]]:
    """A download callable for `store_copy` that stops reading past `max_bytes`."""

    def fetch() -> bytes:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            chunks, total = [], 0
            while chunk := response.read(CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise EvidenceTooLarge(max_bytes)
                chunks.append(chunk)
            return b"".join(chunks)

    async def download() -> bytes:
        return await asyncio.to_thread(fetch)

    return download
