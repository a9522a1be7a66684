"""Search by meaning against words: MRR and recall@5 on paraphrased and keyword queries.

    python benchmarks/meaning_search.py [--corpus demo|novel|heldout|heldout-pp|all] [--json] [--keep DIR]
    python benchmarks/meaning_search.py --scale 100000     # query time and RSS at N passages
    python benchmarks/meaning_search.py --embed-speed 200  # passages embedded a second, and 10k's time

Query sets live in benchmarks/meaning_queries/: for the demo corpus (corpus/, Never Let Me Go),
for Great Expectations (tests/fixtures/novel/, imported as a user would) and, held out, for the
Jane Eyre scene summaries of tests/fixtures/suggest-heldout.yaml (written before any measuring) and,
held out later, the Pride and Prejudice ones of tests/fixtures/suggest-heldout-pp.yaml. A `paraphrase`
query is written without its targets' words (checked here: a query sharing a stemmed content
word with a target is reported); a `keyword` query uses them. Each is ranked three ways:

* words: `annotator search` (BM25F over the passages);
* meaning: cosine of the query's embedding with every passage's alone;
* hybrid: `annotator search --meaning` (the two ranks fused).

MRR is the mean of 1/rank of the first relevant passage (0 past rank 100); recall@5 the share
of a query's relevant passages (at most 5) in its top 5. The workspaces are kept (default: a
folder in the system's temporary directory), so passages are embedded only on the first run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.corpus.yamlio import read_yaml  # noqa: E402
from annotator.engine import embeddings, meaning  # noqa: E402
from annotator.session import Session  # noqa: E402

QUERIES = ROOT / "benchmarks" / "meaning_queries"
SETS = {"demo": QUERIES / "never-let-me-go.yaml", "novel": QUERIES / "great-expectations.yaml",
        "heldout": QUERIES / "jane-eyre.yaml", "heldout-pp": QUERIES / "pride-and-prejudice.yaml"}
HELDOUT = {"heldout": (ROOT / "tests" / "fixtures" / "suggest-heldout.yaml", "jane-eyre", "Jane Eyre"),  # scene summaries, one source
           "heldout-pp": (ROOT / "tests" / "fixtures" / "suggest-heldout-pp.yaml", "pride-and-prejudice", "Pride and Prejudice")}
DEPTH = 100


def workspace(name: str, keep: Path) -> Session:
    """The corpus in a kept workspace (made on first use)."""
    folder = keep / name
    if not (folder / "corpus").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if name == "demo":
            shutil.copytree(ROOT / "corpus", folder / "corpus")
        elif name in HELDOUT:
            heldout_workspace(folder, *HELDOUT[name])
        else:
            from annotator.corpus.workspace import init_workspace

            init_workspace(folder, empty=True)
            text = folder / "great-expectations.txt"
            text.write_bytes(gzip.decompress((ROOT / "tests/fixtures/novel/great-expectations.txt.gz").read_bytes()))
            import subprocess

            subprocess.run([sys.executable, "-m", "annotator", "--workspace", str(folder), "import", str(text)],
                           check=True, stdout=subprocess.DEVNULL)
    session = Session.open(folder)
    session.sync()
    return session


def heldout_workspace(folder: Path, corpus: Path, source: str, title: str) -> None:
    """A held-out corpus's scene summaries as one source (its themes and gold labels left out)."""
    from annotator.corpus.model import Passage, Source, SourceFile
    from annotator.corpus.workspace import init_workspace

    init_workspace(folder, empty=True)
    data = read_yaml(corpus)
    passages = [Passage(p["id"], " ".join(str(p["text"]).split()), "", source) for p in data["passages"]]
    session = Session.open(folder)
    session.store.save_source(SourceFile(Source(source, f"{title} (scene summaries)"), passages))
    session.close()


def stems(text: str) -> set[str]:
    from annotator.engine.index import text_analyzer

    return {t.text for t in text_analyzer()(text)}


def overlap(session: Session, query: str, want: list[str]) -> set[str]:
    words = meaning.content_words(query)
    return {w for pid in want for w in words & stems(session.get(pid).text)}


def reciprocal_rank(ranked: list[str], want: set[str]) -> float:
    for i, pid in enumerate(ranked[:DEPTH]):
        if pid in want:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_5(ranked: list[str], want: set[str]) -> float:
    return len(set(ranked[:5]) & want) / min(len(want), 5)


