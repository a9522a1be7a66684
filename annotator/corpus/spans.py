"""Span tags: finding quoted words in a passage, and placing stored spans in its text now.

A quote is found with whitespace and curly/straight quotation marks forgiven (a student
types "open-plan office" where the book has a line break and ’); what is stored is the
passage's own words and their character offsets. A stored span whose offsets no longer
hold its words (an edited source, a hand edit) is found again by its words; one that
cannot be placed leaves its tag a tag on the whole passage, and is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.corpus.model import Span, Tag

# Curly quotation marks and their kin, read as the straight ones.
_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
                              "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})
MIN_OVERLAP_WORDS = 2  # a quote's first words at a passage's end: it runs on into the next passage


class QuoteNotFound(AnnotatorError):
    """A quote absent from the passage, found more than once, or empty: nothing is written."""

    exit_code = 2


class TaggedWhole(AnnotatorError):
    """Some words tagged with a theme the whole passage has: a span would narrow that tag (and
    untagging the span would then lose it), so nothing is written."""

    exit_code = 2


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` with each run of whitespace one space and curly quotes straight, and for each of
    its characters the offset in `text` it came from."""
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for i, ch in enumerate(text.translate(_QUOTE_MARKS)):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                origin.append(i)
            in_space = True
            continue
        in_space = False
        out.append(ch)
        origin.append(i)
    return "".join(out), origin


def occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    """Every place `quote` occurs in `text` (whitespace and quotation marks forgiven), as
    (start, end) offsets into `text`."""
    wanted, _ = _folded(quote.strip())
    if not wanted:
        return []
    folded, origin = _folded(text)
    found = []
    at = folded.find(wanted)
    while at >= 0:
        if _whole_words(folded, at, at + len(wanted)):
            found.append((origin[at], origin[at + len(wanted) - 1] + 1))
        at = folded.find(wanted, at + 1)
    return found


