"""The fourth blind pool, made once by the coordinator on 2026-12-02 (the pools lived outside the
repository, in /work/blind). Writers C and D become the training pool; writer E, a different
author given the same brief, is kept whole as a held-out set nobody reads (aggregate only)."""

import yaml

BASE = "/work/main/tests/data/"
HEADER = (
    "# Fourth blind pool: written from the topic list (TOPICS.md) and BRIEF.md alone by sessions\n"
    "# that never saw the knowledge base (the brief: tests/data/blind/WRITER.md).\n"
)


def rows_of(writer: str) -> list[dict]:
    with open(f"/work/blind/pool_{writer}.yaml", encoding="utf-8") as f:
        return [{**row, "writer": writer} for row in yaml.safe_load(f)["queries"]]


def dump(path: str, header: str, items: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(header + "queries:\n")
        for row in items:
            text = row["q"].replace("\\", "\\\\").replace('"', '\\"')
            label = "null" if row["id"] is None else row["id"]
            style = row.get("style", "plain")
            f.write(f'  - {{q: "{text}", id: {label}, style: {style}, writer: {row["writer"]}}}\n')


if __name__ == "__main__":
    train = rows_of("C") + rows_of("D")
    held = rows_of("E")
    dump(BASE + "kb_pool4_train.yaml", HEADER + "# TRAINING (writers C, D): may be read.\n", train)
    dump(
        BASE + "kb_eval_blind4_heldout.yaml",
        HEADER + "# HELD-OUT (writer E): never read, never tuned on; aggregate figures only.\n",
        held,
    )
    print(len(train), len(held))
