"""What the daily loop needs to know beyond people and requests: who has really started the
bot (so nobody is told "passed on" about a chat Telegram would refuse), and which yearly
evaluation runs an administrator confirmed (the others are drafts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class FirstContact(Base):
    """The first time a Telegram user wrote to the bot. A `people` row alone does not prove it:
    invites and seeding create rows for people who may never have opened the chat, and Telegram
    answers "chat not found" to a bot writing first."""

    __tablename__ = "first_contacts"

    tg_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EvaluationConfirmation(Base):
    """An evaluation run an administrator confirmed after seeing what was missing. Only
    confirmed runs are the recorded ranking; the rest stay as drafts."""

    __tablename__ = "evaluation_confirmations"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_runs.id"), primary_key=True, autoincrement=False
    )
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


__all__ = ["EvaluationConfirmation", "FirstContact"]
