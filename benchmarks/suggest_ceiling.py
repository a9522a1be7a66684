"""How far can re-weighting the notes' evidence take theme suggestions? An in-sample ceiling.

    python benchmarks/suggest_ceiling.py [--corpus FILE] [--keep DIR]

Runs benchmarks/suggest_accuracy.py's zero-shot measurement (semantic method) and records, for
each passage, the three kinds of note evidence the suggestion combines (BM25 over note sentences,
the best-two note sentences' cosine, the whole note's cosine), each standardised over the themes
as suggestions.combine uses them. Then, fitted on the same passages it is scored on (so every
figure is an upper bound, not a result):

* each kind alone, and the best weights for the three (a grid of 0 … 2 by 0.25);
* those weights plus a per-theme offset (coordinate ascent): a ceiling for per-theme calibration;
* an oracle that counts a passage right when any one kind's top theme is its gold theme.

Run it on the tuning corpus (the default, Great Expectations); a held-out corpus is measured by
suggest_accuracy.py, once.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import suggest_accuracy as sa  # noqa: E402

from annotator import suggestions  # noqa: E402

KINDS = ("lexical", "sentences", "whole note")


def note_evidence(corpus: Path, keep: Path | None) -> tuple[dict, np.ndarray, np.ndarray]:
    """(suggest_accuracy's figures, evidence (passages × kinds × themes), gold theme indexes)."""
    themes, passages = sa.load_corpus(corpus)
    theme_ids = [t.id for t in themes]
    recorded: dict[str, np.ndarray] = {}
    shipped = suggestions.gather

    def recording(ctx, text, hidden):
        notes, neighbours = shipped(ctx, text, hidden)
        if not ctx.examples:
            recorded[text] = np.array([evidence.standardised(theme_ids) for _, evidence in notes])
        return notes, neighbours

    sa.KEEP = keep
    suggestions.gather = recording
    try:
        figures = sa.measure(corpus, "semantic")
    finally:
        suggestions.gather = shipped
    evidence = np.stack([recorded[p.text] for p, _ in passages])
    gold = np.array([theme_ids.index(g) for _, g in passages])
    return figures, evidence, gold


def accuracy(evidence, gold, weights, offsets=0.0) -> float:
    return float((np.einsum("k,nkt->nt", weights, evidence) + offsets).argmax(1).__eq__(gold).mean())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=sa.DEFAULT_CORPUS)
    parser.add_argument("--keep", type=Path, help="where the embeddings are kept between runs (as suggest_accuracy.py)")
    args = parser.parse_args(argv)
    if not sa.semantic.available():
        print("no model: the ceiling is of the semantic method", file=sys.stderr)
        return 2
    figures, evidence, gold = note_evidence(args.corpus.resolve(), args.keep)
    print(f"{figures['corpus']}: zero-shot top-1 as shipped {figures['zero_shot']:.3f} (half tagged {figures['half_tagged']:.3f})")
    for k, kind in enumerate(KINDS):
        print(f"  {kind} alone: {accuracy(evidence, gold, np.eye(len(KINDS))[k]):.3f}")
    grid = np.arange(0, 2.01, 0.25)
    best, weights = max((accuracy(evidence, gold, np.array(w)), w) for w in itertools.product(grid, repeat=len(KINDS)) if sum(w))
    print(f"  ceiling, best weights fitted in-sample {tuple(float(w) for w in weights)}: {best:.3f}")
    offsets = np.zeros(evidence.shape[2])
    for _ in range(5):
        for t in range(len(offsets)):
            candidates = np.linspace(-2, 2, 41)
            scores = []
            for c in candidates:
                trial = offsets.copy()
                trial[t] = c
                scores.append(accuracy(evidence, gold, np.array(weights), trial))
            offsets[t] = candidates[int(np.argmax(scores))]
    print(f"  ceiling, those weights plus per-theme offsets fitted in-sample: {accuracy(evidence, gold, np.array(weights), offsets):.3f}")
    oracle = float(np.mean([(evidence[i].argmax(1) == gold[i]).any() for i in range(len(gold))]))
    print(f"  oracle, any one kind's top theme is gold: {oracle:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
