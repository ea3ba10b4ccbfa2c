"""Knowledge-base matching: plain WRatio against the shipped method, side by side.

    python -m bench.knowledge            # the table for the README
    python -m bench.knowledge --tune     # also sweep thresholds on the development half

The labelled set is `tests/data/kb_eval.yaml`: queries at even positions are the development
half (used to choose weights and thresholds), odd positions are held out. Both are reported.

Metrics, per method:
- top-1 / top-3: the labelled entry is ranked first / among the first three (in-scope queries);
- right entry reached: in scope, the labelled entry is answered directly or among the
  suggestions, not handed off;
- wrong direct answer: in scope, answered directly with a different entry;
- out of scope handed to a human: out-of-scope queries that end in a hand-off;
- p50 / p95 lookup time, on the shipped base and on a synthetic base of 2,000 entries.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

from knowledge.bundle import load_knowledge
from knowledge.faq import FaqEntry, build_matcher
from knowledge.matcher import (
    HANDOFF,
    LANGS,
    SUGGEST,
    Scored,
    Thresholds,
    decide,
    normalise,
    script_of,
)

EVAL_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "kb_eval.yaml"
SYNTHETIC_ENTRIES = 2000


@dataclass(frozen=True)
class Query:
    text: str
    expected: str | None  # None: out of scope
    also: tuple[str, ...]
    dev: bool

    def accepts(self, entry_id: str) -> bool:
        return entry_id == self.expected or entry_id in self.also


def load_eval(path: Path = EVAL_PATH) -> list[Query]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Query(str(item["q"]), item["id"], tuple(item.get("also", ())), index % 2 == 0)
        for index, item in enumerate(data["queries"])
    ]


Ranker = Callable[[str], list[Scored]]


class WRatioBaseline:
    """The plain approach: WRatio (rapidfuzz's default processor) against every phrasing,
    an entry scoring its best phrasing."""

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


@dataclass
class Report:
    top1: float
    top3: float
    reached: float
    wrong_answers: float
    oos_handed: float
    in_scope: int
    out_of_scope: int


def evaluate(
    queries: Sequence[Query], ranks: Sequence[Sequence[Scored]], thresholds: Thresholds
) -> Report:
    top1 = top3 = reached = wrong = oos_ok = 0
    inside = sum(q.expected is not None for q in queries)
    outside = len(queries) - inside
    for query, ranked in zip(queries, ranks, strict=True):
        outcome = decide(ranked, thresholds)
        ids = [s.entry_id for s in ranked]
        if query.expected is None:
            oos_ok += outcome == HANDOFF
            continue
        top1 += bool(ids) and query.accepts(ids[0])
        top3 += any(query.accepts(i) for i in ids[:3])
        if outcome == SUGGEST:
            reached += any(query.accepts(i) for i in ids[:3])
        elif outcome != HANDOFF:
            reached += query.accepts(ids[0])
            wrong += not query.accepts(ids[0])
    n, m = max(1, inside), max(1, outside)
    return Report(top1 / n, top3 / n, reached / n, wrong / n, oos_ok / m, inside, outside)


def tune(queries: Sequence[Query], ranks: Sequence[Sequence[Scored]]) -> Thresholds:
    """Thresholds chosen on the development half only: maximise (in-scope reached +
    out-of-scope handed off) / 2 while at most 3% of in-scope queries get a wrong direct
    answer; among equals, prefer the wider margin (near-ties become choices, not guesses),
    then the lower answer line (more direct answers)."""
    dev = [(q, r) for q, r in zip(queries, ranks, strict=True) if q.dev]
    dev_queries, dev_ranks = [q for q, _ in dev], [r for _, r in dev]
    best: tuple[float, Thresholds] | None = None
    for suggest in range(20, 80):
        for answer in range(suggest, 96, 2):
            for margin in (0.0, 2.0, 4.0, 6.0, 8.0):
                thresholds = Thresholds(answer=answer, suggest=suggest, margin=margin)
                report = evaluate(dev_queries, dev_ranks, thresholds)
                if report.wrong_answers > 0.03:
                    continue
                value = (report.reached + report.oos_handed) / 2 + 0.001 * margin - 0.0001 * answer
                if best is None or value > best[0]:
                    best = (value, thresholds)
    assert best is not None
    return best[1]


def latency(
    rank: Ranker, queries: Sequence[str], rounds: int = 5
) -> tuple[float, float, float, float]:
    """(p50, p95) of wall-clock time, then of CPU time, in ms. On a busy machine the wall
    clock also counts waiting for a core; CPU time is the lookup's own cost."""
    wall, cpu = [], []
    for _ in range(rounds):
        for text in queries:
            normalise.cache_clear()  # every lookup pays for its own preprocessing
            start, start_cpu = time.perf_counter(), time.thread_time()
            rank(text)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    wall.sort()
    cpu.sort()

    def p95(values: list[float]) -> float:
        return values[int(len(values) * 0.95) - 1]

    return statistics.median(wall), p95(wall), statistics.median(cpu), p95(cpu)


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
        f"| {name} | {r.top1:.1%} | {r.top3:.1%} | {r.reached:.1%} | {r.wrong_answers:.1%} "
        f"| {r.oos_handed:.1%} |"
    )


