"""Logging that can never carry the bot token.

httpx logs every request URL at INFO, and Telegram URLs contain the token, so httpx (and
httpcore) stay at WARNING; a filter on every handler also masks the token wherever else it
might appear (an exception message, a third-party log line).
"""

from __future__ import annotations

import logging
import sys


class RedactToken(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        masked = message
        for secret in self.secrets:
            masked = masked.replace(secret, "<token>")
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(s in text for s in self.secrets):
                for secret in self.secrets:
                    text = text.replace(secret, "<token>")
                record.exc_info = None
                record.exc_text = None
                masked = masked + "\n" + text
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup_logging(*, token: str | None = None, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactToken([token] if token else []))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
