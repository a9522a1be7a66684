"""The book at a glance (`report --grid`) at scale: chapters x themes over a synthetic workspace.

    python benchmarks/grid_bench.py --passages 100000 --tags 20000 [--json]

Times, in-process as the CLI runs it, the grid from a fresh store (every YAML file read, as a
cold `annotator report --grid` does) and again from the store's cache (the TUI's second look).
Target: <= 1 s at 100k passages and 20k tags.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--tags", type=int, default=20_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace
    from annotator.grid import build_grid

    with tempfile.TemporaryDirectory() as folder:
        root = make_workspace(Path(folder) / "ws", args.passages, tags=args.tags)
        store = Store(Workspace(root))
        start = time.perf_counter()
        grid = build_grid(store)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        build_grid(store)
        warm = time.perf_counter() - start
    results = {"passages": args.passages, "tags": args.tags, "rows": len(grid.rows), "themes": len(grid.themes),
               "grid_cold_s": round(cold, 3), "grid_cached_s": round(warm, 3)}
    print(json.dumps(results, indent=2) if args.json else "  ".join(f"{k} {v}" for k, v in results.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
