"""What can the user's own tags teach theme suggestions? Variants of the learnt signal, side by side.

    python benchmarks/suggest_learnt.py [--corpus FILE] [--keep DIR] [--only NAMES] [--names] [--demo]

Half the passages are tagged with their gold theme (as suggest_accuracy.py tags them). The notes'
evidence of each passage (the three kinds suggestions.gather combines, standardised) is recorded once
through the shipped code; then, in NumPy, each variant of the learnt-from-tags signal is computed for
every passage with its own tag hidden, and blended with the notes at a weight chosen as the product
chooses it: by leave-one-out on the tagged passages only (the passage being scored out of it too).
So every figure is an honest half-tagged top-1, not an in-sample fit. For tuning corpora only (Great
Expectations, the default; Jane Eyre as a check): the held-out set is measured by suggest_accuracy.py.

Variants: the tagged passages' centroid per theme (as suggestions.prototype_evidence, raw or less the
corpus mean), a vote of the 10 nearest, a ridge classifier; the same over each passage's "profile"
(its cosines with every note sentence and whole note); a ridge over the notes' own evidence. Each is
shown alone, at fixed weights beside the notes, and at the weight leave-one-out chooses (likelihood,
with or without each weight's best sharpness, with a margin over weight 0, and by proven_weight's rule).
It also prints how alike passages of one gold theme are, against passages of different themes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import suggest_accuracy as sa  # noqa: E402
import suggest_ceiling as sc  # noqa: E402

from annotator import suggestions  # noqa: E402

WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def zscore(scores: np.ndarray) -> np.ndarray:
    spread = scores.std()
    return (scores - scores.mean()) / spread if spread > 1e-12 else np.zeros_like(scores)


def centroid(vectors, labels, tagged, i, themes, centre=None):
    x = vectors if centre is None else vectors - centre
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    out = np.zeros(themes)
    for t in range(themes):
        rows = tagged & (labels == t)
        if rows.any():
            c = x[rows].mean(0)
            out[t] = c @ x[i] / (np.linalg.norm(c) or 1)
        else:
            out[t] = np.nan
    out[np.isnan(out)] = np.nanmean(out) if not np.isnan(out).all() else 0
    return out


def knn(vectors, labels, tagged, i, themes, k=10, centre=None):
    x = vectors if centre is None else vectors - centre
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    sims = x[tagged] @ x[i]
    lab = labels[tagged]
    order = np.argsort(-sims)[:k]
    out = np.zeros(themes)
    for j in order:
        out[lab[j]] += max(sims[j], 0)
    sizes = np.bincount(lab, minlength=themes).astype(float)
    return out / np.maximum(sizes, 1) * sizes[sizes > 0].mean()


def ridge(vectors, labels, tagged, i, themes, lam=1.0, centre=None):
    x = vectors if centre is None else vectors - centre
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    xt = x[tagged]
    y = np.eye(themes)[labels[tagged]]
    y = y - y.mean(0)
    # dual form: n tagged passages, few of them
    alpha = np.linalg.solve(xt @ xt.T + lam * np.eye(len(xt)), y)
    return (x[i] @ xt.T) @ alpha


TEMPERATURES = (0.25, 0.5, 1.0, 2.0)


def blended(notes, learnt_fn, gold, tagged_mask, criterion="loglik", margin=0.0, proof=None):
    """Top-1 over all passages: notes z-sum + w * z(learnt), w chosen by LOO on the tagged passages
    (by their summed likelihood, beating weight 0 by `margin`; or, given `proof`, as the product's
    proven_weight: among the weights whose gain over 0, passage by passage, is `proof` standard errors
    above nothing)."""
    n, themes = notes.shape
    right = []
    chosen = []
    cache = {}

    def learnt(i, hidden):
        key = (i, hidden)
        if key not in cache:
            usable = tagged_mask.copy()
            usable[list(hidden)] = False
            cache[key] = zscore(learnt_fn(usable, i))
        return cache[key]

    for i in range(n):
        others = [j for j in np.flatnonzero(tagged_mask) if j != i]
        score = np.zeros((len(WEIGHTS), len(TEMPERATURES)))
        each = []
        for j in others:
            before = score.copy()
            lj = learnt(j, frozenset({i, j}))
            for w_i, w in enumerate(WEIGHTS):
                total = notes[j] + w * lj
                for t_i, tau in enumerate(TEMPERATURES):
                    if criterion == "loglik":
                        p = np.exp(tau * (total - total.max()))
                        score[w_i, t_i] += np.log(max(p[gold[j]] / p.sum(), 1e-6))
                    elif criterion == "loglik1":
                        p = np.exp(total - total.max())
                        score[w_i, t_i] += np.log(max(p[gold[j]] / p.sum(), 1e-6))
                    else:
                        score[w_i, t_i] += total.argmax() == gold[j]
            each.append(score - before)
        fit = score.max(axis=1)
        w = WEIGHTS[int(np.argmax(fit))] if fit.max() - fit[0] > margin else 0.0
        if proof is not None:
            sharpest = score.argmax(axis=1)
            chosen_ll = np.array(each)[:, np.arange(len(WEIGHTS)), sharpest]
            gains = chosen_ll[:, 1:] - chosen_ll[:, :1]
            proven = gains.mean(0) > proof * gains.std(0, ddof=1) / np.sqrt(len(gains))
            w = WEIGHTS[1 + int(np.where(proven, gains.mean(0), -np.inf).argmax())] if proven.any() else 0.0
        chosen.append(w)
        total = notes[i] + w * learnt(i, frozenset({i}))
        right.append(total.argmax() == gold[i])
    return float(np.mean(right)), float(np.median(chosen))


def fixed(notes, learnt_fn, gold, tagged_mask, w):
    right = []
    for i in range(len(gold)):
        usable = tagged_mask.copy()
        usable[i] = False
        right.append((notes[i] + w * zscore(learnt_fn(usable, i))).argmax() == gold[i])
    return float(np.mean(right))


def demo(keep: Path | None) -> None:
    """The demo workspace (corpus/: Never Let Me Go, three annotators' tags): each tagged passage is
    suggested for with its own tags hidden, first from the notes alone, then with the others' tags
    too; right when the top theme is one of its tags. Real tags on real text, but few of them."""
    import shutil
    import tempfile

    from annotator.engine.index import tag_map
    from annotator.session import Session

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "corpus", Path(tmp) / "corpus")
        session = Session.open(Path(tmp))
        session.sync()
        themes, tags = session.themes(), tag_map(session.store)
        embeddings = sa.semantic.cache_for(keep)
        for method, cache in (("lexical", None), ("semantic", embeddings)):
            right = {"notes alone": 0, "with the others' tags": 0}
            for passage_id, own in tags.items():
                text = session.get(passage_id).text
                for setting, given in (("notes alone", {}), ("with the others' tags", tags)):
                    top = suggestions.suggest(session.index, themes, passage_id, text, tags=given, limit=1,
                                              embeddings=cache, strict=True)
                    right[setting] += bool(top) and top[0].theme in own
            print(f"demo ({len(tags)} tagged passages, {len(themes)} themes), {method}: "
                  + ", ".join(f"{k} {v / len(tags):.3f}" for k, v in right.items()))
        session.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=sa.DEFAULT_CORPUS)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--only", help="comma-separated variant names")
    parser.add_argument("--demo", action="store_true", help="the demo workspace's own tags instead (see demo())")
    parser.add_argument("--names", action="store_true",
                        help="the tagged passages' embeddings with the notes' names left in (suggestions mask them)")
    args = parser.parse_args(argv)
    if args.demo:
        demo(args.keep)
        return 0
    corpus = args.corpus.resolve()
    figures, evidence, gold = sc.note_evidence(corpus, args.keep)
    themes, passages = sa.load_corpus(corpus)
    names = suggestions.note_names(themes)
    cache = suggestions.MaskedEmbeddings(sa.semantic.cache_for(args.keep), names)
    embed = sa.semantic.cache_for(args.keep).embed if args.names else cache.embed
    vectors = np.asarray(embed([p.text for p, _ in passages]), dtype=np.float64)
    notes = evidence.sum(1)
    T = len(themes)
    tagged_ids = {p.id for p, _ in sa.half_tagged(passages)}
    tagged = np.array([p.id in tagged_ids for p, _ in passages])
    mean = vectors.mean(0)
    print(f"{figures['corpus']}: shipped zero-shot {figures['zero_shot']:.3f}, half tagged {figures['half_tagged']:.3f}")
    print(f"  notes alone (recorded): {float((notes.argmax(1) == gold).mean()):.3f}")
    apart = (vectors - mean) / np.linalg.norm(vectors - mean, axis=1, keepdims=True)
    sims, same = apart @ apart.T, gold[:, None] == gold[None, :]
    off = ~np.eye(len(gold), dtype=bool)
    print(f"  passages' cosine (less the mean): same gold theme {sims[same & off].mean():.3f}, other themes"
          f" {sims[~same].mean():.3f}; raw: {(vectors @ vectors.T)[same & off].mean():.3f}, {(vectors @ vectors.T)[~same].mean():.3f}")
    semantic_notes = suggestions.SemanticNotes(cache, themes)
    profile = np.concatenate([vectors @ np.asarray(s, np.float64).T for s in semantic_notes.vectors]
                             + [vectors @ np.asarray(semantic_notes.whole, np.float64).T], axis=1)
    profile = (profile - profile.mean(0)) / (profile.std(0) + 1e-9)
    variants = {
        "centroid": lambda u, i: centroid(vectors, gold, u, i, T),
        "centroid centred": lambda u, i: centroid(vectors, gold, u, i, T, centre=mean),
        "knn10 centred": lambda u, i: knn(vectors, gold, u, i, T, k=10, centre=mean),
        "ridge 1 centred": lambda u, i: ridge(vectors, gold, u, i, T, 1.0, centre=mean),
        "profile centroid": lambda u, i: centroid(profile, gold, u, i, T),
        "profile knn10": lambda u, i: knn(profile, gold, u, i, T),
        "profile ridge 1": lambda u, i: ridge(profile, gold, u, i, T, 1.0),
        "profile ridge 10": lambda u, i: ridge(profile, gold, u, i, T, 10.0),
        "notes-evidence ridge": lambda u, i: ridge(evidence.reshape(len(gold), -1), gold, u, i, T, 1.0),
    }
    only = set(args.only.split(",")) if args.only else None
    for name, fn in variants.items():
        if only and name not in only:
            continue
        alone = fixed(np.zeros_like(notes), fn, gold, tagged, 1.0)
        at = {w: fixed(notes, fn, gold, tagged, w) for w in WEIGHTS}
        acc, w = blended(notes, fn, gold, tagged)
        acc2, w2 = blended(notes, fn, gold, tagged, "loglik1")
        print(f"  {name:<20} alone {alone:.3f}  fixed " + " ".join(f"{w_}:{a:.3f}" for w_, a in at.items())
              + f"  LOO-loglik+temperature {acc:.3f} (w~{w})  LOO-loglik {acc2:.3f} (w~{w2})")
        for margin in (1.0, 2.0):
            print(f"  {'':<20} proving margin {margin}: loglik+temperature {blended(notes, fn, gold, tagged, margin=margin)[0]:.3f}"
                  f"  loglik {blended(notes, fn, gold, tagged, 'loglik1', margin=margin)[0]:.3f}")
        print(f"  {'':<20} proven by 2 standard errors, passage by passage (as shipped):"
              f" {blended(notes, fn, gold, tagged, proof=2.0)[0]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
