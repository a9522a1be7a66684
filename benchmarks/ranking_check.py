"""Does ranking keep DESIGN.md's contract on a real novel? Figures for issue #14 item 7.

    python benchmarks/ranking_check.py [--text FILE] [--queries 40] [--seed 1] [--grid]

Imports the novel (default: tests/fixtures/novel/great-expectations.txt.gz) into a fresh
workspace as a user would, then:

1. *coordination*: two-word queries drawn from the book's own passages (two different
   content words of one passage); for each, does the top result hold both words, in the
   NumPy fast path and in Whoosh's own path? (A passage holding both always exists: the
   one the words came from.)
2. with `--grid`, *length normalisation*, for a grid of BM25F `B` and `K1`: a known-item
   relevance set (a passage drawn at random, `--known-words` of its content words as the
   query, that passage the one relevant answer) scored by mean reciprocal rank, success at
   1 and at 10; and eight hand-judged queries (tests/fixtures/novel/judged.json), P@5, P@10.
3. with `--alternatives`, strict tiers against coordination factors and plain BM25F.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TEXT = ROOT / "tests" / "fixtures" / "novel" / "great-expectations.txt.gz"


def open_novel(text_path: Path, folder: Path):
    """A workspace holding the novel as one source, its index built: (session, passages)."""
    from annotator.exchange.importers import import_source
    from annotator.session import Session
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import init_workspace

    plain = folder / (text_path.name[:-3] if text_path.suffix == ".gz" else text_path.name)
    if text_path.suffix == ".gz":
        plain.write_bytes(gzip.decompress(text_path.read_bytes()))
    else:
        shutil.copyfile(text_path, plain)
    ws = init_workspace(folder / "ws", empty=True)
    store = Store(ws)
    import_source(store, plain, source_id="novel")
    session = Session.open(ws.root)
    session.sync()
    return session, store.load_source("novel").passages


def term_sets(passages) -> dict[str, set[str]]:
    from annotator.engine.index import text_analyzer

    analyse = text_analyzer()
    return {p.id: {t.text for t in analyse(p.text)} for p in passages}


def content_words(text: str) -> list[str]:
    """Words of a passage a reader might search for: letters only, four or more, not stop words."""
    import re

    from annotator.engine.search import analysed

    words = [w for w in re.findall(r"[A-Za-z]{4,}", text) if analysed(w)]
    return list(dict.fromkeys(w.lower() for w in words))


def draw_queries(passages, count: int, words: int, seed: int, min_words: int = 0):
    """(query words, source passage id): `words` different content words of one passage, drawn at random."""
    from annotator.engine.search import analysed

    rng = random.Random(seed)
    pool = [p for p in passages if len(p.text.split()) >= min_words]
    found = []
    while len(found) < count:
        passage = rng.choice(pool)
        candidates = content_words(passage.text)
        by_term = {}
        for w in candidates:
            by_term.setdefault(analysed(w), w)
        if len(by_term) < words:
            continue
        found.append((rng.sample(sorted(by_term.values()), words), passage.id))
    return found


@contextlib.contextmanager
def whoosh_only(session):
    """Whoosh's own search path: no NumPy scorer."""
    index = session.index
    original = index.vector_scorer
    index.vector_scorer = lambda: None
    try:
        yield
    finally:
        index.vector_scorer = original


def coordination_figures(session, passages, queries) -> dict:
    from annotator.engine.search import analysed

    terms = term_sets(passages)
    out = {}
    for path in ("fast", "whoosh"):
        guard = whoosh_only(session) if path == "whoosh" else contextlib.nullcontext()
        holds_top, worst, misses = 0, 1, []
        with guard:
            for words, _ in queries:
                wanted = {analysed(w) for w in words}
                result = session.search(" ".join(words), limit=50)
                ranks = [i for i, h in enumerate(result.hits, 1) if wanted <= terms.get(h.id, set())]
                first = ranks[0] if ranks else 51
                holds_top += first == 1
                worst = max(worst, first)
                if first != 1:
                    misses.append({"query": " ".join(words), "first_holding_all": first})
        out[path] = {"queries": len(queries), "top_holds_all": holds_top, "share": round(holds_top / len(queries), 3),
                     "worst_rank": worst, "misses": misses[:10]}
    return out


SCHEMES = {
    "strict tiers (shipped)": lambda cover, s, n: cover + s / (s + 1),
    "BM25F alone (no coordination)": lambda cover, s, n: s,
    "coordination factor S*m/n": lambda cover, s, n: s * cover / n,
    "coordination factor S*(m/n)^2": lambda cover, s, n: s * (cover / n) ** 2,
}


