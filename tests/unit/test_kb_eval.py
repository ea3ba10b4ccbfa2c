"""Floors on the labelled sets, so a regression fails CI.

Only DEVELOPMENT halves are asserted on: the blind held-out half is measured by
`python -m bench.knowledge` and reported, never used to pass or fail anything here (a test on
it would make every later change a tuning step on it). Floors sit a little under what was
measured when they were set (README, "Knowledge base"). Nothing here is timed: latency is a bench figure
(`python -m bench.knowledge`, CPU time per question, on the shipped base and at 2,104 entries).
"""

from __future__ import annotations

from bench.knowledge import (
    BLIND5_DEV_PATH,
    BLIND_DEV_PATH,
    BLIND_HELDOUT_PATH,
    EMERGENCY,
    OLD_PATH,
    Decision,
    Query,
    WRatioBaseline,
    _out_of_scope_line,
    evaluate,
    homophone_copy,
    load_queries,
    load_sets,
    ours,
    synthetic_entries,
    tune,
)
from knowledge.bundle import load_knowledge
from knowledge.faq import build_matcher
from knowledge.matcher import LANGS, SMALL_TALK, Scored, Thresholds, normalise

# Measured on the blind dev half (third round): 94.2% direct & right, 0.3% wrong, 97.2% out of
# scope handed off, 100% emergencies, 0.0% false alarms; homophone copy 92.3% direct, 98.1%
# reached.
BLIND_DEV_DIRECT_FLOOR = 0.90
BLIND_DEV_HOMOPHONE_REACHED_FLOOR = 0.90
# The old set's dev half: 80.9% direct & right, 0.0% wrong, 94.7% first.
OLD_DEV_DIRECT_FLOOR = 0.72


def _labels_known(path: object) -> None:
    faq = load_knowledge().faq
    for query in load_queries(path):  # type: ignore[arg-type]
        assert query.expected in (None, EMERGENCY) or query.expected in faq, query


def test_every_label_is_an_entry_or_emergency_or_out_of_scope() -> None:
    for path in (BLIND_DEV_PATH, BLIND_HELDOUT_PATH, BLIND5_DEV_PATH, OLD_PATH):
        _labels_known(path)


def test_the_old_set_is_not_copied_from_the_variants() -> None:
    queries = load_queries(OLD_PATH)
    assert len(queries) >= 150
    faq = load_knowledge().faq
    phrasings = {
        normalise(t, lang) for e in faq.entries for lang in LANGS for t in e.phrasings(lang)
    }
    assert [q.text for q in queries if normalise(q.text) in phrasings] == []


def test_blind_dev_half_floors() -> None:
    matcher = load_knowledge().faq.matcher
    dev = next(s for s in load_sets(include_heldout=False) if s.name == "blind dev")
    run = ours(matcher)
    report = evaluate(
        dev.queries, [run(q.text) for q in dev.queries], matcher.thresholds,
        matcher.emergency_entries,
    )  # fmt: skip
    assert report.direct_right >= BLIND_DEV_DIRECT_FLOOR, report
    assert report.wrong_direct <= 0.02, report
    assert report.oos_handed >= 0.90, report
    assert report.emergencies == 1.0, report
    assert report.false_alarms <= 0.01, report
    copy = homophone_copy(dev.queries)
    typos = evaluate(
        copy, [run(q.text) for q in copy], matcher.thresholds, matcher.emergency_entries
    )
    assert typos.reached >= BLIND_DEV_HOMOPHONE_REACHED_FLOOR, typos


def test_blind5_dev_half_emergencies_and_near_misses() -> None:
    """The fifth pool's dev half (emergencies told apart from near-misses; read and tuned on):
    measured 99% of its 100 emergencies answered with the numbers, no near-miss (75, of which
    8 ask for the numbers themselves) and no other question (115) answered as one wrongly. Never the held-out half."""
    matcher = load_knowledge().faq.matcher
    dev = next(s for s in load_sets(include_heldout=False, include_blind5=True)
               if s.name == "blind5 dev")  # fmt: skip
    decisions = [ours(matcher)(q.text) for q in dev.queries]
    report = evaluate(dev.queries, decisions, matcher.thresholds, matcher.emergency_entries)
    assert report.emergency_count == 100 and report.emergencies >= 0.97, report
    assert report.false_alarms <= 0.01, report
    near = [
        d
        for q, d in zip(dev.queries, decisions, strict=True)
        if q.kind == "near_miss" and q.expected not in matcher.emergency_entries
    ]  # "119跟110有啥区别" is the numbers entry's own question: answered with them, rightly
    assert len(near) >= 65
    assert sum(d.emergency for d in near) <= 1


