"""Search speed of annotator (Whoosh) against SQLite FTS5, on the same corpus and queries.

    python benchmarks/search_bench.py --passages 10000 --json [--dir /tmp/search-bench-10k]

Generates the synthetic corpus (benchmarks/synthetic.py, deterministic), writes it as a
real workspace and builds annotator's index through Session.sync; loads the same
passages into an on-disk SQLite FTS5 table configured as a careful user would
(porter + unicode61 tokenizer, one transaction, 'optimize' after loading, WAL,
`ORDER BY rank` so FTS5 can use its bm25 fast path). Then runs the same query mix
(1-3 words, common and rare, prefixes, phrases, a source filter) on both, timing
search + the first page (20) of highlighted results, and reports p50/p95, their
ratio, build seconds, the update of one passage, the durable tag toggle through
Session.toggle, and peak RSS. annotator's side runs in a child process of its own,
so its peak RSS is annotator's alone (not the generator's or SQLite's).
"""

from __future__ import annotations

import argparse
import bisect
import gc
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import (  # noqa: E402
    DEFAULT_SEED,
    function_words,
    generate_corpus,
    kept_workspace,
    vocabulary,
)

PAGE = 20
REPEATS = 3
# Passes of the interleaved window: a kind has 4-12 queries, and the p95 of 3 passes is nearly
# their maximum, one preemption on a shared machine; 10 passes give each kind 40+ samples.
INTERLEAVED_REPEATS = 10


@dataclass(frozen=True)
class BenchQuery:
    """One query, in annotator's language and in FTS5's."""

    kind: str
    annotator: str
    fts5: str
    source: str | None = None


def _fts_term(word: str) -> str:
    return f'"{word}"'


def query_mix(passages, seed: int = DEFAULT_SEED, language: str = "en") -> list[BenchQuery]:
    """A fixed mix: common and rare words, 1-3 words, prefixes, phrases, a source filter."""
    rng = random.Random(seed + 10)
    words = vocabulary(seed, language=language)
    stop = set(function_words(language))
    content = [w for w in words if w not in stop]
    present = {w.strip(".,?!").lower() for p in passages[:2000] for w in p.text.split()}
    common = [w for w in content[:300] if w in present]
    rare = [w for w in content[3000:] if w in present]
    mid = [w for w in content[300:3000] if w in present]
    mix: list[BenchQuery] = []

    def words_query(kind: str, chosen: list[str]) -> BenchQuery:
        return BenchQuery(kind, " ".join(chosen), " OR ".join(_fts_term(w) for w in chosen))

    for _ in range(12):
        mix.append(words_query("1 common", [rng.choice(common)]))
    for _ in range(8):
        mix.append(words_query("1 rare", [rng.choice(rare)]))
    for _ in range(10):
        mix.append(words_query("2 common+rare", [rng.choice(common), rng.choice(rare)]))
    for _ in range(8):
        mix.append(words_query("2 common", rng.sample(common, 2)))
    for _ in range(10):
        mix.append(words_query("3 mixed", [rng.choice(common), rng.choice(mid), rng.choice(rare)]))
    by_spelling = sorted(words)
    for _ in range(6):
        stem = selective_prefix(rng.choice([w for w in common + mid if len(w) >= 5]), by_spelling)
        mix.append(BenchQuery("prefix", f"{stem}*", f"{stem}*"))
    for _ in range(4):
        passage = rng.choice(passages)
        tokens = [w.strip(".,?!").lower() for w in passage.text.split()]
        pairs = [
            (a, b)
            for a, b, sep in zip(tokens, tokens[1:], passage.text.split())
            if a not in stop and b not in stop and sep[-1].isalpha()
        ]
        if pairs:
            a, b = rng.choice(pairs)
            mix.append(BenchQuery("phrase", f'"{a} {b}"', f'"{a} {b}"'))
    source_ids = sorted({p.source for p in passages})
    for _ in range(2):
        word = rng.choice(common)
        source = rng.choice(source_ids)
        mix.append(BenchQuery("source filter", f"source:{source} {word}", _fts_term(word), source))
    if language == "de":  # a noun also looked for inside compounds (`schuld` in `schuldgefühl`); FTS5: the word
        parts = [w for w in compound_parts(words) if w in present]
        for _ in range(6):
            word = rng.choice(parts)
            mix.append(BenchQuery("compound part", word, _fts_term(word)))
    return mix


