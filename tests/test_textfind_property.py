"""Property tests: a concordance of common words that searches the term table's bytes first
(annotator.engine.fast.textfind) lists what reading every passage lists, over random texts full of
Unicode case traps (long s, Kelvin sign, dotted and dotless i, sharp s, final sigma, titlecase
digraphs, ligatures, full-width letters, combining accents, accented letters a word typed
without them finds) and separators (line breaks, several
spaces, curly apostrophes, dashes, no-break spaces), and phrases drawn from them.

Quick by default; `ANNOTATOR_STRESS=1` runs many more examples."""

from __future__ import annotations

import os
import pickle
import random
from itertools import accumulate
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from annotator.concordance import _WORD, _only_common_words, _phrase_pattern
from annotator.engine.analysis import fold
from annotator.engine.fast import textfind

STRESS = bool(os.environ.get("ANNOTATOR_STRESS"))
QUICK = settings(max_examples=2000 if STRESS else 60, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Words the index leaves out (stop words, single letters of any script): only these are read from
# the texts, so only these reach the bytes search. Each has case mates `re` takes for it.
WORDS = ["to", "be", "or", "not", "the", "a", "is", "it", "of", "in", "as", "at", "s", "k", "i",
         "\u00e9", "\u00c9", "\u00df", "\u1e9e", "\u03c3", "\u03c2", "\u03a3", "\u01c4", "\u01c5", "\u01c6",
         "\u017f", "\u212a", "\u0130", "\u0131", "\uff21", "\uff41", "\ufb01", "\u00b5", "\u03bc", "\u0399",
         "\u0345", "\u03b9", "\u1fbe", "\u00e6", "\u00f8", "\u2126", "\u03c9", "\u03d0", "\u03b2", "\u0432", "\u1c80",
         # accents and ligatures, which a word typed without them finds (NFC, as imported text is)
         "\u00e0", "\u00c0", "\u00e9t\u00e9", "ete", "stra\u00dfe", "strasse", "s\u0153ur", "soeur", "\u0152",
         "\u00fe", "th", "\u00ea", "\u1ebd", "\u0390", "\u03ac", "\u0131s"]
SEPARATORS = [" ", "  ", "\n", " \n ", "-", "--", "\u2019", "'", "\u2014", "\u00a0", ", ", ": ", "\u0301 ",
              "\u3000", "_", "0", ""]


def text_from(pieces: list[tuple[str, int, str]]) -> str:
    """Words (each in one of its case forms) joined by separators."""
    out = []
    for word, form, separator in pieces:
        forms = [word, word.upper(), word.lower(), word.title(), word.casefold()]
        out.append(forms[form % len(forms)] + separator)
    return "".join(out)


piece = st.tuples(st.sampled_from(WORDS), st.integers(0, 4), st.sampled_from(SEPARATORS))
texts = st.lists(st.lists(piece, min_size=1, max_size=12).map(text_from), min_size=1, max_size=8)


class StoredTexts:
    """A term table's stored fields, as the bulk writer pickles them (protocol 2), one document each."""

    def __init__(self, fields: list[dict]):
        pickles = [pickle.dumps(f, 2) for f in fields]
        self.buffer = b"".join(pickles)
        self.starts = [0, *accumulate(map(len, pickles))]

    def stored_bytes(self):
        return self.buffer, 0, self.starts


def phrase_in(draw, all_texts: list[str]) -> list[str]:
    """Words in a row from one of the texts, each perhaps in another of its case forms."""
    words = _WORD.findall(draw(st.sampled_from(all_texts)))
    if not words:
        return [draw(st.sampled_from(WORDS))]
    start = draw(st.integers(0, len(words) - 1))
    taken = words[start:start + draw(st.integers(1, 4))]
    return [draw(st.sampled_from([w, w.upper(), w.lower(), w.swapcase(), fold(w)])) or w for w in taken]


@QUICK
@given(texts, st.data(), st.integers(1, 400))
def test_the_bytes_search_misses_no_document_the_text_pattern_finds(all_texts, data, first_block):
    words = phrase_in(data.draw, all_texts)
    if not all(_WORD.fullmatch(w) for w in words):  # the case forms of a word may split it ("ǅ" stays one)
        words = _WORD.findall(" ".join(words)) or ["a"]
    table = StoredTexts([{"id": f"p-{n}", "kind": "passage", "text": text, "title": ""} for n, text in enumerate(all_texts)])
    holding = {n for n, text in enumerate(all_texts) if _phrase_pattern(words).search(text)}
    with mock.patch.object(textfind, "FIRST_BLOCK", first_block):  # blocks of a few documents: their edges tried
        found = {doc for block in textfind.matching_documents(table, textfind.PhraseBytes(words)) for doc in block}
    assert holding <= found, (words, [all_texts[n] for n in holding - found])


# -- the whole concordance, on a real index -----------------------------------------------------

def random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [text_from([(rng.choice(WORDS), rng.randrange(5), rng.choice(SEPARATORS)) for _ in range(rng.randint(3, 25))])
            for _ in range(count)]


@pytest.fixture(scope="module")
def scanned_session(tmp_path_factory):
    """A workspace of random texts: a bulk-built segment (with its term table), then some passages
    edited and one removed (deletions in it, a small bulk segment), then some retagged (a segment
    of Whoosh's own writer, without a table)."""
    import shutil
    from pathlib import Path

    from annotator.corpus.model import Passage
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace
    from annotator.session import Session

    folder = tmp_path_factory.mktemp("scan") / "ws"
    shutil.copytree(Path(__file__).parent / "fixtures" / "workspace", folder)
    store = Store(Workspace(folder))
    source_file = store.load_source("lighthouse")
    source_file.passages.extend(Passage(f"lh-2{n:02}", text, "ch. 9", "lighthouse") for n, text in enumerate(random_texts(7, 80)))
    store.save_source(source_file)
    session = Session.open(folder)
    session.sync(force=True)
    source_file = session.store.load_source("lighthouse")
    edited = random_texts(8, 10)
    for n, passage in enumerate(source_file.passages[12:22]):
        passage.text = edited[n]
    del source_file.passages[30]
    session.store.save_source(source_file)
    session.sync()
    for passage in source_file.passages[40:45]:  # retagged documents: a segment of Whoosh's writer, no table
        session.tag(passage.id, ["friendship"], annotator="alice")
    session.sync()
    yield session
    session.close()


def every_passage_read(session, term: str, limit: int | None = None):
    from annotator.engine import text_scan

    with mock.patch.object(text_scan, "_documents_to_read",
                           lambda leaf, phrase: ([range(leaf.doc_count_all())], leaf.stored_fields)):
        return session.kwic(term, limit=limit)


@QUICK
@given(st.data())
def test_the_concordance_of_common_words_is_what_reading_every_passage_gives(scanned_session, data):
    from annotator.engine.fast.termtable import reader_table

    leaves = [leaf for leaf, _ in scanned_session.index.searcher().reader().leaf_readers()]
    assert any(textfind.searchable(reader_table(leaf)) for leaf in leaves)
    assert any(leaf.has_deletions() for leaf in leaves) and not all(textfind.searchable(reader_table(leaf)) for leaf in leaves)
    all_texts = [p.text for p in scanned_session.store.load_source("lighthouse").passages]
    words = [w for w in phrase_in(data.draw, all_texts) if _WORD.fullmatch(w)] or ["a"]
    if not _only_common_words(words):
        words = ["the", "a"]
    term = '"' + " ".join(words) + '"'  # quoted: "OR", "NOT" are words here, not operators
    limit = data.draw(st.sampled_from([1, 3, 10]))  # the first passages, and whether there are more
    assert scanned_session.kwic(term, limit=limit) == every_passage_read(scanned_session, term, limit), (term, limit)
    found = scanned_session.kwic(term, limit=None)
    assert found == every_passage_read(scanned_session, term), term
    pattern = _phrase_pattern(words)  # and every occurrence the phrase's pattern finds is a line
    every = {(p.id, m.start()) for source in scanned_session.store.sources() for p in source.passages
             for m in pattern.finditer(p.text)}
    assert {(line.id, line.start) for line in found.lines} == every, term


def test_a_dotted_capital_or_dotless_i_is_an_i_as_the_lines_pattern_takes_it(workspace_dir):
    """`re` ignoring case matches "i" with "İ" and "ı", but casefold() folds "İ" to "i" and a combining
    dot: the quick check before the pattern dropped these passages, and their lines with them."""
    from annotator.corpus.model import Passage
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace
    from annotator.session import Session

    store = Store(Workspace(workspace_dir))
    source_file = store.load_source("lighthouse")
    source_file.passages += [Passage("lh-300", "\u0130T \u0130S the hour.", "ch. 9", "lighthouse"),
                             Passage("lh-301", "\u0131t \u0131s late.", "ch. 9", "lighthouse"),
                             Passage("lh-302", "So it is.", "ch. 9", "lighthouse")]
    store.save_source(source_file)
    session = Session.open(workspace_dir)
    try:
        session.sync(force=True)
        assert [(line.id, line.match) for line in session.kwic("it is", limit=None).lines] == [
            ("lh-300", "\u0130T \u0130S"), ("lh-301", "\u0131t \u0131s"), ("lh-302", "it is")]
        assert [line.id for line in session.kwic('"\u0130t is"', limit=None).lines] == ["lh-300", "lh-301", "lh-302"]
    finally:
        session.close()
