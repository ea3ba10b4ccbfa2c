"""Rules for residents' service requests, from `requests.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.loading import CatalogError, read_yaml, resolve

DEFAULT_OPEN_LIMIT = 3


@dataclass(frozen=True)
class RequestRules:
    # Open (submitted, accepted, in progress) requests one resident may have at one station.
    open_request_limit: int = DEFAULT_OPEN_LIMIT


def load_request_rules(directory: Path | None = None) -> RequestRules:
    path = resolve(directory, "requests.yaml")
    data = read_yaml(path)
    if data is None:
        return RequestRules()
    if not isinstance(data, dict):
        raise CatalogError(path, None, "expected a mapping of settings")
    unknown = sorted(set(data) - {"open_request_limit"})
    if unknown:
        raise CatalogError(path, unknown[0], "unknown setting")
    limit = data.get("open_request_limit", DEFAULT_OPEN_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise CatalogError(path, "open_request_limit", "must be a whole number from 1 to 100")
    return RequestRules(open_request_limit=limit)
