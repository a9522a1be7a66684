"""Durable tag toggle, by how the annotations file is written, measured in one run.

    python benchmarks/yaml_write_bench.py [--tags 200] [--toggles 60]

Each mode toggles a tag on a file of N tags through Store.add_tags/remove_tags (read under
the lock, write to a temporary file, fsync, rename): annotator's own emitter, PyYAML's
C dumper in its place, and a file holding comments (ruamel.yaml's round-trip mode). The
figures decide #16's question: does the own emitter save more than 20% of a toggle?
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from annotator import yamlio
from annotator.store import Store
from annotator.workspace import Workspace, init_workspace


def _c_dumper_dump(data) -> str:
    import yaml

    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1_000_000)


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


MODES = ("own emitter", "PyYAML CSafeDumper", "own emitter, file with comments (ruamel round trip)")


def run(tags: int, toggles: int, rounds: int = 3) -> dict:
    """The modes take turns, `rounds` times, so that a busy machine weighs on each alike."""
    times: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    own = yamlio.dump_yaml
    for _ in range(rounds):
        for mode in MODES:
            folder = Path(tempfile.mkdtemp(prefix="yaml-bench-"))
            try:
                init_workspace(folder / "ws", empty=True)
                yamlio.dump_yaml = _c_dumper_dump if "CSafe" in mode else own
                times[mode] += _toggle_times(folder / "ws", tags, toggles // rounds, comments="comments" in mode)
            finally:
                yamlio.dump_yaml = own
                shutil.rmtree(folder, ignore_errors=True)
    results: dict = {mode: _figures(samples) for mode, samples in times.items()}
    own_p50, c_p50 = results[MODES[0]]["p50_ms"], results[MODES[1]]["p50_ms"]
    results["own emitter saves, share of a C-dumper toggle (p50)"] = f"{(c_p50 - own_p50) / c_p50:.0%}"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--toggles", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps(run(args.tags, args.toggles), indent=2))


if __name__ == "__main__":
    main()
