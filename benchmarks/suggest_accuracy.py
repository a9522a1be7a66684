"""How often is the top theme suggestion right? Leave-one-out top-1 accuracy.

    python benchmarks/suggest_accuracy.py [--corpus FILE] [--method lexical|semantic|both] [--json]

The corpus (default: tests/fixtures/suggest-bench.yaml) holds a codebook and
passages, each with one gold theme; the passages are scene summaries whose
wording differs from the notes. It is loaded into a temporary workspace with a
real index, and every passage is asked for suggestions through the same code the
CLI uses, in two settings:

* zero-shot: nothing is tagged; only the theme notes can help;
* half tagged: every other passage of each theme is tagged with its gold theme,
  and each passage is scored with its own tags left out (leave-one-out: out of
  the neighbours' vote and out of the calibration of their weight), so its
  nearest tagged neighbours vote. The accuracy on the untagged half alone is
  printed too.

A suggestion is right when the top-ranked theme is the gold one. With
`--method semantic` the optional `semantic` extra must be installed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator import semantic, suggestions  # noqa: E402
from annotator.model import Passage, Source, SourceFile, Tag, Theme, themes_from_yaml  # noqa: E402
from annotator.session import Session  # noqa: E402
from annotator.workspace import init_workspace  # noqa: E402
from annotator.yamlio import read_yaml  # noqa: E402

DEFAULT_CORPUS = ROOT / "tests" / "fixtures" / "suggest-bench.yaml"


def load_corpus(path: Path) -> tuple[list[Theme], list[tuple[Passage, str]]]:
    data = read_yaml(path)
    themes = themes_from_yaml(data["themes"], path)
    passages = [(Passage(p["id"], " ".join(str(p["text"]).split()), str(p.get("location", "")), "bench"), p["gold"]) for p in data["passages"]]
    return themes, passages


def half_tagged(passages: list[tuple[Passage, str]]) -> list[tuple[Passage, str]]:
    """Every other passage of each gold theme, in corpus order."""
    seen: dict[str, int] = {}
    chosen = []
    for passage, gold in passages:
        seen[gold] = seen.get(gold, 0) + 1
        if seen[gold] % 2 == 1:
            chosen.append((passage, gold))
    return chosen


def make_session(folder: Path, themes, passages, tagged) -> Session:
    ws = init_workspace(folder, empty=True)
    session = Session.open(ws.root)
    session.store.save_themes(themes)
    session.store.save_source(SourceFile(Source("bench", "Benchmark"), [p for p, _ in passages]))
    for passage, gold in tagged:
        session.store.add_tags("gold", passage.id, [gold], at="2026-01-01T00:00:00+00:00")
    session.sync()
    return session


def correct(session: Session, themes, passages, tagged, embeddings) -> dict[str, bool]:
    """Passage id -> is its top suggestion its gold theme (its own tags hidden)?"""
    tags = {p.id: [gold] for p, gold in tagged}
    result = {}
    for passage, gold in passages:
        ranked = suggestions.suggest(
            session.index, themes, passage.id, passage.text, tags=tags, limit=1, embeddings=embeddings, strict=True
        )
        result[passage.id] = bool(ranked) and ranked[0].theme == gold
    return result


def measure(corpus: Path, method: str) -> dict:
    themes, passages = load_corpus(corpus)
    embeddings = semantic.cache_for(None) if method == "semantic" else None
    results = {"corpus": str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus), "method": method,
               "passages": len(passages), "themes": len(themes)}
    with tempfile.TemporaryDirectory() as tmp:
        for setting, tagged in (("zero_shot", []), ("half_tagged", half_tagged(passages))):
            session = make_session(Path(tmp) / setting, themes, passages, tagged)
            start = time.perf_counter()
            right = correct(session, themes, passages, tagged, embeddings)
            results[setting] = round(sum(right.values()) / len(right), 3)
            if tagged:
                tagged_ids = {p.id for p, _ in tagged}
                rest = [ok for pid, ok in right.items() if pid not in tagged_ids]
                results["half_tagged_untagged_half"] = round(sum(rest) / len(rest), 3)
            results[f"{setting}_seconds"] = round(time.perf_counter() - start, 2)
            session.close()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--method", choices=["lexical", "semantic", "both"], default="both")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    methods = ["lexical", "semantic"] if args.method == "both" else [args.method]
    if "semantic" in methods and not semantic.available():
        if args.method == "semantic":
            print("the semantic extra is not installed: pip install 'annotator[semantic]'", file=sys.stderr)
            return 2
        methods = ["lexical"]
        print("(semantic extra not installed: lexical only)", file=sys.stderr)
    rows = [measure(args.corpus.resolve(), m) for m in methods]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{rows[0]['corpus']}: {rows[0]['passages']} passages, {rows[0]['themes']} themes; leave-one-out top-1 accuracy")
    for row in rows:
        print(
            f"  {row['method']:<9} zero-shot {row['zero_shot']:.3f}   half tagged {row['half_tagged']:.3f}"
            f"   (the untagged half alone: {row['half_tagged_untagged_half']:.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
