"""Durable tag toggle, by how the annotations file is written, measured in one run.

    python benchmarks/yaml_write_bench.py [--tags 200] [--toggles 60]

Each mode toggles a tag on a file of N tags through Store.add_tags/remove_tags (read under
the lock, write to a temporary file, fsync, rename): a file written by PyYAML's C dumper
(annotator's writer), and a file holding comments (ruamel.yaml's round-trip mode).

It decided #16's question (does annotator's hand-written emitter save more than 20% of a
durable toggle?) at commit c1bbc62, which still had that emitter, 200 tags, 120 toggles:
own emitter p50 16.0 ms (CPU 4.0 ms), PyYAML C dumper 20.0 ms (CPU 5.2 ms). The CPU
difference, ~1-1.6 ms of a 16-20 ms fsync-bound toggle, is 5-10%: the emitter went.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace, init_workspace


def _toggle_times(root: Path, tags: int, toggles: int, comments: bool) -> list[float]:
    store = Store(Workspace(root))
    store.add_tags("bench", "p-0", ["t"], at="2026-01-01T00:00:00+00:00")
    for n in range(1, tags):
        store.annotations("bench").tags.append(store.annotations("bench").tags[0].__class__(f"p-{n}", "t", "bench", "2026-01-01T00:00:00+00:00", "why" if n % 5 == 0 else None))
    store.add_tags("bench", "p-x", ["t"])  # written once with all the tags
    path = store.ws.annotation_file("bench")
    if comments:
        path.write_text("# reviewed by the class\n" + path.read_text().replace("- passage: p-3\n", "- passage: p-3  # a doubt\n"))
    times = []
    for n in range(toggles):
        start, cpu = time.perf_counter(), time.process_time()
        if n % 2:
            store.remove_tags("bench", "p-new", ["t"])
        else:
            store.add_tags("bench", "p-new", ["t"])
        times.append(((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
    return times


def _figures(times: list[tuple[float, float]]) -> dict:
    """Wall time p50/p95 (fsync included), and the CPU time's p50, which a busy machine inflates less."""
    ordered = sorted(wall for wall, _cpu in times)
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "cpu_p50_ms": round(statistics.median(cpu for _wall, cpu in times), 2)}


MODES = ("PyYAML C dumper", "file with comments (ruamel round trip)")


def run(tags: int, toggles: int, rounds: int = 3) -> dict:
    """The modes take turns, `rounds` times, so that a busy machine weighs on each alike."""
    times: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    for _ in range(rounds):
        for mode in MODES:
            folder = Path(tempfile.mkdtemp(prefix="yaml-bench-"))
            try:
                init_workspace(folder / "ws", empty=True)
                times[mode] += _toggle_times(folder / "ws", tags, toggles // rounds, comments="comments" in mode)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    return {mode: _figures(samples) for mode, samples in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--toggles", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps(run(args.tags, args.toggles), indent=2))


if __name__ == "__main__":
    main()
