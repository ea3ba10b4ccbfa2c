"""The audit log: who did what, when. Callers pass codes and ids, never personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from db.models import AuditEntry
from db.uow import UnitOfWork

_INSERT = insert(AuditEntry)  # built once: an entry is written on most staff actions


def record(
    uow: UnitOfWork,
    *,
    actor_id: int | None,
    action: str,
    subject: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Adds the entry to the caller's unit of work; the caller commits."""
    uow.session.add(
        AuditEntry(
            at=now, actor_person_id=actor_id, action=action, subject=subject, detail=detail or {}
        )
    )


def insert_entry(
    connection: Connection,
    *,
    actor_id: int | None,
    action: str,
    subject: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """The same entry as `record`, written inside a Core transaction (`UnitOfWork.write`)."""
    connection.execute(
        _INSERT,
        {
            "at": now,
            "actor_person_id": actor_id,
            "action": action,
            "subject": subject,
            "detail": detail or {},
        },
    )
