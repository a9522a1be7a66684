"""What the index holds: its schema, its analyzer, and the document made of a passage or a theme note.

Shared by the index (annotator.engine.index), the full build (index_build, also in worker
processes) and the query budget, none of which need each other for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from whoosh import columns, fields

from annotator.corpus.languages import workspace_language
from annotator.corpus.model import NOTE_ID_PREFIX, Passage, Source, Theme
from annotator.engine.analysis import ENGLISH, LanguageText, text_analyzer

if TYPE_CHECKING:
    from annotator.corpus.store import Store

INDEX_NAME = "annotator"
NOTE_PREFIX = NOTE_ID_PREFIX  # a theme note's id in the index: "note:" and its theme's id
# Corpus order, what a listing shows (the empty query, a filter alone): sources by id, as their files
# lie in corpus/passages/ (Store.source_paths), passages in file order, theme notes last in codebook
# order. It follows from the corpus files alone, so an index updated after imports and re-imports lists
# passages as a fresh rebuild does. The n-th passage of the source at position k sorts as
# k * SOURCE_STRIDE + n. A full build spaces the sources' positions SOURCE_GAP apart, so that an update
# places a new source between its neighbours without renumbering them (with no room left: a rebuild).
SOURCE_STRIDE = 10_000_000
SOURCE_GAP = 1 << 20
NOTE_ORDER_BASE = 1 << 62  # (kept exact: the scorer reads the column as 64-bit integers, not floats)
MAX_POSITION = NOTE_ORDER_BASE // SOURCE_STRIDE - 1


class StoredNumberColumn(fields.COLUMN):
    """A whole number kept in a sortable column and stored, but not indexed.

    Corpus order is only ever sorted on; NUMERIC would index sixteen terms a document for range queries.
    """

    stored = True

    def __init__(self):
        super().__init__(columns.NumericColumn("Q"))


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        source=fields.ID(stored=True),
        location=fields.STORED,
        title=fields.STORED,
        themes=fields.KEYWORD(stored=True, lowercase=True, scorable=False),
        tagged=fields.ID,
        order=StoredNumberColumn(),
        text=fields.TEXT(analyzer=text_analyzer(), stored=True),
        # A passage's language when it is not English (annotator.engine.analysis): its text is analysed
        # in it, and the languages a query is analysed in are those the index holds.
        language=fields.ID(stored=True),
    )


def spaced_positions(count: int) -> list[int]:
    """A full build's positions of `count` sources in corpus order: SOURCE_GAP apart, room before the first."""
    gap = max(1, min(SOURCE_GAP, MAX_POSITION // (count + 1)))
    return [(k + 1) * gap for k in range(count)]


def position_between(before: int | None, after: int | None) -> int | None:
    """A new source's position after `before` and before `after` (None: no source on that side);
    None when no whole number is left between them."""
    low = 0 if before is None else before  # (position 0 is kept free: a source can go before the first)
    high = MAX_POSITION + 1 if after is None else after
    if after is None and low + SOURCE_GAP < high:  # the last one: as a full build would space it
        return low + SOURCE_GAP
    middle = (low + high) // 2
    return middle if low < middle < high else None


def passage_doc(passage: Passage, order: int, themes: Iterable[str], language: str = ENGLISH) -> dict:
    theme_list = sorted(set(themes))
    return with_language({
        "id": passage.id,
        "kind": "passage",
        "source": passage.source,
        "location": passage.location,
        "title": "",
        "themes": " ".join(theme_list),
        "tagged": "yes" if theme_list else "no",
        "order": order,
        "text": passage.text,
    }, language)


def note_doc(theme: Theme, position: int, language: str = ENGLISH) -> dict:
    return with_language({
        "id": NOTE_PREFIX + theme.id,
        "kind": "note",
        "source": "",
        "location": theme.name,
        "title": theme.name,
        "themes": theme.id,
        "tagged": "yes",
        "order": NOTE_ORDER_BASE + position,
        "text": theme.description,
    }, language)


def with_language(doc: dict, language: str) -> dict:
    """An English document is as before; another's text is analysed in its language, which it stores."""
    if language and language != ENGLISH:
        doc["text"] = LanguageText(doc["text"], language)
        doc["language"] = language
    return doc


def default_language(store: "Store") -> str:
    """The language of the codebook's notes and of sources that do not say theirs."""
    return workspace_language(store.ws.corpus)


def source_language(source: Source, default: str) -> str:
    return source.language or default
