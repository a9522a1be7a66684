"""How the tutors' operations scale: report, agreement, codebook rename, REFI-QDA export and import.

    python benchmarks/tutor_bench.py --passages 100000 --tags 20000 [--json]
    python benchmarks/tutor_bench.py --passages 100000 --tags 20000 --class-size 30 [--json]

Builds a synthetic workspace (benchmarks/synthetic.py) with two annotators who agree
on most of their tags, then times each operation once, in-process, as the CLI runs it.

With --class-size N it instead times agreement among a class (issue 21): N annotators
with `--tags` tags each, coding overlapping passages (one theme in six differs from the
passage's usual reading; one passage in twenty of their pool is coded by all). `class_read_s` is the store parsing their N YAML files (what a
cold `annotator agreement` pays first); `class_agreement_s` is Session.agreement over
them once read, the statistics themselves; `class_reread_s` a second read by a fresh store
(the next command: from index/read-cache); `class_cold_total_s` and `class_warm_total_s` add the
statistics to each read (target: <= 5 s at 30 x 100k x 20k, both). `--in-memory` hands
the store the class's tags as parsed files and skips timing the read.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import THEMES, make_workspace  # noqa: E402


def timed(results: dict, name: str, action):
    start = time.perf_counter()
    value = action()
    results[name] = round(time.perf_counter() - start, 3)
    return value


def timed_cpu(results: dict, name: str, action):
    """Wall and CPU seconds: on a shared machine the CPU time says what the code costs."""
    start, cpu = time.perf_counter(), time.process_time()
    value = action()
    results[name + "_s"] = round(time.perf_counter() - start, 3)
    results[name + "_cpu_s"] = round(time.process_time() - cpu, 3)
    return value


def second_annotator(store, tags: int, seed: int = 7) -> None:
    """'tutor' copies 'bench' but changes the theme of one tag in five."""
    from annotator.corpus.model import AnnotationFile, Tag
    from annotator.corpus.yamlio import write_yaml

    rng = random.Random(seed)
    theme_ids = [t[0] for t in THEMES]
    copied = []
    for tag in store.annotations("bench").tags[:tags]:
        theme = rng.choice(theme_ids) if rng.random() < 0.2 else tag.theme
        copied.append(Tag(tag.passage, theme, "tutor", tag.at))
    write_yaml(store.ws.annotation_file("tutor"), AnnotationFile("tutor", copied).to_yaml())


def write_class(store, annotators: int, tags: int, seed: int = 11, in_memory: bool = False) -> list[str]:
    """N annotators, `tags` tags each, on a shared pool of passages (written as YAML text: fast).
    `in_memory`: the store is also handed the parsed files, as if it had read them."""
    import numpy as np

    from annotator.corpus.model import AnnotationFile, Tag

    rng = np.random.default_rng(seed)
    passage_ids = [p.id for source in store.sources() for p in source.passages]
    theme_ids = [t[0] for t in THEMES]
    pool = rng.choice(len(passage_ids), size=min(len(passage_ids), tags * 2), replace=False)
    usual = rng.integers(0, len(theme_ids), size=len(passage_ids))  # each passage's usual reading
    names = [f"student{i:02d}" for i in range(annotators)]
    common = pool[: len(pool) // 20]  # the class exercise: passages every student codes
    rest = pool[len(common):]
    for name in names:
        chosen = np.concatenate([common, rng.choice(rest, size=max(0, min(tags, len(pool)) - len(common)), replace=False)])
        themes = np.where(rng.random(len(chosen)) < 1 / 6, rng.integers(0, len(theme_ids), len(chosen)), usual[chosen])
        lines = [f"annotator: {name}", "tags:"]
        for p, t in zip(chosen.tolist(), themes.tolist()):
            lines.append(f"  - passage: {passage_ids[p]}\n    theme: {theme_ids[t]}\n    at: '2026-01-02T00:00:00+00:00'")
        path = store.ws.annotation_file(name)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        if in_memory:
            parsed = [Tag(passage_ids[p], theme_ids[t], name, "2026-01-02T00:00:00+00:00") for p, t in zip(chosen.tolist(), themes.tolist())]
            store._remember(path, AnnotationFile(name, parsed))
    return names


def class_bench(args) -> dict:
    from annotator.session import Session

    results: dict = {"passages": args.passages, "annotators": args.class_size, "tags_per_annotator": args.tags}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_workspace(Path(tmp) / "ws", args.passages, tags=0)
        session = Session.open(root)
        names = write_class(session.store, args.class_size, args.tags, in_memory=args.in_memory)
        session.store.sources()  # the passages file parsed once, as any command does
        if not args.in_memory:
            # A used workspace has its index folder, where the first read caches what it parsed.
            session.ws.index_dir.mkdir(exist_ok=True)
            time.sleep(2.1)  # files written seconds ago, not this instant (see read_cache.RACY_NS)
            timed_cpu(results, "class_read", lambda: [session.store.annotations(name) for name in names])
            from annotator.corpus.store import Store

            # What the next command pays: a fresh store, the files unchanged (index/read-cache).
            timed_cpu(results, "class_reread", lambda: [Store(session.ws).annotations(name) for name in names])
            shutil.rmtree(session.ws.index_dir)  # no half index for the agreement below to rebuild
        report = timed_cpu(results, "class_agreement", lambda: session.agreement(names, top=20))
        if not args.in_memory:  # what `annotator agreement` pays: the read, then the statistics
            for total, read in (("class_cold_total", "class_read"), ("class_warm_total", "class_reread")):
                for unit in ("_s", "_cpu_s"):
                    results[total + unit] = round(results[read + unit] + results["class_agreement" + unit], 3)
        results.update(units=report.passages, full_units=report.full_passages, alpha=round(report.alpha, 4),
                       fleiss_kappa=None if report.fleiss_kappa is None else round(report.fleiss_kappa, 4),
                       pairs=len(report.pairs))
        session.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--tags", type=int, default=2_000)
    parser.add_argument("--class-size", type=int, default=0, help="time agreement among this many annotators instead")
    parser.add_argument("--in-memory", action="store_true",
                        help="with --class-size: skip parsing the class's YAML (minutes at 30 x 20k), time the statistics only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.class_size:
        return _print(class_bench(args), args.json)

    from annotator.corpus import codebook
    from annotator.agreement import compare
    from annotator.exchange.exports import export
    from annotator.exchange.importers import import_source
    from annotator.reports import build_report
    from annotator.session import Session
    from annotator.corpus.workspace import init_workspace

    results: dict = {"passages": args.passages, "tags_per_annotator": args.tags}
    with tempfile.TemporaryDirectory() as tmp:
        root = make_workspace(Path(tmp) / "ws", args.passages, tags=args.tags)
        session = Session.open(root)
        second_annotator(session.store, args.tags)
        report = timed(results, "report_s", lambda: build_report(session.store))
        agreement = timed(results, "agreement_s", lambda: compare(session.store, "bench", "tutor"))
        results["overall_kappa"] = round(agreement.overall.kappa, 4)
        results["tagged_passages"] = report.tagged
        first = THEMES[0][0]
        timed(results, "rename_id_with_tags_s", lambda: codebook.rename_theme(session.store, first, new_id=first + "-renamed"))
        data = timed(results, "qdpx_export_s", lambda: export(session, "qdpx"))
        results["qdpx_bytes"] = len(data)
        path = Path(tmp) / "p.qdpx"
        path.write_bytes(data)
        fresh = init_workspace(Path(tmp) / "fresh", empty=True)
        other = Session.open(fresh.root)
        timed(results, "qdpx_import_s", lambda: import_source(other.store, path, annotator="bench"))
        results["round_trip_tags_equal"] = sorted((t.passage, t.theme, t.annotator) for t in other.store.all_tags()) == sorted(
            (t.passage, t.theme, t.annotator) for t in session.store.all_tags()
        )
        session.close()
        other.close()
    return _print(results, args.json)


def _print(results: dict, as_json: bool) -> int:
    if as_json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
