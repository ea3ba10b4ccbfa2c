"""The human behind the knowledge base: questions passed to a station's social workers, their
replies both ways, and what the knowledge base could not answer.

A question belongs to one station. Its reachable workers are told (or, when the station has
none yet, its head, then the administrators: services.reach; when nobody at all can be
reached the result says so). Anyone of the station's
staff, or an administrator, may reply; the resident may answer back; either side may close it.

Who receives a new question decides what the resident agrees to (`plan_hand_off`): the
station's own staff (`STATION`, consent.QUESTION_TO_PERSON), or, when the station has nobody on
the bot but the administrators would get it, the civil-affairs bureau's staff (`BUREAU`,
consent.QUESTION_VIA_BUREAU, its own notice). The question is created only with the consent of
the audience it really goes to, so the resident is never told "the station's social workers"
when the bureau reads it.
`open` means the station owes a reply; `answered` means the station replied last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from db.models import KbFeedback, Person, Question, QuestionMessage
from db.uow import UnitOfWork
from knowledge.matcher import normalise
from services import audit, consent, reach
from services.errors import Conflict, InvalidValue, NotAllowed, NotFound
from services.people import ADMIN, WORKER, Access
from services.redaction import redact

OPEN, ANSWERED, CLOSED = "open", "answered", "closed"
UNMATCHED, DOWN, UP = "unmatched", "down", "up"
FEEDBACK_KINDS = (UNMATCHED, DOWN, UP)
MAX_TEXT = 3500  # a relayed message plus its heading must fit in one Telegram message
MAX_QUERY = 500  # what is kept of a question for the gap list
STATION, BUREAU = "station", "bureau"  # who reads a new question: the station's staff, or the
# civil-affairs bureau's (the administrators) when the station has nobody on the bot yet
AUDIENCES = (STATION, BUREAU)


@dataclass(frozen=True)
class Recipients:
    """Who is told: their Telegram ids, and which group they are (workers, heads, admins)."""

    tg_ids: tuple[int, ...]
    group: str  # worker | station_head | admin | nobody | resident

    @property
    def nobody(self) -> bool:
        """Nobody can be reached: tell the asker so, with the station's phone and hours."""
        return not self.tg_ids

    @property
    def audience(self) -> str:
        """BUREAU when the administrators receive it in the station's place, else STATION
        (its workers or head, or nobody yet: then it waits in the station's /inbox)."""
        return BUREAU if self.group == ADMIN else STATION


def consent_purpose(audience: str) -> str:
    """The consent a question needs before it goes to this audience."""
    if audience not in AUDIENCES:
        raise InvalidValue("audience", "unknown")
    return consent.QUESTION_VIA_BUREAU if audience == BUREAU else consent.QUESTION_TO_PERSON


@dataclass(frozen=True)
class QuestionCreated:
    id: int
    station_code: str
    recipients: Recipients
    asker_name: str | None

    @property
    def audience(self) -> str:
        return self.recipients.audience


@dataclass(frozen=True)
class HandOffPlan:
    """Before a question is passed on: its station (None: ask which first), who would read it
    (`audience`) and whether the person must first agree to that (`purpose`)."""

    station_code: str | None
    audience: str
    consent_needed: bool

    @property
    def purpose(self) -> str:
        return consent_purpose(self.audience)


@dataclass(frozen=True)
class HandOff:
    """What `hand_off` did: the question created, or None when the station must be asked
    first (`needs_station`); `recorded` says whether it is now in the gap list."""

    created: QuestionCreated | None
    recorded: bool

    @property
    def needs_station(self) -> bool:
        return self.created is None


@dataclass(frozen=True)
class QuestionView:
    id: int
    station_code: str
    status: str
    text: str | None
    lang: str
    asker_tg_id: int
    asker_name: str | None
    created_at: datetime
    last_activity_at: datetime


@dataclass(frozen=True)
class ReplySent:
    question: QuestionView
    from_staff: bool
    text: str
    recipients: Recipients