# A prefix query's letters: four, more while over this many words of the vocabulary begin with them.
# The synthetic French spells a syllable's vowel with up to three letters (`eau`, `ien`), so four
# letters are often one syllable there (`deau*`: 100 words, 1,000 passages), where English's four
# letters are a syllable and more (`pebr*`: 5 words): the same rule for both keeps their prefix
# queries alike (English's drawn prefixes all begin fewer than 30 words, and stay as they were).
MAX_PREFIX_WORDS = 30


def selective_prefix(word: str, by_spelling: list[str]) -> str:
    """The word's first four letters, or more while over MAX_PREFIX_WORDS words (sorted) begin with them."""
    length = 4
    while length < len(word) and _beginning_with(word[:length], by_spelling) > MAX_PREFIX_WORDS:
        length += 1
    return word[:length]


def _beginning_with(prefix: str, by_spelling: list[str]) -> int:
    return bisect.bisect_left(by_spelling, prefix + "\U0010ffff") - bisect.bisect_left(by_spelling, prefix)


def compound_parts(words) -> list[str]:
    """The vocabulary's nouns of 4 letters or more that some compound of it holds."""
    from benchmarks.synthetic_de import NOUNS

    compounds = [w for w in words if len(w) > 8]
    return [n for n in NOUNS if len(n) >= 4 and any(n in c and n != c for c in compounds)]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * pct / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM where there is one: Linux carries ru_maxrss over
    an exec, so a child started by a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children waited for (the index build's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# -- SQLite FTS5 ------------------------------------------------------------------------


class Fts5:
    @classmethod
    def open_existing(cls, path: Path) -> "Fts5":
        fts = cls.__new__(cls)
        fts.db = sqlite3.connect(str(path))
        return fts

    def __init__(self, path: Path):
        self.db = sqlite3.connect(str(path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE VIRTUAL TABLE passages USING fts5("
            "pid UNINDEXED, source UNINDEXED, location UNINDEXED, text, tokenize='porter unicode61')"
        )

    def build(self, passages) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO passages(pid, source, location, text) VALUES (?, ?, ?, ?)",
                ((p.id, p.source, p.location, p.text) for p in passages),
            )
        with self.db:
            self.db.execute("INSERT INTO passages(passages) VALUES ('optimize')")

    def search(self, q: BenchQuery) -> list:
        sql = (
            "SELECT pid, source, location, highlight(passages, 3, char(2), char(3)), rank "
            "FROM passages WHERE passages MATCH ?"
        )
        args: list = [q.fts5]
        if q.source:
            sql += " AND source = ?"
            args.append(q.source)
        sql += " ORDER BY rank LIMIT ?"
        args.append(PAGE)
        return self.db.execute(sql, args).fetchall()

    def count(self, q: BenchQuery) -> int:
        sql = "SELECT count(*) FROM passages WHERE passages MATCH ?"
        args: list = [q.fts5]
        if q.source:
            sql += " AND source = ?"
            args.append(q.source)
        return self.db.execute(sql, args).fetchone()[0]

    def update_one(self, passage_id: str, text: str) -> None:
        with self.db:
            self.db.execute("UPDATE passages SET text = ? WHERE pid = ?", (text, passage_id))

    def close(self) -> None:
        self.db.close()


# -- timing -----------------------------------------------------------------------------


def time_queries(run, mix: list[BenchQuery], repeats: int = REPEATS) -> dict:
    for q in mix:  # warm-up: first touches of files and caches are not what a user waits on twice
        run(q)
    samples: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for _ in range(repeats):
        for q in mix:
            start = time.perf_counter()
            run(q)
            ms = (time.perf_counter() - start) * 1000.0
            samples.append(ms)
            by_kind.setdefault(q.kind, []).append(ms)
    return {
        "p50_ms": round(percentile(samples, 50), 3),
        "p95_ms": round(percentile(samples, 95), 3),
        "max_ms": round(max(samples), 3),
        "p95_ms_by_kind": {k: round(percentile(v, 95), 3) for k, v in by_kind.items()},
    }


def whoosh_phase(root: Path, plan: dict) -> dict:
    """annotator's side, run in its own process so that its peak RSS is its own."""
    from annotator.corpus.model import Passage
    from annotator.session import Session

    mix = [BenchQuery(**q) for q in plan["mix"]]
    session = Session.open(root)
    start, start_cpu = time.perf_counter(), cpu_seconds()
    session.sync(force=True)
    build = time.perf_counter() - start
    build_cpu = cpu_seconds() - start_cpu
    if plan.get("build_only"):
        session.close()
        return {"build_s": round(build, 2), "build_cpu_s": round(build_cpu, 2), "peak_rss_mb": round(peak_rss_mb(), 1)}

    def search(q: BenchQuery):
        result = session.search(q.annotator, limit=PAGE)
        return [(h.id, h.matches) for h in result.hits], result.total

    times = time_queries(search, mix, plan["repeats"])
    totals = [search(q)[1] for q in mix]
    interleaved = interleaved_times(search, plan.get("fts5_db"), mix, max(plan["repeats"], INTERLEAVED_REPEATS))

    update_ms = []
    for pid, text, location, source in plan["updates"]:
        start = time.perf_counter()
        session.index.update_passages([Passage(pid, text + " revised", location, source)])
        update_ms.append((time.perf_counter() - start) * 1000.0)

    toggle_ms = []
    for pid, theme in plan["toggles"]:
        start = time.perf_counter()
        session.toggle(pid, theme, annotator="bench")
        toggle_ms.append((time.perf_counter() - start) * 1000.0)
    # what a user does next: search again, with the tags applied
    after = time_queries(search, mix[:10], 1)
    session.close()
    return {
        "build_s": round(build, 2),
        "build_cpu_s": round(build_cpu, 2),
        **times,
        "after_toggles_p95_ms": after["p95_ms"],
        "update_one_passage_p95_ms": round(percentile(update_ms, 95), 2),
        "update_one_passage_p50_ms": round(percentile(update_ms, 50), 2),
        "tag_toggle_p95_ms": round(percentile(toggle_ms, 95), 2),
        "tag_toggle_p50_ms": round(percentile(toggle_ms, 50), 2),
        "median_total_hits": statistics.median(totals) if totals else 0,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "interleaved": interleaved,
    }


def interleaved_times(search, fts5_db: str | None, mix: list[BenchQuery], repeats: int) -> dict | None:
    """Both engines timed query by query, alternately, in one window: a busy machine slows both alike."""
    if not fts5_db:
        return None
    fts = Fts5.open_existing(Path(fts5_db))
    for q in mix:
        fts.search(q)
    whoosh_ms: list[float] = []
    fts_ms: list[float] = []
    whoosh_cpu: list[float] = []
    fts_cpu: list[float] = []

    def timed(fn, q, wall: list, cpu: list) -> None:
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(q)
        cpu.append((time.process_time() - start_cpu) * 1000.0)
        wall.append((time.perf_counter() - start) * 1000.0)

    kinds: dict[str, list[list[float]]] = {}
    for _ in range(repeats):
        for q in mix:
            timed(fts.search, q, fts_ms, fts_cpu)
            timed(search, q, whoosh_ms, whoosh_cpu)
            for samples, value in zip(kinds.setdefault(q.kind, [[], [], [], []]),
                                      (whoosh_ms[-1], fts_ms[-1], whoosh_cpu[-1], fts_cpu[-1])):
                samples.append(value)
    fts.close()
    by_kind = {
        kind: {"whoosh_p95_ms": round(percentile(w, 95), 3), "fts5_p95_ms": round(percentile(f, 95), 3),
               "whoosh_cpu_p95_ms": round(percentile(wc, 95), 3), "fts5_cpu_p95_ms": round(percentile(fc, 95), 3)}
        for kind, (w, f, wc, fc) in kinds.items()
    }
    return {
        # per kind, both engines timed query by query in the same window
        "p95_ms_by_kind": by_kind,
        "kinds_slower_than_fts5": [k for k, v in by_kind.items() if v["whoosh_p95_ms"] > v["fts5_p95_ms"]],
        "whoosh_p50_ms": round(percentile(whoosh_ms, 50), 3),
        "whoosh_p95_ms": round(percentile(whoosh_ms, 95), 3),
        "fts5_p50_ms": round(percentile(fts_ms, 50), 3),
        "fts5_p95_ms": round(percentile(fts_ms, 95), 3),
        "p95_ratio": round(percentile(whoosh_ms, 95) / max(percentile(fts_ms, 95), 1e-9), 3),
        # CPU time spent in this process: what the machine's other load cannot inflate
        "whoosh_cpu_p95_ms": round(percentile(whoosh_cpu, 95), 3),
        "fts5_cpu_p95_ms": round(percentile(fts_cpu, 95), 3),
        "cpu_p95_ratio": round(percentile(whoosh_cpu, 95) / max(percentile(fts_cpu, 95), 1e-9), 3),
    }


def run(passages: int, seed: int = DEFAULT_SEED, folder: Path | None = None, repeats: int = REPEATS,
        toggles: int = 30, language: str = "en", build_only: bool = False) -> dict:
    own_folder = folder is None
    folder = Path(tempfile.mkdtemp(prefix="annotator-bench-")) if own_folder else Path(folder)
    try:
        corpus = generate_corpus(passages, seed, language=language)
        items = corpus.passages
        mix = query_mix(items, seed, language)
        root = folder / "ws"
        kept_workspace(root, passages, seed, language)  # a --dir kept from an earlier run has it (the index is rebuilt anyway)
        (folder / "fts5.db").unlink(missing_ok=True)
        for stale in ("fts5.db-wal", "fts5.db-shm"):
            (folder / stale).unlink(missing_ok=True)
        rng = random.Random(seed + 20)
        from benchmarks.synthetic import THEMES

        plan = {
            "mix": [q.__dict__ for q in mix],
            "repeats": repeats,
            "updates": [[p.id, p.text, p.location, p.source] for p in rng.sample(items, min(toggles, len(items)))],
            "toggles": [[p.id, rng.choice(THEMES)[0]] for p in rng.sample(items, min(toggles, len(items)))],
        }
        plan["fts5_db"] = str(folder / "fts5.db")
        plan["build_only"] = build_only

        fts = Fts5(folder / "fts5.db")
        start, start_cpu = time.perf_counter(), time.process_time()
        fts.build(items)
        fts_build = time.perf_counter() - start
        fts_build_cpu = time.process_time() - start_cpu
        if build_only:
            fts.close()
            return build_report(passages, language, seed, fts_build, fts_build_cpu, _whoosh_child(root, folder, plan))
        fts_times = time_queries(fts.search, mix, repeats)
        fts_count_times = time_queries(lambda q: (fts.search(q), fts.count(q)), mix, 1)
        fts_updates = []
        for pid, text, _, _ in plan["updates"]:
            start = time.perf_counter()
            fts.update_one(pid, text + " revised")
            fts_updates.append((time.perf_counter() - start) * 1000.0)
        fts.close()
        fts_rss = peak_rss_mb()
        del corpus, items
        gc.collect()

        whoosh = _whoosh_child(root, folder, plan)
        return {
            "passages": passages,
            "language": language,
            "seed": seed,
            "queries": len(mix),
            "repeats": repeats,
            "whoosh": whoosh,
            "fts5": {
                "build_s": round(fts_build, 2),
                "build_cpu_s": round(fts_build_cpu, 2),
                **fts_times,
                "with_count_p95_ms": fts_count_times["p95_ms"],
                "update_one_passage_p95_ms": round(percentile(fts_updates, 95), 2),
                "bench_process_peak_rss_mb": round(fts_rss, 1),
            },
            "p95_ratio": round(whoosh["p95_ms"] / max(fts_times["p95_ms"], 1e-9), 3),
            "p50_ratio": round(whoosh["p50_ms"] / max(fts_times["p50_ms"], 1e-9), 3),
            "interleaved_p95_ratio": (whoosh.get("interleaved") or {}).get("p95_ratio"),
            "kinds_slower_than_fts5": (whoosh.get("interleaved") or {}).get("kinds_slower_than_fts5"),
            "build_ratio": round(whoosh["build_s"] / max(fts_build, 1e-9), 2),
            "build_cpu_ratio": round(whoosh["build_cpu_s"] / max(fts_build_cpu, 1e-9), 2),
            "peak_rss_mb": whoosh["peak_rss_mb"],
        }
    finally:
        if own_folder:
            shutil.rmtree(folder, ignore_errors=True)


def _whoosh_child(root: Path, folder: Path, plan: dict) -> dict:
    """annotator's side of the run, in a process of its own."""
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--whoosh-phase", str(root), "--plan", str(plan_file)],
        capture_output=True, text=True, check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(f"the Whoosh phase failed:\n{child.stderr}")
    return json.loads(child.stdout)


def build_report(passages: int, language: str, seed: int, fts_build: float, fts_build_cpu: float, whoosh: dict) -> dict:
    """The figures of a --build-only run: both builds, wall and CPU seconds (annotator's with its workers')."""
    return {
        "passages": passages,
        "language": language,
        "seed": seed,
        "whoosh": whoosh,
        "fts5": {"build_s": round(fts_build, 2), "build_cpu_s": round(fts_build_cpu, 2)},
        "build_ratio": round(whoosh["build_s"] / max(fts_build, 1e-9), 2),
        "build_cpu_ratio": round(whoosh["build_cpu_s"] / max(fts_build_cpu, 1e-9), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--language", choices=("en", "fr", "de"), default="en", help="the synthetic corpus's language")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timed passes over the query mix")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    parser.add_argument("--dir", help="keep the workspace here and reuse it in later runs (default: a temporary folder)")
    parser.add_argument("--build-only", action="store_true",
                        help="time only the two index builds (wall and CPU seconds), no queries")
    parser.add_argument("--whoosh-phase", metavar="WORKSPACE", help=argparse.SUPPRESS)
    parser.add_argument("--plan", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.whoosh_phase:
        plan = json.loads(Path(args.plan).read_text(encoding="utf-8"))
        print(json.dumps(whoosh_phase(Path(args.whoosh_phase), plan)))
        return 0
    folder = None
    if args.dir:
        folder = Path(args.dir)
        folder.mkdir(parents=True, exist_ok=True)
    report = run(args.passages, args.seed, folder=folder, repeats=args.repeats, language=args.language,
                 build_only=args.build_only)
    if args.json or args.build_only:
        print(json.dumps(report, indent=2))
    else:
        w, f = report["whoosh"], report["fts5"]
        print(f"{report['passages']} passages, {report['queries']} queries x {report['repeats']}")
        print(f"build      whoosh {w['build_s']:.2f} s   fts5 {f['build_s']:.2f} s  ratio {report['build_ratio']}"
              f"   (cpu {w['build_cpu_s']:.2f} / {f['build_cpu_s']:.2f}, ratio {report['build_cpu_ratio']})")
        print(f"search p50 whoosh {w['p50_ms']:.2f} ms  fts5 {f['p50_ms']:.2f} ms")
        print(f"search p95 whoosh {w['p95_ms']:.2f} ms  fts5 {f['p95_ms']:.2f} ms  ratio {report['p95_ratio']}")
        for kind, both in ((w.get("interleaved") or {}).get("p95_ms_by_kind") or {}).items():
            print(f"  {kind:<14} p95 whoosh {both['whoosh_p95_ms']:.2f} ms  fts5 {both['fts5_p95_ms']:.2f} ms"
                  f"   (cpu {both['whoosh_cpu_p95_ms']:.2f} / {both['fts5_cpu_p95_ms']:.2f})")
        print(f"update one passage p50 {w['update_one_passage_p50_ms']} / p95 {w['update_one_passage_p95_ms']} ms; tag toggle p95 {w['tag_toggle_p95_ms']} ms")
        print(f"peak RSS {report['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
