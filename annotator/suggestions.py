"""Theme suggestions for a passage: which themes of the codebook it is evidence for.

Two kinds of evidence are combined, and each suggestion says which led to it:

* the theme notes, sentence by sentence: the passage's words are scored (BM25,
  Whoosh's own scorer and analyzer) against every sentence of every note, so a
  theme with one sentence that fits the passage well is not drowned by the rest
  of its note;
* the passages already tagged: the passage's nearest tagged neighbours in the
  main index vote for their themes, weighted by how close they are.

Notes alone work before anything is tagged. How much the neighbours' vote counts
against the notes is learnt from the tagged passages themselves (each is suggested
for with its own tags hidden, at a few candidate weights), so tagging helps where
passages of a theme resemble one another and does no harm where they do not.
With the optional `semantic` extra installed, the same two kinds of evidence are
also measured by sentence-embedding similarity (see `annotator.semantic`) and the
lexical and semantic scores are mixed.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from whoosh import fields, query as wq
from whoosh.filedb.filestore import RamStorage

from annotator.importers.plaintext import split_sentences
from annotator.index import SearchIndex, text_analyzer
from annotator.model import Theme

NEIGHBOURS = 10  # how many tagged passages vote
# With embeddings, the lexical evidence still counts, at this weight against the semantic.
MIXED_LEXICAL_NOTES = 0.3
MIXED_LEXICAL_NEIGHBOURS = 0.3
# The neighbours' weight against the notes is learnt from the tagged passages (see
# calibrated_neighbour_weight); until there are enough of them, the default holds.
CANDIDATE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
DEFAULT_NEIGHBOUR_WEIGHT = 0.5
CALIBRATION_MINIMUM = 8
CALIBRATION_SAMPLE = 80
WHY_CHARS = 110  # a "why" line quotes at most this much of a sentence


@dataclass
class Suggestion:
    theme: str
    score: float
    why: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"theme": self.theme, "score": round(self.score, 4), "why": self.why}


@dataclass
class Evidence:
    """One kind of evidence for each theme: a score and the reasons behind it."""

    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    relative: bool = False  # scores are similarities: only their differences mean anything

    def normalised(self) -> dict[str, float]:
        """Scores scaled to 0..1: by the best one, or (relative) from the worst to the best."""
        if not self.scores:
            return {}
        top = max(self.scores.values())
        bottom = min(self.scores.values()) if self.relative and len(self.scores) > 1 else 0.0
        if top <= bottom:
            return {}
        return {k: (v - bottom) / (top - bottom) for k, v in self.scores.items()}


# -- the notes, sentence by sentence ------------------------------------------------------


def note_sentences(theme: Theme) -> list[str]:
    """The note's sentences, with the theme's name as a sentence of its own."""
    sentences = [s.strip() for s in split_sentences(" ".join(theme.description.split())) if s.strip()]
    return [theme.name, *sentences]


class NoteSentenceIndex:
    """An in-memory Whoosh index of every note sentence, rebuilt when the codebook changes."""

    def __init__(self, themes: list[Theme]):
        self.key = codebook_key(themes)
        schema = fields.Schema(
            theme=fields.ID(stored=True),
            sentence=fields.STORED,
            text=fields.TEXT(analyzer=text_analyzer()),
        )
        self._ix = RamStorage().create_index(schema)
        writer = self._ix.writer()
        for theme in themes:
            for sentence in note_sentences(theme):
                writer.add_document(theme=theme.id, sentence=sentence, text=sentence)
        writer.commit()

    def evidence(self, text: str, per_theme: int = 3) -> Evidence:
        """Each theme's best-matching sentences, their scores summed with a decay."""
        q = terms_query(text)
        found = Evidence()
        if q is None:
            return found
        best: dict[str, list[tuple[float, str]]] = defaultdict(list)
        with self._ix.searcher() as searcher:
            for hit in searcher.search(q, limit=None):
                best[hit["theme"]].append((hit.score, hit["sentence"]))
        for theme_id, hits in best.items():
            hits.sort(key=lambda h: -h[0])
            top = hits[:per_theme]
            found.scores[theme_id] = sum(score / (rank + 1) for rank, (score, _) in enumerate(top))
            found.reasons[theme_id] += [f"note: “{clip(sentence)}”" for _, sentence in top[:2]]
        return found


