"""Reading passages' texts in corpus order, for what the index cannot find: words it leaves out.

The index keeps no postings for common words ("the", "to be"), so a concordance of them reads
the passages themselves. Their texts are stored in the index, in corpus order (document
numbers follow it; a passage changed since the last full build comes last), so they are read
from there, a passage at a time (not the corpus's YAML, slow to parse cold), stopping as soon as
enough hold the words: a common word's first screenful reads a few dozen passages. A phrase of
common words that few passages hold would read the whole corpus: where a segment's term table
keeps its stored texts, its bytes are searched for the words first, and only the passages that
may hold them are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from annotator.engine.index import SearchIndex


@dataclass
class ScannedPassage:
    id: str
    source: str
    location: str
    text: str
    order: int  # the passage's place in corpus order


CHECK_EVERY = 1000  # passages read between two looks at `cancelled`


def passages_holding(index: SearchIndex, holds: Callable[[str], bool], limit: int | None,
                     cancelled: Callable[[], bool] | None = None,
                     phrase: list[str] | None = None) -> tuple[list[ScannedPassage], bool]:
    """The first `limit` passages (every one when None), in corpus order, whose text `holds`; and
    whether every passage was read (False when the limit, or `cancelled()` turning true, stopped
    the reading: the TUI's screen closed before a long reading was done).

    `phrase`: words every text that `holds` has in a row (ignoring case, anything but letters
    between them): only the documents whose stored bytes match them are read, where a segment's
    term table lets them be searched (annotator.engine.fast.textfind); the others are all read."""

    def scan() -> tuple[list[ScannedPassage], bool]:
        found: list[ScannedPassage] = []
        for leaf, _ in index.searcher().reader().leaf_readers():
            batches, stored_fields = _documents_to_read(leaf, phrase)
            deleted = leaf.is_deleted if leaf.has_deletions() else None
            for docnums in batches:
                if cancelled is not None and cancelled():
                    return found, False
                for docnum in docnums:
                    if deleted is not None and deleted(docnum):
                        continue
                    fields = stored_fields(docnum)
                    if fields.get("kind") != "passage" or not holds(fields.get("text", "")):
                        continue
                    if limit is not None and len(found) >= limit:
                        return found, False
                    found.append(ScannedPassage(fields["id"], fields.get("source", ""), fields.get("location", ""),
                                                fields.get("text", ""), fields.get("order", 0)))
        return found, True

    return index.read(scan)


def _documents_to_read(leaf, phrase: list[str] | None) -> tuple[Iterable[Iterable[int]], Callable[[int], dict]]:
    """A segment's documents that may hold the phrase, in order, a batch at a time; and how to read
    one's stored fields (from the term table when it has them: the same, without Whoosh's decompression)."""
    from annotator.engine.fast import textfind
    from annotator.engine.fast.termtable import reader_table

    table = reader_table(leaf) if phrase else None
    if table is not None and textfind.searchable(table):
        return textfind.matching_documents(table, textfind.PhraseBytes(phrase)), table.stored_fields
    count = leaf.doc_count_all()
    return (range(start, min(start + CHECK_EVERY, count)) for start in range(0, count, CHECK_EVERY)), leaf.stored_fields
