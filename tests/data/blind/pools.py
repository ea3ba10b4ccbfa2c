"""How the third and fourth blind pools became the files beside this folder, run once each by the
coordinator on 2026-12-02 before anyone read a held-out part (the writers' files lived outside the
repository, in /work/blind; the writers saw only TOPICS.md, BRIEF.md and, for the fourth pool,
WRITER.md).

    python pools.py third    # writers A, B: split once, stratified by label, half held out
    python pools.py fourth   # writers C, D train; writer E, another author, held out whole
"""

import collections
import random
import sys

import yaml

BASE = "/work/main/tests/data/"
THIRD = (
    "# Third blind pool: written by two sessions from the topic list (TOPICS.md) and BRIEF.md alone,\n"
    "# never the knowledge base. Split once, stratified by label, random.Random(20261202), by\n"
    "# /work/blind/split_pools.py (coordinator), before anyone read either half.\n"
)
FOURTH = (
    "# Fourth blind pool: written from the topic list (TOPICS.md) and BRIEF.md alone by sessions\n"
    "# that never saw the knowledge base (the brief: tests/data/blind/WRITER.md).\n"
)


def rows_of(writer: str) -> list[dict]:
    with open(f"/work/blind/pool_{writer}.yaml", encoding="utf-8") as f:
        return [{**row, "writer": writer} for row in yaml.safe_load(f)["queries"]]


def stratified_halves(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(train, held out): each label's questions shuffled with one seed, the first half held."""
    by_label = collections.defaultdict(list)
    for row in rows:
        by_label[str(row["id"])].append(row)
    rng = random.Random(20261202)
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
            f.write(f'  - {{q: "{text}", id: {label}, style: {style}, writer: {row["writer"]}}}\n')


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


if __name__ == "__main__":
    {"third": third, "fourth": fourth}[sys.argv[1]]()