def _rescored(session, words) -> list[tuple[str, float, float]]:
    """(id, words matched m, BM25F sum S) of every match, read back from the shipped score m + S/(S+1)."""
    found = []
    for hit in session.search(" ".join(words), limit=None).hits:
        cover = float(int(hit.score))
        fraction = min(hit.score - cover, 1 - 1e-12)
        found.append((hit.id, cover, fraction / (1 - fraction)))
    return found


def alternatives(session, passages, two_word, known_items) -> dict:
    """The shipped strict tiers against coordination factors (Lucene's classic coord is S*m/n), on the
    two-word queries (does the top hold both?) and on the known-item set (mean reciprocal rank)."""
    from annotator.engine.search import analysed

    terms = term_sets(passages)
    out = {}
    for name, score in SCHEMES.items():
        top_holds = 0
        for words, _ in two_word:
            ranked = sorted(_rescored(session, words), key=lambda r: -score(r[1], r[2], len(words)))
            top_holds += bool(ranked) and {analysed(w) for w in words} <= terms[ranked[0][0]]
        reciprocal = 0.0
        for words, target in known_items:
            ranked = [r[0] for r in sorted(_rescored(session, words), key=lambda r: -score(r[1], r[2], len(words)))]
            reciprocal += 1 / (ranked.index(target) + 1) if target in ranked else 0
        out[name] = {"two_word_top_holds_all": round(top_holds / len(two_word), 3),
                     "known_item_mrr": round(reciprocal / len(known_items), 4)}
    return out


JUDGED = ROOT / "tests" / "fixtures" / "novel" / "judged.json"


def judged_figures(session, grid) -> list[dict]:
    """Precision at 5 and at 10 on the hand-judged queries (tests/fixtures/novel/judged.json)."""
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))["queries"]
    rows = []
    for B, K1 in grid:
        set_bm25(B, K1)
        session.index.close()
        at5 = at10 = 0.0
        for query, relevant in judged.items():
            ids = [h.id for h in session.search(query, limit=10).hits]
            at5 += sum(i in relevant for i in ids[:5]) / 5
            at10 += sum(i in relevant for i in ids) / 10
        rows.append({"B": B, "K1": K1, "P@5": round(at5 / len(judged), 3), "P@10": round(at10 / len(judged), 3)})
    set_bm25(0.75, 1.2)
    session.index.close()
    return rows


def set_bm25(B: float, K1: float) -> None:
    """The default weighting every new searcher gets (annotator's searchers use the default)."""
    from whoosh import scoring

    scoring.BM25F.__init__.__defaults__ = (B, K1)


def relevance_figures(session, queries, grid) -> list[dict]:
    rows = []
    for B, K1 in grid:
        set_bm25(B, K1)
        session.index.close()  # new searchers, with the new weighting
        reciprocal, at1, at10 = 0.0, 0, 0
        for words, target in queries:
            ids = [h.id for h in session.search(" ".join(words), limit=100).hits]
            rank = ids.index(target) + 1 if target in ids else None
            reciprocal += 1 / rank if rank else 0
            at1 += rank == 1
            at10 += bool(rank and rank <= 10)
        n = len(queries)
        rows.append({"B": B, "K1": K1, "mrr": round(reciprocal / n, 4), "success@1": round(at1 / n, 3),
                     "success@10": round(at10 / n, 3)})
    set_bm25(0.75, 1.2)
    session.index.close()
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--grid", action="store_true", help="also measure BM25F B and K1 on a known-item set")
    parser.add_argument("--alternatives", action="store_true", help="also compare coordination schemes")
    parser.add_argument("--known-items", type=int, default=300)
    parser.add_argument("--known-words", type=int, default=3, help="words a known-item query takes from its passage")
    parser.add_argument("--B", type=float, nargs="*", default=[0.0, 0.3, 0.5, 0.75, 0.9, 1.0])
    parser.add_argument("--K1", type=float, nargs="*", default=[0.9, 1.2, 1.6, 2.0])
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="ranking-check-"))
    try:
        session, passages = open_novel(args.text, folder)
        report = {"passages": len(passages)}
        two_word = draw_queries(passages, args.queries, 2, args.seed)
        report["coordination"] = coordination_figures(session, passages, two_word)
        if args.alternatives:
            known = draw_queries(passages, args.known_items, args.known_words, args.seed + 2, min_words=20)
            report["coordination_schemes"] = alternatives(session, passages, two_word, known)
        if args.grid:
            grid = [(B, K1) for B in args.B for K1 in args.K1]
            words = args.known_words
            items = {
                "all passages": draw_queries(passages, args.known_items, words, args.seed + 1),
                "passages of 20+ words": draw_queries(passages, args.known_items, words, args.seed + 2, min_words=20),
            }
            report["length_normalisation"] = {name: relevance_figures(session, q, grid) for name, q in items.items()}
            report["length_normalisation"]["judged (P@5, P@10)"] = judged_figures(session, grid)
        session.close()
        json.dump(report, sys.stdout, indent=1)
        print()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
