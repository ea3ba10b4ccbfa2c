"""Reading catalogue YAML files with errors a deployer can act on (file, entry, problem)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEFAULT_DIR = Path(__file__).parent


class CatalogError(Exception):
    """A catalogue file is malformed. The message names the file, the entry and why."""

    def __init__(self, path: Path | str, entry: str | None, problem: str) -> None:
        self.path = str(path)
        self.entry = entry
        self.problem = problem
        where = f"{self.path}: {entry}: " if entry else f"{self.path}: "
        super().__init__(where + problem)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise CatalogError(path, None, "file not found") from None
    except IsADirectoryError:
        raise CatalogError(path, None, "is a directory, not a YAML file") from None
    except UnicodeDecodeError:
        raise CatalogError(path, None, "not UTF-8 text (a binary file?)") from None
    except OSError as exc:
        raise CatalogError(path, None, f"cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise CatalogError(path, None, f"not valid YAML ({exc})") from None


def reject_unknown_keys(
    path: Path, entry: str, data: dict[str, Any], known: tuple[str, ...]
) -> None:
    """A key the loader does not know is a typo or a wrong guess: say so instead of ignoring it."""
    unknown = [str(k) for k in data if k not in known]
    if unknown:
        raise CatalogError(path, entry, f"unknown key {unknown[0]!r} (known: {', '.join(known)})")


def resolve(directory: Path | None, name: str) -> Path:
    """A deployment's directory may replace any file; missing ones fall back to the defaults."""
    if directory is not None and (directory / name).exists():
        return directory / name
    return DEFAULT_DIR / name


def require_str(path: Path, entry: str, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(path, entry, f"`{key}` must be a non-empty string")
    return value.strip()


def require_bilingual(path: Path, entry: str, data: dict[str, Any], key: str) -> tuple[str, str]:
    """`key: {zh: …, en: …}` → (zh, en); both languages are required."""
    value = data.get(key)
    if not isinstance(value, dict):
        raise CatalogError(path, entry, f"`{key}` must have `zh` and `en` texts")
    zh, en = value.get("zh"), value.get("en")
    if extra := sorted(str(k) for k, v in value.items() if k not in ("zh", "en") and v is None):
        # `{zh: …, en: If not, say where}`: YAML read ", say where" as a key of its own and the
        # English text stopped at the comma (fifteen record-form hints did): quote such text.
        raise CatalogError(
            path,
            entry,
            f"`{key}` has more than zh and en ({', '.join(extra)}): quote a text with a comma",
        )
    if not isinstance(zh, str) or not zh.strip():
        raise CatalogError(path, entry, f"`{key}.zh` is missing")
    if not isinstance(en, str) or not en.strip():
        raise CatalogError(path, entry, f"`{key}.en` is missing")
    return zh.strip(), en.strip()


def require_code(path: Path, entry: str, value: object, *, max_len: int = 32) -> str:
    """Codes go into callback_data, so they are short ASCII identifiers."""
    if (
        not isinstance(value, str)
        or not value
        or len(value) > max_len
        or not all(c.isascii() and (c.isalnum() or c == "_") for c in value)
    ):
        raise CatalogError(path, entry, f"code {value!r} must be 1–{max_len} of [A-Za-z0-9_]")
    return value