@dataclass(frozen=True)
class Gap:
    query: str
    count: int
    unmatched: int
    disliked: int
    last_at: datetime


@dataclass(frozen=True)
class EntryVotes:
    entry_id: str
    up: int
    down: int


def _clean(text: str, field: str = "text") -> str:
    text = text.strip()
    if not text:
        raise InvalidValue(field, "empty")
    if len(text) > MAX_TEXT:
        raise InvalidValue(field, "too_long")
    return text


async def _person(uow: UnitOfWork, person_id: int) -> Person:
    person = await uow.session.get(Person, person_id)
    if person is None:
        raise NotFound()
    return person


async def station_of(uow: UnitOfWork, *, person_id: int) -> str | None:
    """The station this person last dealt with (their request, volunteering or question)."""
    person = await uow.session.get(Person, person_id)
    return person.last_station_code if person is not None else None


async def station_recipients(
    uow: UnitOfWork, *, station_code: str, admin_tg_ids: Iterable[int] = ()
) -> Recipients:
    """The one rule of services.reach: reachable workers → head → administrators → nobody."""
    found = await reach.station_recipients(
        uow, station_code=station_code, admin_tg_ids=admin_tg_ids
    )
    return Recipients(found.tg_ids, found.group)


async def _resolve_station(
    uow: UnitOfWork, *, person_id: int, station_code: str | None, codes: set[str]
) -> str | None:
    if station_code is None:
        known = await station_of(uow, person_id=person_id)
        station_code = known if known in codes else None
    return station_code


def passes_to_station(actor: Access) -> bool:
    """Whether a question the knowledge base could not answer is offered to a station's
    people. A resident's is; a staff member's is not (a worker would be passing it to
    themselves or their colleagues): it stays in the gap list (`UNMATCHED`, or `DOWN` after
    👎), where the administrators add answers."""
    return not actor.is_staff


async def record_staff_gap(
    uow: UnitOfWork, *, actor: Access, text: str, lang: str, now: datetime
) -> None:
    """A staff member's unanswered question, kept as a gap instead of passed on (once: the
    caller knows whether it was recorded already)."""
    if passes_to_station(actor):
        raise NotAllowed()
    query = text[:MAX_QUERY]
    await _feedback(
        uow, kind=UNMATCHED, person_id=actor.person_id, lang=lang, now=now,
        query=normalise(query) or query,
    )  # fmt: skip
    await uow.commit()


async def plan_hand_off(
    uow: UnitOfWork,
    *,
    person_id: int,
    station_code: str | None,
    station_codes: Iterable[str],
    admin_tg_ids: Iterable[int] = (),
) -> HandOffPlan:
    """What the resident must be told before `hand_off`: the station (`station_code`, else the
    one they last dealt with, else None), who would receive the question there, and whether
    they still have to agree to that. Reads only."""
    codes = set(station_codes)
    if station_code is not None and station_code not in codes:
        raise InvalidValue("station", "unknown")
    station_code = await _resolve_station(
        uow, person_id=person_id, station_code=station_code, codes=codes
    )
    audience = STATION
    if station_code is not None:
        found = await station_recipients(uow, station_code=station_code, admin_tg_ids=admin_tg_ids)
        audience = found.audience
    needed = await consent.needs_asking(uow, person_id=person_id, purpose=consent_purpose(audience))
    return HandOffPlan(station_code, audience, needed)


async def ask_station(
    uow: UnitOfWork,
    *,
    person_id: int,
    station_code: str,
    station_codes: Iterable[str],
    text: str,
    lang: str,
    now: datetime,
    admin_tg_ids: Iterable[int] = (),
    require_consent: bool = False,
) -> QuestionCreated:
    """Create a question for the station and remember the station as the person's.

    With `require_consent`, raises consent.ConsentRequired unless the person agreed once to
    their question going to the audience that receives it (`consent_purpose`)."""
    created = await _create(
        uow,
        person_id=person_id,
        station_code=station_code,
        station_codes=station_codes,
        text=text,
        lang=lang,
        now=now,
        admin_tg_ids=admin_tg_ids,
        require_consent=require_consent,
    )
    await uow.commit()
    return created