def _whole_words(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] neither begins nor ends inside a word ("the" is not in "other")."""
    inside_before = start > 0 and text[start - 1].isalnum() and text[start].isalnum()
    inside_after = end < len(text) and text[end].isalnum() and text[end - 1].isalnum()
    return not inside_before and not inside_after


def same_words(a: str, b: str) -> bool:
    """Whether two quotes are the same words (whitespace and quotation marks forgiven)."""
    return _folded(a.strip())[0] == _folded(b.strip())[0]


def span_for_quote(passage_id: str, text: str, quote: str) -> Span:
    """The span of `quote` in the passage; QuoteNotFound (one line) when absent, ambiguous or empty."""
    if not quote.strip():
        raise QuoteNotFound("the quote is empty; give the exact words to tag")
    found = occurrences(text, quote)
    if len(found) > 1:
        raise QuoteNotFound(f"\"{_short(quote)}\" occurs {len(found)} times in {passage_id}; quote more words so that it occurs once")
    if not found:
        raise QuoteNotFound(f"\"{_short(quote)}\" is not in {passage_id}{_why_absent(text, quote)}")
    start, end = found[0]
    return Span(start, end, text[start:end])


def span_for_offsets(passage_id: str, text: str, start: int, end: int) -> Span:
    """The span of text[start:end], its edge whitespace left out (a selection made in the TUI)."""
    if not 0 <= start < end <= len(text):
        raise QuoteNotFound(f"offsets {start}-{end} are outside {passage_id}'s {len(text)} characters")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise QuoteNotFound("the selection holds no words")
    return Span(start, end, text[start:end])


def _why_absent(text: str, quote: str) -> str:
    folded_text, _ = _folded(text)
    words = _folded(quote.strip())[0].split(" ")
    for n in range(len(words) - 1, MIN_OVERLAP_WORDS - 1, -1):
        if folded_text.rstrip().endswith(" ".join(words[:n])):
            return " (it runs on past the end of the passage; a span stays inside one passage)"
    if occurrences(text.casefold(), quote.casefold()):  # whole words: "leave hi" inside "leave him" is no capitals matter
        return " with those capitals (it is there with others; quote it as the passage writes it)"
    nearest = _nearest_words(text, quote)
    if nearest:
        return f"; the nearest words there are \"{_short(nearest, 80)}\""
    return "; the words must appear exactly as in the passage ('annotator show ID' prints it)"


def _nearest_words(text: str, quote: str, cutoff: float = 70.0) -> str:
    """The passage's words most like the quote (a word left out, a comma): from its first word to
    its last, a few words more or less between; else the closest stretch of the same length."""
    from rapidfuzz import fuzz

    words = [(m.start(), m.end(), _bare(m.group())) for m in re.finditer(r"\S+", text)]
    wanted = [_bare(w) for w in quote.split()]
    if not wanted or not words:
        return ""
    best, best_score = "", cutoff
    for i, (start, _, word) in enumerate(words):
        if word != wanted[0]:
            continue
        for j in range(i, min(len(words), i + len(wanted) + 3)):
            if words[j][2] == wanted[-1]:
                candidate = text[start:words[j][1]]
                score = fuzz.ratio(_folded(candidate)[0], _folded(quote.strip())[0])
                if score >= best_score:
                    best, best_score = candidate, score
    if best:
        return " ".join(best.split())
    folded, origin = _folded(text)
    found = fuzz.partial_ratio_alignment(_folded(quote.strip())[0], folded, score_cutoff=cutoff)
    if found is None or found.dest_end <= found.dest_start:
        return ""
    start, end = origin[found.dest_start], origin[found.dest_end - 1] + 1
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():  # whole words, as a span holds
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return " ".join(text[start:end].split())


def _bare(word: str) -> str:
    return re.sub(r"^\W+|\W+$", "", word.translate(_QUOTE_MARKS)).casefold()


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- stored spans against the passage as it is now ------------------------------------------


def place(span: Span, text: str) -> Span | None:
    """The span where its words are in `text` now: at its offsets, else found again by its words
    (once only); None if it cannot be placed."""
    if span.raw is not None or not span.quote.strip():
        return None
    if 0 <= span.start < span.end <= len(text) and text[span.start:span.end] == span.quote:
        return span
    found = occurrences(text, span.quote)
    if len(found) != 1:
        return None
    start, end = found[0]
    return Span(start, end, text[start:end], span.line)


def why_unplaced(span: Span, text: str) -> str:
    if span.problem:
        return span.problem
    if not span.quote.strip() or span.start >= span.end:
        return "a span of no words (zero length)"
    if span.start < 0 or span.end > len(text):
        return f"offsets {span.start}-{span.end} are past the passage's {len(text)} characters"
    if len(occurrences(text, span.quote)) > 1:
        return f"its words \"{_short(span.quote)}\" occur more than once in the passage now"
    return f"its words \"{_short(span.quote)}\" are no longer in the passage"


@dataclass
class SpanProblem:
    """A stored span that cannot be placed: its tag stands for the whole passage meanwhile."""

    path: Path
    line: int | None
    tag: Tag
    reason: str
    span_quote: str = ""
    moved_to: Span | None = None  # placed, but not at its stored offsets: where its words were found

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        if self.moved_to is not None:
            return (f"{where}: span on {self.tag.passage} ({self.tag.theme}): {self.reason}; its words are at "
                    f"{self.moved_to.start}-{self.moved_to.end} and are used there (correct start and end in the file to match)")
        return (f"{where}: span on {self.tag.passage} ({self.tag.theme}) cannot be placed: {self.reason}; "
                f"kept, and the tag counts for the whole passage")


def placed_spans(tag: Tag, text: str) -> list[Span]:
    """The tag's spans placed in the passage's text now, in text order; [] for a whole-passage tag
    (or one whose spans cannot be placed)."""
    spans = [placed for span in tag.spans if (placed := place(span, text)) is not None]
    return sorted(set(spans), key=lambda s: (s.start, s.end))


def stored_at(tag: Tag, span: Span, text: str) -> Span | None:
    """The tag's stored span that stands where `span` does in the text now: at its offsets, or found
    again by its words (a hand edit moved its offsets); None if none does."""
    return next((stored for stored in tag.spans
                 if (placed := place(stored, text)) is not None and (placed.start, placed.end) == (span.start, span.end)), None)


def problems(tag: Tag, text: str, path: Path) -> list[SpanProblem]:
    """The tag's spans that cannot be placed, and those placed elsewhere than their stored offsets
    (found again by their words: a hand edit of the offsets, an edited passage), each to report."""
    found = []
    for span in tag.spans:
        placed = place(span, text)
        if placed is None:
            found.append(SpanProblem(path, span.line, tag, why_unplaced(span, text), _short(span.quote)))
        elif (placed.start, placed.end) != (span.start, span.end):
            found.append(SpanProblem(path, span.line, tag, why_moved(span, text), _short(span.quote), placed))
    return found


def why_moved(span: Span, text: str) -> str:
    if not 0 <= span.start < span.end <= len(text):
        return f"offsets {span.start}-{span.end} are outside the passage's {len(text)} characters"
    return f"offsets {span.start}-{span.end} hold \"{_short(text[span.start:span.end], 40)}\", not its words \"{_short(span.quote, 40)}\""


def span_json(span: Span) -> dict:
    return {"quote": span.quote, "start": span.start, "end": span.end}
