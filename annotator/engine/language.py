"""The index's language, for code that names things in it (theme-note naming): stemming and stop words.

Light on purpose (Whoosh's Porter stemmer and stop-word list, not the index), so an
importer can use it without opening or importing the index.
"""

from __future__ import annotations

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem as _porter_stem

__all__ = ["STOP_WORDS", "stem"]


def stem(word: str) -> str:
    """The word's stem as the index stems it (lower-cased first)."""
    return _porter_stem(word.lower())
