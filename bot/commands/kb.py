"""`stationbot kb check` and `stationbot kb ask "…" [--lang zh|en] [--json]`.

`check` validates the FAQ files (schema, duplicate ids, missing translations, placeholders,
related ids, and variants closer to another entry than to their own) and prints one line per
problem: file, entry, problem. Exit status 1 when there is any.

`ask` shows what the bot would do with a question: the outcome (answer, suggest, hand off),
the best entry with its score and answer, and the runners-up.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.commands.english import count_of
from bot.settings import Settings
from knowledge.faq import check_faq, faq_dir, load_faq
from knowledge.matcher import LANGS, script_of
from knowledge.stations import load_stations

EXIT_PROBLEMS = 1


def main(settings: Settings, args: argparse.Namespace) -> int:
    directory = Path(settings.knowledge_dir) if settings.knowledge_dir else None
    if args.kb_command == "check":
        return check(directory)
    return ask(directory, args.question, lang=args.lang, as_json=args.json)


def check(directory: Path | None) -> int:
    stations = load_stations(directory)
    problems = check_faq(directory, stations)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {faq_dir(directory)}", file=sys.stderr)
        return EXIT_PROBLEMS
    faq = load_faq(directory, stations)
    generated = sum(1 for e in faq.entries if e.station_code)
    variants = sum(len(e.phrasings(lang)) for e in faq.entries for lang in LANGS)
    print(
        f"knowledge base OK: {count_of(len(faq.entries), 'entry', 'entries')} ({generated} "
        f"generated from stations.yaml), {count_of(variants, 'phrasing')} in {faq_dir(directory)}"
    )
    return 0


def ask(directory: Path | None, question: str, *, lang: str | None, as_json: bool) -> int:
    stations = load_stations(directory)
    faq = load_faq(directory, stations)
    result = faq.match(question, limit=4)
    shown = lang or script_of(question)
    ranked = []
    for scored in result.ranked:
        entry = faq.get(scored.entry_id)
        assert entry is not None
        ranked.append(
            {
                "id": entry.id,
                "score": scored.score,
                "question": entry.question(shown),
                "answer": entry.answer(shown),
            }
        )
    if as_json:
        print(
            json.dumps(
                {
                    "query": question,
                    "normalised": result.normalised,
                    "matched_in": result.lang,
                    "outcome": result.outcome,
                    "emergency": result.level,
                    "best": ranked[0] if ranked else None,
                    "runners_up": [
                        {k: r[k] for k in ("id", "score", "question")} for r in ranked[1:]
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"normalised: {result.normalised}")
    print(f"outcome:    {result.outcome}")
    print(f"emergency:  {result.level}")
    if not ranked:
        print("no entry shares anything with this question")
        return 0
    best = ranked[0]
    print(f"best:       {best['id']} ({best['score']:.1f})  {best['question']}")
    print()
    print(str(best["answer"]))
    if len(ranked) > 1:
        print()
        print("runners-up:")
        for other in ranked[1:]:
            print(f"  {other['id']} ({other['score']:.1f})  {other['question']}")
    return 0
