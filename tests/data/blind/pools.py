"""How the third and fourth blind pools became the files beside this folder, run once each by the
coordinator on 2026-12-02 before anyone read a held-out part (the writers' files lived outside the
repository, in /work/blind; the writers saw only TOPICS.md, BRIEF.md and, for the fourth pool,
WRITER.md).

    python pools.py third    # writers A, B: split once, stratified by label, half held out
    python pools.py fourth   # writers C, D train; writer E, another author, held out whole
    python pools.py fifth    # writer F (emergencies and near-misses): split once by kind
    python pools.py sixth    # writers G, H (emergencies and near-misses): held out whole
    python pools.py seventh  # writer I (emergencies and near-misses): held out whole
    python pools.py eighth   # writer L (every topic, out of scope, emergencies): held out whole
    python pools.py ninth    # writer M (the same, more out of scope): held out whole
    python pools.py tenth    # writers N, O (the same, two leans): split once, half held out

The fifth pool (2026-12-02, session 4) was written by a sixth author from BRIEF.md alone (TOPICS.md
was missing from /work/blind by the coordinator's slip): 200 emergencies and 30 out of scope with
their labels, 150 near-misses and 50 ordinary questions with a guessed topic tag; a seventh session,
given only TOPICS.md, BRIEF.md and that file, then gave those 200 their topic keys.
"""

import collections
import random
import sys
from pathlib import Path

import yaml

BASE = f"{Path(__file__).resolve().parents[1]}/"  # tests/data/ of this checkout
THIRD = (
    "# Third blind pool: written by two sessions from the topic list (TOPICS.md) and BRIEF.md alone,\n"
    "# never the knowledge base. Split once, stratified by label, random.Random(20261202), by\n"
    "# /work/blind/split_pools.py (coordinator), before anyone read either half.\n"
)
FIFTH = (
    "# Fifth blind pool: emergencies told apart from near-misses, written by a sixth author from\n"
    "# BRIEF.md alone; the topic keys of the near-misses given by a seventh who saw only TOPICS.md.\n"
    "# Split once, stratified by kind (emergency / near miss / ordinary / out of scope),\n"
    "# random.Random(20261203), by tests/data/blind/pools.py fifth, before anyone read either half.\n"
)
FOURTH = (
    "# Fourth blind pool: written from the topic list (TOPICS.md) and BRIEF.md alone by sessions\n"
    "# that never saw the knowledge base (the brief: tests/data/blind/WRITER.md).\n"
)


def rows_of(writer: str) -> list[dict]:
    with open(f"/work/blind/pool_{writer}.yaml", encoding="utf-8") as f:
        return [{**row, "writer": writer} for row in yaml.safe_load(f)["queries"]]


def kind_of(row: dict) -> str:
    """The fifth pool's strata: what the question is, not which entry answers it."""
    if row["id"] == "emergency":
        return "emergency"
    if row["id"] is None and "kind" not in row:
        return "null"
    return str(row.get("kind", "null"))


def stratified_halves(
    rows: list[dict], stratum=lambda row: str(row["id"]), seed: int = 20261202
) -> tuple[list[dict], list[dict]]:
    """(train, held out): each stratum's questions shuffled with one seed, the first half held."""
    by_label = collections.defaultdict(list)
    for row in rows:
        by_label[stratum(row)].append(row)
    rng = random.Random(seed)
    train, held = [], []
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        half = len(group) // 2
        held += group[:half]
        train += group[half:]
    return train, held


