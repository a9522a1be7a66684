"""Every answer of many searches, written down to compare before and after a change meant to keep them.

    python benchmarks/search_answers.py --passages 10000 --write before.jsonl [--dir /tmp/annotator-language-bench]
    python benchmarks/search_answers.py --passages 10000 --compare before.jsonl

On the workspaces of language_bench.py (English, French, German; kept in --dir): search_bench's
query mix of each language, each query typed letter by letter (as-you-type searches), its words
one by one, without accents and misspelt by a letter (did-you-mean), and as a `--source` search;
each answer's ids, scores (exact), total, match offsets, suggestion and notice. --compare says how
many searches differ and shows the first few.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.language_bench import _workspace  # noqa: E402
from benchmarks.search_bench import PAGE, query_mix  # noqa: E402
from benchmarks.synthetic import DEFAULT_SEED, generate_corpus  # noqa: E402

LANGUAGES = ("en", "fr", "de")


def searches(mix) -> list[tuple[str, dict]]:
    """(query, options) of every search to compare, in a fixed order."""
    from annotator.engine.analysis import fold

    found: list[tuple[str, dict]] = []
    for q in mix:
        found.append((q.annotator, {}))
        found.extend((q.annotator[:n], {"as_you_type": True}) for n in range(1, len(q.annotator) + 1))
        for word in q.annotator.replace('"', " ").split():
            if ":" in word:
                continue
            found.append((word, {}))
            found.append((fold(word), {}))
            if len(word) > 3:
                found.append((word[:2] + word[3:], {}))  # a letter missing: did you mean
        if q.source:
            found.append((q.annotator.split(None, 1)[1], {"source": q.source}))
    return list({json.dumps(s, sort_keys=True, ensure_ascii=False): s for s in found}.values())


def answers(folder: Path, passages: int, seed: int):
    """One JSON-able answer per search, language by language."""
    from annotator.session import Session

    for code in LANGUAGES:
        root = _workspace(folder, code, passages, seed)
        mix = query_mix(generate_corpus(passages, seed, language=code).passages, seed, code)
        session = Session.open(root)
        session.sync()
        try:
            for text, options in searches(mix):
                result = session.search(text, limit=PAGE, **options)
                yield {
                    "language": code, "query": text, "options": options,
                    "ids": [h.id for h in result.hits], "scores": [repr(h.score) for h in result.hits],
                    "total": result.total, "matches": [h.matches for h in result.hits],
                    "suggestion": result.suggestion, "notice": result.notice, "notices": list(result.notices),
                }
        finally:
            session.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--dir", default="/tmp/annotator-language-bench", help="where the workspaces are kept")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", help="write every answer to this file (JSON lines)")
    action.add_argument("--compare", help="compare every answer with this file's")
    args = parser.parse_args(argv)
    found = answers(Path(args.dir), args.passages, args.seed)
    if args.write:
        with open(args.write, "w", encoding="utf-8") as out:
            count = sum(out.write(json.dumps(a, ensure_ascii=False) + "\n") > 0 for a in found)
        print(f"{count} searches written to {args.write}")
        return 0
    before = [json.loads(line) for line in Path(args.compare).read_text(encoding="utf-8").splitlines()]
    now = list(found)
    differ = [(b, a) for b, a in zip(before, now) if b != a]
    if len(before) != len(now):
        print(f"{len(before)} searches before, {len(now)} now")
    print(f"{len(now)} searches compared: {len(differ)} differ")
    for b, a in differ[:5]:
        print(json.dumps(b, ensure_ascii=False)[:400])
        print(json.dumps(a, ensure_ascii=False)[:400])
    return 1 if differ or len(before) != len(now) else 0


if __name__ == "__main__":
    sys.exit(main())
