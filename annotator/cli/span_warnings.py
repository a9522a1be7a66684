"""Warnings for span tags a hand edit or an edited source left without a place."""

from __future__ import annotations

import sys

from annotator.textsafe import show_line


def warn_span_problems(session, texts: dict[str, str] | None = None) -> None:
    """One line on stderr for each stored span that cannot be placed (on the passages of `texts`)."""
    for problem in session.span_problems(texts):
        print(f"warning: {show_line(str(problem))}", file=sys.stderr)
