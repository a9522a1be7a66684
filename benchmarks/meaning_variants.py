"""Ranking variants for search by meaning, measured on the tuning sets only (demo and Great Expectations).

    python benchmarks/meaning_variants.py [--keep DIR] [--prefixed-passages]

Each variant re-ranks the same passages with the vectors the index already holds (the workspaces
of benchmarks/meaning_search.py, same --keep): paraphrase and keyword MRR, the meaning ranking
alone and fused with words. The held-out sets (Jane Eyre, Pride and Prejudice) are left out on
purpose: nothing here may be chosen by looking at them.

* prefixes: the query embedded with e5's "passage: " prefix, or both prefixes averaged;
  with --prefixed-passages, every passage embedded again with "query: " (the symmetric use e5's
  authors advise for paraphrase; minutes for Great Expectations, kept in DIR);
* pseudo-relevance feedback: the query vector moved towards its k best passages;
* best sentence: a passage's score blended with its best sentence's (the 30 best passages of each
  query re-ranked; their sentences embedded once and kept in the index's store), and the
  per-query oracle over the blend weight, an upper bound for any such blend;
* hubness: the corpus mean or each passage's k nearest neighbours' mean subtracted (CSLS);
* fusion: reciprocal-rank fusion's k and meaning weight, and a calibrated-score fusion.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import meaning_search as ms  # noqa: E402

from annotator.engine import embeddings, meaning  # noqa: E402

RERANKED = 30


def corpus(name: str, keep: Path, model, prefixed: bool) -> dict:
    spec = ms.read_yaml(ms.SETS[name])
    session = ms.workspace(name, keep)
    session.embed_passages()
    searcher = session.index.searcher()
    store = meaning.store_for(session.ws.index_dir, model)
    found = meaning.passages(searcher)
    rows = meaning.rows_in(found, store)
    vectors = np.asarray(store.matrix()[rows], dtype=np.float32)
    texts = [searcher.stored_fields(int(d)).get("text", "") for d in found.docnums]
    queries = []
    for kind in ("paraphrase", "keyword"):
        for row in spec.get(kind) or []:
            hits = session.search(row["q"], kind="passage", limit=meaning.WORD_CANDIDATES).hits
            queries.append({"kind": kind, "want": set(row["want"]), "words": [h.id for h in hits],
                            "shares": meaning.word_shares(row["q"], hits),
                            "query": model.embed([row["q"]], "query")[0], "passage": model.embed([row["q"]], "passage")[0]})
    data = {"ids": list(found.ids), "texts": texts, "vectors": vectors, "queries": queries, "sentences": {}}
    wanted = set()
    for q in queries:  # the passages a sentence blend could re-rank, their sentences embedded (kept in the store)
        wanted |= set(np.argsort(-(vectors @ q["query"]))[:RERANKED].tolist())
    for i in sorted(wanted):
        spans = meaning.sentence_spans(texts[i])
        if len(spans) > 1:
            data["sentences"][i] = meaning.embed_texts(store, model, [texts[i][a:b] for a, b in spans])
    if prefixed:
        cached = keep / f"{name}-query-prefixed.npy"
        if not cached.exists():
            np.save(cached, np.concatenate([model.embed(texts[i : i + 16], "query") for i in range(0, len(texts), 16)]))
        data["query_prefixed"] = np.load(cached)
    session.close()
    return data


def reciprocal_rank(ids: list[str], scores, want: set[str]) -> float:
    for rank, i in enumerate(np.argsort(-scores, kind="stable")[: ms.DEPTH]):
        if ids[i] in want:
            return 1.0 / (rank + 1)
    return 0.0


def mrr(data: dict, kind: str, scorer) -> float:
    return statistics.fmean(reciprocal_rank(data["ids"], scorer(data, q), q["want"]) for q in data["queries"] if q["kind"] == kind)


def unit(v):
    return v / np.linalg.norm(v)


def plain(d, q):
    return d["vectors"] @ q["query"]


def feedback(k: int, beta: float):
    def score(d, q):
        sims = plain(d, q)
        top = np.argsort(-sims)[:k]
        weights = np.maximum(sims[top], 0)
        return d["vectors"] @ unit(q["query"] + beta * (d["vectors"][top] * weights[:, None]).sum(0) / weights.sum())
    return score


def sentence_blend(alpha: float):
    def score(d, q):
        sims = plain(d, q)
        top = np.argsort(-sims)[:RERANKED]
        out = sims - 1.0  # below every re-ranked passage
        for i in top:
            best = float((d["sentences"][i] @ q["query"]).max()) if i in d["sentences"] else sims[i]
            out[i] = (1 - alpha) * sims[i] + alpha * best
        return out
    return score


def centred(lam: float):
    return lambda d, q: plain(d, q) - lam * (d["vectors"] @ d["vectors"].mean(0))


_hubs: dict = {}


def csls(k: int, lam: float):
    def score(d, q):
        if (id(d), k) not in _hubs:
            sims = d["vectors"] @ d["vectors"].T
            np.fill_diagonal(sims, -1)
            _hubs[id(d), k] = np.sort(sims, axis=1)[:, -k:].mean(1)
        return plain(d, q) - lam * _hubs[id(d), k]
    return score


def rrf(k: int, weight: float):
    """meaning.fuse's formula with its constants replaced."""
    def score(d, q):
        index = {pid: i for i, pid in enumerate(d["ids"])}
        sims = plain(d, q)
        out = 1e-9 * sims
        for rank, (pid, share) in enumerate(zip(q["words"], q["shares"])):
            out[index[pid]] += share**meaning.WORDS_POWER / (k + rank + 1) + (meaning.FULL_MATCH if share >= 1 else 0)
        for rank, i in enumerate(np.argsort(-sims)[: meaning.CANDIDATES]):
            out[i] += weight / (k + rank + 1)
        return out
    return score


