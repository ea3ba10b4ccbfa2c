"""Questions passed from the knowledge base to a social worker, their threads, and what the
knowledge base could not answer (unmatched questions and 👍 / 👎 on answers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UtcDateTime


class Question(Base):
    """A resident's question for their station's social workers."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), index=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str | None] = mapped_column(Text)  # None once erased
    lang: Mapped[str] = mapped_column(String(8))
    # open: waiting for the station; answered: the station replied last; closed.
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    erased: Mapped[bool] = mapped_column(default=False)


class QuestionMessage(Base):
    """One message in a question's thread after the question itself, either way."""

    __tablename__ = "question_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    from_staff: Mapped[bool] = mapped_column()
    text: Mapped[str | None] = mapped_column(Text)  # None once erased
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KbFeedback(Base):
    """What the knowledge base learns from: `unmatched` (nothing close enough), `down` (👎 on
    an answer, with the question asked), `up` (👍, no text). `query` is the normalised question,
    so counts group the same question asked in different punctuation or characters."""

    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    entry_id: Mapped[str | None] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)
    query: Mapped[str | None] = mapped_column(Text)  # None once erased (and for 👍)
    lang: Mapped[str] = mapped_column(String(8))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


__all__ = ["KbFeedback", "Question", "QuestionMessage"]
