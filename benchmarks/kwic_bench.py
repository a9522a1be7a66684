"""Concordance (`annotator kwic`) at scale: a common word's lines over a synthetic workspace.

    python benchmarks/kwic_bench.py --passages 100000 [--json]

Builds the workspace and its index (benchmarks/synthetic.py), then times session.kwic for the
most common indexed words, in-process as the CLI runs it: a first screenful (50 passages read)
and the CLI's default (1000). Target: a common word's first screenful <= 300 ms p95 at 100k.

Then the words the index leaves out (stop words: "the", "to be"), which kwic finds by reading
the passages' texts in corpus order until enough hold them: the same two limits, and a phrase
of them that no passage holds ("to be or not to be" in the synthetic text), which reads every
passage (the worst case). `--workspace DIR` times an existing workspace instead of building one.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import make_workspace  # noqa: E402

REPEATS = 5
STOP_TERMS = ["the", "of", "and", "it is", "to be", "of the"]  # every word one the index leaves out
ABSENT_STOP_PHRASE = "to be or not to be"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=8, help="how many of the most common words to time")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workspace", type=Path, help="time this workspace (its index built or brought up to date first)")
    args = parser.parse_args(argv)

    from annotator.engine.search import analysed
    from annotator.session import Session

    with tempfile.TemporaryDirectory() as folder:
        root = args.workspace or make_workspace(Path(folder) / "ws", args.passages)
        session = Session.open(root)
        start = time.perf_counter()
        session.sync()
        build = time.perf_counter() - start
        counts = Counter(w.lower() for sf in session.store.sources()[:20] for p in sf.passages for w in p.text.split())
        words = [w.strip(".,;") for w, _ in counts.most_common(200) if analysed(w.strip(".,;"))][: args.words]
        passages = sum(len(sf.passages) for sf in session.store.sources()) if args.workspace else args.passages
        results = {"passages": passages, "index_build_s": round(build, 1), "words": words, "stop_words": STOP_TERMS}
        for name, limit in (("screenful_50", 50), ("default_1000", 1000)):
            results[name] = timed(session, words, limit)
            results[f"stop_{name}"] = timed(session, STOP_TERMS, limit)
        results["stop_absent_phrase_reads_all"] = timed(session, [ABSENT_STOP_PHRASE], 50, repeats=2)
        session.close()
    print(json.dumps(results, indent=2) if args.json else json.dumps(results))
    return 0


def timed(session, terms: list[str], limit: int, repeats: int = REPEATS) -> dict:
    """Wall-clock p50/p95, and the process's CPU time's: on a machine others load, the CPU time is
    what the same run would take alone (kwic runs on one thread)."""
    times, cpu, lines = [], [], []
    for _ in range(repeats):
        for term in terms:
            start, start_cpu = time.perf_counter(), time.process_time()
            found = session.kwic(term, limit=limit)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            lines.append(len(found.lines))
    return {"p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "cpu_p50_ms": round(percentile(cpu, 50), 1), "cpu_p95_ms": round(percentile(cpu, 95), 1),
            "lines_median": sorted(lines)[len(lines) // 2]}


if __name__ == "__main__":
    raise SystemExit(main())
