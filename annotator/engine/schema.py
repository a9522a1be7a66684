"""What the index holds: its schema, its analyzer, and the document made of a passage or a theme note.

Shared by the index (annotator.engine.index), the full build (index_build, also in worker
processes) and the query budget, none of which need each other for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from whoosh import columns, fields

from annotator.corpus.languages import workspace_language
from annotator.corpus.model import Passage, Source, Theme
from annotator.engine.analysis import ENGLISH, LanguageText, text_analyzer

if TYPE_CHECKING:
    from annotator.corpus.store import Store

INDEX_NAME = "annotator"
NOTE_PREFIX = "note:"
# Corpus order: the n-th passage of the k-th source file sorts as k * SOURCE_STRIDE + n.
SOURCE_STRIDE = 10_000_000
NOTE_ORDER_BASE = 1 << 50


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
