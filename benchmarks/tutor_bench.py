"""How the tutors' operations scale: report, agreement, codebook rename, REFI-QDA export and import.

    python benchmarks/tutor_bench.py --passages 100000 --tags 20000 [--json]

Builds a synthetic workspace (benchmarks/synthetic.py) with two annotators who agree
on most of their tags, then times each operation once, in-process, as the CLI runs it.
"""

from __future__ import annotations

import argparse
import json
import random
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--tags", type=int, default=2_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

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
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
