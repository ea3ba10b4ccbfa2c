"""Domain errors. Handlers turn each into a translated sentence; services never write text."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """Base for every rule a service refuses to break."""


class NotAllowed(DomainError):
    """The person lacks the role (or the station) for this action."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to this person)."""


class InvalidValue(DomainError):
    """A value is out of range or malformed. `field` and `reason` are codes, not text."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InviteUnknown(DomainError):
    pass


class InviteUsed(DomainError):
    pass


class InviteExpired(DomainError):
    pass


class InviteAlreadyHeld(DomainError):
    """The person opening an invitation already holds its role (`role`, at `station_code`):
    nothing is granted, and the invitation stays as it was (`still_open`: unused and not
    expired, so the person it was meant for can still use it)."""

    def __init__(self, role: str, station_code: str | None, *, still_open: bool) -> None:
        super().__init__(role)
        self.role = role
        self.station_code = station_code
        self.still_open = still_open


class InviteThrottled(DomainError):
    """Too many wrong invitation codes from this person lately: no code is even looked at
    until `until` (a UTC-aware datetime)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


class Conflict(DomainError):
    """The state changed under the person (e.g. someone else accepted the request first)."""
