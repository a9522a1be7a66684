"""Which digit tags which theme: one line under a passage, in every screen where digits tag."""

from __future__ import annotations

from rich.text import Text

from annotator.cell_width import cell_len, clip_cells
from annotator.tui.render import DIM, ThemeLook

LEGEND_NAME_CHARS = 16  # terminal columns: eight Chinese or Japanese characters


def digit_legend(look: ThemeLook, width: int = 0) -> Text:
    """`1 Hope  2 Memory  …` with each theme's chip, broken between items (never inside one) to fit
    `width` cells when given; a hint when there is no theme to number."""
    if not look.themes:
        return Text("No themes yet: ctrl+p, 'Codebook: add a theme'", style=DIM)
    out = Text("Keys ", style=DIM)
    line_length = out.cell_len  # columns, not characters: a Chinese name takes two a character
    for number, theme in enumerate(look.themes[:9], start=1):
        item = Text(f" {number}", style="bold") + numbered_chip(look, theme.id)
        if width > 0 and line_length + item.cell_len > width:
            out.append("\n     ")
            line_length = 5
        out.append_text(item)
        line_length += item.cell_len
    return out


def numbered_chip(look: ThemeLook, theme_id: str) -> Text:
    chip = look.chip(theme_id)
    if cell_len(chip.plain) > LEGEND_NAME_CHARS + 2:
        chip = Text(f" {clip_cells(chip.plain.strip(), LEGEND_NAME_CHARS)} ", style=look.span_style(theme_id))
    return chip
