"""The book at a glance (`report --grid`) at scale: chapters x themes over a synthetic workspace.

    python benchmarks/grid_bench.py --passages 100000 --tags 20000 [--json]

Times, in-process as the CLI runs it, the grid from a fresh store (every YAML file read, as a
cold `annotator report --grid` does: `grid_cold_s`), from another fresh store on the same files
(the next command: `grid_next_command_s`, annotation files and passages files' outlines from
index/read-cache) and again from
the first store's cache (the TUI's second look: `grid_cached_s`); each also as CPU seconds, which
say what the code costs on a shared machine. Target: <= 1 s at 100k passages and 20k tags.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import make_workspace  # noqa: E402


def timed(results: dict, name: str, action):
    start, cpu = time.perf_counter(), time.process_time()
    value = action()
    results[name + "_s"] = round(time.perf_counter() - start, 3)
    results[name + "_cpu_s"] = round(time.process_time() - cpu, 3)
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--tags", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace
    from annotator.grid import build_grid

    results: dict = {"passages": args.passages, "tags": args.tags}
    with tempfile.TemporaryDirectory() as folder:
        root = make_workspace(Path(folder) / "ws", args.passages, tags=args.tags)
        (root / "index").mkdir()  # a used workspace has one: the first read caches annotation files there
        time.sleep(2.1)  # files written seconds ago, not this instant (see read_cache.RACY_NS)
        store = Store(Workspace(root))
        grid = timed(results, "grid_cold", lambda: build_grid(store))
        timed(results, "grid_next_command", lambda: build_grid(Store(Workspace(root))))
        timed(results, "grid_cached", lambda: build_grid(store))
    results.update(rows=len(grid.rows), themes=len(grid.themes))
    print(json.dumps(results, indent=2) if args.json else "  ".join(f"{k} {v}" for k, v in results.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