async def hand_off(
    uow: UnitOfWork,
    *,
    person_id: int,
    text: str,
    lang: str,
    station_code: str | None,
    station_codes: Iterable[str],
    unrecorded: bool,
    now: datetime,
    admin_tg_ids: Iterable[int] = (),
    query_lang: str | None = None,
    require_consent: bool = False,
    actor: Access | None = None,
) -> HandOff:
    """Pass a question the knowledge base did not answer to a station, in one unit of work.

    `unrecorded`: the question is not in the gap list yet, so it is stored there as unmatched
    (once, in `query_lang`, the language the matcher read it in). The station is `station_code`, else the one the person last dealt with; with
    neither (or one that no longer exists), no question is created and `needs_station` says
    to ask which. The recipients come back for the caller to notify through the outbox.
    InvalidValue("text", "too_long") or ("station", "unknown"): nothing is stored. `actor`
    given and staff: NotAllowed (`passes_to_station`; `record_staff_gap` keeps it instead)."""
    if actor is not None and not passes_to_station(actor):
        raise NotAllowed()
    codes = set(station_codes)
    recorded = not unrecorded
    if unrecorded:
        query = text[:MAX_QUERY]
        await _feedback(
            uow,
            kind=UNMATCHED,
            person_id=person_id,
            lang=query_lang or lang,
            now=now,
            query=normalise(query) or query,
        )
        recorded = True
    station_code = await _resolve_station(
        uow, person_id=person_id, station_code=station_code, codes=codes
    )
    if station_code is None:
        await uow.commit()
        return HandOff(created=None, recorded=recorded)
    created = await _create(
        uow,
        person_id=person_id,
        station_code=station_code,
        station_codes=codes,
        text=text,
        lang=lang,
        now=now,
        admin_tg_ids=admin_tg_ids,
        require_consent=require_consent,
    )
    await uow.commit()
    return HandOff(created=created, recorded=recorded)


async def _create(
    uow: UnitOfWork,
    *,
    person_id: int,
    station_code: str,
    station_codes: Iterable[str],
    text: str,
    lang: str,
    now: datetime,
    admin_tg_ids: Iterable[int],
    require_consent: bool = False,
) -> QuestionCreated:
    if station_code not in set(station_codes):
        raise InvalidValue("station", "unknown")
    text = _clean(text)
    recipients = await station_recipients(uow, station_code=station_code, admin_tg_ids=admin_tg_ids)
    if require_consent:  # the consent to the audience it really goes to
        await consent.require_purpose(
            uow, person_id=person_id, purpose=consent_purpose(recipients.audience)
        )
    person = await _person(uow, person_id)
    question = Question(
        station_code=station_code,
        asker_id=person_id,
        text=text,
        lang=lang,
        status=OPEN,
        created_at=now,
        last_activity_at=now,
    )
    uow.session.add(question)
    person.last_station_code = station_code
    await uow.session.flush()
    audit.record(
        uow,
        actor_id=person_id,
        action="question.create",
        subject=f"question:{question.id}",
        now=now,
        detail={"station": station_code},
    )
    return QuestionCreated(question.id, station_code, recipients, person.display_name)


def may_answer_for(access: Access, station_code: str) -> bool:
    """Staff who answer for a station: its workers and head, and administrators."""
    return (
        access.is_admin
        or station_code in access.worker_stations
        or station_code in access.head_stations
    )


