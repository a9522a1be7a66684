"""Blind coding: while it is on, each annotator sees only their own tags and comments.

A tutor turns it on for a workspace (`annotator config blind on`) so that students code
without being swayed by each other, and off again to compare. Who is looking is decided
as for writing (`--as`, the workspace's name setting, $ANNOTATOR_NAME, the login name).
Pure helpers here; `Session` applies them to counts, passages, searches and evidence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable

from annotator.corpus.model import Tag

# Filters typed in a query that, blind, must mean "by me": lifted out and applied to my tags.
_THEME_FILTER = re.compile(r"(?<![\S])theme:(\"[^\"]*\"|\S+)", re.IGNORECASE)
_UNTAGGED = re.compile(r"(?<![\S])untagged(?![\S])", re.IGNORECASE)


def own(items: Iterable, viewer: str) -> list:
    """The tags (or comments) by `viewer` only."""
    return [item for item in items if item.annotator == viewer]


def themes_by_passage(tags: Iterable[Tag]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for tag in tags:
        result.setdefault(tag.passage, set()).add(tag.theme)
    return result


def lift_filters(text: str) -> tuple[str, list[str], bool]:
    """The query without its `theme:ID` and `untagged` words, the theme ids named, and whether
    `untagged` was there."""
    themes = [m.group(1).strip('"') for m in _THEME_FILTER.finditer(text)]
    untagged = bool(_UNTAGGED.search(text))
    rest = _UNTAGGED.sub(" ", _THEME_FILTER.sub(" ", text))
    return " ".join(rest.split()), themes, untagged


def keeps(hit, mine: dict[str, set[str]], themes: list[str], untagged: bool) -> bool:
    """Whether a hit passes the theme / untagged filters judged by my tags alone."""
    if hit.kind != "passage":  # a theme's own note answers a filter on that theme, as when not blind
        return not themes or hit.id in {f"note:{theme}" for theme in themes}
    have = mine.get(hit.id, set())
    if untagged and have:
        return False
    return not themes or bool(have & set(themes))


def seen_by(hit, mine: dict[str, set[str]], order: list[str]):
    """A copy of the hit showing only my themes, in codebook order."""
    if hit.kind != "passage":
        return hit
    rank = {theme_id: i for i, theme_id in enumerate(order)}
    shown = sorted(mine.get(hit.id, ()), key=lambda t: (rank.get(t, len(rank)), t))
    return replace(hit, themes=shown)


def export_note(viewer: str) -> str:
    """What an export made while blind coding is on holds (every format filters the same way)."""
    return (f"blind coding is on: the export holds only {viewer}'s tags and comments; for everyone's, "
            "the tutor turns it off first ('annotator config blind off')")
