"""Theme suggestions for a passage: which themes of the codebook it is evidence for.

Two kinds of evidence are combined, and each suggestion says which led to it:

* the theme notes, sentence by sentence: the passage's words are scored (BM25,
  Whoosh's own scorer and analyzer) against every sentence of every note, so a
  theme with one sentence that fits the passage well is not drowned by the rest
  of its note;
* the passages already tagged: the passage's nearest tagged neighbours in the
  main index vote for their themes, weighted by how close they are.

Notes alone work before anything is tagged; the neighbours' vote grows with the
number of tagged passages. With the optional `semantic` extra installed, the same
two kinds of evidence are also measured by sentence-embedding similarity (see
`annotator.semantic`) and the lexical and semantic scores are mixed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from whoosh import fields, query as wq
from whoosh.filedb.filestore import RamStorage

from annotator.importers.plaintext import split_sentences
from annotator.index import SearchIndex, text_analyzer
from annotator.model import Theme

NEIGHBOURS = 10  # how many tagged passages vote
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

    def normalised(self) -> dict[str, float]:
        top = max(self.scores.values(), default=0.0)
        return {k: v / top for k, v in self.scores.items()} if top > 0 else {}


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


def neighbour_evidence(index: SearchIndex, passage_id: str, text: str, k: int = NEIGHBOURS) -> Evidence:
    """The k tagged passages most like this one (itself left out) vote for their themes."""
    found = Evidence()
    q = terms_query(text)
    if q is None:
        return found
    restrict = wq.And([wq.Term("kind", "passage"), wq.Term("tagged", "yes")])
    ix = index.open()
    with ix.searcher() as searcher:
        results = searcher.search(q, filter=restrict, mask=wq.Term("id", passage_id), limit=k)
        for hit in results:
            for theme_id in (hit.get("themes") or "").split():
                found.scores[theme_id] = found.scores.get(theme_id, 0.0) + hit.score
                if len(found.reasons[theme_id]) < 2:
                    found.reasons[theme_id].append(f"like {hit['id']}: “{clip(hit['text'])}”")
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


def neighbour_weight(tagged_passages: int) -> float:
    """How much the tagged neighbours count against the notes: more as more is tagged."""
    return min(1.5, tagged_passages / 20)


def suggest(
    index: SearchIndex,
    themes: list[Theme],
    passage_id: str,
    text: str,
    *,
    tagged_passages: int = 0,
    applied: Iterable[str] = (),
    limit: int = 5,
    workspace=None,
) -> list[Suggestion]:
    """Ranked themes for one passage, best first, leaving out the themes it already has."""
    if not themes:
        return []
    parts = [(1.0, note_index(themes).evidence(text))]
    if tagged_passages:
        parts.append((neighbour_weight(tagged_passages), neighbour_evidence(index, passage_id, text)))
    applied = set(applied)
    ranked = [s for s in combine(themes, parts) if s.theme not in applied]
    return ranked[: max(limit, 0)]


def clip(text: str, width: int = WHY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"
