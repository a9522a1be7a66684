"""Reading passages' texts in corpus order, for what the index cannot find: words it leaves out.

The index keeps no postings for common words ("the", "to be"), so a concordance of them reads
the passages themselves. Their texts are stored in the index, in corpus order (document
numbers follow it; a passage changed since the last full build comes last), so they are read
from there, a passage at a time (not the corpus's YAML, slow to parse cold), stopping as soon as
enough hold the words: a common word's first screenful reads a few dozen passages; a phrase of
common words that few passages hold reads the whole corpus.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

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
                     cancelled: Callable[[], bool] | None = None) -> tuple[list[ScannedPassage], bool]:
    """The first `limit` passages (every one when None), in corpus order, whose text `holds`; and
    whether every passage was read (False when the limit, or `cancelled()` turning true, stopped
    the reading: the TUI's screen closed before a long reading was done)."""

    def scan() -> tuple[list[ScannedPassage], bool]:
        found: list[ScannedPassage] = []
        reader = index.searcher().reader()
        for count, (_, fields) in enumerate(reader.iter_docs()):
            if cancelled is not None and count % CHECK_EVERY == 0 and cancelled():
                return found, False
            if fields.get("kind") != "passage" or not holds(fields.get("text", "")):
                continue
            if limit is not None and len(found) >= limit:
                return found, False
            found.append(ScannedPassage(fields["id"], fields.get("source", ""), fields.get("location", ""),
                                        fields.get("text", ""), fields.get("order", 0)))
        return found, True

    return index.read(scan)
