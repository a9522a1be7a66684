"""Names as the screens show them: cut to a width that keeps lists and matching quick.

A theme or annotator name can be as long as a hand-edited file makes it; shown whole it
breaks table columns and, in the command palette, makes fuzzy matching take exponential time.
"""

from __future__ import annotations

NAME_CHARS = 40


def clip(text: str, limit: int = NAME_CHARS) -> str:
    """The text cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, noun: str) -> str:
    """`1 passage`, `2 passages`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def snippet_window(text: str, matches, width: int, lead: int) -> tuple[int, int]:
    """[start, end) of a window of about `width` characters of `text`, beginning `lead` characters
    before the first match and cut at spaces; the whole text when it fits."""
    if len(text) <= width:
        return 0, len(text)
    first = min((m[0] for m in matches), default=0)
    start = max(0, min(first - lead, len(text) - width))
    if start:
        space = text.find(" ", start, first if first > start else start + 20)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    return start, end
