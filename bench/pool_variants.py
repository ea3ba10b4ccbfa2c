"""Write `knowledge/faq/more_variants.yaml` from the blind pools' TRAINING halves.

    python -m bench.pool_variants

Each in-scope question of `tests/data/kb_pool_train.yaml` (third pool) and
`tests/data/kb_pool4_train.yaml` (fourth pool) becomes a variant of the entry it
is labelled with, in its script (Chinese or English); emergencies (handled by the emergency
concepts in `faq/matching.yaml`) and out-of-scope questions are left out, and so is a question
that is word for word one of the old set's (`kb_eval.yaml` must stay apart from the variants).
A question the same (normalised) as another entry's phrasing, or asked for two entries, is
kept only for the first (the loader refuses a phrasing shared by two entries). A question
that `kb check` then finds closer to another entry (left out, it is a confident
match for that one) is dropped too: it is mislabelled or makes two entries impossible to tell
apart. The held-out sets (`kb_eval_blind3_heldout.yaml`, `kb_eval_blind4_heldout.yaml`) are
never read here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from bench.knowledge import (
    OLD_PATH,
    POOL_PATHS,
    base_without_pools,
    clean_variants,
    load_queries,
    variant_entry,
)
from knowledge.matcher import normalise, script_of

TARGET = Path(__file__).resolve().parents[1] / "knowledge" / "faq" / "more_variants.yaml"
HEADER = """\
# Questions people asked, labelled, kept apart from the entries: each is added to the variants
# of the entry it names (knowledge/faq.py, `more_variants`). Written by
# `python -m bench.pool_variants` from tests/data/kb_pool_train.yaml and kb_pool4_train.yaml,
# the TRAINING halves of the third and fourth blind pools (written from the topic list alone
# by sessions that never saw the base). The held-out sets are never read. Regenerate rather
# than edit by hand.
"""


def build(paths: Sequence[Path] = POOL_PATHS) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    old = {normalise(q.text) for q in load_queries(OLD_PATH)}
    queries = [q for path in paths if path.exists() for q in load_queries(path)]
    for query in queries:
        entry = variant_entry(query)
        if entry is None or normalise(query.text) in old:
            continue
        by_lang = found.setdefault(entry, {})
        texts = by_lang.setdefault(script_of(query.text), [])
        if query.text.strip() not in texts:
            texts.append(query.text.strip())
    return {entry: found[entry] for entry in sorted(found)}


def _write(found: dict[str, dict[str, list[str]]]) -> None:
    text = yaml.safe_dump({"more_variants": found}, allow_unicode=True, sort_keys=False, width=200)
    TARGET.write_text(HEADER + text, encoding="utf-8")


def _closer_elsewhere(found: dict[str, dict[str, list[str]]]) -> list[tuple[str, str, str]]:
    """(entry, lang, text) of the pool's variants to drop after `kb check`: a pool variant it
    reports, or, when it reports one of the entries' own variants as closer to entry X, X's
    pool variant most like that one (the pool variant that pulled it over)."""
    from rapidfuzz import fuzz

    from knowledge.faq import check_faq
    from knowledge.stations import load_stations

    flagged = []
    for problem in check_faq(None, load_stations()):
        match = _FLAGGED.match(problem.problem)
        if match is None or problem.entry is None:
            continue
        lang, text, closer = match.group(1), match.group(2), match.group(3)
        if text in found.get(problem.entry, {}).get(lang, []):
            flagged.append((problem.entry, lang, text))
            continue
        theirs = found.get(closer, {}).get(lang, [])
        if theirs:
            said = normalise(text, lang)
            most = max(theirs, key=lambda t: fuzz.ratio(said, normalise(t, lang)))
            flagged.append((closer, lang, most))
    return list(dict.fromkeys(flagged))


_FLAGGED = re.compile(r"^(zh|en) variant '(.*)' is closer to '([^']+)' ")


def main(argv: Sequence[str] | None = None) -> int:
    from knowledge.stations import load_stations

    found = clean_variants(build(), base_without_pools(load_stations()))
    dropped = 0
    for _ in range(12):
        _write(found)
        flagged = _closer_elsewhere(found)
        if not flagged:
            break
        for entry, lang, text in flagged:
            found[entry][lang].remove(text)
            dropped += 1
    total = sum(len(t) for v in found.values() for t in v.values())
    print(f"{TARGET}: {total} variants ({dropped} dropped as closer to another entry)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
