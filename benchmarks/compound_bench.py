"""A German word found inside compounds, timed on a big corpus: each word as a user first types it.

    python benchmarks/compound_bench.py --passages 100000 [--dir /tmp/compound-bench] [--json]

Builds (once, kept in --dir) a synthetic German workspace (benchmarks/synthetic_de.py: nouns,
two-noun compounds, a long tail of generated words) and searches each of its nouns once, as
a one-word query: the noun, and the noun inside the vocabulary's words (annotator.engine.analysis
.InCompound, `*schuld*`). The scorer keeps a word's expansions, so each search is timed cold:
the expansions kept are dropped before it, as for a word typed for the first time. Two ways of
expanding `*noun*` are timed alternately, query by query: the term table's (annotator.engine
.fast.infix) and Whoosh's scan of the whole lexicon.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.search_bench import PAGE, compound_parts, percentile  # noqa: E402
from benchmarks.synthetic import DEFAULT_SEED, make_workspace, vocabulary  # noqa: E402


def _drop_kept_expansions() -> None:
    from annotator.engine.fast.fastscore import SegmentData

    for found in gc.get_objects():
        if isinstance(found, SegmentData):
            found._expansions.clear()


def run(passages: int, folder: Path, seed: int = DEFAULT_SEED, repeats: int = 3) -> dict:
    from annotator.engine.fast import infix
    from annotator.session import Session

    root = folder / f"de-{passages}"
    if not (root / "corpus").is_dir():
        make_workspace(root, passages, seed, language="de")
    session = Session.open(root)
    start = time.perf_counter()
    session.sync()
    build = time.perf_counter() - start
    words = compound_parts(vocabulary(seed, language="de"))
    table_way = infix.expansions

    def whoosh_way(q, reader):
        return None

    samples: dict[str, list[float]] = {"term table": [], "whoosh scan": []}
    found: dict[str, list[int]] = {"term table": [], "whoosh scan": []}
    try:
        for word in words:  # warm-up: the segments' term tables opened, the vocabulary read once
            session.search(word, limit=PAGE)
        for _ in range(repeats):
            for word in words:
                for way, expand in (("term table", table_way), ("whoosh scan", whoosh_way)):
                    infix.expansions = expand
                    _drop_kept_expansions()
                    start = time.perf_counter()
                    result = session.search(word, limit=PAGE)
                    samples[way].append((time.perf_counter() - start) * 1000.0)
                    found[way].append(result.total)
    finally:
        infix.expansions = table_way
        session.close()
    terms = sum(len(list(r.lexicon("text"))) for r in _segment_readers(root))
    return {
        "passages": passages,
        "build_s": round(build, 1),
        "text_terms": terms,
        "queries": len(words),
        "same_hits": found["term table"] == found["whoosh scan"],
        **{way: {"p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2),
                 "max_ms": round(max(v), 2)} for way, v in samples.items()},
    }


def _segment_readers(root: Path):
    from annotator.session import Session

    session = Session.open(root)
    reader = session.index.searcher().reader()
    readers = [r for r, _ in reader.leaf_readers()] if hasattr(reader, "leaf_readers") else [reader]
    return readers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--dir", default="/tmp/annotator-compound-bench", help="where the workspace is kept")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    report = run(args.passages, folder, args.seed, args.repeats)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['passages']} German passages, {report['text_terms']} text terms, {report['queries']} nouns x {args.repeats}")
    for way in ("term table", "whoosh scan"):
        r = report[way]
        print(f"{way:<12} p50 {r['p50_ms']:.2f} ms  p95 {r['p95_ms']:.2f} ms  max {r['max_ms']:.2f} ms")
    print("same hits" if report["same_hits"] else "THE TWO WAYS FOUND DIFFERENT HITS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
