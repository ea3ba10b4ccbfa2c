"""Split the two blind pools ONCE, stratified by label, fixed seed: half training, half held out."""
import random, yaml, collections, sys
rows = []
for name in ("A", "B"):
    d = yaml.safe_load(open(f"/work/blind/pool_{name}.yaml"))
    for r in d["queries"]:
        r = dict(r); r["writer"] = name; rows.append(r)
by = collections.defaultdict(list)
for r in rows:
    by[str(r["id"])].append(r)
rng = random.Random(20261202)
train, held = [], []
for key in sorted(by):
    group = by[key][:]
    rng.shuffle(group)
    half = len(group) // 2
    held += group[:half]; train += group[half:]
def dump(path, header, items):
    with open(path, "w") as f:
        f.write(header)
        f.write("queries:\n")
        for r in items:
            q = r["q"].replace("\\", "\\\\").replace('"', '\\"')
            ident = "null" if r["id"] is None else r["id"]
            f.write(f'  - {{q: "{q}", id: {ident}, style: {r.get("style","plain")}, writer: {r["writer"]}}}\n')
base = "/work/main/tests/data/"
common = ("# Third blind pool: written by two sessions from the topic list (TOPICS.md) and BRIEF.md alone,\n"
          "# never the knowledge base. Split once, stratified by label, random.Random(20261202), by\n"
          "# /work/blind/split_pools.py (coordinator), before anyone read either half.\n")
dump(base + "kb_pool_train.yaml", common + "# TRAINING half: may be read and turned into variants, synonyms and concepts.\n", train)
dump(base + "kb_eval_blind3_heldout.yaml", common + "# HELD-OUT half: never read, never tuned on; only its aggregate figures are reported.\n", held)
print(len(rows), len(train), len(held))
for p in ("kb_pool_train.yaml", "kb_eval_blind3_heldout.yaml"):
    d = yaml.safe_load(open(base + p)); assert len(d["queries"]) in (len(train), len(held))
