"""The index's language, for code that names things in it (theme-note naming): stemming and stop words.

Light on purpose (Whoosh's Porter stemmer and stop-word list, not the index), so an
importer can use it without opening or importing the index.
"""

from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang import has_stopwords, languages, stopwords_for_language
from whoosh.lang.porter import stem as _porter_stem

__all__ = ["STOP_WORDS", "stem", "stop_word_lists"]


def stem(word: str) -> str:
    """The word's stem as the index stems it (lower-cased first)."""
    return _porter_stem(word.lower())


@lru_cache(maxsize=1)
def stop_word_lists() -> dict[str, frozenset[str]]:
    """Whoosh's stop words for each language it has them for, by code; English with its own list too."""
    lists = {code: frozenset(stopwords_for_language(code)) for code in languages if has_stopwords(code)}
    lists["en"] = frozenset(STOP_WORDS) | lists.get("en", frozenset())
    return lists
