"""Whose tags are shown, and where annotators disagree (the pure part of the TUI's switch)."""

from __future__ import annotations

import pytest

from annotator.corpus.model import Tag
from annotator.tag_view import ALL, MINE, OTHER, TagView, choices

TAGS = [
    Tag("p1", "hope", "me"),
    Tag("p1", "loss", "me"),
    Tag("p1", "hope", "ana"),
    Tag("p1", "memory", "bo"),
]
ORDER = ["memory", "hope", "loss"]


def test_each_view_shows_its_annotators_themes_in_codebook_order():
    assert TagView(MINE, "me").themes(TAGS, ORDER) == ["hope", "loss"]
    assert TagView(OTHER, "me", "ana").themes(TAGS, ORDER) == ["hope"]
    assert TagView(ALL, "me").themes(TAGS, ORDER) == ["memory", "hope", "loss"]


def test_disagreement_marks_only_annotators_compared_who_tagged_the_passage():
    assert TagView(ALL, "me").disagreement(TAGS)
    assert TagView(OTHER, "me", "ana").disagreement(TAGS)  # me: hope+loss, ana: hope
    assert not TagView(MINE, "me").disagreement(TAGS)
    same = [Tag("p2", "hope", "me"), Tag("p2", "hope", "ana")]
    assert not TagView(ALL, "me").disagreement(same)
    alone = [Tag("p3", "hope", "me")]
    assert not TagView(OTHER, "me", "ana").disagreement(alone)  # ana did not tag it: nothing to compare


def test_choices_and_labels():
    views = choices("me", ["ana", "me", "bo"])
    assert [v.label for v in views] == ["mine (me)", "all annotators'", "ana's", "bo's"]
    with pytest.raises(ValueError):
        TagView(OTHER, "me")


def test_a_hit_seen_through_a_view(session):
    from annotator.tag_view import TagsByPassage, view_hit

    session.store.add_tags("bob", "lh-006", ["loss"])  # alice has memory on lh-006
    session.sync()
    tags = TagsByPassage(session.store)
    order = [t.id for t in session.themes()]
    hit = session.get("lh-006")
    assert set(hit.themes) == {"memory", "loss"}
    mine = view_hit(hit, TagView(OTHER, "alice", "bob"), tags.get("lh-006"), order)
    assert mine.themes == ["loss"] and mine.disagree
    alice = view_hit(hit, TagView(MINE, "alice"), tags.get("lh-006"), order)
    assert alice.themes == ["memory"] and not alice.disagree
    assert hit.themes != mine.themes  # the original is untouched
    session.store.add_tags("alice", "lh-006", ["loss"])
    session.store.add_tags("bob", "lh-006", ["memory"])
    assert not view_hit(hit, TagView(ALL, "alice"), tags.get("lh-006"), order).disagree  # rebuilt after the change
