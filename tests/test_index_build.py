"""Full index builds split into parts, built by worker processes and joined into one index."""

from __future__ import annotations

import sys

import pytest

from annotator.engine import index_build
from annotator.errors import CorpusError
from annotator.session import Session
from benchmarks.synthetic import make_workspace

QUERIES = ["hope", "memory friendship", '"the light"', "sto*", "theme:hope", "untagged", ""]


@pytest.fixture
def three_books(tmp_path):
    return make_workspace(tmp_path / "ws", passages=600, seed=5)


def _small_parts(monkeypatch, workers: int) -> None:
    monkeypatch.setattr(index_build, "PARALLEL_MIN", 1)
    monkeypatch.setattr(index_build, "PART_PASSAGES", 250)
    monkeypatch.setattr(index_build, "worker_count", lambda: workers)


def _answers(root) -> list:
    session = Session.open(root)
    try:
        session.sync()
        answers = []
        for query in QUERIES:
            result = session.search(query, limit=None)
            answers.append((query, result.total, [(hit.id, round(hit.score, 4)) for hit in result.hits]))
        segments = len(session.index.searcher().reader().leaf_readers()) if result.total else 0
        return answers + [("segments", segments)]
    finally:
        session.close()


def test_parts_built_by_workers_search_exactly_like_parts_built_here(three_books, monkeypatch):
    _small_parts(monkeypatch, workers=2)
    in_workers = _answers(three_books)
    _small_parts(monkeypatch, workers=1)
    Session.open(three_books).sync(force=True)
    here = _answers(three_books)
    assert in_workers == here
    assert in_workers[-1] == ("segments", 3)
    listing = dict((q, hits) for q, _, hits in in_workers[:-1])[""]
    assert [pid for pid, _ in listing][:3] == ["book-01-00001", "book-01-00002", "book-01-00003"]


def test_when_workers_cannot_start_the_build_happens_here(three_books, monkeypatch):
    _small_parts(monkeypatch, workers=2)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    session = Session.open(three_books)
    report = session.sync()
    assert report.rebuilt
    assert session.search("", limit=None).total == 600 + len(session.themes())  # passages, then theme notes
    session.close()


def _replace_in(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_passage_id_used_in_two_parts_is_one_clear_error(three_books, monkeypatch):
    _small_parts(monkeypatch, workers=2)
    passages = three_books / "corpus" / "passages"
    _replace_in(passages / "book-03.yaml", "id: book-03-00001", "id: book-01-00001")
    with pytest.raises(CorpusError) as caught:
        Session.open(three_books).sync()
    assert "passage id 'book-01-00001' is also used in book-01.yaml" in str(caught.value)
    assert not (three_books / "index").exists()
    assert not list(three_books.glob("index.building*"))


def test_a_malformed_file_read_by_a_worker_names_its_line(three_books, monkeypatch):
    _small_parts(monkeypatch, workers=2)
    _replace_in(three_books / "corpus" / "passages" / "book-02.yaml", "- id: book-02-00003", "- id: [unclosed")
    with pytest.raises(CorpusError) as caught:
        Session.open(three_books).sync()
    message = str(caught.value)
    assert "book-02.yaml:" in message and "\n" not in message


def test_a_part_larger_than_a_segment_is_written_a_segment_at_a_time(three_books, monkeypatch):
    _small_parts(monkeypatch, workers=1)
    expected = _answers(three_books)[:-1]
    monkeypatch.setattr(index_build, "PARALLEL_MIN", 10_000)  # one part...
    monkeypatch.setattr(index_build, "PART_PASSAGES", 100)  # ...of six segments
    Session.open(three_books).sync(force=True)
    answers = _answers(three_books)
    assert answers[:-1] == expected
    assert answers[-1] == ("segments", 6)
