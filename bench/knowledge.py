"""Knowledge-base matching measured the way a person feels it, per labelled set and per method.

    python -m bench.knowledge              # the tables for the README
    python -m bench.knowledge --tune       # also choose thresholds on the blind development half
    python -m bench.knowledge --misses     # (development aid) what goes wrong on the DEV halves
    python -m bench.knowledge --dev-only   # while tuning: the held-out halves are not even run
    python -m bench.knowledge --caution    # what each `caution_at` does (numbers on top), dev sets

`--tune` also scores the blind dev half against the FAQ as it was before any variant was
written for that half (`--before`, default commit 8f53bf2), with today's code and settings:
the dev questions as new questions, so the thresholds are not fitted to a base that was
fitted to them. The wrong-answer ceiling (1.5%) must hold in every one of these groups.

Sets (`tests/data/`), each also as a **homophone copy** (one character per Chinese question
replaced by a common character read the same in toneless pinyin, as pinyin input does, seeded):

- `kb_eval_blind_dev.yaml` / `kb_eval_blind_heldout.yaml`: written blind from the topic list
  alone by a session that never saw the entries, split once before any tuning. Thresholds are
  chosen on the dev half; the held-out half is only ever reported, in aggregate;
- `kb_eval_blind_sealed.yaml`: a second blind set by someone who never saw the base, SEALED:
  only its aggregate lines are printed, never a question, never tuned on;
- `kb_pool_train.yaml` / `kb_pool4_train.yaml`: the training halves of the third and fourth
  blind pools (read, turned into variants and concepts; `--cv` cross-validates on them);
  `kb_eval_blind3_heldout.yaml`: the third pool's held-out half (aggregate only);
  `kb_eval_blind4_heldout.yaml`: a fifth writer's set, never read, run once (`--blind4`);
- `kb_eval_blind5_dev.yaml` / `kb_eval_blind5_heldout.yaml` (`--blind5`): a fifth pool written
  for emergencies told apart from near-misses (a sixth author), split once by kind; the dev
  half may be read (`--misses`, `--emergency-misses`); the held-out half was read in aggregate
  once, at the end of round 5, then read and tuned on in round 6: spent, a development set
  since. Every line of ours is followed by its non-emergency questions by kind;
- `kb_eval.yaml`: the older set written beside the entries (even positions dev, odd held out).

Labels: an entry id; `emergency` (any entry that gives the emergency numbers is right, and the
matcher must flag it as an emergency); `null` (out of scope: the right outcome is a hand-off).

Measures, per method (rates over the in-scope questions unless said otherwise):
- direct & right: answered directly with the right entry (what a person wants);
- wrong direct: answered directly with another entry (what hurts most);
- reached: the right entry answered directly or among the suggestions;
- first: the right entry ranked first, whatever the outcome;
- out of scope → person: share of out-of-scope questions handed to a social worker;
- emergencies: share of emergency questions given the emergency numbers: the full alarm
  (the numbers, nothing else), the numbers on top of the usual reply (`MatchResult.caution`),
  or a direct answer with an entry that gives them; in brackets the full alarms alone;
- false alarms: share of the other questions (in scope or not) answered as an emergency,
  unless the right entry is itself one with the emergency numbers; then the share given the
  numbers on top (the same exception), and per kind (ordinary, near-miss, out of scope);
- p50 / p95 CPU time per question, on the shipped base and at 2,000 entries.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process, utils

from knowledge.bundle import load_knowledge
from knowledge.faq import FaqEntry, build_matcher
from knowledge.matcher import (
    ANSWER,
    EMERGENCY_DEPTH,
    HANDOFF,
    LANGS,
    SMALL_TALK,
    SUGGEST,
    Matcher,
    Scored,
    Thresholds,
    decide,
    normalise,
    script_of,
)

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
OLD_PATH = DATA / "kb_eval.yaml"
BLIND_DEV_PATH = DATA / "kb_eval_blind_dev.yaml"
BLIND_HELDOUT_PATH = DATA / "kb_eval_blind_heldout.yaml"
# Written later by someone who never saw the base, and sealed: only its aggregate lines are
# ever printed (never a question, never which ones fail), and nothing is tuned on it.
BLIND_SEALED_PATH = DATA / "kb_eval_blind_sealed.yaml"
# A third blind pool (written from the topic list alone), split by the coordinator: the train
# half was read and turned into variants, emergency concepts and out-of-scope phrasings
# (`faq/more_variants.yaml`); the held-out half is only ever reported, in aggregate.
POOL_TRAIN_PATH = DATA / "kb_pool_train.yaml"
BLIND3_HELDOUT_PATH = DATA / "kb_eval_blind3_heldout.yaml"
# A fourth blind pool's training half (two more writers, heavy on indirect and long situations
# and emergencies), read and tuned on like the third's; and a fifth writer's set, never split
# from any pool and never read: its aggregate line is run once, at the end of the round
# (`--blind4`).
POOL4_TRAIN_PATH = DATA / "kb_pool4_train.yaml"
BLIND4_HELDOUT_PATH = DATA / "kb_eval_blind4_heldout.yaml"
# A fifth pool, emergencies and the near-misses that are not (`--blind5`): the dev half is read
# and tuned on, the held-out half reported in aggregate only, once, at the end of the round.
BLIND5_DEV_PATH = DATA / "kb_eval_blind5_dev.yaml"
BLIND5_HELDOUT_PATH = DATA / "kb_eval_blind5_heldout.yaml"
# A sixth pool (writers G and H, two more authors), emergencies and near-misses again, held out
# whole (`--blind6`): written after the fifth round's tuning, aggregate lines only, never read.
BLIND6_HELDOUT_PATH = DATA / "kb_eval_blind6_heldout.yaml"
# A seventh pool (writers I and K), the same brief, written while the "numbers on top" of round 7
# were built (`--blind7`): held out whole, aggregate lines only, never read.
BLIND7_HELDOUT_PATH = DATA / "kb_eval_blind7_heldout.yaml"
# An eighth pool (writer L), every topic in rotating styles, out of scope, emergencies and small
# talk (`--blind8`), written in session 7: held out whole, aggregate lines only, never read.
BLIND8_HELDOUT_PATH = DATA / "kb_eval_blind8_heldout.yaml"
# A ninth pool (writer M), the eighth brief with more out of scope (`--blind9`), written in
# session 8: held out whole, aggregate lines only, never read.
BLIND9_HELDOUT_PATH = DATA / "kb_eval_blind9_heldout.yaml"
# A tenth pool (writers N and O, two leans of askers), split once by label (session 9): the dev
# half is read and tuned on, the held-out half run once at the end of the round (`--blind10`).
BLIND10_DEV_PATH = DATA / "kb_eval_blind10_dev.yaml"
BLIND10_HELDOUT_PATH = DATA / "kb_eval_blind10_heldout.yaml"
POOL_PATHS = (POOL_TRAIN_PATH, POOL4_TRAIN_PATH)
SYNTHETIC_ENTRIES = 2000
EMERGENCY = "emergency"
WRONG_CEILING = 0.02  # the target on new questions
# What the tuning allows on the dev halves: half the target, because what only just fits the
# questions it was chosen on does not fit new ones.
TUNING_WRONG_CEILING = 0.015
OOS_FLOOR = 0.90


@dataclass(frozen=True)
class Query:
    text: str
    expected: str | None  # None: out of scope; "emergency": any emergency entry
    also: tuple[str, ...] = ()
    style: str = ""  # the writer's own note (plain, long, indirect, typo …), when given
    kind: str = ""  # the fifth pool's stratum: near_miss, ordinary (else empty)

    @property
    def in_scope(self) -> bool:
        return self.expected is not None

    @property
    def is_emergency(self) -> bool:
        return self.expected == EMERGENCY

    def accepts(self, entry_id: str, emergency_ids: frozenset[str]) -> bool:
        if self.is_emergency:
            return entry_id in emergency_ids
        return entry_id == self.expected or entry_id in self.also


@dataclass(frozen=True)
class EvalSet:
    name: str
    queries: tuple[Query, ...]
    dev: bool  # may be looked at and tuned on


def _label(item: dict[str, object]) -> str | None:
    for key in ("id", "key", "topic", "label", "expected"):
        if key in item:
            value = item[key]
            return None if value in (None, "null", "none", "") else str(value)
    raise ValueError(
        f"no label among the keys {sorted(item)}"
    )  # never the text: sets may be sealed


def _text(item: dict[str, object]) -> str:
    for key in ("q", "question", "text", "query"):
        if key in item:
            return str(item[key])
    raise ValueError(f"no question among the keys {sorted(item)}")


# Topics about "the station" in general, where the writers (who never saw the base) could not
# know that each station has an entry of its own: "江南社工站电话" labelled station_contacts is
# answered rightly by Jiangnan's entry (its phone, address and hours). Applied to every set
# alike, held-out ones included, by the rule alone (the station's place named in the question).
STATION_TOPICS = ("station_contacts", "station_hours", "station_find_mine", "station_visit")


@cache
def _station_places() -> tuple[tuple[str, tuple[str, ...]], ...]:
    from knowledge.stations import load_stations

    places = []
    for station in load_stations().stations:
        zh = station.name("zh")
        for suffix in ("街道社工站", "镇社工站", "社工站"):
            zh = zh.removesuffix(suffix)
        places.append((station.code, (zh, station.code)))
    return tuple(places)


def _own_stations(text: str, label: str | None) -> tuple[str, ...]:
    if label not in STATION_TOPICS:
        return ()
    folded = text.lower()
    return tuple(
        f"station_{code}" for code, names in _station_places() if any(n in folded for n in names)
    )


def load_queries(path: Path) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data["queries"] if isinstance(data, dict) and "queries" in data else data
    if isinstance(data, dict) and "questions" in data:
        items = data["questions"]
    return [
        Query(
            _text(item),
            _label(item),
            tuple(str(a) for a in item.get("also", ()) or ())
            + _own_stations(_text(item), _label(item)),
            str(item.get("style", "") or ""),
            str(item.get("kind", "") or ""),
        )
        for item in items
    ]


def load_sets(
    include_heldout: bool = True,
    include_sealed: bool = False,
    include_blind4: bool = False,
    include_blind5: bool = False,
    include_blind6: bool = False,
    include_blind7: bool = False,
    include_blind8: bool = False,
    include_blind9: bool = False,
    include_blind10: bool = False,
) -> list[EvalSet]:
    """The blind halves (when present) and the old set's two halves; the sealed set only
    when asked for (`--sealed`: its aggregate line is read at most once per round), the fifth
    writer's set likewise (`--blind4`: once, at the end of the round), and the fifth pool's
    halves (`--blind5`: its held-out half once, at the end of the round)."""
    sets: list[EvalSet] = []
    if BLIND_DEV_PATH.exists():
        sets.append(EvalSet("blind dev", tuple(load_queries(BLIND_DEV_PATH)), True))
    if include_heldout and BLIND_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind held-out", tuple(load_queries(BLIND_HELDOUT_PATH)), False))
    if POOL_TRAIN_PATH.exists():
        sets.append(EvalSet("pool train", tuple(load_queries(POOL_TRAIN_PATH)), True))
    if include_heldout and BLIND3_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind3 held-out", tuple(load_queries(BLIND3_HELDOUT_PATH)), False))
    if POOL4_TRAIN_PATH.exists():
        sets.append(EvalSet("pool4 train", tuple(load_queries(POOL4_TRAIN_PATH)), True))
    if include_heldout and include_blind4 and BLIND4_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind4 held-out", tuple(load_queries(BLIND4_HELDOUT_PATH)), False))
    if include_blind5 and BLIND5_DEV_PATH.exists():
        sets.append(EvalSet("blind5 dev", tuple(load_queries(BLIND5_DEV_PATH)), True))
    if include_blind5 and BLIND5_HELDOUT_PATH.exists():
        # Spent: read and tuned on in the sixth round, a development set since.
        sets.append(EvalSet("blind5 held-out", tuple(load_queries(BLIND5_HELDOUT_PATH)), True))
    if include_heldout and include_blind6 and BLIND6_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind6 held-out", tuple(load_queries(BLIND6_HELDOUT_PATH)), False))
    if include_heldout and include_blind7 and BLIND7_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind7 held-out", tuple(load_queries(BLIND7_HELDOUT_PATH)), False))
    if include_heldout and include_blind8 and BLIND8_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind8 held-out", tuple(load_queries(BLIND8_HELDOUT_PATH)), False))
    if include_heldout and include_blind9 and BLIND9_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind9 held-out", tuple(load_queries(BLIND9_HELDOUT_PATH)), False))
    if BLIND10_DEV_PATH.exists():
        sets.append(EvalSet("blind10 dev", tuple(load_queries(BLIND10_DEV_PATH)), True))
    if include_heldout and include_blind10 and BLIND10_HELDOUT_PATH.exists():
        sets.append(EvalSet("blind10 held-out", tuple(load_queries(BLIND10_HELDOUT_PATH)), False))
    if include_heldout and include_sealed and BLIND_SEALED_PATH.exists():
        sets.append(EvalSet("blind sealed", tuple(load_queries(BLIND_SEALED_PATH)), False))
    old = load_queries(OLD_PATH)
    sets.append(EvalSet("old dev", tuple(old[0::2]), True))
    sets.append(EvalSet("old held-out", tuple(old[1::2]), False))
    return sets


# --- homophone copies -----------------------------------------------------------------------

COMMON_CHARACTERS = 3500  # about the size of the list of commonly used characters (常用字)


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    """Toneless pinyin → common characters read that way, most common first. How common a
    character is: the summed frequency of jieba's dictionary words that contain it."""
    import jieba
    from pypinyin import Style, pinyin

    counts: dict[str, int] = {}
    dictionary = Path(jieba.__file__).parent / "dict.txt"
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        for char in parts[0]:
            if "\u4e00" <= char <= "\u9fff":
                counts[char] = counts.get(char, 0) + int(parts[1])
    common = sorted(counts, key=lambda c: -counts[c])[:COMMON_CHARACTERS]
    table: dict[str, list[str]] = {}
    for char in common:
        reading = pinyin(char, style=Style.NORMAL, heteronym=False)[0][0]
        table.setdefault(reading, []).append(char)
    return table