_note_cache: dict[tuple, NoteSentenceIndex] = {}


def codebook_key(themes: Iterable[Theme]) -> tuple:
    return tuple((t.id, t.name, t.description) for t in themes)


def note_index(themes: list[Theme]) -> NoteSentenceIndex:
    key = codebook_key(themes)
    cached = _note_cache.get(key)
    if cached is None:
        _note_cache.clear()
        cached = _note_cache[key] = NoteSentenceIndex(themes)
    return cached


# -- the tagged neighbours -------------------------------------------------------------------


def terms_query(text: str, field_name: str = "text") -> wq.Query | None:
    words = list(dict.fromkeys(token.text for token in text_analyzer()(text)))
    if not words:
        return None
    return wq.Or([wq.Term(field_name, w) for w in words])


@dataclass
class Example:
    """A tagged passage: its text and themes, and where it is in the open index."""

    id: str
    text: str
    themes: list[str]
    docnum: int


# Per open searcher: passage id -> (docnum, text, order) of the passages looked up so far.
_looked_up: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def tagged_examples(searcher, tags: dict[str, list[str]]) -> list[Example]:
    """Every passage carrying a theme (`tags`: passage id -> theme ids, from the store), in corpus order."""
    known = _looked_up.setdefault(searcher, {})
    found = []
    for passage_id, theme_ids in tags.items():
        if not theme_ids:
            continue
        if passage_id not in known:
            docnum = searcher.document_number(id=passage_id)
            stored = searcher.stored_fields(docnum) if docnum is not None else {}
            known[passage_id] = (docnum, stored.get("text", ""), stored.get("order", 0)) if stored.get("kind") == "passage" else None
        entry = known[passage_id]
        if entry is not None:  # else a tag whose passage is gone from the corpus
            docnum, text, order = entry
            found.append((order, Example(passage_id, text, list(theme_ids), docnum)))
    found.sort(key=lambda pair: pair[0])
    return [example for _, example in found]


def neighbour_evidence(searcher, examples: list[Example], hidden: set[str], text: str, k: int = NEIGHBOURS, scorer=None) -> Evidence:
    """The k tagged passages most like this one (BM25; the `hidden` ones left out) vote for their themes.

    `scorer` (the index's NumPy BM25F scorer, same ranking as Whoosh's) ranks every
    passage at once; without it, Whoosh's own search does, filtered to the examples.
    """
    found = Evidence()
    q = terms_query(text)
    by_docnum = {e.docnum: e for e in examples if e.id not in hidden}
    if q is None or not by_docnum:
        return found
    for docnum, score in _ranked_among(searcher, scorer, q, by_docnum, k):
        _vote(found, by_docnum[docnum], score)
    return found


def _vote(found, example, weight: float) -> None:
    """A tagged neighbour votes `weight` for each of its themes, and is named as a reason (two at most)."""
    for theme_id in example.themes:
        found.scores[theme_id] = found.scores.get(theme_id, 0.0) + weight
        if len(found.reasons[theme_id]) < 2:
            found.reasons[theme_id].append(f"like {example.id}: “{clip(example.text)}”")


def _ranked_among(searcher, scorer, q, allowed: dict, k: int) -> list[tuple[int, float]]:
    if scorer is not None:
        try:
            ranked = scorer.rank(q, None, 0)
        except Exception:  # a query shape or index state the fast scorer does not take
            ranked = None
        if ranked is not None:
            return [(d, s) for d, s in zip(ranked.docnums, ranked.scores) if d in allowed][:k]
    return [(hit.docnum, hit.score) for hit in searcher.search(q, filter=set(allowed), limit=k)]


# -- the same two kinds of evidence, by sentence embeddings (the `semantic` extra) -----------------