def test_old_dev_half_floor() -> None:
    matcher = load_knowledge().faq.matcher
    dev = next(s for s in load_sets(include_heldout=False) if s.name == "old dev")
    run = ours(matcher)
    report = evaluate(
        dev.queries, [run(q.text) for q in dev.queries], matcher.thresholds,
        matcher.emergency_entries,
    )  # fmt: skip
    assert report.direct_right >= OLD_DEV_DIRECT_FLOOR, report
    assert report.wrong_direct <= 0.02, report
    assert report.false_alarms <= 0.01, report


def test_homophone_copy_changes_one_character_per_chinese_question() -> None:
    queries = load_queries(BLIND_DEV_PATH)
    copy = homophone_copy(queries)
    assert homophone_copy(queries) == copy  # seeded
    changed = 0
    for before, after in zip(queries, copy, strict=True):
        assert len(before.text) == len(after.text)
        diff = sum(a != b for a, b in zip(before.text, after.text, strict=True))
        assert diff <= 1
        changed += diff
    assert changed >= 0.8 * sum(q.text.isascii() is False for q in queries)


def test_beats_plain_wratio() -> None:
    faq = load_knowledge().faq
    dev = next(s for s in load_sets(include_heldout=False) if s.name == "blind dev")
    baseline = WRatioBaseline(list(faq.entries))
    theirs = [baseline.decide(q.text) for q in dev.queries]
    emergency = faq.matcher.emergency_entries
    base = evaluate(dev.queries, theirs, tune(dev.queries, theirs, emergency), emergency)
    run = ours(faq.matcher)
    mine = evaluate(
        dev.queries, [run(q.text) for q in dev.queries], faq.matcher.thresholds, emergency
    )
    assert mine.direct_right > base.direct_right + 0.3
    assert mine.first > base.first


def test_matcher_at_2000_entries_still_finds_the_real_entries() -> None:
    """A base of 2,000 more entries (halves of real phrasings recombined: many near-duplicates)
    still builds and matches: the blind dev questions mostly keep the shipped base's best entry
    (measured: 312 of 348), and emergencies are told the same way. Its speed is not tested
    here (a timed test fails on a busy machine): `python -m bench.knowledge` reports p50 / p95
    CPU at 2,104 entries (README, "Knowledge base matching")."""
    faq = load_knowledge().faq
    entries = list(faq.entries) + synthetic_entries(list(faq.entries), 2000)
    big = build_matcher(entries, faq.synonyms, settings=faq.settings)
    queries = load_queries(BLIND_DEV_PATH)
    same = urgent_same = 0
    for query in queries:
        shipped, large = faq.matcher.match(query.text), big.match(query.text)
        same += bool(shipped.best and large.best and shipped.best.entry_id == large.best.entry_id)
        urgent_same += shipped.emergency == large.emergency
    assert same >= 0.85 * len(queries)
    assert urgent_same == len(queries)


def test_out_of_scope_line_tells_small_talk_from_a_person() -> None:
    """A "再见" labelled out of scope and answered as small talk is counted apart, so the rate
    to a person is over the questions a person could take."""
    thresholds = Thresholds(answer=50.0, suggest=40.0, margin=10.0, relative=0.1)
    queries = [Query("再见", None), Query("护照怎么办", None), Query("天气", None), Query("x", "a")]
    decisions = [
        Decision((Scored("goodbye", 100.0),), False, "answer", rule=SMALL_TALK),
        Decision((), False),  # nothing ranked: handed to a person
        Decision((Scored("a", 45.0),), False),  # a suggestion
        Decision((Scored("a", 90.0),), False),  # in scope: not counted
    ]
    line = _out_of_scope_line("t", queries, decisions, thresholds)
    assert "out of scope (3) got a person 1, small talk 1, suggestions 1, an answer 0" in line
    assert "to a person without the small talk: 50.0%" in line
