"""How often is the top theme suggestion right? Leave-one-out top-1 accuracy.

    python benchmarks/suggest_accuracy.py [--corpus FILE] [--method lexical|semantic|both] [--plain] [--json]

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

A suggestion is right when the top-ranked theme is the gold one. A second figure, "any gold",
counts it right too when the top theme is one of the passage's `also` themes (other themes whose
note states the scene's point as plainly; see the corpus's header): the first figure is the one
that counts. With
`--method semantic` the optional `semantic` extra must be installed. `--plain`
adds plain embedding baselines (whole-note cosine, note-sentence mean and max;
tagged-centroid and 10-nearest-tagged votes with half tagged) for comparison.
In each setting the top suggestions are also counted by their label (strong /
possible / weak), with how many of each were right: a "strong" should be right
more often than a "possible".
A second corpus, tests/fixtures/suggest-heldout.yaml (Jane Eyre), checks that
the method is not fitted to the first.
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

from annotator.engine import semantic  # noqa: E402
from annotator import suggestions  # noqa: E402
from annotator.corpus.model import Passage, Source, SourceFile, Theme, themes_from_yaml  # noqa: E402
from annotator.session import Session  # noqa: E402
from annotator.corpus.workspace import init_workspace  # noqa: E402
from annotator.corpus.yamlio import read_yaml  # noqa: E402

DEFAULT_CORPUS = ROOT / "tests" / "fixtures" / "suggest-bench.yaml"


def load_corpus(path: Path) -> tuple[list[Theme], list[tuple[Passage, str]]]:
    data = read_yaml(path)
    themes = themes_from_yaml(data["themes"], path)
    passages = [(Passage(p["id"], " ".join(str(p["text"]).split()), str(p.get("location", "")), "bench"), p["gold"]) for p in data["passages"]]
    return themes, passages


def also_labels(path: Path) -> dict[str, set[str]]:
    """Passage id -> the other themes that are as right as its gold one (`also`, possibly none)."""
    return {p["id"]: set(p.get("also") or []) for p in read_yaml(path)["passages"]}


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
    top = top_themes(session, themes, passages, tagged, embeddings)
    return {passage.id: top[passage.id] == gold for passage, gold in passages}


def top_themes(session: Session, themes, passages, tagged, embeddings) -> dict[str, str | None]:
    """Passage id -> its top suggestion (its own tags hidden)."""
    top = top_suggestions(session, themes, passages, tagged, embeddings)
    return {pid: s.theme if s else None for pid, s in top.items()}


def top_suggestions(session: Session, themes, passages, tagged, embeddings) -> dict[str, "suggestions.Suggestion | None"]:
    """Passage id -> its top suggestion, with its score and strength (its own tags hidden)."""
    tags = {p.id: [gold] for p, gold in tagged}
    result = {}
    for passage, _ in passages:
        ranked = suggestions.suggest(
            session.index, themes, passage.id, passage.text, tags=tags, limit=1, embeddings=embeddings, strict=True
        )
        result[passage.id] = ranked[0] if ranked else None
    return result


def labels(top: dict, passages) -> dict[str, str]:
    """Per strength label of the top suggestion: how many were right of how many ("right/all")."""
    counts: dict[str, list[int]] = {"strong": [0, 0], "possible": [0, 0], "weak": [0, 0]}
    for passage, gold in passages:
        if top[passage.id] is not None:
            count = counts[top[passage.id].strength]
            count[0] += top[passage.id].theme == gold
            count[1] += 1
    return {k: f"{right}/{n}" for k, (right, n) in counts.items()}


KEEP: Path | None = None  # --keep: where the embeddings are kept between runs (else in memory only)


def measure(corpus: Path, method: str) -> dict:
    themes, passages = load_corpus(corpus)
    also = also_labels(corpus)
    embeddings = semantic.cache_for(KEEP) if method == "semantic" else None
    results = {"corpus": str(corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus), "method": method,
               "passages": len(passages), "themes": len(themes)}
    with tempfile.TemporaryDirectory() as tmp:
        for setting, tagged in (("zero_shot", []), ("half_tagged", half_tagged(passages))):
            session = make_session(Path(tmp) / setting, themes, passages, tagged)
            start = time.perf_counter()
            best = top_suggestions(session, themes, passages, tagged, embeddings)
            top = {pid: s.theme if s else None for pid, s in best.items()}
            results[f"{setting}_labels"] = labels(best, passages)
            right = {p.id: top[p.id] == gold for p, gold in passages}
            results[setting] = round(sum(right.values()) / len(right), 3)
            any_gold = [top[p.id] == gold or top[p.id] in also[p.id] for p, gold in passages]
            results[f"{setting}_any_gold"] = round(sum(any_gold) / len(any_gold), 3)
            if tagged:
                tagged_ids = {p.id for p, _ in tagged}
                rest = [ok for pid, ok in right.items() if pid not in tagged_ids]
                results["half_tagged_untagged_half"] = round(sum(rest) / len(rest), 3)
            results[f"{setting}_seconds"] = round(time.perf_counter() - start, 2)
            session.close()
    return results


def plain_baselines(corpus: Path) -> dict:
    """Plain sentence-embedding baselines (no calibration, no lexical evidence), for comparison:
    the passage's cosine with each whole note (name and description), the mean and the max of its
    cosines with the note's sentences; with half tagged (leave-one-out), the cosine with each
    theme's centroid of tagged passages, and a vote of the 10 nearest tagged passages."""
    import numpy as np

    themes, passages = load_corpus(corpus)
    cache = semantic.cache_for(KEEP)
    theme_ids = [t.id for t in themes]
    gold = np.array([theme_ids.index(g) for _, g in passages])
    vectors = cache.embed([p.text for p, _ in passages])
    whole = cache.embed([f"{t.name}. {t.description}" for t in themes])
    sentences = [cache.embed(suggestions.note_sentences(t)[1:] or [t.name]) for t in themes]

    def accuracy(scores) -> float:
        return round(float((scores.argmax(axis=1) == gold).mean()), 3)

    found = {
        "whole_note": accuracy(vectors @ whole.T),
        "sentence_mean": accuracy(np.stack([(vectors @ s.T).mean(axis=1) for s in sentences], axis=1)),
        "sentence_max": accuracy(np.stack([(vectors @ s.T).max(axis=1) for s in sentences], axis=1)),
    }
    tagged = np.zeros(len(passages), bool)
    tagged[[i for i, (p, _) in enumerate(passages) if p.id in {q.id for q, _ in half_tagged(passages)}]] = True
    sims = vectors @ vectors.T
    centroid_right, knn_right = [], []
    for i in range(len(passages)):
        usable = tagged.copy()
        usable[i] = False
        centroids = np.stack([vectors[usable & (gold == k)].mean(axis=0) for k in range(len(themes))])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        centroid_right.append((centroids @ vectors[i]).argmax() == gold[i])
        nearest = [j for j in np.argsort(-sims[i]) if usable[j]][:10]
        votes = np.zeros(len(themes))
        for j in nearest:
            votes[gold[j]] += sims[i, j]
        knn_right.append(votes.argmax() == gold[i])
    found["half_tagged_centroid"] = round(float(np.mean(centroid_right)), 3)
    found["half_tagged_knn10"] = round(float(np.mean(knn_right)), 3)
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--method", choices=["lexical", "semantic", "both"], default="both")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--plain", action="store_true", help="also the plain embedding baselines (needs the extra)")
    parser.add_argument("--keep", type=Path, help="keep the embeddings in this folder between runs")
    args = parser.parse_args(argv)
    global KEEP
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        KEEP = args.keep
    methods = ["lexical", "semantic"] if args.method == "both" else [args.method]
    if "semantic" in methods and not semantic.available():
        if args.method == "semantic":
            print("the semantic extra is not installed: pip install 'annotator[semantic]'", file=sys.stderr)
            return 2
        methods = ["lexical"]
        print("(semantic extra not installed: lexical only)", file=sys.stderr)
    rows = [measure(args.corpus.resolve(), m) for m in methods]
    plain = plain_baselines(args.corpus.resolve()) if args.plain and semantic.available() else None
    if args.json:
        print(json.dumps(rows + ([{"method": "plain", **plain}] if plain else []), indent=2))
        return 0
    print(f"{rows[0]['corpus']}: {rows[0]['passages']} passages, {rows[0]['themes']} themes; leave-one-out top-1 accuracy")
    for row in rows:
        print(
            f"  {row['method']:<9} zero-shot {row['zero_shot']:.3f}   half tagged {row['half_tagged']:.3f}"
            f"   (the untagged half alone: {row['half_tagged_untagged_half']:.3f})"
        )
        print(f"  {'':<9} top theme is any gold theme (gold or `also`): zero-shot {row['zero_shot_any_gold']:.3f}"
              f"   half tagged {row['half_tagged_any_gold']:.3f}")
        print(f"  {'':<9} top suggestion right, by its label: zero-shot "
              + ", ".join(f"{k} {v}" for k, v in row["zero_shot_labels"].items())
              + "   half tagged " + ", ".join(f"{k} {v}" for k, v in row["half_tagged_labels"].items()))
    if plain:
        print("  plain embedding baselines: " + ", ".join(f"{k} {v:.3f}" for k, v in plain.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
