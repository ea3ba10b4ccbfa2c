"""The `/start` payloads of this bot's deep links: what they look like and how to read them.

Telegram opens `https://t.me/<bot>?start=<payload>` as the message `/start <payload>`; a payload
is 1–64 characters of `A-Za-z0-9_-`. Ours, besides the staff invitations (32 random characters,
`services.staff`):

| payload | meaning |
|---|---|
| `stn-<station>-ask` | a station's poster: ask a question, at that station |
| `stn-<station>-req` | a station's poster: request a service there |
| `stn-<station>-vol` | a station's poster: volunteer there |
| `act-v-<token>` | a volunteer activity's volunteer QR: check in, later check out |
| `act-r-<token>` | the same activity's resident QR: attendance (one person-time) |

`<station>` is a station code (1–32 of `A-Za-z0-9_`, never `-`, so the split is exact);
`<token>` is 22 random URL-safe characters (`secrets.token_urlsafe(16)`, 128 bits), one per
activity and role, stored with the activity: a payload nobody issued finds nothing. None of
them is 32 characters long, so none can be mistaken for an invitation code, and no invitation
code begins with `stn-` or `act-` (`looks_like_ours`), so a damaged one is not either.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

MAX_PAYLOAD = 64
STATION_ACTIONS = ("ask", "req", "vol")  # ask a question, request a service, volunteer
ASK, REQUEST, VOLUNTEER = STATION_ACTIONS
SCAN_ROLES = ("v", "r")  # volunteer, resident
VOLUNTEER_SCAN, RESIDENT_SCAN = SCAN_ROLES
TOKEN_LENGTH = 22
OUR_PREFIXES = ("stn-", "act-")  # how every payload of ours begins (see `looks_like_ours`)

_STATION = re.compile(r"^stn-([A-Za-z0-9_]{1,32})-(ask|req|vol)$")
_SCAN = re.compile(r"^act-([vr])-([A-Za-z0-9_-]{22})$")


@dataclass(frozen=True)
class StationLink:
    station_code: str
    action: str  # ask | req | vol


@dataclass(frozen=True)
class ScanLink:
    role: str  # v (volunteer) | r (resident)
    token: str


def new_scan_token() -> str:
    """A fresh unguessable token for one activity and one role."""
    return secrets.token_urlsafe(16)


def station_payload(station_code: str, action: str) -> str:
    payload = f"stn-{station_code}-{action}"
    if parse_payload(payload) != StationLink(station_code, action):
        raise ValueError(f"not a station payload: {payload!r}")
    return payload


def scan_payload(role: str, token: str) -> str:
    payload = f"act-{role}-{token}"
    if parse_payload(payload) != ScanLink(role, token):
        raise ValueError(f"not a scan payload: {payload!r}")
    return payload


def parse_payload(payload: str) -> StationLink | ScanLink | None:
    """What a `/start` payload of ours means, or None (an invitation code, or nonsense)."""
    if not payload or len(payload) > MAX_PAYLOAD:
        return None
    station = _STATION.match(payload)
    if station is not None:
        return StationLink(station.group(1), station.group(2))
    scan = _SCAN.match(payload)
    if scan is not None:
        return ScanLink(scan.group(1), scan.group(2))
    return None


def looks_like_ours(payload: str) -> bool:
    """Begins as a station poster's or an activity QR's payload does, parsed or not: a damaged
    scan, an old poster of a station no longer served. Never an invitation (`services.staff`
    issues no code that begins so), so never counted as a wrong invitation code."""
    return payload.startswith(OUR_PREFIXES)


def deep_link(bot_username: str, payload: str) -> str:
    """The `https://t.me/…?start=…` link that opens the bot with the payload."""
    if not re.fullmatch(r"[A-Za-z0-9_]{5,32}", bot_username):
        raise ValueError(f"not a bot username: {bot_username!r}")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload):
        raise ValueError(f"not a /start payload: {payload!r}")
    return f"https://t.me/{bot_username}?start={payload}"