async def _view(uow: UnitOfWork, question_id: int) -> tuple[Question, QuestionView]:
    row = (
        await uow.session.execute(
            select(Question, Person.tg_id, Person.display_name)
            .join(Person, Person.id == Question.asker_id)
            .where(Question.id == question_id)
        )
    ).first()
    if row is None or row[0].erased:
        raise NotFound()
    question, tg_id, name = row
    return question, QuestionView(
        id=question.id,
        station_code=question.station_code,
        status=question.status,
        text=question.text,
        lang=question.lang,
        asker_tg_id=tg_id,
        asker_name=name,
        created_at=question.created_at,
        last_activity_at=question.last_activity_at,
    )


async def for_reply(uow: UnitOfWork, *, question_id: int, access: Access) -> QuestionView:
    """The question, if this person may write in its thread now (before they type)."""
    question, view = await _view(uow, question_id)
    if question.asker_id != access.person_id and not may_answer_for(access, view.station_code):
        raise NotAllowed()
    if question.status == CLOSED:
        raise Conflict()
    return view


async def reply(
    uow: UnitOfWork,
    *,
    question_id: int,
    access: Access,
    text: str,
    now: datetime,
    admin_tg_ids: Iterable[int] = (),
) -> ReplySent:
    """Add a message to the thread. Staff replies go to the resident; the resident's go to the
    staff who replied before (or, if nobody has yet, to the station as a new question would)."""
    text = _clean(text)
    question, view = await _view(uow, question_id)
    from_staff = question.asker_id != access.person_id
    if from_staff and not may_answer_for(access, view.station_code):
        raise NotAllowed()
    if question.status == CLOSED:
        raise Conflict()
    uow.session.add(
        QuestionMessage(
            question_id=question.id,
            author_id=access.person_id,
            from_staff=from_staff,
            text=text,
            created_at=now,
        )
    )
    question.last_activity_at = now
    if from_staff:
        question.status = ANSWERED
        question.first_answered_at = question.first_answered_at or now
        recipients = Recipients((view.asker_tg_id,), "resident")
    else:
        question.status = OPEN
        answered_by = (
            await uow.session.scalars(
                select(Person.tg_id)
                .join(QuestionMessage, QuestionMessage.author_id == Person.id)
                .where(QuestionMessage.question_id == question.id, QuestionMessage.from_staff)
                .distinct()
            )
        ).all()
        reachable = await reach.reachable_among(uow, answered_by)
        answered_by = [tg for tg in answered_by if tg in reachable]
        recipients = (
            Recipients(tuple(sorted(answered_by)), WORKER)
            if answered_by
            else await station_recipients(
                uow, station_code=view.station_code, admin_tg_ids=admin_tg_ids
            )
        )
    audit.record(
        uow,
        actor_id=access.person_id,
        action="question.reply",
        subject=f"question:{question.id}",
        now=now,
        detail={"from_staff": from_staff},
    )
    await uow.commit()
    _, view = await _view(uow, question_id)
    return ReplySent(view, from_staff, text, recipients)


async def close(
    uow: UnitOfWork, *, question_id: int, access: Access, now: datetime
) -> QuestionView:
    """Close the thread (the resident or the station's staff). Raises Conflict if closed."""
    question, view = await _view(uow, question_id)
    if question.asker_id != access.person_id and not may_answer_for(access, view.station_code):
        raise NotAllowed()
    if question.status == CLOSED:
        raise Conflict()
    question.status = CLOSED
    question.closed_at = now
    question.last_activity_at = now
    audit.record(
        uow,
        actor_id=access.person_id,
        action="question.close",
        subject=f"question:{question.id}",
        now=now,
    )
    await uow.commit()
    return (await _view(uow, question_id))[1]


async def unanswered(
    uow: UnitOfWork, *, station_codes: Iterable[str], limit: int = 10
) -> list[QuestionView]:
    """Open questions of these stations, oldest first (they have waited longest)."""
    rows = (
        await uow.session.execute(
            select(Question.id)
            .where(
                Question.station_code.in_(list(station_codes)),
                Question.status == OPEN,
                Question.erased.is_(False),
            )
            .order_by(Question.last_activity_at, Question.id)
            .limit(limit)
        )
    ).all()
    return [(await _view(uow, question_id))[1] for (question_id,) in rows]