def semantic_note_evidence(cache, themes: list[Theme], text: str, per_theme: int = 2) -> Evidence:
    """Cosine similarity of the passage to each note's best-matching sentences (their mean)."""
    found = Evidence(relative=True)
    sentences, owners = [], []
    for theme in themes:
        for sentence in note_sentences(theme)[1:] or [theme.name]:
            sentences.append(sentence)
            owners.append(theme.id)
    vectors = cache.embed([text, *sentences])
    sims = vectors[1:] @ vectors[0]
    for theme in themes:
        mine = [i for i, owner in enumerate(owners) if owner == theme.id]
        best = sorted(mine, key=lambda i: -sims[i])[:per_theme]
        found.scores[theme.id] = sum(float(sims[i]) for i in best) / len(best)
        found.reasons[theme.id] += [f"note: “{clip(sentences[i])}”" for i in best[:1]]
    return found


def embed_codebook(cache, themes: list[Theme]) -> None:
    """Embed every note sentence and whole note ahead of the first suggestion."""
    cache.embed([s for t in themes for s in note_sentences(t)])
    cache.save()


def semantic_neighbour_evidence(cache, examples: list[Example], vectors, hidden: set[str], text: str, k: int = NEIGHBOURS) -> Evidence:
    """The k tagged passages nearest in meaning vote for their themes, weighted by similarity.

    `vectors` holds the examples' embeddings, row by row, computed once per suggestion.
    """
    found = Evidence()
    sims = vectors @ cache.embed([text])[0]
    order = sorted(range(len(examples)), key=lambda i: -sims[i])
    nearest = [i for i in order if examples[i].id not in hidden][:k]
    for i in nearest:
        _vote(found, examples[i], max(float(sims[i]), 0.0) ** 2)
    return found


# -- combining -------------------------------------------------------------------------------


def combine(themes: list[Theme], parts: list[tuple[float, Evidence]]) -> list[Suggestion]:
    """Weighted sum of each kind's normalised scores; every reason that contributed is kept."""
    totals: dict[str, float] = defaultdict(float)
    weight_sum = sum(w for w, _ in parts) or 1.0
    for weight, evidence in parts:
        for theme_id, score in evidence.normalised().items():
            totals[theme_id] += weight * score / weight_sum
    known = {t.id for t in themes}
    suggestions = []
    for theme_id, score in totals.items():
        if theme_id not in known or score <= 0:
            continue
        why: list[str] = []
        for _, evidence in parts:
            why += [r for r in evidence.reasons.get(theme_id, []) if r not in why]
        suggestions.append(Suggestion(theme_id, score, why))
    order = {t.id: i for i, t in enumerate(themes)}
    suggestions.sort(key=lambda s: (-s.score, order[s.theme]))
    return suggestions


def gather(searcher, themes: list[Theme], text: str, examples: list[Example], hidden: set[str], embeddings, vectors=None, scorer=None):
    """The evidence from the notes and the evidence from tagged neighbours, each weighted within its kind."""
    lexical_notes = note_index(themes).evidence(text)
    neighbours = []
    if embeddings is None:
        notes = [(1.0, lexical_notes)]
        if examples:
            neighbours = [(1.0, neighbour_evidence(searcher, examples, hidden, text, scorer=scorer))]
    else:
        notes = [(MIXED_LEXICAL_NOTES, lexical_notes), (1.0, semantic_note_evidence(embeddings, themes, text))]
        if examples:
            neighbours = [
                (MIXED_LEXICAL_NEIGHBOURS, neighbour_evidence(searcher, examples, hidden, text, scorer=scorer)),
                (1.0, semantic_neighbour_evidence(embeddings, examples, vectors, hidden, text)),
            ]
    return notes, neighbours


def mix(notes, neighbours, weight: float):
    """The notes' evidence and the neighbours', these scaled by `weight` (left out at 0, reasons too)."""
    return notes + [(weight * w, evidence) for w, evidence in neighbours if weight * w > 0]


_calibrations: dict[tuple, tuple[int, float]] = {}