def dump(path: str, header: str, items: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(header + "queries:\n")
        for row in items:
            text = row["q"].replace("\\", "\\\\").replace('"', '\\"')
            label = "null" if row["id"] is None else row["id"]
            style = row.get("style", "plain")
            kind = f", kind: {row['kind']}" if "kind" in row else ""
            f.write(
                f'  - {{q: "{text}", id: {label}, style: {style}{kind}, writer: {row["writer"]}}}\n'
            )


def third() -> None:
    train, held = stratified_halves(rows_of("A") + rows_of("B"))
    dump(
        BASE + "kb_pool_train.yaml",
        THIRD + "# TRAINING half: may be read and turned into variants, synonyms and concepts.\n",
        train,
    )
    dump(
        BASE + "kb_eval_blind3_heldout.yaml",
        THIRD
        + "# HELD-OUT half: never read, never tuned on; only its aggregate figures are reported.\n",
        held,
    )


def fourth() -> None:
    dump(
        BASE + "kb_pool4_train.yaml",
        FOURTH + "# TRAINING (writers C, D): may be read.\n",
        rows_of("C") + rows_of("D"),
    )
    dump(
        BASE + "kb_eval_blind4_heldout.yaml",
        FOURTH + "# HELD-OUT (writer E): never read, never tuned on; aggregate figures only.\n",
        rows_of("E"),
    )


def fifth() -> None:
    dev, held = stratified_halves(rows_of("F"), kind_of, seed=20261203)
    dump(
        BASE + "kb_eval_blind5_dev.yaml",
        FIFTH + "# DEVELOPMENT half: may be read and tuned on.\n",
        dev,
    )
    dump(
        BASE + "kb_eval_blind5_heldout.yaml",
        FIFTH + "# HELD-OUT half: never read, never tuned on; aggregate figures only.\n",
        held,
    )


# Sixth blind pool (2026-12-02, session 5): two more authors, each given only TOPICS.md, BRIEF.md
# and WRITER6.md (the brief, in this folder), wrote 100 emergencies, 70 near-misses with their
# topic keys, 30 ordinary questions and 20 out of scope each. Both files held out whole: written
# after the fifth round's tuning, run once at the end of the sixth, never read.
SIXTH = (
    "# Sixth blind pool: emergencies told apart from near-misses, written by writers G and H from\n"
    "# TOPICS.md, BRIEF.md and tests/data/blind/WRITER6.md alone (never the knowledge base).\n"
    "# HELD-OUT whole: never read, never tuned on; aggregate figures only.\n"
)


def sixth() -> None:
    dump(BASE + "kb_eval_blind6_heldout.yaml", SIXTH, rows_of("G") + rows_of("H"))


# Seventh blind pool (2026-12-02, session 6): one more author (writer I), given only TOPICS.md,
# BRIEF.md and WRITER6.md, with a lean of askers (elderly people, people living alone, carers,
# villages: pesticide, motorbikes, ponds, coal stoves). Two more writers were briefed with another
# lean (J, then K: parents, teenagers, factory workers, town flats, scams, English) and wrote
# nothing before the round's end. Written while the "numbers on top" were being built, from the
# brief alone; held out whole, aggregate figures only.
SEVENTH = (
    "# Seventh blind pool: emergencies told apart from near-misses, written by writer I from\n"
    "# TOPICS.md, BRIEF.md and tests/data/blind/WRITER6.md alone (never the knowledge base).\n"
    "# HELD-OUT whole: never read, never tuned on; aggregate figures only.\n"
)


def seventh() -> None:
    dump(BASE + "kb_eval_blind7_heldout.yaml", SEVENTH, rows_of("I"))


# Eighth blind pool (2026-12-03, session 7): one more author (writer L), given only TOPICS.md,
# BRIEF.md and WRITER8.md (the brief, in this folder): three questions per topic in rotating
# styles, 30 emergencies, 50 out of scope and 10 small-talk messages. Written while round 8's
# small talk was added, held out whole, run once at the end of the session, never read.
EIGHTH = (
    "# Eighth blind pool: every topic, out of scope, emergencies and small talk, written by writer L\n"
    "# from TOPICS.md, BRIEF.md and tests/data/blind/WRITER8.md alone (never the knowledge base).\n"
    "# HELD-OUT whole: never read, never tuned on; aggregate figures only.\n"
)


def eighth() -> None:
    dump(BASE + "kb_eval_blind8_heldout.yaml", EIGHTH, rows_of("L"))


# Ninth blind pool (2026-12-03, session 8): writer M, given only TOPICS.md, BRIEF.md and
# WRITER9.md: the eighth brief with 80 out of scope (about 30 close to a topic) instead of 50,
# since out of scope was the target furthest from met. Held out whole, run once at the end of
# the session, never read.
NINTH = (
    "# Ninth blind pool: every topic, out of scope, emergencies and small talk, written by writer M\n"
    "# from TOPICS.md, BRIEF.md and tests/data/blind/WRITER9.md alone (never the knowledge base).\n"
    "# HELD-OUT whole: never read, never tuned on; aggregate figures only.\n"
)


def ninth() -> None:
    dump(BASE + "kb_eval_blind9_heldout.yaml", NINTH, rows_of("M"))


# Tenth blind pool (2026-12-03, session 9): writers N and O, each given only TOPICS.md, BRIEF.md
# and their brief (WRITER10N.md, WRITER10O.md: the ninth brief with a lean of askers each, N
# villages and the elderly, O town flats, parents, English and staff). Split once, stratified by
# label, random.Random(20261203), before anyone read either half: the development half may be
# read and tuned on, the held-out half is run once at the end of the session.
TENTH = (
    "# Tenth blind pool: every topic, out of scope, emergencies and small talk, written by writers N\n"
    "# and O from TOPICS.md, BRIEF.md and tests/data/blind/WRITER10{N,O}.md alone (never the\n"
    "# knowledge base). Split once, stratified by label, random.Random(20261203).\n"
)


def tenth() -> None:
    dev, held = stratified_halves(rows_of("N") + rows_of("O"), seed=20261203)
    dump(
        BASE + "kb_eval_blind10_dev.yaml",
        TENTH + "# DEVELOPMENT half: may be read and tuned on.\n",
        dev,
    )
    dump(
        BASE + "kb_eval_blind10_heldout.yaml",
        TENTH + "# HELD-OUT half: never read, never tuned on; aggregate figures only.\n",
        held,
    )


if __name__ == "__main__":
    pools = {"third": third, "fourth": fourth, "fifth": fifth, "sixth": sixth}
    pools.update(seventh=seventh, eighth=eighth, ninth=ninth, tenth=tenth)
    pools[sys.argv[1]]()
