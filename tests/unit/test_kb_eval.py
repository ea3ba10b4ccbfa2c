"""The evaluation targets on the shipped knowledge base, so a regression fails CI.

Targets (issue 5): top-1 ≥ 90%, out-of-scope handed to a person ≥ 90%, p95 lookup under
5 ms with 2,000 entries. Latency is measured as CPU time of the lookup (`thread_time`), so a
busy CI machine cannot fail it by scheduling alone; `python -m bench.knowledge` prints both.
"""

from __future__ import annotations

import time

from bench.knowledge import (
    WRatioBaseline,
    evaluate,
    load_eval,
    synthetic_entries,
    tune,
)
from knowledge.bundle import load_knowledge
from knowledge.faq import build_matcher
from knowledge.matcher import LANGS, normalise


def test_the_set_is_big_enough_and_not_copied_from_the_variants() -> None:
    queries = load_eval()
    assert len(queries) >= 150
    assert sum(q.expected is None for q in queries) >= 30
    faq = load_knowledge().faq
    known = {e.id for e in faq.entries}
    assert {q.expected for q in queries if q.expected} <= known
    phrasings = {
        normalise(t, lang) for e in faq.entries for lang in LANGS for t in e.phrasings(lang)
    }
    copies = [q.text for q in queries if normalise(q.text) in phrasings]
    assert copies == []


def test_targets_on_the_shipped_base() -> None:
    queries = load_eval()
    matcher = load_knowledge().faq.matcher
    ranks = [matcher.rank(q.text)[1] for q in queries]
    report = evaluate(queries, ranks, matcher.thresholds)
    assert report.top1 >= 0.90, report
    assert report.oos_handed >= 0.90, report
    assert report.wrong_answers <= 0.03, report
    held_out = [i for i, q in enumerate(queries) if not q.dev]
    held = evaluate(
        [queries[i] for i in held_out], [ranks[i] for i in held_out], matcher.thresholds
    )
    assert held.top1 >= 0.85, held  # the half never used for tuning stays close


def test_beats_plain_wratio() -> None:
    queries = load_eval()
    faq = load_knowledge().faq
    baseline = WRatioBaseline(list(faq.entries))
    base_ranks = [baseline.rank(q.text) for q in queries]
    ours = evaluate(queries, [faq.matcher.rank(q.text)[1] for q in queries], faq.matcher.thresholds)
    theirs = evaluate(queries, base_ranks, tune(queries, base_ranks))
    assert ours.top1 > theirs.top1 + 0.2
    assert ours.oos_handed > theirs.oos_handed


def test_p95_under_5ms_at_2000_entries() -> None:
    faq = load_knowledge().faq
    entries = list(faq.entries) + synthetic_entries(list(faq.entries), 2000)
    matcher = build_matcher(entries, faq.synonyms)
    timings = []
    for query in load_eval():
        normalise.cache_clear()
        start = time.thread_time()
        matcher.rank(query.text)
        timings.append((time.thread_time() - start) * 1000)
    timings.sort()
    assert timings[int(len(timings) * 0.95) - 1] < 5.0