def calibrated_neighbour_weight(searcher, themes: list[Theme], examples: list[Example], hidden: set[str], embeddings, vectors=None, scorer=None) -> float:
    """How much the tagged neighbours should count against the notes, learnt from the tagged passages.

    Each tagged passage (up to CALIBRATION_SAMPLE of them) is suggested for with its
    own tags hidden, at each candidate weight; the weight that gets most of them right
    wins. So the neighbours count for much in a corpus where passages of one theme are
    alike, and for little where they are not. `hidden` passages take no part.
    """
    sample = [e for e in examples if e.id not in hidden]
    if len(sample) < CALIBRATION_MINIMUM:
        return DEFAULT_NEIGHBOUR_WEIGHT if sample else 0.0
    step = max(1, len(sample) // CALIBRATION_SAMPLE)
    sample = sample[::step][:CALIBRATION_SAMPLE]
    # Learnt again only when the tagged passages have grown or shrunk by a tenth (or 8):
    # a tag or two more hardly moves the weight, and learning it takes a moment.
    key = (codebook_key(themes), tuple(sorted(hidden)), embeddings is not None)
    if key in _calibrations:
        size, weight = _calibrations[key]
        if abs(len(examples) - size) < max(CALIBRATION_MINIMUM, size // 10):
            return weight
    right = [0] * len(CANDIDATE_WEIGHTS)
    for example in sample:
        notes, neighbours = gather(searcher, themes, example.text, examples, hidden | {example.id}, embeddings, vectors, scorer)
        for i, weight in enumerate(CANDIDATE_WEIGHTS):
            ranked = combine(themes, mix(notes, neighbours, weight))
            right[i] += bool(ranked) and ranked[0].theme in example.themes
    best = max(right)
    # Among equally good weights, the one nearest the default.
    weight = min((w for w, r in zip(CANDIDATE_WEIGHTS, right) if r == best), key=lambda w: abs(w - DEFAULT_NEIGHBOUR_WEIGHT))
    if len(_calibrations) > 64:
        _calibrations.clear()
    _calibrations[key] = (len(examples), weight)
    return weight


def suggest(
    index: SearchIndex,
    themes: list[Theme],
    passage_id: str,
    text: str,
    *,
    tags: dict[str, list[str]] | None = None,
    applied: Iterable[str] = (),
    limit: int = 5,
    embeddings=None,
    strict: bool = False,
) -> list[Suggestion]:
    """Ranked themes for one passage, best first, leaving out the themes it already has.

    `tags` (passage id -> theme ids, every annotator's) are the tagged passages that
    may vote; the passage's own tags never count as evidence for it. `embeddings`
    (an `annotator.semantic.EmbeddingCache`) adds the semantic evidence. `strict`
    (for measuring) also keeps the passage's own tags out of the calibration.
    """
    if not themes:
        return []
    hidden = {passage_id}
    searcher = index.searcher()  # kept open by the index (not closed here)
    scorer = index.vector_scorer()
    examples = tagged_examples(searcher, tags or {})
    vectors = embeddings.embed([e.text for e in examples]) if embeddings is not None and examples else None
    notes, neighbours = gather(searcher, themes, text, examples, hidden, embeddings, vectors, scorer)
    weight = 0.0
    if neighbours:
        weight = calibrated_neighbour_weight(
            searcher, themes, examples, hidden if strict else set(), embeddings, vectors, scorer
        )
    if embeddings is not None:
        embeddings.save()
    applied = set(applied)
    ranked = [s for s in combine(themes, mix(notes, neighbours, weight)) if s.theme not in applied]
    return ranked[: max(limit, 0)]


def clip(text: str, width: int = WHY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


# -- similar passages ------------------------------------------------------------------------------


def similar_passages(index: SearchIndex, passage_id: str, text: str, *, limit: int = 10, embeddings=None) -> list[tuple[str, float]]:
    """(passage id, score) of the passages most like this one, itself left out, best first.

    Lexical (BM25 on the passage's words) without embeddings; with them, cosine
    similarity over every passage (each embedded once, then cached in `index/`).
    """
    with index.open().searcher() as searcher:
        if embeddings is None:
            q = terms_query(text)
            if q is None:
                return []
            results = searcher.search(q, filter=wq.Term("kind", "passage"), mask=wq.Term("id", passage_id), limit=limit)
            return [(hit["id"], float(hit.score)) for hit in results]
        passages = [(fields["id"], fields.get("text", "")) for fields in searcher.documents(kind="passage")]
    others = [(pid, body) for pid, body in passages if pid != passage_id]
    if not others:
        return []
    vectors = embeddings.embed([body for _, body in others])
    sims = vectors @ embeddings.embed([text])[0]
    embeddings.save()
    best = sorted(range(len(others)), key=lambda i: -sims[i])[: max(limit, 0)]
    return [(others[i][0], float(sims[i])) for i in best]
