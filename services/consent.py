"""Consent to personal-information processing and, separately, to the cross-border transfer.

PIPL art. 13–14 ask for informed consent before personal information is collected; art. 38–39
ask for a separate consent when it leaves mainland China, which every message to a Telegram bot
does. So a person gives two consents, stored as two rows (`personal_info`, `cross_border`) with
the notice version and the time; both are needed before any personal data is collected, and
either can be withdrawn (which withdraws both: one is no use without the other).

Consents for one purpose (`PURPOSES`) are separate rows of their own kind: a question passed
to a person (a social worker reads the resident's name and words) is asked once, with a short
notice, and remembered; withdrawing withdraws it too.

`VERSION` names the wording of the notice the person agreed to. Change it when the notice
changes in substance: everyone is then asked again before they next share personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from db.models import Consent
from db.uow import UnitOfWork
from services import audit
from services.errors import DomainError, InvalidValue

PERSONAL_INFO = "personal_info"
CROSS_BORDER = "cross_border"
KINDS = (PERSONAL_INFO, CROSS_BORDER)
VERSION = "2026-11"
# Purposes asked for on their own, once: code → the version of its short notice.
QUESTION_TO_PERSON = "question_to_person"  # the resident's question, with their name, to staff
# The same, when the station has no staff on the bot yet and the bureau's staff receive it.
QUESTION_VIA_BUREAU = "question_via_bureau"
PURPOSES: dict[str, str] = {QUESTION_TO_PERSON: "2026-12", QUESTION_VIA_BUREAU: "2026-12"}


class ConsentRequired(DomainError):
    """Personal data was about to be stored without both consents to the current notice."""


@dataclass(frozen=True)
class ConsentStatus:
    given: bool  # both kinds, current version, not withdrawn
    granted_at: datetime | None
    version: str | None


async def _active(uow: UnitOfWork, person_id: int) -> list[Consent]:
    return list(
        (
            await uow.session.scalars(
                select(Consent).where(
                    Consent.person_id == person_id, Consent.withdrawn_at.is_(None)
                )
            )
        ).all()
    )


_ACTIVE = select(Consent.kind, Consent.version, Consent.granted_at).where(
    Consent.person_id == bindparam("person_id"), Consent.withdrawn_at.is_(None)
)  # the figures `_status` needs, as one prebuilt Core read (no ORM objects, no session)


def _status(rows: Sequence[Any]) -> ConsentStatus:
    """From rows with `kind`, `version` and `granted_at` (Consent objects or `_ACTIVE`'s)."""
    current = {r.kind: r for r in rows if r.version == VERSION}
    if all(kind in current for kind in KINDS):
        return ConsentStatus(
            given=True,
            granted_at=max(current[k].granted_at for k in KINDS),
            version=VERSION,
        )
    return ConsentStatus(given=False, granted_at=None, version=None)


async def status(uow: UnitOfWork, *, person_id: int) -> ConsentStatus:
    return _status(await uow.rows(_ACTIVE, {"person_id": person_id}))


async def require(uow: UnitOfWork, *, person_id: int) -> None:
    """For services about to store personal data: raises ConsentRequired without consent."""
    if not (await status(uow, person_id=person_id)).given:
        raise ConsentRequired()


_INSERT = insert(Consent)
_ACTIVE_IDS = select(Consent.id, Consent.kind, Consent.version, Consent.granted_at).where(
    Consent.person_id == bindparam("person_id"), Consent.withdrawn_at.is_(None)
)


async def give(uow: UnitOfWork, *, person_id: int, now: datetime) -> ConsentStatus:
    """Record both consents for the current notice. Giving it again changes nothing."""
    rows = [r for r in await uow.rows(_ACTIVE_IDS, {"person_id": person_id}) if r.kind in KINDS]
    kept = [r for r in rows if r.version == VERSION]
    superseded = [r.id for r in rows if r.version != VERSION]  # by the consent to the new notice
    have = {r.kind for r in kept}
    added = [kind for kind in KINDS if kind not in have]
    if added or superseded:

        def write(connection: Connection) -> None:  # one Core transaction: no ORM flush
            if superseded:
                connection.execute(
                    update(Consent).where(Consent.id.in_(superseded)).values(withdrawn_at=now)
                )
            if added:
                connection.execute(
                    _INSERT,
                    [
                        {"person_id": person_id, "kind": k, "version": VERSION, "granted_at": now}
                        for k in added
                    ],
                )
                audit.insert_entry(
                    connection,
                    actor_id=person_id,
                    action="consent.give",
                    subject=f"person:{person_id}",
                    now=now,
                    detail={"kinds": added, "version": VERSION},
                )

        await uow.write(write)
    else:
        await uow.commit()  # nothing new; as before, what the caller's unit holds is committed
    return _status([*kept, *(Given(k, VERSION, now) for k in added)])


@dataclass(frozen=True)
class Given:
    """A consent as `_status` reads it."""

    kind: str
    version: str
    granted_at: datetime


async def withdraw(uow: UnitOfWork, *, person_id: int, now: datetime) -> bool:
    """Withdraw every active consent. Returns False when there was none to withdraw."""
    rows = await _active(uow, person_id)
    if not rows:
        return False
    for row in rows:
        row.withdrawn_at = now
    audit.record(
        uow,
        actor_id=person_id,
        action="consent.withdraw",
        subject=f"person:{person_id}",
        now=now,
        detail={"kinds": sorted({r.kind for r in rows})},
    )
    await uow.commit()
    return True


@dataclass(frozen=True)
class PurposeConsent:
    purpose: str
    given: bool  # for the purpose's current notice, not withdrawn
    granted_at: datetime | None


def _purpose_version(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise InvalidValue("purpose", "unknown")
    return PURPOSES[purpose]


async def purpose_status(uow: UnitOfWork, *, person_id: int, purpose: str) -> PurposeConsent:
    """Whether the person agreed to this purpose (then it is not asked again)."""
    version = _purpose_version(purpose)
    row = next(
        (r for r in await _active(uow, person_id) if r.kind == purpose and r.version == version),
        None,
    )
    return PurposeConsent(purpose, row is not None, row.granted_at if row else None)


async def needs_asking(uow: UnitOfWork, *, person_id: int, purpose: str) -> bool:
    """True until the person agreed once: show the short notice with Agree / Cancel."""
    return not (await purpose_status(uow, person_id=person_id, purpose=purpose)).given


async def give_purpose(
    uow: UnitOfWork, *, person_id: int, purpose: str, now: datetime
) -> PurposeConsent:
    """Record the person's Agree to the purpose's notice. Agreeing again changes nothing."""
    version = _purpose_version(purpose)
    current = await purpose_status(uow, person_id=person_id, purpose=purpose)
    if current.given:
        return current
    for row in await _active(uow, person_id):
        if row.kind == purpose:  # an older notice of the same purpose
            row.withdrawn_at = now
    uow.session.add(Consent(person_id=person_id, kind=purpose, version=version, granted_at=now))
    audit.record(
        uow,
        actor_id=person_id,
        action="consent.give",
        subject=f"person:{person_id}",
        now=now,
        detail={"kinds": [purpose], "version": version},
    )
    await uow.commit()
    return PurposeConsent(purpose, True, now)


async def require_purpose(uow: UnitOfWork, *, person_id: int, purpose: str) -> None:
    """For services about to act on the purpose: raises ConsentRequired without it."""
    if await needs_asking(uow, person_id=person_id, purpose=purpose):
        raise ConsentRequired(purpose)
