"""One callback codec: `prefix:kind:args`, at most 64 bytes (Telegram's limit), parsed once.

    data = encode("inv", "role", "worker")      # "inv:role:worker"
    press = parse(data)                          # Press("inv", "role", ("worker",))
    press.arg()                                  # "worker"
    press.int_arg()                              # None: not a (range-checked) integer

`int_arg` accepts only what fits a database integer (1 to 19 digits, at most 2**63 - 1), so a
forged 40-digit id is refused as "not an id" instead of raising OverflowError deeper down.
`pattern(prefix, kind)` is the regex a `CallbackQueryHandler` matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Update

MAX_BYTES = 64
MAX_ID = 2**63 - 1
_PART = re.compile(r"^[A-Za-z0-9_\-.]*$")


class CallbackTooLong(ValueError):
    """The encoded data would not fit Telegram's 64 bytes."""


@dataclass(frozen=True)
class Press:
    prefix: str
    kind: str
    args: tuple[str, ...] = ()

    def arg(self, index: int = 0) -> str | None:
        return self.args[index] if index < len(self.args) else None

    def int_arg(self, index: int = 0) -> int | None:
        """The argument as a positive database id, or None (missing, not digits, too big)."""
        raw = self.arg(index)
        if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
            return None
        number = int(raw)
        return number if 0 < number <= MAX_ID else None

    @property
    def data(self) -> str:
        return ":".join((self.prefix, self.kind, *self.args))


def encode(prefix: str, kind: str, *args: object) -> str:
    """`prefix:kind:arg1:arg2`; parts may not contain ':'; the whole must fit 64 bytes."""
    parts = [prefix, kind, *(str(a) for a in args)]
    if any(":" in part for part in parts):
        raise ValueError(f"':' inside a callback part: {parts!r}")
    data = ":".join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CallbackTooLong(data)
    return data


def parse(data: str | None) -> Press | None:
    """The press, or None for data that is not `prefix:kind[:args]` within 64 bytes."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return Press(parts[0], parts[1], tuple(parts[2:]))


def pressed(update: Update) -> Press | None:
    """The update's press (`Context.press` caches it for the rest of the update)."""
    query = update.callback_query
    return None if query is None else parse(query.data)


def pattern(prefix: str, kind: str | None = None) -> str:
    """The regex of every press of `prefix` (and `kind`)."""
    if kind is None:
        return rf"^{re.escape(prefix)}:"
    return rf"^{re.escape(prefix)}:{re.escape(kind)}(:|$)"