def calibrated(weight: float):
    """The cosine as a z-score over the corpus plus a decaying word-rank bonus (every word: first)."""
    def score(d, q):
        index = {pid: i for i, pid in enumerate(d["ids"])}
        sims = plain(d, q)
        out = weight * (sims - sims.mean()) / sims.std()
        for rank, (pid, share) in enumerate(zip(q["words"], q["shares"])):
            out[index[pid]] += 3 * share**2 / (1 + rank) ** 0.5 + (100 if share >= 1 else 0)
        return out
    return score


def variants(prefixed: bool) -> dict:
    found = {"plain cosine (as shipped)": plain,
             "query with passage: prefix": lambda d, q: d["vectors"] @ q["passage"],
             "both query prefixes averaged": lambda d, q: d["vectors"] @ unit(q["query"] + q["passage"])}
    if prefixed:
        found["passages with query: prefix"] = lambda d, q: d["query_prefixed"] @ q["query"]
    found.update({f"feedback k={k} beta={b}": feedback(k, b) for k in (3, 5, 10) for b in (0.25, 0.5)})
    found.update({f"best sentence alpha={a}": sentence_blend(a) for a in (0.25, 0.5, 0.75, 1.0)})
    found.update({f"centred lambda={lam}": centred(lam) for lam in (0.25, 0.5)})
    found.update({f"CSLS k={k} lambda={lam}": csls(k, lam) for k in (5, 20) for lam in (0.25, 0.5)})
    found.update({f"fusion RRF k={k} w={w}": rrf(k, w) for k in (5, 10, 30, 60) for w in (0.5, 1.0, 2.0)})
    found.update({f"fusion calibrated w={w}": calibrated(w) for w in (0.5, 1.0, 2.0)})
    return found


def blend_oracle(d) -> float:
    """Paraphrase MRR if each query had its own best sentence-blend weight (0, 0.1 … 1)."""
    scorers = [sentence_blend(a) for a in np.linspace(0, 1, 11)]
    return statistics.fmean(max(reciprocal_rank(d["ids"], s(d, q), q["want"]) for s in scorers)
                            for q in d["queries"] if q["kind"] == "paraphrase")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "annotator-meaning-bench")
    parser.add_argument("--prefixed-passages", action="store_true", help="also every passage embedded with the query prefix")
    args = parser.parse_args(argv)
    model = embeddings.embedder()
    if model is None:
        print(f"no model: {embeddings.unavailable()}", file=sys.stderr)
        return 2
    args.keep.mkdir(parents=True, exist_ok=True)
    sets = {name: corpus(name, args.keep, model, args.prefixed_passages) for name in ("demo", "novel")}
    print(f"{'variant (paraphrase / keyword MRR)':<36}{'demo':>16}{'Great Expectations':>22}")
    for label, scorer in variants(args.prefixed_passages).items():
        cells = "".join(f"{mrr(d, 'paraphrase', scorer):>10.3f} / {mrr(d, 'keyword', scorer):.3f}" for d in sets.values())
        print(f"{label:<36}{cells}")
    print(f"{'oracle: best blend weight per query':<36}" + "".join(f"{blend_oracle(d):>10.3f}        " for d in sets.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