def homophone_copy(queries: Sequence[Query], seed: int = 13) -> tuple[Query, ...]:
    """Each Chinese question with one character (chosen at random among those that have a
    common homophone) replaced by one of its five most common homophones. English questions
    are kept as they are."""
    from pypinyin import Style, pinyin

    table = _homophones()
    rng = random.Random(seed)
    made = []
    for query in queries:
        text = query.text
        options = []
        for position, char in enumerate(text):
            if not ("\u4e00" <= char <= "\u9fff"):
                continue
            reading = pinyin(char, style=Style.NORMAL, heteronym=False)[0][0]
            others = [c for c in table.get(reading, [])[:6] if c != char][:5]
            if others:
                options.append((position, others))
        if options:
            position, others = rng.choice(options)
            text = text[:position] + rng.choice(others) + text[position + 1 :]
        made.append(replace(query, text=text))
    return tuple(made)


# --- methods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    ranked: tuple[Scored, ...]
    emergency: bool  # answered with the emergency numbers, whatever the thresholds
    fixed: str | None = None  # the outcome a rule chose (emergency, small talk, out of scope)
    caution: bool = False  # the usual reply with the numbers on top
    rule: str | None = None  # which rule chose `fixed` (the matcher's `MatchResult.rule`)

    def outcome(self, thresholds: Thresholds) -> str:
        return self.fixed or decide(self.ranked, thresholds)


