"""Undo and redo: the tag and comment changes made through one Session, in the order made.

The Session records each change it writes (Session.tag, untag, the comment methods) and
undoes or redoes the newest through its own revert and replay, so the same validation,
lock and index update apply. The stacks live as long as the Session: the TUI's whole run,
one command in the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union

from annotator.corpus.comments import CommentChange
from annotator.corpus.model import Span, Tag


@dataclass
class TagChange:
    """One tag added or removed, as undo and redo need it."""

    added: bool
    tag: Tag
    # Set when the change is one span on a tag that stays (added to a tag the passage had, or
    # taken off one that keeps others): undo takes off or puts back just that span.
    span: Span | None = None


Change = Union[TagChange, CommentChange]


def is_comment(change: "Change") -> bool:
    return isinstance(change, CommentChange)


def passage_of(change: "Change") -> str:
    return change.passage if is_comment(change) else change.tag.passage


class History:
    def __init__(self) -> None:
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []

    def record(self, changes: Iterable["Change | None"]) -> None:
        """New changes go on the undo stack; what was undone can no longer be redone."""
        changes = [c for c in changes if c is not None]
        if changes:
            self.undo_stack.extend(changes)
            self.redo_stack.clear()

    def next_undo(self) -> "Change | None":
        return self.undo_stack[-1] if self.undo_stack else None

    def next_redo(self) -> "Change | None":
        return self.redo_stack[-1] if self.redo_stack else None

    def undone(self) -> None:
        """The newest change was reverted: it moves to the redo stack."""
        self.redo_stack.append(self.undo_stack.pop())

    def redone(self) -> None:
        self.undo_stack.append(self.redo_stack.pop())

    def drop_undo(self) -> None:
        """The newest change can no longer be undone (changed since, elsewhere): forgotten."""
        self.undo_stack.pop()

    def drop_redo(self) -> None:
        self.redo_stack.pop()

    def last_tagged(self, passage_id: str) -> str | None:
        """The theme most recently added to the passage in this session, if any."""
        return next((c.tag.theme for c in reversed(self.undo_stack)
                     if not is_comment(c) and c.tag.passage == passage_id and c.added), None)