def _misses(
    queries: Sequence[Query], ranks: Sequence[Sequence[Scored]], thresholds: Thresholds
) -> None:
    """(development aid) the dev queries the shipped method gets wrong."""
    print("\ndev misses:")
    for query, ranked in zip(queries, ranks, strict=True):
        if not query.dev:
            continue
        outcome = decide(ranked, thresholds)
        ok = (
            outcome == HANDOFF
            if query.expected is None
            else bool(ranked) and query.accepts(ranked[0].entry_id) and outcome != HANDOFF
        )
        if not ok:
            shown = ", ".join(f"{s.entry_id} {s.score:.0f}" for s in ranked)
            print(f"  {query.text!r} → {outcome}: {shown} (want {query.expected})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="sweep thresholds on the dev half")
    parser.add_argument("--no-timing", action="store_true", help="skip the latency runs")
    args = parser.parse_args(argv)
    knowledge = load_knowledge()
    entries = list(knowledge.faq.entries)
    queries = load_eval()
    ours = knowledge.faq.matcher
    baseline = WRatioBaseline(entries)
    our_ranks = [ours.rank(q.text)[1] for q in queries]
    base_ranks = [baseline.rank(q.text) for q in queries]
    baseline_thresholds = tune(queries, base_ranks)
    if args.tune:
        print(f"thresholds tuned on dev for the shipped method: {tune(queries, our_ranks)}")
    print(f"shipped thresholds: {ours.thresholds}")
    print(f"WRatio thresholds (tuned on dev the same way): {baseline_thresholds}")
    print(
        f"{len(entries)} entries; {len(queries)} labelled queries "
        f"({sum(q.expected is None for q in queries)} out of scope), "
        f"{sum(q.dev for q in queries)} dev / {sum(not q.dev for q in queries)} held out\n"
    )
    print(
        "| method | top-1 | top-3 | right entry reached | wrong direct answer "
        "| out of scope → human |"
    )
    print("|---|---|---|---|---|---|")
    for label, keep in (("dev", True), ("held out", False), ("all", None)):
        chosen = [i for i, q in enumerate(queries) if keep is None or q.dev == keep]
        subset = [queries[i] for i in chosen]
        base_report = evaluate(subset, [base_ranks[i] for i in chosen], baseline_thresholds)
        our_report = evaluate(subset, [our_ranks[i] for i in chosen], ours.thresholds)
        print(_row(f"WRatio, {label}", base_report))
        print(_row(f"**ours**, {label}", our_report))
    if args.tune:
        _misses(queries, our_ranks, ours.thresholds)
    if args.no_timing:
        return 0
    texts = [q.text for q in queries]
    big = entries + synthetic_entries(entries, SYNTHETIC_ENTRIES)
    big_ours = build_matcher(big, knowledge.faq.synonyms)
    big_baseline = WRatioBaseline(big)
    print("\n| method | base | p50 ms | p95 ms | p50 ms CPU | p95 ms CPU |")
    print("|---|---|---|---|---|---|")
    rows: list[tuple[str, str, Ranker, int]] = [
        ("WRatio", f"shipped ({len(entries)} entries)", baseline.rank, 5),
        ("ours", f"shipped ({len(entries)} entries)", lambda t: ours.rank(t)[1], 5),
        ("WRatio", f"synthetic ({len(big)} entries)", big_baseline.rank, 2),
        ("ours", f"synthetic ({len(big)} entries)", lambda t: big_ours.rank(t)[1], 2),
    ]
    for name, base, rank, rounds in rows:
        p50, p95, cpu50, cpu95 = latency(rank, texts, rounds)
        print(f"| {name} | {base} | {p50:.2f} | {p95:.2f} | {cpu50:.2f} | {cpu95:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
