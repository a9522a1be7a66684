"""The cold-read fast paths (annotations_fast for annotation files, outline for the grid) must read
exactly what the general reader reads, or decline and leave the file to it.

A differential test, as test_yaml_fast: records written by annotator's own writer, then randomly
hand-edited, read both ways; wherever a fast path answers it equals the general read, and where
the general read refuses a file the fast path declines it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import annotations_fast, yamlio
from annotator.corpus.model import AnnotationFile, Passage, Source, SourceFile, Span, Tag
from annotator.corpus.outline import read_outline
from annotator.corpus.store import Store, annotation_file_from_yaml
from annotator.corpus.workspace import Workspace
from annotator.errors import CorpusError
from annotator.grid import build_grid

PATH = Path("ann.yaml")

WORDS = st.sampled_from(["hope", "no", "yes", "007", "0.8", "1:30", "null", "~", "2026-01-02", "a: b", "x #y", "-1",
                         "it's", '"q"', "#tag", "- item", "<<", "&a", "[x]", "{y}", "|", ">", "é", "—", "a\nb", "line\n",
                         " lead", "trail ", "", "key:", "a,b", "TRUE", "\u2028", "tab\there"])
TEXT = st.lists(WORDS, max_size=4).map(" ".join)
IDS = st.sampled_from(["p-1", "p-2", "nlmg-018", "007", "null", "yes", "a/b", "x.y", "it's", "a: b", "é-1", "_u", "-x"])
TIME = st.sampled_from(["2026-01-02T00:00:00+00:00", "", "2026-01-02", "yesterday", "null"])
SPAN = st.builds(Span, st.integers(0, 10**6), st.integers(0, 10**6), TEXT)
TAG = st.builds(Tag, IDS, IDS, st.just("ann"), TIME, TEXT | st.none(), spans=st.lists(SPAN, max_size=2).map(tuple))


def general(text: str, path: Path = PATH) -> AnnotationFile:
    return annotation_file_from_yaml(yamlio.parse_yaml(text, path), path)


def snapshot(annotations: AnnotationFile) -> tuple:
    """Everything a read gives, the fields equality leaves out (extra, span lines) too."""
    def span(s: Span) -> tuple:
        return (s.start, s.end, s.quote, type(s.quote), s.line, s.raw, s.problem)

    tags = [(t.passage, t.theme, t.annotator, t.at, t.comment, dict(t.extra), tuple(map(span, t.spans)))
            for t in annotations.tags]
    return annotations.annotator, tags, annotations.memos, dict(annotations.extra)


def assert_agrees(text: str) -> bool:
    """True if the fast path answered (and agreed)."""
    fast = annotations_fast.read(text, PATH)
    try:
        expected = general(text)
    except CorpusError:
        assert fast is None or fast.annotator != "ann", text  # the store then reads it the general way
        return False
    if fast is not None:
        assert snapshot(fast) == snapshot(expected), text
    return fast is not None


def written(tags: list[Tag]) -> str:
    return yamlio.dump_yaml(AnnotationFile("ann", tags).to_yaml())


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(TAG, max_size=6))
def test_written_annotation_files_read_the_same(tags):
    try:
        text = written(tags)
    except Exception:  # noqa: BLE001 - text the writer refuses is not a case here
        return
    assert_agrees(text)


EDITS = st.sampled_from(["# comment", "", "   ", "- passage: p-9", "  theme: hope", "  at: '2026'", "  comment: a: b",
                         "  comment: 'it''s'", "  comment: |", "    block", "  spans:", "  - quote: x", "    start: 1",
                         "    end: -2", "    end: 2.5", "memos: []", "extra: 1", "tags: []", "annotator: other", "k: &a 1",
                         "  confidence: 0.8", "  passage: dup", "\tx: 1", "  theme: null", "  theme: ~",
                         "  comment: null", "  comment: <<", "  at: -", "  at: -x", "  at: +1", "    - quote: null"])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(TAG, min_size=1, max_size=4), st.lists(st.tuples(st.integers(0, 30), EDITS, st.integers(0, 4)), max_size=3))
def test_hand_edited_annotation_files_read_the_same_or_are_declined(tags, edits):
    try:
        lines = written(tags).split("\n")
    except Exception:  # noqa: BLE001
        return
    for position, line, indent in edits:
        lines.insert(position % (len(lines) + 1), " " * indent + line)
    assert_agrees("\n".join(lines))


def test_the_usual_shapes_take_the_fast_path():
    plain = [Tag("p-1", "hope", "ann", "2026-01-02T00:00:00+00:00", "a comment, plain"),
             Tag("p-2", "loss", "ann", "2026-01-02T00:00:00+00:00", "it's: quoted"),
             Tag("p-3", "hope", "ann", "2026-01-02T00:00:00+00:00", spans=(Span(4, 15, "supply boat"), Span(0, 3, "The")))]
    assert assert_agrees(written(plain))
    indented = ("annotator: ann\ntags:\n  - passage: p-1\n    theme: hope\n    at: '2026-01-02T00:00:00+00:00'\n"
                "  - passage: p-2\n    theme: loss\n    at: '2026-01-02T00:00:00+00:00'\n")  # as benchmarks write them
    assert assert_agrees(indented)
    fast = annotations_fast.read(written(plain), PATH)
    assert [(s.quote, s.line) for s in fast.tags[2].spans] == [("supply boat", 15), ("The", 18)]


@pytest.mark.parametrize("last_lines", ["  at: ''\n  comment: null\n", "  at: -\n", "  at: ''\n  comment: <<\n",
                                        "  at: ''\n  spans:\n  - quote: NULL\n    start: 1\n    end: 2\n"])
def test_values_the_general_reader_reads_otherwise_are_left_to_it(last_lines):
    text = "annotator: ann\ntags:\n- passage: p-1\n  theme: hope\n" + last_lines
    assert not assert_agrees(text)


def test_a_store_reads_a_file_the_fast_path_declines_the_general_way(workspace_dir):
    ws = Workspace(workspace_dir)
    ws.annotation_file("ann").write_text("annotator: ann\ntags:\n# a note\n- passage: lh-001\n  theme: hope\n  at: ''\n")
    assert [(t.passage, t.theme) for t in Store(ws).annotations("ann").tags] == [("lh-001", "hope")]
    ws.annotation_file("bob").write_text("annotator: ann\ntags:\n- passage: lh-001\n  theme: hope\n  at: ''\n")
    with pytest.raises(CorpusError, match="does not match the file name"):
        Store(ws).annotations("bob")


# -- outlines: what the grid reads of a passages file ---------------------------------------------

PASSAGE = st.builds(Passage, IDS, TEXT.filter(bool), st.sampled_from(["", "ch. 1", "ch. 2", "1:30", "'x'", "no"]))


def outline_of_whole(text: str):
    whole = SourceFile.from_yaml(yamlio.parse_yaml(text, Path("b.yaml")), Path("b.yaml"))
    return whole.source, [p.id for p in whole.passages], [p.location for p in whole.passages]


def assert_outline_agrees(text: str) -> bool:
    fast = read_outline(text)
    try:
        expected = outline_of_whole(text)
    except CorpusError:
        assert fast is None, text
        return False
    if fast is not None:
        assert (fast.source, fast.ids, fast.locations) == expected, text
    return fast is not None


def written_source(passages: list[Passage]) -> str:
    return yamlio.dump_yaml(SourceFile(Source("b", "A Book", "Someone", "b.txt", "2026-01-01T00:00:00+00:00"),
                                       passages).to_yaml())


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(PASSAGE, min_size=1, max_size=6, unique_by=lambda p: p.id))
def test_written_passages_files_outline_the_same(passages):
    try:
        text = written_source(passages)
    except Exception:  # noqa: BLE001
        return
    assert_outline_agrees(text)


SOURCE_EDITS = st.sampled_from(["# comment", "", "   ", "- id: p-9", "  location: ch. 3", "  text: a: b", "  text: |",
                                "    block", "     deeper", "  text: [x", "  text: 'open", "  text: null", "  text:",
                                "  note: 1", "extra: 1", "passages: []", "  language: xx", "  id: other", "\tx: 1", "- id: p-1"])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(PASSAGE, min_size=1, max_size=4, unique_by=lambda p: p.id),
       st.lists(st.tuples(st.integers(0, 30), SOURCE_EDITS, st.integers(0, 4)), max_size=3))
def test_hand_edited_passages_files_outline_the_same_or_are_declined(passages, edits):
    try:
        lines = written_source(passages).split("\n")
    except Exception:  # noqa: BLE001
        return
    for position, line, indent in edits:
        lines.insert(position % (len(lines) + 1), " " * indent + line)
    assert_outline_agrees("\n".join(lines))


def test_the_usual_passages_files_are_outlined():
    passages = [Passage("p-1", "Plain prose, one line.", "ch. 1"), Passage("p-2", "He said: come. #1", "ch. 1"),
                Passage("p-3", "Two\nparagraphs.\n", "ch. 2"), Passage("p-4", "No location.")]
    assert assert_outline_agrees(written_source(passages))


def test_the_grid_of_a_broken_passages_file_says_what_the_whole_read_says(workspace_dir):
    ws = Workspace(workspace_dir)
    [path] = Store(ws).source_paths()[:1]
    path.write_text(path.read_text().replace("text:", "text: [", 1))
    with pytest.raises(CorpusError) as whole:
        Store(ws).sources()
    with pytest.raises(CorpusError) as grid:
        build_grid(Store(ws))
    assert str(grid.value) == str(whole.value)


def test_the_grid_reads_the_same_from_outlines_and_from_passages_read_whole(workspace_dir):
    ws = Workspace(workspace_dir)
    from_outlines = build_grid(Store(ws))
    store = Store(ws)
    store.sources()
    from_whole = build_grid(store)
    assert [(r.source, r.location, r.passages, r.tagged) for r in from_outlines.rows] == \
           [(r.source, r.location, r.passages, r.tagged) for r in from_whole.rows]
    assert any(r.tagged for r in from_outlines.rows)
