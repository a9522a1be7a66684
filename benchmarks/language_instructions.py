"""Instructions per search, French against English, kind by kind (callgrind: immune to the machine's load).

    python benchmarks/language_instructions.py --passages 10000 [--dir /tmp/annotator-language-bench] [--json]

Wall-clock ratios on a shared machine move by a fifth from run to run; instruction counts do not.
For each language, the workspace of language_bench.py (kept in --dir) is opened in a child Python
run under `valgrind --tool=callgrind`, instrumentation off; search_bench's query mix is searched
twice as a warm-up (as language_bench's passes after its first are), then instrumentation is
switched on and each query searched once more, its instructions dumped on their own (callgrind's
client requests, from a tiny C library compiled with gcc against valgrind's callgrind.h).
Reports each kind's mean instructions per search in both languages and their ratio, the mean over
the mix, and the p95 of the per-search counts (language_bench's p95 is over the whole mix).
Needs valgrind, gcc and valgrind's headers. glibc is told not to use `rep stosb`/`rep movsb` (valgrind
counts each of their bytes as an instruction: see _NO_REP_STRINGS); --rep-strings counts them so.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.language_bench import LANGUAGES, _workspace  # noqa: E402
from benchmarks.search_bench import PAGE, percentile, query_mix  # noqa: E402
from benchmarks.synthetic import DEFAULT_SEED, generate_corpus  # noqa: E402

_MARKS_C = """
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(void) { CALLGRIND_DUMP_STATS; }
"""
WARM_PASSES = 2
# Valgrind counts each byte of a `rep stosb` / `rep movsb` as an instruction: glibc's memset and memcpy use
# them for large blocks, so zeroing an array over a 10k-passage segment (80 KB) would count 80,000, where
# the processor takes a few hundred cycles. By default glibc is told to use its vector loops instead.
_NO_REP_STRINGS = "glibc.cpu.x86_rep_stosb_threshold=0xffffffffffff:glibc.cpu.x86_rep_movsb_threshold=0xffffffffffff"


def _marks_library(folder: Path) -> Path:
    source, library = folder / "cgmarks.c", folder / "cgmarks.so"
    source.write_text(_MARKS_C)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library


def child(root: str, queries_file: str, library: str) -> None:
    """Under callgrind: warm up, then one dump of instructions per search, in the order of the queries."""
    from annotator.session import Session

    marks = ctypes.CDLL(library)
    queries = json.loads(Path(queries_file).read_text())
    session = Session.open(Path(root))
    session.sync()
    try:
        for _ in range(WARM_PASSES):
            for text in queries:
                session.search(text, limit=PAGE)
        marks.cg_start()
        for text in queries:
            marks.cg_zero()
            session.search(text, limit=PAGE)
            marks.cg_dump()
    finally:
        session.close()


def _counts(out: Path, n: int) -> list[int]:
    counts = []
    for i in range(1, n + 1):
        for line in Path(f"{out}.{i}").read_text().splitlines():
            if line.startswith("summary:"):
                counts.append(int(line.split()[1]))
                break
    return counts


def measure(root: Path, queries: list[str], folder: Path, library: Path, rep_strings: bool = False) -> list[int]:
    """Instructions of each search of `queries` (warmed up), in order."""
    queries_file, out = folder / "queries.json", folder / "callgrind.out"
    queries_file.write_text(json.dumps(queries))
    python = os.path.realpath(sys.executable)  # the interpreter itself, not a shim script...
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # ...with this one's packages
    environment.setdefault("PYTHONHASHSEED", "0")  # the same sets and dicts, run after run
    if not rep_strings:
        environment["GLIBC_TUNABLES"] = _NO_REP_STRINGS
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         python, str(Path(__file__).resolve()), "--child", str(root), str(queries_file), str(library)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    counts = _counts(out, len(queries))
    for dump in folder.glob("callgrind.out*"):
        dump.unlink()
    return counts


def run(passages: int, folder: Path, seed: int = DEFAULT_SEED, rep_strings: bool = False) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    per_kind: dict[str, dict[str, list[int]]] = {}
    every: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory(prefix="annotator-callgrind-") as scratch:
        library = _marks_library(Path(scratch))
        for code in LANGUAGES:
            root = _workspace(folder, code, passages, seed)
            mix = query_mix(generate_corpus(passages, seed, language=code).passages, seed, code)
            counts = measure(root, [q.annotator for q in mix], Path(scratch), library, rep_strings)
            every[code] = counts
            for q, count in zip(mix, counts):
                per_kind.setdefault(q.kind, {}).setdefault(code, []).append(count)
    kinds = {}
    for kind, by_code in per_kind.items():
        means = {code: sum(v) / len(v) for code, v in by_code.items()}
        kinds[kind] = {**{f"{code}_mean": round(m) for code, m in means.items()},
                       **{f"{code}_max": max(v) for code, v in by_code.items()},
                       "fr_en_ratio": round(means["fr"] / means["en"], 3)}
    mean = {code: sum(v) / len(v) for code, v in every.items()}
    p95 = {code: percentile(v, 95) for code, v in every.items()}
    return {
        "passages": passages,
        "kinds": kinds,
        "en_mean": round(mean["en"]), "fr_mean": round(mean["fr"]),
        "fr_en_mean_ratio": round(mean["fr"] / mean["en"], 3),
        "en_p95": round(p95["en"]), "fr_p95": round(p95["fr"]),
        "fr_en_p95_ratio": round(p95["fr"] / p95["en"], 3),
        "per_search": every,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(*argv[1:4])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--dir", default="/tmp/annotator-language-bench", help="where the workspaces are kept")
    parser.add_argument("--rep-strings", action="store_true",
                        help="let glibc use rep stosb/movsb (each byte then counts as an instruction)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.passages, Path(args.dir), args.seed, args.rep_strings)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{'kind':<16}{'en instr':>12}{'fr instr':>12}{'fr/en':>8}{'en max':>12}{'fr max':>12}")
    for kind, k in report["kinds"].items():
        print(f"{kind:<16}{k['en_mean']:>12,}{k['fr_mean']:>12,}{k['fr_en_ratio']:>8.3f}{k['en_max']:>12,}{k['fr_max']:>12,}")
    print(f"{'whole mix':<16}{report['en_mean']:>12,}{report['fr_mean']:>12,}{report['fr_en_mean_ratio']:>8.3f}")
    print(f"{'p95 of searches':<16}{report['en_p95']:>12,}{report['fr_p95']:>12,}{report['fr_en_p95_ratio']:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