async def unanswered_count(uow: UnitOfWork, station_codes: Iterable[str]) -> int:
    """For the /inbox overview's "questions" button."""
    count = await uow.session.scalar(
        select(func.count(Question.id)).where(
            Question.station_code.in_(list(station_codes)),
            Question.status == OPEN,
            Question.erased.is_(False),
        )
    )
    return int(count or 0)


# --- what the knowledge base could not answer ---------------------------------------------


async def record_feedback(
    uow: UnitOfWork,
    *,
    kind: str,
    person_id: int | None,
    lang: str,
    now: datetime,
    query: str | None = None,
    entry_id: str | None = None,
    score: float | None = None,
) -> None:
    """Store an unmatched question, a 👎 (with the question, when still known) or a 👍
    (never with text)."""
    await _feedback(
        uow,
        kind=kind,
        person_id=person_id,
        lang=lang,
        now=now,
        query=query,
        entry_id=entry_id,
        score=score,
    )
    await uow.commit()


async def _feedback(
    uow: UnitOfWork,
    *,
    kind: str,
    person_id: int | None,
    lang: str,
    now: datetime,
    query: str | None = None,
    entry_id: str | None = None,
    score: float | None = None,
) -> None:
    if kind not in FEEDBACK_KINDS:
        raise InvalidValue("kind", "unknown")
    if kind == UP:
        query = None
    elif kind == UNMATCHED and (not query or not query.strip()):
        raise InvalidValue("query", "empty")
    uow.session.add(
        KbFeedback(
            kind=kind,
            entry_id=entry_id,
            score=score,
            query=query.strip()[:MAX_QUERY] if query else None,
            lang=lang,
            person_id=person_id,
            created_at=now,
        )
    )


async def gaps(
    uow: UnitOfWork, *, now: datetime, days: int = 90, limit: int = 15, redacted: bool = True
) -> list[Gap]:
    """The questions most often unmatched or 👎'd in the last `days`, most frequent first.

    Shown to administrators, who may see no personal information: each question comes with
    names, phone numbers, ID numbers, addresses and ages replaced (services.redaction), and
    questions that differ only in those are counted together."""
    since = now - timedelta(days=days)
    rows = (
        await uow.session.execute(
            select(
                KbFeedback.query,
                func.count(KbFeedback.id),
                func.sum(case((KbFeedback.kind == UNMATCHED, 1), else_=0)),
                func.max(KbFeedback.created_at),
            )
            .where(
                KbFeedback.kind.in_([UNMATCHED, DOWN]),
                KbFeedback.query.is_not(None),
                KbFeedback.created_at >= since,
            )
            .group_by(KbFeedback.query)
        )
    ).all()
    merged: dict[str, list[Any]] = {}
    for query, count, unmatched, last_at in rows:
        text = redact(str(query)) if redacted else str(query)
        entry = merged.setdefault(text, [0, 0, last_at])
        entry[0] += int(count)
        entry[1] += int(unmatched or 0)
        entry[2] = max(entry[2], last_at)
    ranked = sorted(merged.items(), key=lambda item: (-item[1][0], -item[1][2].timestamp()))
    return [
        Gap(text, count, unmatched, count - unmatched, last_at)
        for text, (count, unmatched, last_at) in ranked[:limit]
    ]


async def votes(
    uow: UnitOfWork, *, now: datetime, days: int = 90, limit: int = 10
) -> list[EntryVotes]:
    """Answers with the most 👎 in the last `days` (with their 👍 for context)."""
    since = now - timedelta(days=days)
    rows = (
        await uow.session.execute(
            select(KbFeedback.entry_id, KbFeedback.kind, func.count(KbFeedback.id))
            .where(
                KbFeedback.kind.in_([UP, DOWN]),
                KbFeedback.entry_id.is_not(None),
                KbFeedback.created_at >= since,
            )
            .group_by(KbFeedback.entry_id, KbFeedback.kind)
        )
    ).all()
    table: dict[str, dict[str, int]] = {}
    for entry_id, kind, count in rows:
        table.setdefault(str(entry_id), {UP: 0, DOWN: 0})[str(kind)] = int(count)
    ranked = sorted(table.items(), key=lambda item: (-item[1][DOWN], item[0]))
    return [EntryVotes(e, c[UP], c[DOWN]) for e, c in ranked if c[DOWN]][:limit]


