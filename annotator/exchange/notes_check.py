"""Is a theme-notes file really chapter notes? `import --themes chapter-notes.md` turned each chapter
into a theme (chapter-1 … chapter-13) with no way back; this check runs before anything is written."""

from __future__ import annotations

import re

from annotator.errors import ImportFailure

# "Chapter 3", "Ch. 3", "Part II", "Book 1", "Section 4", "3.", "12" — headings that number.
NUMBERED = re.compile(
    r"^[\s#]*(?:(?:chapter|ch\.?|part|book|section|act|scene|canto|letter)\s*(?:\d+|[ivxlc]+\b|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"|\d+\s*[.):]?\s*$)",
    re.IGNORECASE,
)


def numbered_names(names: list[str]) -> list[str]:
    return [name for name in names if NUMBERED.match(name)]


def refuse_chapter_notes(path, names: list[str]) -> None:
    """Stop when most of the would-be theme names are numbered headings (at least two of them)."""
    numbered = numbered_names(names)
    if len(numbered) >= 2 and 2 * len(numbered) >= len(names):
        shown = ", ".join(f"'{n}'" for n in numbered[:3]) + (" …" if len(numbered) > 3 else "")
        raise ImportFailure(
            f"{path}: {len(numbered)} of its {len(names)} headings number chapters or parts ({shown}), so it looks like "
            "notes on the text, not a codebook; nothing was imported. Import it as passages: annotator import FILE "
            "(without --themes; add --dry-run first to see what that would add, writing nothing)"
        )
