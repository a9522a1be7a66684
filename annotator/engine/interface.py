"""The engine's interface for the features above it: plain records in, plain records out.

Suggestions, evidence and theme-note naming read the index through this module,
never through Whoosh's searchers, document numbers, queries or analyzers, so the
engine can change underneath them. What it offers:

* `words(text)`: the terms the index makes of a text (its analyzer; in a passage's language, a text
  from this module or `in_language` carrying it), and `stem` and
  `STOP_WORDS` for naming themes in the index's own language (annotator.engine.language);
* `snapshot(index)`: one state of the index (`Snapshot`), read as passage ids, texts
  and scores: a sample of the corpus, a passage's text and place, the passages most
  like a text among some, all passages;
* `stored_passages(index, ids)`: the stored fields of passages, by id.

Searching and getting one passage are `annotator.engine.search.search` and
`get_document` (behind `Session.search` and `Session.get`), syncing is
`SearchIndex.sync`: they already return plain records (`annotator.engine.hits`).
"""

from __future__ import annotations

import weakref
from typing import Callable, Iterable

from whoosh import query as wq

from annotator.engine import fastpath
from annotator.engine.analysis import ENGLISH, LanguageText, is_exact_spelling
from annotator.engine.fast.fastscore import Unsupported
from annotator.engine.index import SearchIndex
from annotator.engine.language import STOP_WORDS, stem
from annotator.engine.schema import text_analyzer

__all__ = ["STOP_WORDS", "Snapshot", "in_language", "language_of", "passages", "sample", "similar", "snapshot", "stem", "stored_passages", "word_reader", "words"]


def words(text: str) -> list[str]:
    """The text's terms as the index analyses them (lower-cased, accents folded, stemmed, stop words
    out), in order; in the text's language when it carries one (`in_language`), else English."""
    return word_reader()(text)


def word_reader() -> Callable[[str], list[str]]:
    """`words` with one analyzer kept (and its stemming cache warm) for many texts in a row."""
    analyse = text_analyzer()
    # A word with accents is also indexed as written: counted once here, by its folded stem.
    return lambda text: [token.text for token in analyse(text) if not is_exact_spelling(token.text)]


def in_language(text: str, language: str | None) -> str:
    """The text, analysed by `words` in this language (a passage's, as its source says)."""
    return LanguageText(text, language) if language and language != ENGLISH else text


def language_of(text: str) -> str:
    """The language a text is analysed in (English unless `in_language` said otherwise)."""
    return getattr(text, "language", ENGLISH)


def _stored_text(fields: dict) -> str:
    return in_language(fields.get("text", ""), fields.get("language"))


def terms_query(text: str, field_name: str = "text") -> wq.Query | None:
    """Any of the text's distinct terms, or None when it has none."""
    terms = list(dict.fromkeys(words(text)))
    if not terms:
        return None
    return wq.Or([wq.Term(field_name, w) for w in terms])


class Snapshot:
    """The index as one open searcher sees it, read in plain records.

    The same Snapshot is handed out while the index has not changed (see `snapshot`),
    so a caller may remember what it computed from one, keyed by it (weakly).
    """

    def __init__(self, searcher, scorer=None):
        self.searcher = searcher
        self._scorer = scorer  # the index's NumPy BM25F scorer (annotator.engine.fast.fastscore), or None
        self._docnums: dict[str, int] = {}  # passage id -> document number, of those looked up

    def sample(self, size: int) -> list[tuple[str, str]]:
        """(id, text) of up to about `size` passages spread evenly over the index."""
        reader = self.searcher.reader()
        total = reader.doc_count_all()
        step = max(1, total // size)
        found = []
        for docnum in range(0, total, step):
            if reader.is_deleted(docnum):
                continue
            stored = reader.stored_fields(docnum)
            if stored.get("kind") == "passage":
                found.append((stored.get("id", ""), _stored_text(stored)))
        return found

    def passage(self, passage_id: str) -> tuple[str, int] | None:
        """(text, position in corpus order) of a passage; None when the index has no such passage."""
        docnum = self.searcher.document_number(id=passage_id)
        stored = self.searcher.stored_fields(docnum) if docnum is not None else {}
        if stored.get("kind") != "passage":
            return None
        self._docnums[passage_id] = docnum
        return _stored_text(stored), stored.get("order", 0)

    def neighbours(self, text: str, among: Iterable[str], k: int) -> list[tuple[str, float]]:
        """(id, BM25 score) of the k passages among `among` (ids looked up with `passage`) most like `text`."""
        q = terms_query(text)
        allowed = {self._docnums[pid]: pid for pid in among if pid in self._docnums}
        if q is None or not allowed:
            return []
        return [(allowed[docnum], score) for docnum, score in self._ranked_among(q, allowed, k)]

    def _ranked_among(self, q, allowed: dict, k: int) -> list[tuple[int, float]]:
        """The fast scorer ranks every passage at once; without it, Whoosh's search, filtered to `allowed`."""
        scorer = self._scorer
        if scorer is not None:
            try:
                scorer.check(q)
                ranked = scorer.rank(q, None, 0)
            except Unsupported:  # a query shape the fast scorer does not serve: Whoosh's, by design
                ranked = None
            except Exception as exc:  # a bug in the fast path: loud under the tests, else logged
                fastpath.failed(getattr(scorer, "folder", None), "scorer (suggestions)", exc)
                ranked = None
            if ranked is not None:
                return [(d, s) for d, s in zip(ranked.docnums, ranked.scores) if d in allowed][:k]
        return [(hit.docnum, hit.score) for hit in self.searcher.search(q, filter=set(allowed), limit=k)]


_snapshots: "weakref.WeakKeyDictionary[SearchIndex, Snapshot]" = weakref.WeakKeyDictionary()


def snapshot(index: SearchIndex) -> Snapshot:
    """The index's current state; the same Snapshot until the index changes (a new searcher)."""
    searcher = index.searcher()  # kept open by the index (not closed here)
    current = _snapshots.get(index)
    if current is None or current.searcher is not searcher:
        current = _snapshots[index] = Snapshot(searcher, index.vector_scorer())
    return current


def sample(index: SearchIndex, size: int) -> list[tuple[str, str]]:
    """`Snapshot.sample` on a searcher of its own (for a thread other than the searches')."""
    with index.open().searcher() as searcher:
        return Snapshot(searcher).sample(size)


def similar(index: SearchIndex, passage_id: str, text: str, limit: int) -> list[tuple[str, float]]:
    """(id, BM25 score) of the passages most like `text`, the passage itself left out, best first."""
    with index.open().searcher() as searcher:
        stored = searcher.document(id=passage_id) or {}
        if stored.get("text") == text:  # its words as the index made them: in its source's language
            text = _stored_text(stored)
        q = terms_query(text)
        if q is None:
            return []
        results = searcher.search(q, filter=wq.Term("kind", "passage"), mask=wq.Term("id", passage_id), limit=limit)
        return [(hit["id"], float(hit.score)) for hit in results]


def passages(index: SearchIndex) -> list[tuple[str, str]]:
    """(id, text) of every passage."""
    with index.open().searcher() as searcher:
        return [(fields["id"], _stored_text(fields)) for fields in searcher.documents(kind="passage")]


def stored_passages(index: SearchIndex, ids) -> dict[str, dict]:
    """The index's stored fields of each of these passages that the corpus still has."""
    found = {}
    with index.open().searcher() as searcher:
        for passage_id in ids:
            docnum = searcher.document_number(id=passage_id)
            if docnum is not None:
                fields = searcher.stored_fields(docnum)
                if fields.get("kind") == "passage":
                    found[passage_id] = fields
    return found