class WRatioBaseline:
    """The plain approach: WRatio (rapidfuzz's default processor) against every phrasing,
    an entry scoring its best phrasing; no emergency rule."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.choices: dict[str, tuple[list[str], list[str]]] = {}
        for lang in LANGS:
            texts, owners = [], []
            for entry in entries:
                for text in entry.phrasings(lang):
                    texts.append(utils.default_process(text))
                    owners.append(entry.id)
            self.choices[lang] = (texts, owners)

    def rank(self, text: str, limit: int = 3) -> list[Scored]:
        texts, owners = self.choices[script_of(text)]
        scores = process.cdist(
            [utils.default_process(text)], texts, scorer=fuzz.WRatio, processor=None, workers=1
        )[0]
        best: dict[str, float] = {}
        for owner, score in zip(owners, scores.tolist(), strict=True):
            if score > best.get(owner, -1.0):
                best[owner] = score
        ordered = sorted(best.items(), key=lambda item: -item[1])[:limit]
        return [Scored(e, s) for e, s in ordered]

    def decide(self, text: str) -> Decision:
        return Decision(tuple(self.rank(text)), False)


def ours(matcher: Matcher) -> Callable[[str], Decision]:
    def run(text: str) -> Decision:
        result = matcher.match(text)
        return Decision(
            result.ranked,
            result.emergency,
            result.outcome if result.rule else None,
            result.caution,
            result.rule,
        )

    return run


# --- measures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    direct_right: float
    wrong_direct: float
    reached: float
    first: float
    oos_handed: float
    emergencies: float  # full alarms: the numbers and nothing else
    false_alarms: float  # share of the non-emergency questions answered as an emergency
    in_scope: int
    out_of_scope: int
    emergency_count: int
    numbers: float = 0.0  # emergencies given the numbers: full alarm, on top, or answered
    false_on_top: float = 0.0  # share of the non-emergency questions given the numbers on top


def on_top(query: Query, decision: Decision, emergency_ids: frozenset[str]) -> bool:
    """A non-emergency question given the numbers on top of its reply, unless its right entry
    is itself one with the numbers."""
    first = decision.ranked[0].entry_id if decision.ranked else ""
    return (
        decision.caution
        and not query.is_emergency
        and not (query.in_scope and first in emergency_ids and query.accepts(first, emergency_ids))
    )


def false_alarm(query: Query, decision: Decision, emergency_ids: frozenset[str]) -> bool:
    """The emergency numbers alone for a question that is neither an emergency nor about the
    emergency numbers ("燃气费在哪交", "小孩打疫苗")."""
    ids = [s.entry_id for s in decision.ranked]
    return (
        decision.emergency
        and not query.is_emergency
        and not (query.in_scope and query.accepts(ids[0] if ids else "", emergency_ids))
    )


def evaluate(
    queries: Sequence[Query],
    decisions: Sequence[Decision],
    thresholds: Thresholds,
    emergency_ids: frozenset[str],
) -> Report:
    direct = wrong = reached = first = oos_ok = urgent_ok = alarms = numbers = tops = 0
    inside = sum(q.in_scope for q in queries)
    urgent = sum(q.is_emergency for q in queries)
    for query, decision in zip(queries, decisions, strict=True):
        outcome = decision.outcome(thresholds)
        ids = [s.entry_id for s in decision.ranked]
        alarms += false_alarm(query, decision, emergency_ids)
        tops += on_top(query, decision, emergency_ids)
        if not query.in_scope:
            oos_ok += outcome == HANDOFF
            continue
        right_first = bool(ids) and query.accepts(ids[0], emergency_ids)
        first += right_first
        if query.is_emergency:
            alarm = outcome == ANSWER and right_first and (decision.emergency or not ids)
            urgent_ok += alarm
            numbers += alarm or decision.caution or (outcome == ANSWER and right_first)
        if outcome == ANSWER:
            direct += right_first
            wrong += not right_first
            reached += right_first
        elif outcome == SUGGEST:
            reached += any(query.accepts(i, emergency_ids) for i in ids[:3])
    n, m = max(1, inside), max(1, len(queries) - inside)
    return Report(
        direct / n,
        wrong / n,
        reached / n,
        first / n,
        oos_ok / m,
        urgent_ok / max(1, urgent),
        alarms / max(1, len(queries) - urgent),
        inside,
        len(queries) - inside,
        urgent,
        numbers / max(1, urgent),
        tops / max(1, len(queries) - urgent),
    )


def tune(
    queries: Sequence[Query],
    decisions: Sequence[Decision],
    emergency_ids: frozenset[str],
    *,
    wrong_ceiling: float = TUNING_WRONG_CEILING,
    oos_floor: float = OOS_FLOOR,
    groups: Sequence[int] | None = None,
) -> Thresholds:
    """Thresholds chosen on a development set only: the most questions answered directly
    with the right entry, with at most `wrong_ceiling` wrong direct answers and at least
    `oos_floor` of out-of-scope questions handed to a person (relaxed only when nothing
    meets it); within a point of the best, more right entries reached, then the wider
    margins. With `groups` (which set each question is from), the ceiling and the floor must
    hold in every set, not only on all of them together."""
    import numpy as np

    best_score = np.array([d.ranked[0].score if d.ranked else -1.0 for d in decisions])
    second = np.array([d.ranked[1].score if len(d.ranked) > 1 else 0.0 for d in decisions])
    gap = best_score - second
    forced = np.array([d.fixed == ANSWER for d in decisions])
    held = np.array([d.fixed == HANDOFF for d in decisions])
    inside = np.array([q.in_scope for q in queries])
    first_ok = np.array(
        [
            bool(d.ranked) and q.accepts(d.ranked[0].entry_id, emergency_ids)
            for q, d in zip(queries, decisions, strict=True)
        ]
    )
    top3_ok = np.array(
        [
            any(q.accepts(s.entry_id, emergency_ids) for s in d.ranked[:3])
            for q, d in zip(queries, decisions, strict=True)
        ]
    )
    n_in, _n_out = max(1, int(inside.sum())), max(1, int((~inside).sum()))
    group_of = np.array(groups if groups is not None else [0] * len(queries))
    masks = [group_of == g for g in sorted(set(group_of.tolist()))]
    best: tuple[tuple[float, ...], Thresholds] | None = None
    for answer in range(10, 100, 2):
        for margin in (0.0, 2.0, 4.0, 6.0, 8.0, 12.0):
            for relative in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
                answered = forced | (
                    ~held
                    & (best_score >= answer)
                    & (gap >= np.maximum(margin, relative * best_score))
                )
                wrong = max(
                    int((answered & inside & ~first_ok & m).sum()) / max(1, int((inside & m).sum()))
                    for m in masks
                )
                if wrong > wrong_ceiling:
                    continue
                direct = int((answered & inside & first_ok).sum()) / n_in
                for suggest in range(10, 100, 2):
                    suggested = ~answered & ~held & (best_score >= suggest)
                    handed = ~answered & ~suggested
                    oos = min(
                        int((handed & ~inside & m).sum()) / max(1, int((~inside & m).sum()))
                        for m in masks
                    )
                    reached = int((inside & ((answered & first_ok) | (suggested & top3_ok))).sum())
                    value = (
                        float(oos >= oos_floor - 1e-9),
                        # Within one point of direct answers, the safer margins win: a rule
                        # that only just fits the dev half will not fit new questions.
                        round(direct, 2),
                        reached / n_in + oos,
                        margin + 10 * relative,
                        answer,  # among equals, the higher (safer) answer line
                    )
                    if best is None or value > best[0]:
                        best = (value, Thresholds(answer, suggest, margin, relative))
    assert best is not None
    return best[1]


def latency(
    rank: Callable[[str], object], texts: Sequence[str], rounds: int
) -> tuple[float, float]:
    """(p50, p95) of CPU time per question in ms: on a shared machine the wall clock also
    counts waiting for a core; CPU time is the lookup's own cost."""
    cpu = []
    for _ in range(rounds):
        for text in texts:
            normalise.cache_clear()  # every lookup pays for its own preprocessing
            start = time.thread_time()
            rank(text)
            cpu.append((time.thread_time() - start) * 1000)
    cpu.sort()
    return statistics.median(cpu), cpu[max(0, int(len(cpu) * 0.95) - 1)]


