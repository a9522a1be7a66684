"""Whose tags are shown: mine, one other annotator's, or everyone's, and where annotators disagree.

Pure data for the TUI (no Textual import): given the tags on a passage, which theme ids
to show, and whether the annotators being compared tagged it differently. A
disagreement, as in `annotator agreement`, is judged only among annotators who tagged
the passage at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from annotator.corpus.model import Tag

MINE, OTHER, ALL = "mine", "other", "all"
DISAGREE_MARK = "≠"


@dataclass(frozen=True)
class TagView:
    mode: str = ALL
    me: str = ""
    other: str | None = None

    def __post_init__(self):
        if self.mode not in (MINE, OTHER, ALL):
            raise ValueError(f"unknown tag view '{self.mode}'")
        if self.mode == OTHER and not self.other:
            raise ValueError("the 'other' view needs an annotator")

    @property
    def label(self) -> str:
        if self.mode == MINE:
            return f"mine ({self.me})"
        if self.mode == OTHER:
            return f"{self.other}'s"
        return "all annotators'"

    def shows(self, annotator: str) -> bool:
        if self.mode == MINE:
            return annotator == self.me
        if self.mode == OTHER:
            return annotator == self.other
        return True

    def themes(self, tags: Iterable[Tag], order: list[str] | None = None) -> list[str]:
        """Theme ids on the passage by the annotators shown, in codebook order when given."""
        found = {t.theme for t in tags if self.shows(t.annotator)}
        if order is None:
            return sorted(found)
        rank = {theme_id: i for i, theme_id in enumerate(order)}
        return sorted(found, key=lambda theme_id: (rank.get(theme_id, len(rank)), theme_id))

    def compared(self) -> set[str] | None:
        """Annotators whose disagreement is marked: me and the other, or everyone (None)."""
        if self.mode == OTHER:
            return {self.me, self.other}
        if self.mode == ALL:
            return None
        return set()

    def disagreement(self, tags: Iterable[Tag]) -> bool:
        compared = self.compared()
        if compared is not None and len(compared) < 2:
            return False
        by_annotator: dict[str, set[str]] = {}
        for tag in tags:
            if compared is None or tag.annotator in compared:
                by_annotator.setdefault(tag.annotator, set()).add(tag.theme)
        sets = list(by_annotator.values())
        return len(sets) >= 2 and any(s != sets[0] for s in sets[1:])


def choices(me: str, annotators: Iterable[str]) -> list[TagView]:
    """The views a user can switch between: mine, all, then each other annotator."""
    others = sorted(a for a in set(annotators) if a != me)
    return [TagView(MINE, me), TagView(ALL, me), *(TagView(OTHER, me, other) for other in others)]


class TagsByPassage:
    """Every annotator's tags grouped by passage, rebuilt only when an annotations file changed."""

    def __init__(self, store):
        self.store = store
        self._key: tuple | None = None
        self._by_passage: dict[str, list[Tag]] = {}

    def get(self, passage_id: str) -> list[Tag]:
        return self.current().get(passage_id, [])

    def current(self) -> dict[str, list[Tag]]:
        """Tags by passage id, as the annotation files are now (asks the store once)."""
        files = self.store.all_annotations()  # the store returns the same objects while files are unchanged
        key = tuple(id(af) for af in files)
        if key != self._key:
            grouped: dict[str, list[Tag]] = {}
            for af in files:
                for tag in af.tags:
                    grouped.setdefault(tag.passage, []).append(tag)
            self._by_passage, self._key = grouped, key
        return self._by_passage


def view_hit(hit, view: TagView, tags: list[Tag], order: list[str]):
    """A copy of a search hit showing only the view's themes, with `disagree` set for the marker."""
    shown = replace(hit, themes=view.themes(tags, order))
    shown.disagree = view.disagreement(tags)
    return shown
