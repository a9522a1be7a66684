"""Which digit tags which theme: one line under a passage, in every screen where digits tag."""

from __future__ import annotations

from rich.text import Text

from annotator.display import clip
from annotator.tui.render import DIM, ThemeLook

LEGEND_NAME_CHARS = 16


def digit_legend(look: ThemeLook, width: int = 0) -> Text:
    """`1 Hope  2 Memory  …` with each theme's chip, broken between items (never inside one) to fit
    `width` cells when given; a hint when there is no theme to number."""
    if not look.themes:
        return Text("No themes yet: ctrl+p, 'Codebook: add a theme'", style=DIM)
    out = Text("Keys ", style=DIM)
    line_length = len(out)
    for number, theme in enumerate(look.themes[:9], start=1):
        item = Text(f" {number}", style="bold") + numbered_chip(look, theme.id)
        if width > 0 and line_length + len(item) > width:
            out.append("\n     ")
            line_length = 5
        out.append_text(item)
        line_length += len(item)
    return out


def numbered_chip(look: ThemeLook, theme_id: str) -> Text:
    chip = look.chip(theme_id)
    if len(chip.plain) > LEGEND_NAME_CHARS + 2:
        chip = Text(f" {clip(chip.plain.strip(), LEGEND_NAME_CHARS)} ", style=look.span_style(theme_id))
    return chip
