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