def rankings(session: Session, query: str) -> dict[str, list[str]]:
    words = [h.id for h in session.search(query, kind="passage", limit=DEPTH).hits]
    model = embeddings.embedder()
    store = meaning.store_for(session.ws.index_dir, model)
    searcher = session.index.searcher()
    alone = meaning.rank(searcher, store, model.embed([query], "query")[0], limit=DEPTH).ids
    start = time.perf_counter()
    hybrid = [h.id for h in session.search_meaning(query, limit=DEPTH).hits]
    return {"words": words, "meaning": alone, "hybrid": hybrid, "seconds": time.perf_counter() - start}


def widened(want: set[str], window: int) -> set[str]:
    """The wanted passages and those up to `window` paragraphs either side (ids ending -pN or -pN-k)."""
    import re

    found = set(want)
    for pid in want:
        m = re.match(r"(.*-p)(\d+)(-\d+)?$", pid)
        if m and window:
            found |= {f"{m.group(1)}{n}" for n in range(int(m.group(2)) - window, int(m.group(2)) + window + 1)}
    return found


def measure(name: str, keep: Path) -> dict:
    spec = read_yaml(SETS[name])
    session = workspace(name, keep)
    start = time.perf_counter()
    cover = session.embed_passages(progress=lambda d, t: print(f"\r  embedding {d}/{t}", end="", file=sys.stderr))
    embed_seconds = time.perf_counter() - start
    found: dict = {"corpus": name, "passages": cover.total, "embed_seconds_this_run": round(embed_seconds, 1),
                   "window": int(spec.get("window") or 0)}
    times = []
    for kind in ("paraphrase", "keyword"):
        rows = spec.get(kind) or []
        window = int(spec.get("window") or 0)
        scores = {m: {"mrr": [], "recall5": []} for m in ("words", "meaning", "hybrid")}
        if window:
            scores.update({f"{m}+scene": {"mrr": []} for m in ("words", "meaning", "hybrid")})
        leaks = []
        for row in rows:
            want = set(row["want"])
            if kind == "paraphrase" and (shared := overlap(session, row["q"], row["want"])):
                leaks.append(f"{row['q']!r} shares {sorted(shared)}")
            ranked = rankings(session, row["q"])
            times.append(ranked.pop("seconds"))
            for method, ids in ranked.items():
                scores[method]["mrr"].append(reciprocal_rank(ids, want))
                scores[method]["recall5"].append(recall_at_5(ids, want))
                if window:
                    scores[f"{method}+scene"]["mrr"].append(reciprocal_rank(ids, widened(want, window)))
        found[kind] = {
            "queries": len(rows),
            **{m: {k: round(statistics.fmean(v), 3) for k, v in s.items()} for m, s in scores.items()},
        }
        if leaks:
            found[kind]["shared_words"] = leaks
    times.sort()
    found["hybrid_query_ms_p50"] = round(1000 * times[len(times) // 2], 1)
    found["hybrid_query_ms_p95"] = round(1000 * times[int(len(times) * 0.95) - 1], 1)
    session.close()
    return found


def scale(passages: int, keep: Path) -> dict:
    """Query time and RSS with `passages` passages, their vectors random (the ranking's cost, not its quality)."""
    import resource

    import numpy as np

    folder = keep / f"scale-{passages}"
    if not (folder / "index").is_dir():  # built in another process: its memory is not this one's
        import subprocess

        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                        f"from benchmarks.synthetic import make_workspace; make_workspace({str(folder)!r}, {passages})"], check=True)
        subprocess.run([sys.executable, "-m", "annotator", "--workspace", str(folder), "reindex"], check=True, stdout=subprocess.DEVNULL)
    session = Session.open(folder)
    session.sync()
    model = embeddings.embedder()
    store = meaning.store_for(session.ws.index_dir, model)
    searcher = session.index.searcher()
    found = meaning.passages(searcher)
    missing = [k for k in found.keys if k not in store.rows]
    rng = np.random.default_rng(7)
    for start in range(0, len(missing), 10_000):
        chunk = missing[start : start + 10_000]
        vectors = rng.standard_normal((len(chunk), model.dim)).astype(np.float32)
        store.add(chunk, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    queries = ["nobody rebels against their fate", "a dream job she never pursues", "the garden at night",
               "anger and regret", "a letter from home", "money and debts", "a long journey by sea", "the old house"]
    start = time.perf_counter()
    session.search_meaning("warming up", limit=20, sentences=0)  # reads the passages' keys once
    first = time.perf_counter() - start
    start = time.perf_counter()
    store.reduced()  # the projections the first search started making in a thread: timed to the end
    projection = time.perf_counter() - start + first
    times, cpu, with_sentences = [], [], []
    for i in range(40):
        start, start_cpu = time.perf_counter(), time.process_time()
        session.search_meaning(queries[i % len(queries)] + f" {i}", limit=20, sentences=0)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)  # all threads' time: on a busy machine, what wall time hides
    for query in queries[:4]:  # the first page's best sentences: embedded on a result's first showing
        start = time.perf_counter()
        session.search_meaning(query, limit=20)
        with_sentences.append(time.perf_counter() - start)
    times.sort()
    cpu.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    session.close()
    return {"passages": len(found.keys), "query_ms_p50": round(1000 * times[len(times) // 2], 1),
            "query_ms_p95": round(1000 * times[int(len(times) * 0.95) - 1], 1),
            "query_cpu_ms_p50": round(1000 * cpu[len(cpu) // 2], 1), "query_cpu_ms_p95": round(1000 * cpu[int(len(cpu) * 0.95) - 1], 1),
            "load_average": round(os.getloadavg()[0], 1), "max_rss_mb": round(rss), "first_query_s": round(first, 1),
            "projection_ready_s": round(projection, 1),
            "first_showing_with_best_sentences_ms_max": round(1000 * max(with_sentences), 1)}


def embed_speed(count: int) -> dict:
    """Embed `count` paragraphs of Great Expectations (the model as fill() uses it, BATCH at a time), nothing
    stored; the time for 10,000 such passages follows from the rate (CPU time too: the machine may be busy)."""
    text = gzip.decompress((ROOT / "tests/fixtures/novel/great-expectations.txt.gz").read_bytes()).decode("utf-8")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if len(p.split()) > 3][100 : 100 + count]
    model = embeddings.embedder()
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(paragraphs), meaning.BATCH):
        model.embed(paragraphs[i : i + meaning.BATCH], "passage")
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return {"passages": len(paragraphs), "mean_words": round(statistics.fmean(len(p.split()) for p in paragraphs), 1),
            "per_second": round(len(paragraphs) / wall, 2), "per_cpu_second": round(len(paragraphs) / cpu, 2),
            "10k_minutes": round(10_000 / (len(paragraphs) / wall) / 60, 1), "10k_cpu_minutes": round(10_000 / (len(paragraphs) / cpu) / 60, 1),
            "load_average": round(os.getloadavg()[0], 1)}


def spec_window(result: dict) -> int:
    return result.get("window", 0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=["demo", "novel", "heldout", "heldout-pp", "all"], default="all")
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "annotator-meaning-bench")
    parser.add_argument("--scale", type=int, metavar="N", help="measure query time and RSS at N passages instead")
    parser.add_argument("--embed-speed", type=int, metavar="N", help="time the embedding of N passages instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if embeddings.embedder() is None:
        print(f"no model: {embeddings.unavailable()}", file=sys.stderr)
        return 2
    args.keep.mkdir(parents=True, exist_ok=True)
    if args.embed_speed:
        result = embed_speed(args.embed_speed)
        print(json.dumps(result, indent=2) if args.json else result)
        return 0
    if args.scale:
        result = scale(args.scale, args.keep)
        print(json.dumps(result, indent=2) if args.json else result)
        return 0
    names = ["demo", "novel", "heldout", "heldout-pp"] if args.corpus == "all" else [args.corpus]
    results = [measure(n, args.keep) for n in names]
    print(file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(f"{r['corpus']}: {r['passages']} passages; hybrid query p50 {r['hybrid_query_ms_p50']} ms, p95 {r['hybrid_query_ms_p95']} ms")
        print(f"  {'queries':<22}{'words':>16}{'meaning':>16}{'hybrid':>16}     (MRR / recall@5)")
        for kind in ("paraphrase", "keyword"):
            row = r[kind]
            cells = "".join(f"{row[m]['mrr']:>9.3f} / {row[m]['recall5']:.2f}" for m in ("words", "meaning", "hybrid"))
            print(f"  {kind + ' (' + str(row['queries']) + ')':<22}{cells}")
            if "words+scene" in row:
                cells = "".join(f"{row[m + '+scene']['mrr']:>9.3f}       " for m in ("words", "meaning", "hybrid"))
                print(f"  {'  the scene (±' + str(spec_window(r)) + ')':<22}{cells}")
            for leak in row.get("shared_words", []):
                print(f"    note: {leak}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