# --- the person's rights (wired into /mydata and /forget by services.privacy) ---------------


async def export_for_person(uow: UnitOfWork, *, person_id: int) -> list[dict[str, Any]]:
    """Every question the person asked (with its thread) and every question of theirs the
    knowledge base kept as a gap, as JSON-ready dicts."""
    exported: list[dict[str, Any]] = []
    questions = (
        await uow.session.scalars(
            select(Question).where(Question.asker_id == person_id).order_by(Question.id)
        )
    ).all()
    for question in questions:
        messages = (
            await uow.session.scalars(
                select(QuestionMessage)
                .where(QuestionMessage.question_id == question.id)
                .order_by(QuestionMessage.id)
            )
        ).all()
        exported.append(
            {
                "kind": "question",
                "id": question.id,
                "station": question.station_code,
                "status": question.status,
                "asked_at": question.created_at.isoformat(),
                "text": question.text,
                "thread": [
                    {
                        "from": "staff" if m.from_staff else "you",
                        "at": m.created_at.isoformat(),
                        "text": m.text,
                    }
                    for m in messages
                ],
            }
        )
    feedback = (
        await uow.session.scalars(
            select(KbFeedback)
            .where(KbFeedback.person_id == person_id, KbFeedback.query.is_not(None))
            .order_by(KbFeedback.id)
        )
    ).all()
    for row in feedback:
        exported.append(
            {
                "kind": "unanswered_question" if row.kind == UNMATCHED else "unhelpful_answer",
                "at": row.created_at.isoformat(),
                "text": row.query,
                "entry": row.entry_id,
            }
        )
    return exported


async def erase_for_person(uow: UnitOfWork, *, person_id: int, now: datetime) -> int:
    """Blank the person's question texts (see `blank_for_person`) and commit."""
    changed = await blank_for_person(uow, person_id=person_id, now=now)
    await uow.commit()
    return changed


async def blank_for_person(uow: UnitOfWork, *, person_id: int, now: datetime) -> int:
    """Blank the texts of the person's questions, of every message in their threads (replies
    to them are about them) and of their messages elsewhere, and of their gap records. The
    rows stay, so counts stay right. Open threads are closed. Returns the rows changed.

    Does not commit: `/forget` (services.privacy.erase) does this inside its own unit of work."""
    changed = 0
    questions = (
        await uow.session.scalars(select(Question).where(Question.asker_id == person_id))
    ).all()
    own_ids = [q.id for q in questions]
    for question in questions:
        if question.text is not None or not question.erased or question.status != CLOSED:
            question.text = None
            question.erased = True
            if question.status != CLOSED:
                question.status = CLOSED
                question.closed_at = now
            changed += 1
    messages = (
        await uow.session.scalars(
            select(QuestionMessage).where(
                (QuestionMessage.author_id == person_id)
                | (QuestionMessage.question_id.in_(own_ids))
            )
        )
    ).all()
    for message in messages:
        if message.text is not None:
            message.text = None
            changed += 1
    feedback = (
        await uow.session.scalars(
            select(KbFeedback).where(
                KbFeedback.person_id == person_id, KbFeedback.query.is_not(None)
            )
        )
    ).all()
    for row in feedback:
        row.query = None
        changed += 1
    audit.record(
        uow,
        actor_id=person_id,
        action="question.erase",
        subject=f"person:{person_id}",
        now=now,
        detail={"rows": changed},
    )
    return changed
