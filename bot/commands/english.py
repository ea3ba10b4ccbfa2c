"""The operator's commands print English only (no catalogue): a count with its noun in the
right form, so `stationbot ledger` says "1 record" and "2 records"."""

from __future__ import annotations


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 record", "2 records"; `plural` for nouns that do not just add an s."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
