"""Text measured in terminal columns, not characters: a Chinese or Japanese character takes two
columns (so a column of them padded by characters stands out of line), a combining accent none."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

__all__ = ["cell_len", "clip_cells", "fit_left", "fit_right"]


def fit_right(text: str, width: int) -> str:
    """`text` in exactly `width` columns: cut at its end, or padded with spaces after it."""
    return set_cell_size(text, max(width, 0))


def fit_left(text: str, width: int) -> str:
    """The end of `text` in exactly `width` columns: cut at its start, or padded with spaces before it."""
    width = max(width, 0)
    start = 0
    while cell_len(text[start:]) > width:
        start += 1
    kept = text[start:]
    return " " * (width - cell_len(kept)) + kept


def clip_cells(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, an ellipsis marking the cut (not padded)."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(width - 1, 0)).rstrip() + "…"
