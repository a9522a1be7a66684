"""Rich Text for passages, snippets and theme chips, built from plain strings.

Passage text is user data: it goes into `Text` objects as literal text (never
through console markup) with its control characters made visible, so
`[bold]` in a passage is shown as typed and an ESC byte cannot reach the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.style import Style
from rich.text import Text

from annotator.display import clip, snippet_window
from annotator.corpus.model import Theme
from annotator.textsafe import show_controls, show_line

if TYPE_CHECKING:  # the records the session hands out
    from annotator.session import Hit

SNIPPET_CHARS = 180
SNIPPET_LINES = 3  # a result in the list: its citation line over this many lines of snippet
ROW_LINES = 1 + SNIPPET_LINES
SNIPPET_LEAD = 50
HIGHLIGHT = Style(bold=True, reverse=True)
DIM = Style(dim=True)
# Wrapping measures cells only; no terminal is written to.
_CONSOLE = Console(width=1000, color_system=None, legacy_windows=False)
# Colours for themes whose codebook entry has none, by codebook position.
PALETTE = ["#98c379", "#61afef", "#e5c07b", "#e06c75", "#c678dd", "#56b6c2", "#d19a66", "#be5046", "#7ec699"]


def theme_color(theme: Theme, position: int) -> str:
    return theme.color or PALETTE[position % len(PALETTE)]


def _contrast(hex_color: str) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#ffffff"


class ThemeLook:
    """The codebook as the UI draws it: names, numbers and colours by theme id."""

    def __init__(self, themes: list[Theme]):
        self.themes = themes
        self.by_id = {theme.id: theme for theme in themes}
        self.colors = {theme.id: theme_color(theme, n) for n, theme in enumerate(themes)}
        self.numbers = {theme.id: n + 1 for n, theme in enumerate(themes[:9])}
        self.order = {theme.id: n for n, theme in enumerate(themes)}

    def name(self, theme_id: str) -> str:
        theme = self.by_id.get(theme_id)
        return clip(theme.name if theme else theme_id)

    def chip(self, theme_id: str) -> Text:
        # The colour is a span, not the Text's own style: text appended after a chip (a count, a
        # hint) would take the Text's style, and stand in the theme's colour as if part of the chip.
        return Text.assemble((f" {show_controls(self.name(theme_id))} ", self.span_style(theme_id)))

    def span_style(self, theme_id: str) -> Style:
        """The words a span tag quotes: on the theme's colour, as its chip is."""
        color = self.colors.get(theme_id, "#888888")
        return Style(color=_contrast(color), bgcolor=color)

    def chips(self, theme_ids: list[str]) -> Text:
        ordered = sorted(theme_ids, key=lambda t: self.order.get(t, len(self.order)))
        return Text(" ").join(self.chip(t) for t in ordered)


def literal(text: str, style: Style | str = "") -> Text:
    """User text as a Text: no markup, control characters visible."""
    return Text(show_controls(text), style=style)


def one_line(text: str, style: Style | str = "") -> Text:
    """User text that must stay on one line (an id, a title): every control, tab and newline visible."""
    return Text(show_line(text), style=style)


def highlighted(text: str, matches: list[list[int]], start: int = 0, end: int | None = None) -> Text:
    """text[start:end] with the matched [start, end] spans highlighted, newlines flattened."""
    end = len(text) if end is None else end
    out = Text()
    cursor = start
    for m_start, m_end in sorted(matches):
        m_start, m_end = max(m_start, cursor), min(m_end, end)
        if m_start >= m_end:
            continue
        out.append(show_controls(_flat(text[cursor:m_start])))
        out.append(show_controls(_flat(text[m_start:m_end])), HIGHLIGHT)
        cursor = m_end
    out.append(show_controls(_flat(text[cursor:end])))
    return out


def _flat(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ").replace("\r", " ")


def snippet(hit: Hit, width: int = SNIPPET_CHARS) -> Text:
    """A window of the passage around its first match, cut at spaces, matches highlighted."""
    text = hit.text
    if len(text) <= width:
        return highlighted(text, hit.matches)
    start, end = snippet_window(text, hit.matches, width, SNIPPET_LEAD)
    body = highlighted(text, hit.matches, start, end)
    return Text("…" if start else "") + body + Text("…" if end < len(text) else "")


def citation_line(hit: Hit, source_title: str, look: ThemeLook) -> Text:
    """`ch. 3 · The Lighthouse Keeper  [Hope] [Memory]`"""
    line = literal(_flat(hit.location), Style(bold=True))  # one line: a newline in a location would hide the chips
    source = _flat(source_title or hit.source)
    if source:
        line.append_text(literal((" · " if hit.location else "") + source, DIM))
    if hit.themes:
        line.append("  ")
        line.append_text(look.chips(hit.themes))
    if getattr(hit, "disagree", False):  # set by the tag view: annotators tagged this passage differently
        line.append("  ≠", Style(bold=True, color="red"))
    return line


def result_row(hit: Hit, look: ThemeLook) -> Text:
    """Location, source id and chips over the snippet (titles cost a source file read; the passage view has them)."""
    return Text("\n").join([citation_line(hit, hit.source, look), snippet(hit)])


def with_passage_id(citation: Text, passage_id: str, width: int) -> Text:
    """The citation line cut to leave room for the passage id, dim at the line's end: the id the CLI takes."""
    shown = literal(clip(passage_id, 30), DIM)
    room = width - len(shown) - 2
    if room < 10:  # too narrow for both: the citation comes first
        citation.truncate(width, overflow="ellipsis")
        return citation
    citation.truncate(room, overflow="ellipsis")
    citation.pad_right(width - len(shown) - len(citation))
    return citation + shown


def result_lines(hit: Hit, look: ThemeLook, width: int) -> list[Text]:
    """A result as exactly ROW_LINES lines of `width` cells: the citation, then the snippet wrapped.

    The snippet's window is sized to the lines it has; a line that still does not fit ends in "…".
    """
    citation = with_passage_id(citation_line(hit, hit.source, look), hit.id, width)
    body = snippet(hit, max(20, width * SNIPPET_LINES * 9 // 10))
    lines = list(body.wrap(_CONSOLE, width, overflow="fold"))
    if len(lines) > SNIPPET_LINES:
        last = lines[SNIPPET_LINES - 1]
        last.rstrip()
        last.truncate(width - 1)
        last.append("…")
        lines = lines[:SNIPPET_LINES]
    lines += [Text()] * (SNIPPET_LINES - len(lines))
    return [citation, *lines]