def synthetic_entries(real: Sequence[FaqEntry], count: int, seed: int = 5) -> list[FaqEntry]:
    """`count` entries made by recombining halves of the real phrasings, so the base has
    realistic lengths and vocabulary (and many near-duplicates: a hard case for speed)."""
    rng = random.Random(seed)
    pieces = {lang: [t for e in real for t in e.phrasings(lang)] for lang in LANGS}

    def phrase(lang: str) -> str:
        a, b = rng.choice(pieces[lang]), rng.choice(pieces[lang])
        if lang == "zh":
            return a[: max(2, len(a) // 2)] + b[len(b) // 2 :]
        wa, wb = a.split(), b.split()
        return " ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :])

    made = []
    for i in range(count):
        template = real[i % len(real)]
        made.append(
            FaqEntry(
                id=f"synthetic_{i}",
                file="synthetic",
                question_zh=phrase("zh"),
                question_en=phrase("en"),
                answer_zh=template.answer_zh,
                answer_en=template.answer_en,
                variants_zh=tuple(phrase("zh") for _ in range(5)),
                variants_en=tuple(phrase("en") for _ in range(4)),
                tags=("synthetic",),
            )
        )
    return made


def _row(name: str, r: Report) -> str:
    return (
        f"| {name} | {r.direct_right:.1%} | {r.wrong_direct:.1%} | {r.reached:.1%} "
        f"| {r.first:.1%} | {r.oos_handed:.1%} "
        + (f"| {r.numbers:.0%} ({r.emergencies:.0%}) " if r.emergency_count else "| — ")
        + f"| {r.false_alarms:.1%} / {r.false_on_top:.1%} |"
    )


def kind_of(query: Query) -> str:
    """ordinary, near-miss or out of scope (for a non-emergency question)."""
    if query.kind == "near_miss":
        return "near-miss"
    return "ordinary" if query.in_scope else "out of scope"


def _kinds_line(
    label: str,
    queries: Sequence[Query],
    decisions: Sequence[Decision],
    emergency_ids: frozenset[str],
) -> str:
    """The non-emergency questions by kind: full false alarms and numbers on top."""
    parts = []
    for kind in ("ordinary", "near-miss", "out of scope"):
        picked = [
            (q, d)
            for q, d in zip(queries, decisions, strict=True)
            if not q.is_emergency and kind_of(q) == kind
        ]
        if not picked:
            continue
        full = sum(false_alarm(q, d, emergency_ids) for q, d in picked) / len(picked)
        top = sum(on_top(q, d, emergency_ids) for q, d in picked) / len(picked)
        parts.append(f"{kind} ({len(picked)}) {full:.1%} / {top:.1%}")
    return f"| … {label}: false alarms / numbers on top: {'; '.join(parts)} | | | | | | | | |"


def _out_of_scope_line(
    label: str, queries: Sequence[Query], decisions: Sequence[Decision], thresholds: Thresholds
) -> str:
    """What the out-of-scope questions got: a person, a small-talk reply (a writer's "再见"
    labelled out of scope where the topic list has no goodbye), suggestions, or an answer."""
    got: dict[str, int] = {"a person": 0, "small talk": 0, "suggestions": 0, "an answer": 0}
    for q, d in zip(queries, decisions, strict=True):
        if q.in_scope:
            continue
        outcome = d.outcome(thresholds)
        if d.rule == SMALL_TALK:
            got["small talk"] += 1
        elif outcome == HANDOFF:
            got["a person"] += 1
        else:
            got["suggestions" if outcome == SUGGEST else "an answer"] += 1
    total = sum(got.values())
    if not total:
        return ""
    spoken = total - got["small talk"]
    parts = ", ".join(f"{name} {count}" for name, count in got.items())
    rate = f"{got['a person'] / spoken:.1%}" if spoken else "—"
    return (
        f"| … {label}: out of scope ({total}) got {parts}; "
        f"to a person without the small talk: {rate} | | | | | | | | |"
    )


def _misses(
    name: str,
    queries: Sequence[Query],
    decisions: Sequence[Decision],
    thresholds: Thresholds,
    emergency_ids: frozenset[str],
) -> None:
    """(development aid) the questions of a DEV set that are not answered directly and
    rightly (or, out of scope, not handed off)."""
    print(f"\n{name}: misses")
    for query, decision in zip(queries, decisions, strict=True):
        outcome = decision.outcome(thresholds)
        ids = [s.entry_id for s in decision.ranked]
        if query.in_scope:
            ok = outcome == ANSWER and bool(ids) and query.accepts(ids[0], emergency_ids)
        else:
            ok = outcome == HANDOFF
        if not ok:
            shown = ", ".join(f"{s.entry_id} {s.score:.0f}" for s in decision.ranked)
            print(f"  {query.text!r} → {outcome}: {shown} (want {query.expected})")


def _table(
    sets: Iterable[EvalSet],
    methods: dict[str, tuple[Callable[[str], Decision], Thresholds]],
    emergency_ids: frozenset[str],
) -> dict[tuple[str, str], tuple[list[Decision], Report]]:
    print(
        "| set · method | direct & right | wrong direct | reached | first "
        "| out of scope → person | emergencies: numbers (full alarm) "
        "| false alarms: full / on top | p95 ms CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    results = {}
    for eval_set in sets:
        for copy, queries in (("", eval_set.queries), (" · homophones", None)):
            if queries is None:
                queries = homophone_copy(eval_set.queries)
            for method, (run, thresholds) in methods.items():
                decisions, cpu = [], []
                for q in queries:
                    normalise.cache_clear()
                    started = time.thread_time()
                    decisions.append(run(q.text))
                    cpu.append((time.thread_time() - started) * 1000)
                cpu.sort()
                report = evaluate(queries, decisions, thresholds, emergency_ids)
                label = f"{eval_set.name}{copy} · {method}"
                print(_row(label, report) + f" {cpu[max(0, int(len(cpu) * 0.95) - 1)]:.2f} |")
                if method != "WRatio":
                    print(_kinds_line(label, queries, decisions, emergency_ids))
                    if line := _out_of_scope_line(label, queries, decisions, thresholds):
                        print(line)
                results[(eval_set.name + copy, method)] = (decisions, report)
    return results


BEFORE_DEV_VARIANTS = "8f53bf2"


def _faq_before(revision: str, knowledge: Any) -> Matcher | None:
    """A matcher with today's code and settings over the FAQ entries as they were at
    `revision` (read with `git show`); None when git or the revision is not there."""
    import subprocess
    import tempfile

    from knowledge.faq import load_faq

    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
        return done.stdout

    try:
        names = git("ls-tree", "--name-only", revision, "knowledge/faq/").split()
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "faq").mkdir()
            for name in names:
                today = Path(name).name in ("matching.yaml", "synonyms.yaml")
                text = (
                    (root / name).read_text(encoding="utf-8")
                    if today
                    else git("show", f"{revision}:{name}")
                )
                (Path(folder) / "faq" / Path(name).name).write_text(text, encoding="utf-8")
            faq = load_faq(Path(folder), knowledge.stations)
    except (OSError, subprocess.CalledProcessError):
        return None
    return build_matcher(list(faq.entries), faq.synonyms, settings=knowledge.faq.settings)


# Emergency questions of a training pool become variants of the general emergency entry
# (the first of `emergency.entries`) when true: what the scores learn of how people describe
# an emergency, beside the concepts (`bench.pool_variants` writes them the same way).
EMERGENCY_AS_VARIANTS = False


def variant_entry(query: Query, emergency_entry: str = "emergency_numbers") -> str | None:
    """The entry a training question becomes a variant of, or None (out of scope; an
    emergency unless `EMERGENCY_AS_VARIANTS`)."""
    if query.is_emergency:
        return emergency_entry if EMERGENCY_AS_VARIANTS else None
    return query.expected


def base_without_pools(stations: Any) -> list[FaqEntry]:
    """The FAQ's entries with no `more_variants` (the pools' questions taken out)."""
    import shutil
    import tempfile

    from knowledge.faq import load_faq

    faq_folder = Path(__file__).resolve().parents[1] / "knowledge" / "faq"
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(faq_folder, Path(folder) / "faq")
        (Path(folder) / "faq" / "more_variants.yaml").write_text(
            "more_variants: {}\n", encoding="utf-8"
        )
        return list(load_faq(Path(folder), stations).entries)


def clean_variants(
    more: dict[str, dict[str, list[str]]], base: Sequence[FaqEntry]
) -> dict[str, dict[str, list[str]]]:
    """`more` without the questions that would make two entries share a phrasing (the loader
    refuses that): one the same, once normalised, as another entry's own phrasing, or asked
    by the pools for two entries (kept for the first, in order)."""
    owner: dict[tuple[str, str], str] = {}
    for entry in base:
        for lang in LANGS:
            for text in entry.phrasings(lang):
                owner.setdefault((lang, normalise(text, lang)), entry.id)
    kept: dict[str, dict[str, list[str]]] = {}
    for entry_id, by_lang in more.items():
        for lang, texts in by_lang.items():
            for text in texts:
                first = owner.setdefault((lang, normalise(text, lang)), entry_id)
                if first == entry_id:
                    kept.setdefault(entry_id, {}).setdefault(lang, []).append(text)
    return kept


def pool_folds(seed: int = 7) -> list[tuple[str, list[Query], list[Query]]]:
    """Each training pool cut in two folds (the same shuffle every time): (pool name, fold 1,
    fold 2). Fold 2 of the fourth pool's emergencies is the emergency layer's test: its
    questions are not read (`--emergency-misses` lists fold 1's only)."""
    found = []
    for name, path in (("pool", POOL_TRAIN_PATH), ("pool4", POOL4_TRAIN_PATH)):
        if not path.exists():
            continue
        queries = load_queries(path)
        order = list(range(len(queries)))
        random.Random(seed).shuffle(order)
        found.append(
            (
                name,
                [queries[i] for i in sorted(order[0::2])],
                [queries[i] for i in sorted(order[1::2])],
            )
        )
    return found


def pool_cross_validation(knowledge: Any, seed: int = 7) -> list[tuple[str, Report]]:
    """The pools' train halves in two folds: variants from one fold of every pool (in place
    of `faq/more_variants.yaml`), questions from the other, and the other way round; the
    reports of the held-out folds, per pool (and their homophone copies), and of both folds
    together. What the pools' questions do for questions of the same kind that they are not:
    an estimate for held-out sets that never looks at them."""
    import shutil
    import tempfile

    from knowledge.faq import load_faq

    folds = pool_folds(seed)
    faq_folder = Path(__file__).resolve().parents[1] / "knowledge" / "faq"
    base = base_without_pools(knowledge.stations)
    reports = []
    together: dict[str, tuple[list[Query], list[Decision]]] = {}
    for k in (0, 1):
        more: dict[str, dict[str, list[str]]] = {}
        for _, *halves in folds:
            for q in halves[k]:
                entry = variant_entry(q)
                if entry is not None:
                    more.setdefault(entry, {}).setdefault(script_of(q.text), []).append(q.text)
        more = clean_variants(more, base)
        with tempfile.TemporaryDirectory() as folder:
            shutil.copytree(faq_folder, Path(folder) / "faq")
            (Path(folder) / "faq" / "more_variants.yaml").write_text(
                yaml.safe_dump({"more_variants": more}, allow_unicode=True), encoding="utf-8"
            )
            faq = load_faq(Path(folder), knowledge.stations)
        matcher = build_matcher(list(faq.entries), faq.synonyms, settings=knowledge.faq.settings)
        for name, *halves in folds:
            held = tuple(halves[1 - k])
            for copy, qs in (("", held), (" · homophones", homophone_copy(held))):
                decisions = [ours(matcher)(q.text) for q in qs]
                qs_all, ds_all = together.setdefault(copy, ([], []))
                qs_all.extend(qs)
                ds_all.extend(decisions)
                reports.append(
                    (
                        f"{name} fold {2 - k} of 2{copy}",
                        evaluate(qs, decisions, matcher.thresholds, matcher.emergency_entries),
                    )
                )
    t = knowledge.faq.matcher.thresholds
    ids = knowledge.faq.matcher.emergency_entries
    for copy, (qs_all, ds_all) in together.items():
        reports.append((f"**all folds{copy}**", evaluate(qs_all, ds_all, t, ids)))
    qs_all, ds_all = together[""]
    for style in sorted({q.style for q in qs_all if q.style}):
        picked = [(q, d) for q, d in zip(qs_all, ds_all, strict=True) if q.style == style]
        report = evaluate([q for q, _ in picked], [d for _, d in picked], t, ids)
        reports.append((f"all folds, {style} ({len(picked)})", report))
    return reports


def emergency_halves(matcher: Matcher) -> list[tuple[str, Report]]:
    """The emergency layer alone, on each fold of each pool (variants play no part in it):
    fold 2 of the fourth pool is what it does on emergency wording nobody read."""
    rows = []
    for name, *halves in pool_folds():
        for k, half in enumerate(halves):
            decisions = [ours(matcher)(q.text) for q in half]
            report = evaluate(half, decisions, matcher.thresholds, matcher.emergency_entries)
            rows.append((f"{name} fold {k + 1} of 2", report))
    return rows


CAUTION_VALUES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
# The rule `caution_at` is chosen by: ordinary questions given the numbers on top at most this
# share in every training set (a needless line costs the person one line) …
CAUTION_ORDINARY_CEILING = 0.07
CAUTION_SETS = ("pool train", "pool4 train", "blind dev")


def caution_sweep(matcher: Matcher, sets: Sequence[EvalSet]) -> None:
    """`--caution`: what each `caution_at` would do, on the development sets only. Emergencies
    missed for want of one word: every emergency question with one of its concepts taken away
    in turn (as if nobody had written its words), where the alarm would then not fire; the
    share of those the numbers on top still reaches (… and, within the ceiling above, the most
    of these wins). Beside it, the share of ordinary questions, near-misses and out-of-scope
    questions given the numbers on top. The scores are read without the out-of-scope rule for
    the emergencies (an emergency rarely looks most like out of scope)."""
    from knowledge.matcher import OUT_OF_SCOPE, OUT_OF_SCOPE_RULE, SMALL_TALK

    e = matcher.emergency
    ids = matcher.emergency_entries
    misses: list[tuple[dict[str, float], str | None, str]] = []
    others: list[tuple[str, str, dict[str, float], str | None, str]] = []
    for eval_set in sets:
        if not eval_set.dev:
            continue
        for q in eval_set.queries:
            lang = script_of(q.text)
            found = matcher.emergency_concepts(q.text, lang)
            if q.is_emergency:
                _, ranked = matcher.rank(q.text, lang=lang, limit=EMERGENCY_DEPTH)
                real = [s for s in ranked if s.entry_id != OUT_OF_SCOPE][:3]
                outcome = decide(real, matcher.thresholds)
                first = real[0].entry_id if real else None
                for name, weight in found.items():
                    if weight <= 0:
                        continue
                    rest = {k: v for k, v in found.items() if k != name}
                    left = sum(rest.values())
                    ranked_alarm = first in ids and outcome != HANDOFF
                    if left >= e.fire_at - 1e-9 or (
                        ranked_alarm and left >= e.ranked_at * e.fire_at - 1e-9
                    ):
                        continue  # still the alarm
                    misses.append((rest, first, outcome))
                continue
            result = matcher.match(q.text)
            best = result.best.entry_id if result.best else ""
            if result.emergency or result.rule == SMALL_TALK:
                continue
            if q.in_scope and best in ids and q.accepts(best, ids):
                continue  # its right entry gives the numbers
            if result.rule == OUT_OF_SCOPE_RULE:
                others.append((eval_set.name, kind_of(q), found, None, HANDOFF))
            else:
                others.append((eval_set.name, kind_of(q), found, best, result.outcome))
    print(
        f"\nnumbers on top by caution_at (damped_at {e.damped_at}; shipped {e.caution_at}): "
        f"{len(misses)} emergencies missed for want of one word"
    )
    print(
        "| caution_at | one word missing: numbers given | ordinary on top, per set | near-misses | out of scope |"
    )
    print("|---|---|---|---|---|")
    for value in CAUTION_VALUES:
        settings = replace(e, caution_at=value)

        def top(
            found: dict[str, float], first: str | None, outcome: str, at: Any = settings
        ) -> bool:
            return matcher.near_emergency(found, first, outcome, at)

        got = sum((o == ANSWER and f in ids) or top(r, f, o) for r, f, o in misses) / max(
            1, len(misses)
        )
        shares = []
        for name in CAUTION_SETS:
            picked = [x for x in others if x[0] == name and x[1] == "ordinary"]
            if picked:
                share = sum(top(*x[2:]) for x in picked) / len(picked)
                shares.append(f"{name} {share:.1%}")
        near = [x for x in others if x[1] == "near-miss"]
        out = [x for x in others if x[1] == "out of scope"]
        print(
            f"| {value} | {got:.1%} | {'; '.join(shares)} "
            f"| {sum(top(*x[2:]) for x in near) / max(1, len(near)):.1%} ({len(near)}) "
            f"| {sum(top(*x[2:]) for x in out) / max(1, len(out)):.1%} ({len(out)}) |"
        )


def _emergency_misses(matcher: Matcher) -> None:
    """(development aid) fold 1's emergencies that are not answered with the numbers, and
    the false alarms of every fold (fold 2's emergencies are never listed)."""
    for name, fold1, fold2 in pool_folds():
        print(f"\n{name} fold 1: emergencies missed")
        for q in fold1:
            if q.is_emergency:
                result = matcher.match(q.text)
                if not result.emergency:
                    concepts = matcher.emergency_concepts(q.text)
                    print(f"  {q.text!r} {concepts}")
        print(f"{name}: false alarms (both folds)")
        for q in [*fold1, *fold2]:
            if not q.is_emergency:
                result = matcher.match(q.text)
                best = result.ranked[0].entry_id if result.ranked else ""
                if result.emergency and not q.accepts(best, matcher.emergency_entries):
                    print(f"  {q.text!r} {matcher.emergency_concepts(q.text)} (want {q.expected})")


def _blind5_dev_emergency_misses(matcher: Matcher) -> None:
    """(development aid) the fifth pool's DEV half: emergencies not answered with the numbers
    and false alarms, with the concepts found (never the held-out half)."""
    if not BLIND5_DEV_PATH.exists():
        return
    queries = load_queries(BLIND5_DEV_PATH)
    print("\nblind5 dev: emergencies missed")
    for q in queries:
        if q.is_emergency and not matcher.match(q.text).emergency:
            print(f"  {q.text!r} {matcher.emergency_concepts(q.text)}")
    print("blind5 dev: false alarms")
    for q in queries:
        if not q.is_emergency:
            result = matcher.match(q.text)
            best = result.ranked[0].entry_id if result.ranked else ""
            if result.emergency and not (q.in_scope and q.accepts(best, matcher.emergency_entries)):
                print(f"  {q.text!r} {matcher.emergency_concepts(q.text)} (want {q.expected})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="choose thresholds on the dev half")
    parser.add_argument("--misses", action="store_true", help="list misses on the DEV halves")
    parser.add_argument("--no-timing", action="store_true", help="skip the latency runs")
    parser.add_argument(
        "--dev-only", action="store_true", help="leave the held-out halves out (while tuning)"
    )
    parser.add_argument(
        "--cv", action="store_true", help="the pool's train half, two-fold cross-validated"
    )
    parser.add_argument(
        "--emergency-misses",
        action="store_true",
        help="list the pools' fold-1 emergencies missed, and false alarms",
    )
    parser.add_argument(
        "--caution",
        action="store_true",
        help="what each caution_at would do on the development sets (numbers on top)",
    )
    parser.add_argument(
        "--blind4",
        action="store_true",
        help="also run the fifth writer's set (aggregate lines only; once, at the end)",
    )
    parser.add_argument(
        "--blind5",
        action="store_true",
        help="also run the fifth pool: dev half (misses allowed), held-out half aggregate only, "
        "once, at the end",
    )
    parser.add_argument(
        "--blind6",
        action="store_true",
        help="also run the sixth pool (writers G and H, held out whole): aggregate lines only",
    )
    parser.add_argument(
        "--blind7",
        action="store_true",
        help="also run the seventh pool (writers I and K, held out whole): aggregate lines only",
    )
    parser.add_argument(
        "--blind8",
        action="store_true",
        help="also run the eighth pool (writer L, every topic, held out whole): aggregate lines only",
    )
    parser.add_argument(
        "--blind9",
        action="store_true",
        help="also run the ninth pool (writer M, more out of scope, held out whole): aggregate lines only",
    )
    parser.add_argument(
        "--blind10",
        action="store_true",
        help="also run the tenth pool's held-out half (writers N and O): aggregate lines only",
    )
    parser.add_argument(
        "--sealed",
        action="store_true",
        help="also run the SEALED set (aggregate lines only; at most once per round)",
    )
    parser.add_argument(
        "--before",
        default=BEFORE_DEV_VARIANTS,
        help="git revision of the FAQ before variants were written for the blind dev half "
        "('' to tune without it)",
    )
    args = parser.parse_args(argv)
    start = time.process_time()
    knowledge = load_knowledge()
    matcher = knowledge.faq.matcher
    matcher.warm()  # the lazily loaded parts (segmenter dictionary) too
    load_cpu = time.process_time() - start
    entries = list(knowledge.faq.entries)
    emergency_ids = matcher.emergency_entries
    sets = load_sets(
        include_heldout=not args.dev_only,
        include_sealed=args.sealed,
        include_blind4=args.blind4,
        include_blind5=args.blind5,
        include_blind6=args.blind6,
        include_blind7=args.blind7,
        include_blind8=args.blind8,
        include_blind9=args.blind9,
        include_blind10=args.blind10,
    )
    if args.dev_only:
        sets = [s for s in sets if s.dev]
    # Thresholds are chosen on the development halves only: the blind one and the old set's.
    # The old set keeps the choice honest: the variants added for the dev half's topics
    # make the dev half itself look easier than new questions are.
    # (Not the pool's train half: its questions are variants now, no longer new questions.)
    dev_sets = [
        s for s in load_sets(include_heldout=False) if s.dev and s.name in ("blind dev", "old dev")
    ]
    tuning = EvalSet("blind dev + old dev", tuple(q for s in dev_sets for q in s.queries), True)
    groups = [i for i, s in enumerate(dev_sets) for _ in s.queries]
    baseline = WRatioBaseline(entries)
    base_dev = [baseline.decide(q.text) for q in tuning.queries]
    base_thresholds = tune(tuning.queries, base_dev, emergency_ids, groups=groups)
    print(f"{len(entries)} entries; start (load + index + segmenter) {load_cpu:.2f} s CPU")
    for eval_set in sets:
        print(
            f"- {eval_set.name}: {len(eval_set.queries)} questions, "
            f"{sum(not q.in_scope for q in eval_set.queries)} out of scope, "
            f"{sum(q.is_emergency for q in eval_set.queries)} emergencies"
        )
    print(f"shipped thresholds: {matcher.thresholds}")
    print(f"WRatio thresholds (tuned on {tuning.name} the same way): {base_thresholds}")
    if args.tune:
        tuned_queries = list(tuning.queries)
        our_dev = [ours(matcher)(q.text) for q in tuning.queries]
        earlier = _faq_before(args.before, knowledge) if args.before else None
        if earlier is not None and BLIND_DEV_PATH.exists():
            blind_dev = load_queries(BLIND_DEV_PATH)
            tuned_queries += blind_dev
            our_dev += [ours(earlier)(q.text) for q in blind_dev]
            groups = [*groups, *([len(dev_sets)] * len(blind_dev))]
        chosen = tune(tuned_queries, our_dev, emergency_ids, groups=groups)
        extra = f" and blind dev against the FAQ at {args.before}" if earlier else ""
        print(f"thresholds tuned on {tuning.name}{extra} for ours: {chosen}")
    print()
    methods = {
        "WRatio": (baseline.decide, base_thresholds),
        "**ours**": (ours(matcher), matcher.thresholds),
    }
    results = _table(sets, methods, emergency_ids)
    if args.cv and POOL_TRAIN_PATH.exists():
        print("\npools' train halves, two-fold cross-validated (variants from the other fold):")
        for name, report in pool_cross_validation(knowledge):
            print(_row(name, report))
        print("\nthe emergency layer per fold (fold 2 of pool4: emergency wording not read):")
        for name, report in emergency_halves(matcher):
            print(_row(name, report) + f" {report.emergency_count} emergencies |")
    if args.caution:
        caution_sweep(matcher, sets)
    if args.emergency_misses:
        _emergency_misses(matcher)
        if args.blind5:
            _blind5_dev_emergency_misses(matcher)
    if args.misses:
        for eval_set in sets:
            if eval_set.dev:  # never the held-out halves
                decisions, _ = results[(eval_set.name, "**ours**")]
                _misses(
                    eval_set.name, eval_set.queries, decisions, matcher.thresholds, emergency_ids
                )
    if args.no_timing:
        return 0
    texts = [q.text for s in sets for q in s.queries]
    big = entries + synthetic_entries(entries, SYNTHETIC_ENTRIES)
    big_ours = build_matcher(big, knowledge.faq.synonyms, settings=knowledge.faq.settings)
    big_baseline = WRatioBaseline(big)
    print("\n| method | base | p50 ms CPU | p95 ms CPU |")
    print("|---|---|---|---|")
    rows: list[tuple[str, str, Callable[[str], object], int]] = [
        ("WRatio", f"shipped ({len(entries)} entries)", baseline.rank, 3),
        ("ours", f"shipped ({len(entries)} entries)", matcher.match, 3),
        ("WRatio", f"synthetic ({len(big)} entries)", big_baseline.rank, 1),
        ("ours", f"synthetic ({len(big)} entries)", big_ours.match, 1),
    ]
    for name, base, rank, rounds in rows:
        p50, p95 = latency(rank, texts, rounds)
        print(f"| {name} | {base} | {p50:.2f} | {p95:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
