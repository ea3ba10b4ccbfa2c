"""What can be a person's name as typed: letters (Chinese or not), maybe a dot, a space or a
dash between them. Not digits ("12345" is not a name; a phone number typed at the name step
is a slip), not a question ("志愿者有补贴吗？" typed where the name was asked), not only emoji.
Whether a Chinese phrase is a name cannot be told from its characters, so that is not tried."""

from __future__ import annotations

import unicodedata

QUESTION_MARKS = frozenset("?？")


def looks_like_a_name(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text).strip()
    if not folded or any(ch in QUESTION_MARKS for ch in folded):
        return False
    if any(ch.isdigit() for ch in folded):
        return False
    return any(ch.isalpha() for ch in folded)
