"""Split the two blind pools ONCE, stratified by label, fixed seed: half training, half held out.

Run once by the coordinator on 2026-12-02, before anyone read either half; kept as the record
of how `kb_pool_train.yaml` and `kb_eval_blind3_heldout.yaml` were made (the pools lived
outside the repository, in /work/blind).
"""

import collections
import random

import yaml

BASE = "/work/main/tests/data/"
HEADER = (
    "# Third blind pool: written by two sessions from the topic list (TOPICS.md) and BRIEF.md alone,\n"
    "# never the knowledge base. Split once, stratified by label, random.Random(20261202), by\n"
    "# /work/blind/split_pools.py (coordinator), before anyone read either half.\n"
)


def load_pools() -> list[dict]:
    rows = []
    for name in ("A", "B"):
        with open(f"/work/blind/pool_{name}.yaml", encoding="utf-8") as f:
            for row in yaml.safe_load(f)["queries"]:
                rows.append({**row, "writer": name})
    return rows


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
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


if __name__ == "__main__":
    train, held = split(load_pools())
    dump(
        BASE + "kb_pool_train.yaml",
        HEADER + "# TRAINING half: may be read and turned into variants.\n",
        train,
    )
    dump(
        BASE + "kb_eval_blind3_heldout.yaml",
        HEADER + "# HELD-OUT half: never read; aggregate figures only.\n",
        held,
    )
    print(len(train), len(held))
