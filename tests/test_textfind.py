"""A concordance of common words searches the term table's stored bytes first: it finds what reading
every passage finds, no more, no less (annotator.engine.fast.textfind)."""

from __future__ import annotations

import pickle
import re

import pytest

from annotator.corpus.model import Passage
from annotator.engine.fast import textfind
from annotator.engine.fast.termtable import reader_table

TRICKY = [
    "To be or not to be, she wrote at the top of the page.",  # at the very start of a text
    "He would not say whether it was TO BE OR NOT.",  # upper case, at the very end
    "tO--bE,\n or\u2014NoT: the question, again.",  # mixed case, punctuation and a line break between
    "Nothing to be had or noted here; to been or not.",  # near misses only
    "It iſ long, the long s of old print.",  # `re` takes the long s for an s
    "Caf\u00e9 to be \u00e9 or not: a letter between two of the words.",
]
PHRASES = ["to be or not", "to be", "it is", "of the", "the", "a", "or not"]


@pytest.fixture
def tricky_session(workspace_dir):
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace
    from annotator.session import Session

    store = Store(Workspace(workspace_dir))
    source_file = store.load_source("lighthouse")
    source_file.passages.extend(Passage(f"lh-1{n:02}", text, "ch. 9", "lighthouse") for n, text in enumerate(TRICKY))
    store.save_source(source_file)
    session = Session.open(workspace_dir)
    session.sync()  # a full build: one segment, with its term table
    yield session
    session.close()


def every_passage_read(session, monkeypatch, term):
    """The concordance as before: no term table searched, every passage's text read."""
    from annotator.engine import text_scan

    with monkeypatch.context() as patched:
        patched.setattr(text_scan, "_documents_to_read", lambda leaf, phrase: ([range(leaf.doc_count_all())], leaf.stored_fields))
        return session.kwic(term, limit=None)


def test_common_words_find_what_reading_every_passage_finds(tricky_session, monkeypatch):
    leaves = [leaf for leaf, _ in tricky_session.index.searcher().reader().leaf_readers()]
    assert any(textfind.searchable(reader_table(leaf)) for leaf in leaves)  # the bytes are searched
    for term in PHRASES:
        found = tricky_session.kwic(term, limit=None)
        assert found == every_passage_read(tricky_session, monkeypatch, term), term
    matches = [(line.id, line.match) for line in tricky_session.kwic("to be or not", limit=None).lines]
    assert matches == [("lh-100", "To be or not"), ("lh-101", "TO BE OR NOT"), ("lh-102", "tO--bE, or\u2014NoT")]
    assert ("lh-104", "It i\u017f") in [(line.id, line.match) for line in tricky_session.kwic("it is", limit=None).lines]


def test_passages_changed_or_removed_since_the_build_are_read_as_they_are_now(tricky_session, monkeypatch):
    source_file = tricky_session.store.load_source("lighthouse")
    by_id = {p.id: p for p in source_file.passages}
    by_id["lh-001"] = Passage("lh-001", "Now it reads: to be or not to be.", "ch. 1", "lighthouse")
    del by_id["lh-100"]
    source_file.passages[:] = list(by_id.values())
    tricky_session.store.save_source(source_file)
    tricky_session.sync()
    found = tricky_session.kwic("to be or not", limit=None)
    assert [line.id for line in found.lines] == ["lh-001", "lh-101", "lh-102"]
    assert found == every_passage_read(tricky_session, monkeypatch, "to be or not")
    assert [line.id for line in tricky_session.kwic("to be or not", limit=1).lines] == ["lh-001"]


def test_the_bytes_pattern_matches_wherever_the_text_pattern_does():
    from annotator.concordance import _phrase_pattern

    texts = TRICKY + ["\u00dcBER alles", "\u00fcber Alles", "O\u212aAY then", "\u0130T IS", "x" * 300 + " to be"]
    for words in (["to", "be"], ["it", "is"], ["\u00fcber"], ["ok"], ["be"]):
        phrase = textfind.PhraseBytes(words)
        for text in texts:
            stored = pickle.dumps({"id": "x", "text": text}, 2).lower()
            if _phrase_pattern(words).search(text):
                assert phrase.pattern_for(stored).search(stored), (words, text)


def test_the_case_tables_hold_for_this_python():
    above = "".join(map(chr, range(0x80, 0x110000)))
    # the non-ASCII characters `re` matches with an ASCII letter or digit, ignoring case
    assert "".join(sorted(re.findall(r"[a-z0-9_]", above, re.IGNORECASE))) == "".join(sorted(textfind.ASCII_FOLDS))
    high = above[textfind.CASED_BELOW - 0x80:]
    assert high.lower() == high == high.upper()  # no character with a case above CASED_BELOW
