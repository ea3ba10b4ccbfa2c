"""Reading the small catalogues that are just a list of codes with a Chinese and English name."""

from __future__ import annotations

from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, require_bilingual, require_code


def load_coded_names(path: Path, key: str, *, max_len: int) -> list[tuple[str, str, str]]:
    """`key: [{code, name: {zh, en}}, …]` → [(code, zh, en)], codes unique, list non-empty."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list) or not data[key]:
        raise CatalogError(path, None, f"expected a non-empty top-level `{key}:` list")
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for index, raw in enumerate(data[key]):
        entry = f"{key}[{index}]"
        if not isinstance(raw, dict):
            raise CatalogError(path, entry, "must be a mapping")
        code = require_code(path, entry, raw.get("code"), max_len=max_len)
        if code in seen:
            raise CatalogError(path, code, "duplicate code")
        seen.add(code)
        zh, en = require_bilingual(path, code, raw, "name")
        rows.append((code, zh, en))
    return rows
