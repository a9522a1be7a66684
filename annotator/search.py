"""Searching the index: the query language, ranking, match offsets, "did you mean".

Plain words are OR-ed with a coordination bonus (more of the words ranks higher),
stemmed, and combined freely with Whoosh's own syntax: "phrases", AND/OR/NOT,
-word, prefix*, word~ (fuzzy), and the filters theme:ID, source:ID, kind:passage|note
and the bare word `untagged`. A query Whoosh cannot parse never fails: it falls
back to its plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import qparser, query as wq
from whoosh.qparser import QueryParser

from annotator.index import SearchIndex, text_analyzer

# Each extra matching word scales the score up: Whoosh's OrGroup coordination bonus.
COORDINATION = 0.9
_QUOTED_OR_WORD = re.compile(r'"[^"]*"?|\S+')
_PLAIN_WORD = re.compile(r"^\w[\w'-]*$", re.UNICODE)
_WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass
class Hit:
    id: str
    kind: str
    text: str
    source: str
    location: str
    themes: list[str]
    score: float
    matches: list[list[int]] = field(default_factory=list)
    title: str = ""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "source": self.source,
            "location": self.location,
            "themes": self.themes,
            "score": round(self.score, 4),
            "matches": self.matches,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None = None

    def to_json(self) -> dict:
        data = {"query": self.query, "total": self.total, "results": [h.to_json() for h in self.hits]}
        if self.suggestion:
            data["suggestion"] = self.suggestion
        return data


def make_parser(schema) -> QueryParser:
    parser = QueryParser("text", schema, group=qparser.OrGroup.factory(COORDINATION))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin({"themes": ["theme"]}))
    parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


def rewrite_query(text: str, *, as_you_type: bool = False) -> str:
    """Turn annotator's query words into Whoosh syntax: `untagged`, and the unfinished last word."""
    tokens = _QUOTED_OR_WORD.findall(text)
    out = []
    for i, token in enumerate(tokens):
        if token.lower() == "untagged":
            out.append("tagged:no")
        elif token.lower().startswith(("theme:", "source:", "kind:")):
            name, _, value = token.partition(":")
            out.append(f"{name.lower()}:{value.lower()}" if name.lower() != "source" else f"source:{value}")
        elif as_you_type and i == len(tokens) - 1 and not text[-1:].isspace() and _PLAIN_WORD.match(token) and len(token) >= 2:
            out.append(f"({token} OR {token}*)")
        else:
            out.append(token)
    return " ".join(out)


def plain_words_query(text: str, schema) -> wq.Query:
    """The fallback for a query Whoosh cannot parse: its words, OR-ed."""
    words = [t.text for t in text_analyzer()(" ".join(_WORDS.findall(text)))]
    if not words:
        return wq.NullQuery
    return wq.Or([wq.Term("text", w) for w in dict.fromkeys(words)])


def parse(text: str, schema, *, as_you_type: bool = False) -> wq.Query:
    rewritten = rewrite_query(text, as_you_type=as_you_type)
    try:
        q = make_parser(schema).parse(rewritten)
    except Exception:
        return plain_words_query(text, schema)
    if q is None or q is wq.NullQuery:
        return plain_words_query(text, schema)
    return q


def positive_text_terms(q: wq.Query, reader) -> set[bytes]:
    """The indexed `text` terms a query matches on, prefixes and fuzzy terms expanded, NOT branches left out."""
    if isinstance(q, wq.Not):
        return set()
    if isinstance(q, wq.AndNot):
        return positive_text_terms(q.a, reader)
    if q.is_leaf():
        if q.field() != "text":
            return set()
        return {text for field_name, text in q.existing_terms(reader, phrases=True, expand=True) if field_name == "text"}
    terms: set[bytes] = set()
    for child in q.children():
        terms |= positive_text_terms(child, reader)
    return terms


def match_offsets(text: str, terms: set[bytes]) -> list[list[int]]:
    """Character [start, end] of every word in `text` whose analysed form is among `terms`."""
    if not terms or not text:
        return []
    wanted = {t.decode("utf-8") if isinstance(t, bytes) else t for t in terms}
    return [
        [token.startchar, token.endchar]
        for token in text_analyzer()(text, chars=True, removestops=True)
        if token.text in wanted
    ]


def has_text_terms(q: wq.Query) -> bool:
    return any(leaf.field() == "text" for leaf in q.leaves() if not isinstance(leaf, (wq.Every, wq.NullQuery.__class__)))


def filter_query(*, themes=(), source: str | None = None, untagged: bool = False, kind: str | None = None) -> wq.Query | None:
    parts: list[wq.Query] = []
    if themes:
        parts.append(wq.Or([wq.Term("themes", t) for t in themes]))
    if source:
        parts.append(wq.Term("source", source))
    if untagged:
        parts.append(wq.Term("tagged", "no"))
    if kind:
        parts.append(wq.Term("kind", kind))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def search(
    index: SearchIndex,
    text: str,
    *,
    themes=(),
    source: str | None = None,
    untagged: bool = False,
    kind: str | None = None,
    limit: int = 20,
    as_you_type: bool = False,
) -> SearchResult:
    ix = index.open()
    q = parse(text, ix.schema, as_you_type=as_you_type) if text.strip() else wq.Every()
    if q is wq.NullQuery:  # nothing but stop words: list, as for an empty query
        q = wq.Every()
    restrict = filter_query(themes=themes, source=source, untagged=untagged, kind=kind)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        scored = has_text_terms(q)
        if not scored:
            # Only filters (or nothing): list in corpus order, passages before notes.
            q = wq.And([q, restrict]) if restrict is not None else q
            results = searcher.search(q, limit=limit, sortedby="order")
        else:
            results = searcher.search(q, limit=limit, filter=restrict)
        terms = positive_text_terms(q, reader) if scored else set()
        hits = [_hit(r, terms) for r in results]
        total = len(results)
        suggestion = None
        if total == 0 and text.strip():
            suggestion = _did_you_mean(searcher, text, q)
    return SearchResult(query=text, total=total, hits=hits, suggestion=suggestion)


def _hit(result, terms: set[bytes]) -> Hit:
    stored = result.fields()
    text = stored.get("text", "")
    return Hit(
        id=stored["id"],
        kind=stored.get("kind", "passage"),
        text=text,
        source=stored.get("source", ""),
        location=stored.get("location", ""),
        themes=(stored.get("themes") or "").split(),
        score=float(result.score or 0.0),
        matches=match_offsets(text, terms),
        title=stored.get("title", ""),
    )


def _did_you_mean(searcher, text: str, q: wq.Query) -> str | None:
    try:
        corrected = searcher.correct_query(q, text)
    except Exception:
        return None
    if corrected.query != q and corrected.string and corrected.string != text:
        return corrected.string
    return None


def get_document(index: SearchIndex, doc_id: str) -> Hit | None:
    ix = index.open()
    with ix.searcher() as searcher:
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
    return Hit(
        id=stored["id"],
        kind=stored.get("kind", "passage"),
        text=stored.get("text", ""),
        source=stored.get("source", ""),
        location=stored.get("location", ""),
        themes=(stored.get("themes") or "").split(),
        score=0.0,
        title=stored.get("title", ""),
    )
