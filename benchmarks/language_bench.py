"""French against English search speed, interleaved: is a French corpus within 1.2x the English p95?

    python benchmarks/language_bench.py --passages 10000 --rounds 5 [--dir /tmp/lang-bench] [--json]

Builds (once, kept in --dir) an English and a French synthetic workspace of the same size
(benchmarks/synthetic.py), opens both in one process and times search_bench's query mix of
each language (search + the first page of highlighted results), alternating English and
French pass by pass, so that a busy machine slows both alike. Each round gives each
language's p95 and their ratio; the report has every round's figures and their median,
minimum and maximum (the spread).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.search_bench import PAGE, percentile, query_mix  # noqa: E402
from benchmarks.synthetic import DEFAULT_SEED, generate_corpus, kept_workspace  # noqa: E402

LANGUAGES = ("en", "fr")
PASSES = 10  # passes over each mix per round: a kind has 4-12 queries, 10 passes give it 40+ samples


def _workspace(folder: Path, language: str, passages: int, seed: int) -> Path:
    return kept_workspace(folder / f"{language}-{passages}", passages, seed, language)


def _searcher(root: Path):
    from annotator.session import Session

    session = Session.open(root)
    session.sync()

    def search(text: str):
        result = session.search(text, limit=PAGE)
        return [(h.id, h.matches) for h in result.hits], result.total

    return session, search


def one_round(searchers: dict, mixes: dict, passes: int) -> dict:
    samples: dict[str, list[float]] = {code: [] for code in searchers}
    cpu: dict[str, list[float]] = {code: [] for code in searchers}
    for code, search in searchers.items():  # warm-up
        for q in mixes[code]:
            search(q.annotator)
    for _ in range(passes):
        for code, search in searchers.items():
            for q in mixes[code]:
                start, start_cpu = time.perf_counter(), time.thread_time()
                search(q.annotator)
                cpu[code].append((time.thread_time() - start_cpu) * 1000.0)
                samples[code].append((time.perf_counter() - start) * 1000.0)
    figures = {code: {"p50_ms": round(percentile(v, 50), 3), "p95_ms": round(percentile(v, 95), 3),
                      "cpu_p50_ms": round(percentile(cpu[code], 50), 3), "cpu_p95_ms": round(percentile(cpu[code], 95), 3)}
               for code, v in samples.items()}
    for key in ("p95", "p50", "cpu_p95", "cpu_p50"):
        figures[f"fr_en_{key}_ratio"] = round(figures["fr"][f"{key}_ms"] / figures["en"][f"{key}_ms"], 3)
    return figures


def spread(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def run(passages: int, rounds: int, folder: Path, seed: int = DEFAULT_SEED, passes: int = PASSES) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    mixes, searchers, sessions = {}, {}, []
    for code in LANGUAGES:
        root = _workspace(folder, code, passages, seed)
        mixes[code] = query_mix(generate_corpus(passages, seed, language=code).passages, seed, code)
        session, searchers[code] = _searcher(root)
        sessions.append(session)
    try:
        results = [one_round(searchers, mixes, passes) for _ in range(rounds)]
    finally:
        for session in sessions:
            session.close()
    return {
        "passages": passages,
        "rounds": results,
        "en_p95_ms": spread([r["en"]["p95_ms"] for r in results]),
        "fr_p95_ms": spread([r["fr"]["p95_ms"] for r in results]),
        "fr_en_p95_ratio": spread([r["fr_en_p95_ratio"] for r in results]),
        "fr_en_p50_ratio": spread([r["fr_en_p50_ratio"] for r in results]),
        # CPU time of the searching thread: what the machine's other load inflates least
        "en_cpu_p95_ms": spread([r["en"]["cpu_p95_ms"] for r in results]),
        "fr_cpu_p95_ms": spread([r["fr"]["cpu_p95_ms"] for r in results]),
        "fr_en_cpu_p95_ratio": spread([r["fr_en_cpu_p95_ratio"] for r in results]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=PASSES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--dir", default="/tmp/annotator-language-bench", help="where the workspaces are kept")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.passages, args.rounds, Path(args.dir), args.seed, args.passes)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for i, r in enumerate(report["rounds"], 1):
        print(f"round {i}: en p95 {r['en']['p95_ms']:.2f} ms  fr p95 {r['fr']['p95_ms']:.2f} ms  "
              f"ratio {r['fr_en_p95_ratio']:.3f} (p50 ratio {r['fr_en_p50_ratio']:.3f}; "
              f"cpu p95 {r['en']['cpu_p95_ms']:.2f} / {r['fr']['cpu_p95_ms']:.2f} ms, ratio {r['fr_en_cpu_p95_ratio']:.3f})")
    for key in ("en_p95_ms", "fr_p95_ms", "fr_en_p95_ratio", "fr_en_p50_ratio", "en_cpu_p95_ms", "fr_cpu_p95_ms",
                "fr_en_cpu_p95_ratio"):
        s = report[key]
        print(f"{key:<20} median {s['median']}  min {s['min']}  max {s['max']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
