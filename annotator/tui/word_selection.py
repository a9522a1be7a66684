"""Choosing words in the passage view: a word cursor, a selection, and how they are drawn.

The cursor moves a word at a time (`left`/`right`); `shift` extends the selection from where it
started, `v` makes plain moves extend it, `.` selects the sentence under the cursor (again: the
next one too), and the mouse selects by dragging across words. A selection is whole words (a
sentence ends with its stop), so a span tag never cuts a word in half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from annotator.corpus.model import Span
from annotator.tui.render import HIGHLIGHT, literal

# A word: letters and digits, joined by an apostrophe or a hyphen inside it (open-plan, Ruth's).
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
SENTENCE_END = re.compile(r"[.!?…。！？]+[\"'”’)\]」』]*")  # Chinese and Japanese full stops too
CURSOR = Style(underline=True, bold=True)
SELECTION = Style(color="#ffffff", bgcolor="#3a5f9f", underline=True)  # apart from the search highlight (reverse)


def word_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in WORD.finditer(text)]


@dataclass
class WordSelection:
    """The cursor (a word index) and, while selecting, the word the selection started at."""

    words: list[tuple[int, int]]
    text: str
    cursor: int | None = None  # hidden until the keyboard or the mouse first moves it
    anchor: int | None = None
    selecting: bool = False  # `v`: plain moves extend the selection
    to_stop: bool = False  # a sentence selected: its full stop goes with it

    @classmethod
    def of(cls, text: str) -> "WordSelection":
        return cls(word_spans(text), text)

    def start_at(self, offset: int) -> None:
        """Put the cursor (if hidden) on the word at or after a character offset."""
        if self.cursor is None and self.words:
            self.cursor = next((i for i, (_, end) in enumerate(self.words) if end > offset), len(self.words) - 1)

    def move(self, step: int, extend: bool = False) -> None:
        if not self.words:
            return
        if self.cursor is None:
            self.start_at(0)
            return
        extend = extend or self.selecting
        if extend and self.anchor is None:
            self.anchor = self.cursor
        if not extend:
            self.anchor = None
        self.cursor = max(0, min(len(self.words) - 1, self.cursor + step))
        self.to_stop = False

    def toggle_selecting(self) -> None:
        self.start_at(0)
        self.selecting = not self.selecting
        self.anchor = self.cursor if self.selecting else None

    def select_sentence(self) -> None:
        """The sentence under the cursor; with one selected already, the next sentence joins it."""
        if not self.words:
            return
        self.start_at(0)
        if self.anchor is not None and self.to_stop and self.cursor + 1 < len(self.words):
            first, last = self._sentence_of(self.cursor + 1)
            self.cursor = last
        else:
            first, last = self._sentence_of(self.cursor)
            self.anchor, self.cursor = first, last
        self.to_stop = True

    def _sentence_of(self, index: int) -> tuple[int, int]:
        ends = [m.end() for m in SENTENCE_END.finditer(self.text)]
        start_char = max([e for e in ends if e <= self.words[index][0]], default=0)
        end_char = min([e for e in ends if e >= self.words[index][1]], default=len(self.text))
        inside = [i for i, (s, e) in enumerate(self.words) if s >= start_char and e <= end_char]
        return (inside[0], inside[-1]) if inside else (index, index)

    def click(self, index: int) -> None:
        self.cursor, self.anchor, self.selecting, self.to_stop = index, None, False, False

    def drag_to(self, index: int, start: int) -> None:
        self.anchor, self.cursor, self.to_stop = start, index, False

    def clear(self) -> bool:
        """Drop the selection (the cursor stays); whether there was one."""
        had = self.anchor is not None
        self.anchor, self.selecting, self.to_stop = None, False, False
        return had

    def span(self) -> Span | None:
        """The selected words as a span of the text, or None with no selection."""
        if self.anchor is None or self.cursor is None:
            return None
        low, high = sorted((self.anchor, self.cursor))
        start, end = self.words[low][0], self.words[high][1]
        if self.to_stop:
            stop = SENTENCE_END.match(self.text, end)
            end = stop.end() if stop else end
        return Span(start, end, self.text[start:end])

    def cursor_offset(self) -> int | None:
        return None if self.cursor is None else self.words[self.cursor][0]


def drawn(text: str, selection: WordSelection, matches: list[list[int]],
          tagged: list[tuple[int, int, Style]]) -> Text:
    """The passage with its span tags in their themes' colours, the words that found it highlighted,
    the selection and the cursor."""
    chosen = selection.span()
    cursor = selection.words[selection.cursor] if selection.cursor is not None else None
    cuts = {0, len(text)}
    for start, end in [*((m[0], m[1]) for m in matches), *((s, e) for s, e, _ in tagged),
                       *([(chosen.start, chosen.end)] if chosen else []), *([cursor] if cursor else [])]:
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    bounds = sorted(cuts)
    out = Text()
    for start, end in zip(bounds, bounds[1:]):
        style = Style()
        for span_start, span_end, theme_style in tagged:  # a later (narrower) span is drawn over a wider one
            if span_start <= start and end <= span_end:
                style += theme_style
        if any(m[0] <= start and end <= m[1] for m in matches):
            style += HIGHLIGHT
        if chosen and chosen.start <= start and end <= chosen.end:
            style += SELECTION
        elif cursor and cursor[0] <= start and end <= cursor[1]:
            style += CURSOR
        out.append_text(literal(text[start:end], style))  # each piece made inert alone: offsets stay true
    return out


def text_offset(text: str, line: int, column: int) -> int:
    """The offset in `text` of a place in it as drawn (literal(): line `line` of the text split at
    newlines, character `column` of that line); a control character drawn as `\\x1b` is one."""
    from annotator.textsafe import show_controls

    drawn_offset = sum(len(part) + 1 for part in show_controls(text).split("\n")[:line]) + column
    if show_controls(text) == text:
        return min(drawn_offset, len(text))
    position = 0
    for index, char in enumerate(text):
        position += len(show_controls(char))
        if position > drawn_offset:
            return index
    return len(text)


def word_at(words: list[tuple[int, int]], offset: int) -> int | None:
    """The word at a character offset, or the next one after a space (the last one at the end)."""
    if not words:
        return None
    return next((i for i, (_, end) in enumerate(words) if end > offset), len(words) - 1)
