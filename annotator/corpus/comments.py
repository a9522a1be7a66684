"""Changing comments: add, replace or delete a comment on a passage or on one's own tag, undoably.

A comment on a tag lives on the tag; a comment on the passage as a whole is a memo (an annotator may
have several on one passage). Each edit returns a CommentChange holding the comments before and after,
so the TUI's undo and redo put back exactly what was there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.errors import AnnotatorError, ChangedSince, NotFound
from annotator.corpus.model import AnnotationFile, Memo, now_iso
from annotator.corpus.store import Store


@dataclass
class CommentChange:
    """One annotator's comments on one passage (theme None) or on one of their tags, before and after."""

    annotator: str
    passage: str
    theme: str | None
    before: list[Memo] | str | None = None  # memos for the passage, the comment text for a tag
    after: list[Memo] | str | None = None
    what: str = field(default="saved")  # saved, replaced or deleted: for the message

    @property
    def on_passage(self) -> bool:
        return self.theme is None


def memos_of(annotations: AnnotationFile, passage_id: str) -> list[Memo]:
    return [m for m in annotations.memos if m.passage == passage_id]


def add_passage_comment(store: Store, annotator: str, passage_id: str, text: str) -> CommentChange:
    before = memos_of(store.annotations(annotator), passage_id)
    return _set_memos(store, annotator, passage_id, [*before, Memo(passage_id, text, annotator, now_iso())], "saved")


def replace_passage_comment(store: Store, annotator: str, passage_id: str, text: str) -> CommentChange:
    """The annotator's comments on the passage become this one (an empty text deletes them)."""
    if not text:
        return delete_passage_comment(store, annotator, passage_id)
    return _set_memos(store, annotator, passage_id, [Memo(passage_id, text, annotator, now_iso())], "replaced")


def delete_passage_comment(store: Store, annotator: str, passage_id: str) -> CommentChange:
    if not memos_of(store.annotations(annotator), passage_id):
        raise NotFound(f"{annotator} has no comment on {passage_id} to delete")
    return _set_memos(store, annotator, passage_id, [], "deleted")


def set_tag_comment(store: Store, annotator: str, passage_id: str, theme_id: str, text: str | None) -> CommentChange:
    """Replace (or, with no text, delete) the comment on the annotator's tag."""
    tag = store.annotations(annotator).find(passage_id, theme_id)
    if tag is None:
        raise NotFound(
            f"{annotator} has not tagged {passage_id} with '{theme_id}'; "
            f"tag it with: annotator tag {passage_id} {theme_id} --comment TEXT"
        )
    if not text and not tag.comment:
        raise NotFound(f"{annotator}'s tag '{theme_id}' on {passage_id} has no comment to delete")
    change = CommentChange(annotator, passage_id, theme_id, tag.comment, text or None,
                           "deleted" if not text else ("replaced" if tag.comment else "saved"))
    _apply(store, change, change.after)
    return change


def revert(store: Store, change: CommentChange) -> None:
    """Undo: the comments as they were before the change, if they are still as it left them."""
    _apply(store, change, change.before, expect=change.after, verb="undone")


def replay(store: Store, change: CommentChange) -> None:
    """Redo: the comments as the change left them, if they are still as they were before it."""
    _apply(store, change, change.after, expect=change.before, verb="redone")


def _set_memos(store: Store, annotator: str, passage_id: str, memos: list[Memo], what: str) -> CommentChange:
    before = memos_of(store.annotations(annotator), passage_id)
    change = CommentChange(annotator, passage_id, None, before, memos, what)
    _apply(store, change, memos)
    return change


_ANY = object()  # no expectation: a new edit, not an undo or redo


def _apply(store: Store, change: CommentChange, state, expect=_ANY, verb: str = "") -> None:
    def edit(annotations: AnnotationFile) -> bool:
        if change.on_passage:
            if expect is not _ANY and memos_of(annotations, change.passage) != list(expect or []):
                raise _changed_since(change, verb)
            return _replace_memos(annotations, change.passage, list(state or []))
        tag = annotations.find(change.passage, change.theme)
        if tag is None:
            gone = ChangedSince if expect is not _ANY else AnnotatorError
            raise gone(f"the tag '{change.theme}' on {change.passage} is gone; its comment cannot change")
        if expect is not _ANY and tag.comment != expect:
            raise _changed_since(change, verb)
        if tag.comment == state:
            return False
        tag.comment = state
        return True

    # The store's read-modify-write under the workspace lock, the one every tag goes through.
    store._edit_annotations(change.annotator, edit)


def _changed_since(change: CommentChange, verb: str) -> ChangedSince:
    where = "the passage" if change.on_passage else f"the '{change.theme}' tag"
    return ChangedSince(f"not {verb}: {change.annotator}'s comment on {where} {change.passage} was changed since, "
                        "elsewhere; nothing changed")


def _replace_memos(annotations: AnnotationFile, passage_id: str, memos: list[Memo]) -> bool:
    """The passage's memos replaced where the first of them stood (new ones at the end otherwise)."""
    positions = [i for i, m in enumerate(annotations.memos) if m.passage == passage_id]
    if [annotations.memos[i] for i in positions] == memos:
        return False
    at = positions[0] if positions else len(annotations.memos)
    kept = [m for m in annotations.memos if m.passage != passage_id]
    before_at = sum(1 for i in range(at) if annotations.memos[i].passage != passage_id)
    annotations.memos = kept[:before_at] + memos + kept[before_at:]
    return True
