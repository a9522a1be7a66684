"""The search oracle: after any edits a user makes, search answers as Whoosh's own search does.

A hypothesis state machine builds a small workspace (several sources, bulk-built and
Whoosh-written segments mixed), changes it through the product's own core functions
(import and re-import, tag, untag, comment, theme rename / merge / delete, reindex, sync)
and after each step runs random queries from the whole query language. The product's
answer must equal

(a) Whoosh's own search with every fast path off (SearchIndex(fast_paths=False)) over the
    same index: ids, order, total, scores (1e-6), match offsets, stored fields, did-you-mean;
(b) the product's answer after a fresh rebuild of the same corpus: the same passages,
    totals and match offsets; and, while the index holds no deleted documents, the same
    scores, order, did-you-mean and notices, however many segments it has. With deleted
    documents rankings may differ: Whoosh's BM25F statistics (idf, average length) count
    them until their segment is merged away; so do the document frequencies by which a
    prefix, wildcard or fuzzy term cut by the query budget keeps its most frequent words,
    so such a query may then find other passages.

The comparison never analyses text itself: it only compares two answers, so it holds
whatever the analyzer does. A short profile runs in the suite; ANNOTATOR_STRESS=1 runs
a long one (ORACLE_EXAMPLES=N sets how many workspaces). To study a failure:
ORACLE_NO_SHRINK=1 reports it at once, and ORACLE_KEEP=DIR keeps its workspace, index and
pending tags there.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from annotator.corpus import codebook
from annotator.engine import query_budget, search as search_mod
from annotator.corpus.codebook import expand_typed_themes
from annotator.errors import AnnotatorError
from annotator.exchange import importers
from annotator.exchange.importers import import_source
from annotator.engine.index import SearchIndex
from annotator.session import Session
from annotator.corpus.workspace import init_workspace
from oracle_checks import check_cli_search, check_csv_export, check_kwic_word, check_theme_filters

STRESS = bool(os.environ.get("ANNOTATOR_STRESS"))
# The suite's profile takes 15-40 s (by load); the long one (ANNOTATOR_STRESS=1) some 40 minutes.
EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", 2000 if STRESS else 40))
STEPS = 14 if STRESS else 8
ANNOTATOR = "tester"

# Words as a writer types them: stems that meet, stop words, hyphens, apostrophes (straight and
# curly), curly quotes, accents, numbers, punctuation stuck to words.
WORDS = [
    "field", "fields", "muddy", "mud", "hope", "hoped", "hopeful", "hoping", "open-plan", "office",
    "offices", "second-hand", "arm-tap", "don't", "Kathy's", "Ruth’s", "’tis", "“muddy", "field”",
    "café", "naïve", "Zürich", "façade", "the", "a", "of", "and", "to", "not", "or", "is", "it", "be",
    "deferral", "deferrals", "deferred", "river", "rivers", "riverbank", "light", "lighthouse",
    "lamp", "o'clock", "e.g.", "3.5", "1984", "field.", "field,", "(hope)", "—", "well-being",
    "Norfolk", "norfolk", "tape", "tapes", "lost", "lonely", "loneliness", "sea", "boat", "boats",
    "sketching", "sketch", "x", "ab", "abc", "abcd",
    # Accents that fold (typed with and without them), German compounds, Chinese and Japanese runs.
    "espérance", "esperance", "Élise", "Elise", "été", "ete", "et", "sœur", "soeur", "Straße",
    "strasse", "Noël", "société", "Schuld", "Schuldgefühl", "Träume", "Traum", "Tochter",
    "逃犯", "逃犯が逃げた。", "ピップは孤児で", "時計", "皮普", "婚纱", "한국어",
    # Spanish (accents that fold, ñ), more Chinese and Japanese (kana and kanji mixed, CJK punctuation).
    "niño", "nino", "corazón", "corazon", "esperanza", "años", "anos", "río", "rio", "él", "señora",
    "我们的希望", "希望", "東京タワー", "ひらがな", "カタカナ", "孤児", "「時計」",
]
# Each source is analysed in its language: English, French (its stop words, Snowball stemmer), German
# (compounds: a word is also looked for inside others), Spanish, Chinese and Japanese (by character).
LANGUAGES = {"alpha": "en", "beta": "fr", "gamma": "de"}
SOURCE_LANGUAGES = ["en", "fr", "de", "es", "zh", "ja"]
# Words a concordance finds by reading the passages (the index leaves them out).
COMMON_WORDS = ["the", "a", "of", "and", "to", "not", "or", "is", "it", "be", "et", "la", "der", "die"]
THEMES = ["hope", "memory", "loss", "memory-lost"]
CUT = "matched too many words"  # the query budget's notice of a capped term (query_budget.Budget.notices)  # memory-lost is a sub-theme of memory


def text_strategy(min_words=1, max_words=14):
    return st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=max_words).map(" ".join)


SOURCE_TEXTS = st.lists(text_strategy(), min_size=1, max_size=6)


def _bare(word: str) -> str:
    return word.strip("“”\"(),.—") or "x"


def atom(data, passages_words: list[str]) -> str:
    pool = WORDS + passages_words
    kind = data.draw(st.sampled_from([
        "word", "word", "surface", "phrase", "phrase_from_text", "prefix", "typed", "fuzzy", "minus",
        "theme", "source", "kind", "untagged", "malformed", "hyphen_phrase", "not_not",
    ]))
    word = _bare(data.draw(st.sampled_from(pool)))
    if kind in ("word", "surface"):
        return word if kind == "surface" else word.lower()
    if kind == "phrase":
        words = data.draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
        return '"' + " ".join(_bare(w) for w in words) + '"'
    if kind == "phrase_from_text" and passages_words:
        start = data.draw(st.integers(0, len(passages_words) - 1))
        size = data.draw(st.integers(2, 4))
        return '"' + " ".join(passages_words[start:start + size]).replace('"', "") + '"'
    if kind == "prefix":
        return word[:data.draw(st.integers(1, 4))] + "*"
    if kind == "typed":  # as typed, up to the whole word: `open-pl`, `second-h`
        return word[:data.draw(st.integers(1, max(1, len(word))))]
    if kind == "fuzzy":  # ~3 and ~5 are capped at distance 2 (query_budget)
        return word + data.draw(st.sampled_from(["~", "~1", "~2", "~3", "~5"]))
    if kind == "hyphen_phrase":  # `"open-plan office"`, `"a second-hand boat"`
        hyphened = data.draw(st.sampled_from([w for w in WORDS if "-" in w.strip("-")]))
        other = _bare(data.draw(st.sampled_from(pool)))
        return '"' + " ".join(data.draw(st.permutations([hyphened, other]))) + '"'
    if kind == "not_not":  # `NOT a NOT b` means neither
        return f"NOT {word} NOT {_bare(data.draw(st.sampled_from(pool)))}"
    if kind == "minus":
        return "-" + word
    if kind == "theme":
        return "theme:" + data.draw(st.sampled_from(THEMES + ["nosuch"]))
    if kind == "source":
        return "source:" + data.draw(st.sampled_from(["alpha", "beta", "gamma", "nosuch"]))
    if kind == "kind":
        return "kind:" + data.draw(st.sampled_from(["passage", "note"]))
    if kind == "untagged":
        return "untagged"
    return data.draw(st.sampled_from(['"unclosed', "(", ")", "AND", "OR hope", "NOT", "*", "~", '""', "hope AND", "(hope OR"]))


def plain_words(data, passages_words: list[str]) -> str:
    """Two to five plain words (the strict tiers), the last one often cut short as typed."""
    pool = WORDS + passages_words
    words = [_bare(w) for w in data.draw(st.lists(st.sampled_from(pool), min_size=2, max_size=5))]
    if data.draw(st.booleans()):
        words[-1] = words[-1][:data.draw(st.integers(1, max(1, len(words[-1]))))]
    return " ".join(words)


def many_prefixes(data) -> str:
    """Pasted text past the budget: more clauses than MAX_CLAUSES, short prefixes, wide fuzzy terms."""
    letters = "abcdefghilmnoprstuw"
    count = data.draw(st.sampled_from([5, 40, 300]))
    picked = random.Random(data.draw(st.integers(0, 2**32 - 1)))  # one draw, not 600: hypothesis's own cost
    terms = [picked.choice(letters) + picked.choice(letters) + "*" for _ in range(count)]
    if data.draw(st.booleans()):
        terms.append(data.draw(st.sampled_from(["river~3", "lonely~2", "field~5", "hope~4"])))
    return " ".join(terms)


def query(data, passages_words: list[str], depth: int = 0) -> str:
    shape = data.draw(st.integers(0, 13))
    if shape == 0:
        return data.draw(st.sampled_from(["", " ", "   "]))
    if shape in (1, 2) and depth == 0:
        return plain_words(data, passages_words)
    if shape == 3 and depth == 0:
        return many_prefixes(data)
    parts = [atom(data, passages_words) for _ in range(data.draw(st.integers(1, 3)))]
    if depth == 0 and data.draw(st.booleans()):
        parts.append("(" + query(data, passages_words, depth + 1) + ")")
    joins = [data.draw(st.sampled_from([" ", " ", " AND ", " OR ", " NOT "])) for _ in parts[1:]]
    out = parts[0]
    for join, part in zip(joins, parts[1:]):
        out += join + part
    return out


def product_search(session: Session, index: SearchIndex, text: str, as_you_type: bool, **options):
    """What Session.search does (parent themes expanded), on the index given, without its retries."""
    options["themes"] = [tid for t in options.get("themes", ()) for tid in session.theme_and_subthemes(t)]
    options.setdefault("limit", None)
    if "theme" in text.lower():
        text = expand_typed_themes(text, session.themes())
    return search_mod.search(index, text, as_you_type=as_you_type, **options)


def search_options(data, theme_ids: list[str]) -> dict:
    """What the shells add to a query: the TUI's kind filter and page, the CLI's --theme / --source
    / --limit, the meaning search's word half (passages, a page of candidates)."""
    options = {}
    if data.draw(st.booleans()):
        options["kind"] = data.draw(st.sampled_from(["passage", "note"]))
    if data.draw(st.booleans()):
        options["limit"] = data.draw(st.sampled_from([1, 2, 3, 5, 20]))
    if theme_ids and not data.draw(st.integers(0, 4)):
        options["themes"] = [data.draw(st.sampled_from(theme_ids))]
    if not data.draw(st.integers(0, 4)):
        options["source"] = data.draw(st.sampled_from(["alpha", "beta", "gamma", "nosuch"]))
    return options


def score_buckets(hits) -> dict[str, int]:
    """Each hit's group of equal scores (within 1e-9): within a group, any order is the same ranking."""
    buckets, current, first = {}, -1, None
    for hit in hits:
        if first is None or abs(hit.score - first) > 1e-9 * max(1.0, abs(first)):
            current, first = current + 1, hit.score
        buckets[hit.id] = current
    return buckets


def assert_same_answer(got, expected, text: str, *, ranking: bool = True) -> None:
    where = f"query {text!r}"
    assert got.total == expected.total, where
    assert len(got.hits) == len(expected.hits), where
    assert sorted(h.id for h in got.hits) == sorted(h.id for h in expected.hits), where
    by_id = {h.id: h for h in expected.hits}
    for hit in got.hits:
        other = by_id[hit.id]
        assert hit.matches == other.matches, f"{where}: matches of {hit.id}"
        assert hit.themes == other.themes, f"{where}: themes of {hit.id}"
        assert hit.text == other.text, f"{where}: text of {hit.id}"
        shown = (hit.kind, hit.source, hit.location, hit.title)  # read from the term tables' stored fields
        assert shown == (other.kind, other.source, other.location, other.title), f"{where}: fields of {hit.id}"
    if ranking:
        assert [h.score for h in got.hits] == pytest.approx([by_id[h.id].score for h in got.hits], rel=1e-6, abs=1e-9), where
        buckets = score_buckets(expected.hits)
        order = [buckets[h.id] for h in got.hits]
        assert order == sorted(order), f"{where}: order {[h.id for h in got.hits]} vs {[h.id for h in expected.hits]}"
        assert got.suggestion == expected.suggestion, where
        assert list(got.notices) == list(expected.notices), where
    # A listing: corpus order, exactly, whatever the index's history (deleted documents change no order).
    if got.hits and all(h.score == 0.0 for h in got.hits) and all(h.score == 0.0 for h in expected.hits):
        assert [h.id for h in got.hits] == [h.id for h in expected.hits], f"{where}: listing order"


def assert_same_page(got, full, text: str, limit: int) -> None:
    """`got`, a page of `limit` hits, is the top of `full` (the whole answer): the same total, hits
    and scores, and, where scores tie at the page's end, any of the tied hits."""
    where = f"query {text!r} (limit {limit})"
    assert got.total == full.total, where
    assert len(got.hits) == min(limit, len(full.hits)), where
    by_id = {h.id: h for h in full.hits}
    assert all(h.id in by_id for h in got.hits), f"{where}: {[h.id for h in got.hits]} not in {list(by_id)}"
    if all(h.score == 0.0 for h in full.hits):  # a listing: the first in corpus order
        assert [h.id for h in got.hits] == [h.id for h in full.hits[:limit]], f"{where}: listing order"
    page = type(full)(query=full.query, total=full.total, hits=[by_id[h.id] for h in got.hits],
                      suggestion=full.suggestion, notice=full.notice, notices=full.notices)
    assert_same_answer(got, page, text)
    buckets = score_buckets(full.hits)
    assert sorted(buckets[h.id] for h in got.hits) == [buckets[h.id] for h in full.hits[:limit]], f"{where}: not the top"
    assert got.notice == full.notice, where


class Killed(BaseException):
    """The process dies here (a BaseException: no `except Exception` of the product catches it)."""


@contextmanager
def killed_at_rename(nth: int, within: Path):
    """The Nth rename into `within` (os.replace or os.rename: how every file is put in place) never
    happens: the process is killed with its temporary file written, as tests/kill_at.py's
    before-rename:N. What the dead process would not do is not done: no later rename, no clean-up
    removing what it wrote."""
    saved = {name: getattr(os, name) for name in ("replace", "rename", "unlink", "remove", "rmdir")}
    saved_rmtree, count, dead = shutil.rmtree, [0], [False]

    def counted(real):
        def rename(source, target, *args, **kwargs):
            count[0] += Path(target).is_relative_to(within)
            if count[0] == nth:
                dead[0] = True
            if dead[0]:
                raise Killed
            return real(source, target, *args, **kwargs)
        return rename

    def unless_dead(real):
        def call(*args, **kwargs):
            return None if dead[0] else real(*args, **kwargs)
        return call

    os.replace, os.rename = counted(saved["replace"]), counted(saved["rename"])
    os.unlink, os.remove, os.rmdir = (unless_dead(saved[name]) for name in ("unlink", "remove", "rmdir"))
    shutil.rmtree = unless_dead(saved_rmtree)
    try:
        yield
    finally:
        for name, real in saved.items():
            setattr(os, name, real)
        shutil.rmtree = saved_rmtree


class SearchOracle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="oracle-"))
        self.root = self.tmp / "ws"
        self.session: Session | None = None
        self.plain: SearchIndex | None = None
        self.sources: dict[str, list[str]] = {}
        self.languages = dict(LANGUAGES)
        self.checked = 0  # queries compared
        self.budget = None  # the query budget's caps as they were, while a tight one is in force
        self.imports = 0  # imports so far: each one a minute after the last (see _import)

    # -- set-up ------------------------------------------------------------------------------

    @initialize(first=SOURCE_TEXTS, second=SOURCE_TEXTS, notes=st.lists(text_strategy(), min_size=4, max_size=4),
                languages=st.none() | st.lists(st.sampled_from(SOURCE_LANGUAGES), min_size=3, max_size=3),
                tight=st.booleans())
    def build(self, first, second, notes, languages, tight):
        if languages:  # else English, French, German
            self.languages = dict(zip(LANGUAGES, languages))
        if tight:
            self._tighten_budget()
        init_workspace(self.root, empty=True)
        self.session = Session.open(self.root)
        store = self.session.store
        for theme_id, description in zip(THEMES, notes):
            parent = "memory" if theme_id == "memory-lost" else None
            codebook.add_theme(store, theme_id.replace("-", " ").title(), theme_id=theme_id, description=description, parent=parent)
        self._import("alpha", first)
        self._import("beta", second)
        self.session.sync()  # a bulk build
        os.environ["ANNOTATOR_FAST_PATHS"] = "0"
        try:
            self.plain = SearchIndex(self.session.store)
        finally:
            del os.environ["ANNOTATOR_FAST_PATHS"]
        assert self.plain.fast_paths is False

    def _tighten_budget(self) -> None:
        """Caps a small workspace reaches: a prefix, wildcard or fuzzy term keeps its 1-3 most frequent
        words, and the word being typed its 2 (chosen across segments, as one segment would)."""
        self.budget = (query_budget.MAX_TERM_EXPANSIONS, query_budget.MAX_QUERY_EXPANSIONS,
                       search_mod.TypingPrefix.max_expansions)
        query_budget.MAX_TERM_EXPANSIONS, query_budget.MAX_QUERY_EXPANSIONS = 3, 6
        search_mod.TypingPrefix.max_expansions = 2

    def teardown(self):
        if self.budget is not None:
            (query_budget.MAX_TERM_EXPANSIONS, query_budget.MAX_QUERY_EXPANSIONS,
             search_mod.TypingPrefix.max_expansions) = self.budget
        if os.environ.get("ORACLE_COUNT_FILE"):  # one line a workspace run, to count a long profile's examples
            with open(os.environ["ORACLE_COUNT_FILE"], "a", encoding="utf-8") as f:
                f.write(f"{self.checked}\n")
        for closing in (self.plain, self.session):
            if closing is not None:
                closing.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _import(self, source_id: str, texts: list[str]) -> None:
        path = self.tmp / f"{source_id}.md"
        path.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        # A minute apart, as a user's imports are (within one second, import times tie): corpus order
        # must not follow them, or a re-imported source would list elsewhere after a rebuild.
        self.imports += 1
        stamp = f"2026-12-03T{self.imports // 60 % 24:02d}:{self.imports % 60:02d}:00+00:00"
        with mock.patch.object(importers, "now_iso", lambda: stamp):
            import_source(self.session.store, path, source_id=source_id, annotator=ANNOTATOR, language=self.languages[source_id])
        self.sources[source_id] = texts

    def _passage_ids(self) -> list[str]:
        return [p.id for sf in self.session.store.sources() for p in sf.passages]

    def _passage_words(self) -> list[str]:
        return [w for texts in self.sources.values() for text in texts for w in text.split()]

    def _pick(self, data) -> str | None:
        ids = self._passage_ids()
        return data.draw(st.sampled_from(ids)) if ids else None

    def _theme_ids(self) -> list[str]:
        return [t.id for t in self.session.themes()]

    # -- the comparison, after every step -------------------------------------------------------

    def _check(self, data, count: int = 3) -> None:
        words = self._passage_words()
        for _ in range(count):
            text = query(data, words)
            self._compare(text, data.draw(st.booleans()), search_options(data, self._theme_ids()),
                          meaning_half=not data.draw(st.integers(0, 5)))

    def _compare(self, text: str, as_you_type: bool, options: dict, meaning_half: bool = False) -> None:
        """The product's answer (a page of it, if a limit is given) against Whoosh's whole answer."""
        limit = options.get("limit")
        if meaning_half:  # search by meaning without the model: its word half alone, passages only
            options = {**options, "kind": "passage", "limit": limit or 20}
            limit = options["limit"]
            got = self._meaning_words(text, options)
        else:
            got = product_search(self.session, self.session.index, text, as_you_type, **options)
        self.plain.pending_tags = self.session.index.pending_tags
        expected = product_search(self.session, self.plain, text, as_you_type and not meaning_half,
                                  **{**options, "limit": None})
        self.checked += 1
        parsed = search_mod.parse(text, self.plain.searcher().schema, as_you_type=as_you_type)
        shown = f"{text} (as_you_type={as_you_type}, options {options}, meaning={meaning_half}, parsed {parsed!r})"
        try:
            if limit is None:
                assert_same_answer(got, expected, shown)
            else:
                assert_same_page(got, expected, shown, limit)
        except AssertionError:
            self._keep(text, as_you_type)
            raise

    def _meaning_words(self, text: str, options: dict):
        from annotator.engine import meaning

        themes = [tid for t in options.get("themes", ()) for tid in self.session.theme_and_subthemes(t)]
        if "theme" in text.lower():
            text = expand_typed_themes(text, self.session.themes())
        return meaning.search(self.session.index, text, embedder=None, themes=themes, source=options.get("source"),
                              limit=options["limit"])

    def _keep(self, text: str, as_you_type: bool) -> None:
        """ORACLE_KEEP=DIR: keep the failing workspace, index and pending tags there, to study."""
        keep = os.environ.get("ORACLE_KEEP")
        if keep:
            import json

            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(self.root, keep)
            Path(keep, "failure.json").write_text(json.dumps(
                {"query": text, "as_you_type": as_you_type, "pending": self.session.index.pending_tags}))

    # -- what users do ----------------------------------------------------------------------------

    @rule(data=st.data())
    def tag(self, data):
        pid = self._pick(data)
        if pid is not None:
            self.session.tag(pid, [data.draw(st.sampled_from(self._theme_ids()))])
        self._check(data)

    @rule(data=st.data())
    def untag(self, data):
        tagged = [(t.passage, t.theme) for t in self.session.store.all_tags()]
        if tagged:
            pid, theme = data.draw(st.sampled_from(tagged))
            self.session.untag(pid, [theme])
        self._check(data)

    @rule(data=st.data(), text=text_strategy())
    def comment(self, data, text):
        pid = self._pick(data)
        if pid is not None:
            self.session.store.add_memo(ANNOTATOR, pid, text)
            self.session.index.sync_tags()
        self._check(data)

    @rule(data=st.data(), source=st.sampled_from(["alpha", "beta", "gamma"]))
    def reimport(self, data, source):
        texts = list(self.sources.get(source, []))
        edit = data.draw(st.sampled_from(["edit", "remove", "move", "add", "new"]))
        if edit == "edit" and texts:
            i = data.draw(st.integers(0, len(texts) - 1))
            texts[i] = data.draw(text_strategy())
        elif edit == "remove" and len(texts) > 1:
            texts.pop(data.draw(st.integers(0, len(texts) - 1)))
        elif edit == "move" and len(texts) > 1:
            texts.insert(data.draw(st.integers(0, len(texts) - 1)), texts.pop(0))
        else:
            texts.append(data.draw(text_strategy()))
        self._import(source, texts)
        if data.draw(st.booleans()):
            self.session.sync()
        else:
            self.session.index.sync_tags()  # what the TUI calls: a full sync when a source changed
        self._check(data)

    @rule(data=st.data())
    def edit_passage_in_place(self, data):
        """The in-place re-index of edited passages (SearchIndex.update_passages): a small bulk segment."""
        pid = self._pick(data)
        if pid is None:
            return
        for sf in self.session.store.sources():
            for passage in sf.passages:
                if passage.id == pid:
                    text = data.draw(text_strategy())
                    sf.passages[sf.passages.index(passage)] = type(passage)(pid, text, passage.location, passage.source)
                    self.session.store.save_source(sf)
                    self.sources[sf.source.id] = [p.text for p in sf.passages]
                    self.session.index.update_passages([type(passage)(pid, text, passage.location, passage.source)])
                    self._check(data)
                    return

    @rule(data=st.data())
    def theme_change(self, data):
        store = self.session.store
        ids = self._theme_ids()
        change = data.draw(st.sampled_from(["rename", "merge", "delete", "describe"]))
        theme_id = data.draw(st.sampled_from(ids))
        try:
            self._change_theme(data, store, ids, change, theme_id)
        except AnnotatorError:  # refused with a message (merging a parent into its own child)
            pass
        self.session.index.sync_tags()
        check_theme_filters(self.session, self.root / "corpus")
        self._check(data)

    @staticmethod
    def _change_theme(data, store, ids, change, theme_id):
        if change == "rename":
            new_id = theme_id + "-x" if len(theme_id) < 30 else theme_id
            if new_id not in ids:
                codebook.rename_theme(store, theme_id, new_name=new_id.title(), new_id=new_id)
        elif change == "merge" and len(ids) > 1:
            into = data.draw(st.sampled_from([i for i in ids if i != theme_id]))
            codebook.merge_themes(store, theme_id, into)
        elif change == "delete" and len(ids) > 1:
            codebook.delete_theme(store, theme_id, force=True)
        else:
            codebook.set_description(store, theme_id, data.draw(text_strategy()))

    @rule(data=st.data(), force=st.booleans())
    def sync(self, data, force):
        self.session.sync(force=force)  # force: `annotator reindex`
        self._check(data)

    @rule(data=st.data())
    def queries(self, data):
        self._check(data, count=6)

    @rule(data=st.data())
    def typed_letter_by_letter(self, data):
        """The TUI's search box: each key searches again (as you type, passages, a page of results)."""
        pool = WORDS + self._passage_words()
        text = " ".join(_bare(w) for w in data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3)))
        if data.draw(st.booleans()):
            text = data.draw(st.sampled_from(["theme:hope ", '"', "-", "source:beta "])) + text
        options = {"kind": "passage", "limit": data.draw(st.sampled_from([3, 50]))}
        for end in range(1, min(len(text), 24) + 1):
            self._compare(text[:end], True, dict(options))

    @rule(data=st.data())
    def concordance_of_common_words(self, data):
        """`annotator kwic` of words the index leaves out reads the passages (their stored bytes searched
        first where a term table has them): it must list every occurrence a reading of the corpus finds."""
        from annotator import concordance as kwic

        words = data.draw(st.lists(st.sampled_from(COMMON_WORDS), min_size=1, max_size=3))
        if self._passage_words() and data.draw(st.booleans()):  # a word of the text: a stop word in its language?
            words.insert(data.draw(st.integers(0, len(words))), _bare(data.draw(st.sampled_from(self._passage_words()))))
        term = " ".join(words)
        typed = kwic.read_term(term)
        if not typed.phrase or not kwic._only_common_words(typed.phrase):
            return  # found through search, which the other rules check
        found = kwic.concordance(self.session, term, limit=None)
        pattern = kwic._phrase_pattern(typed.phrase)
        every = [(p.id, m.start(), m.end()) for sf in self.session.store.sources() for p in sf.passages
                 for m in pattern.finditer(p.text)]
        assert sorted((line.id, line.start, line.end) for line in found.lines) == sorted(every), term
        listed = list(dict.fromkeys(line.id for line in found.lines))
        assert listed == list(dict.fromkeys(pid for pid, _, _ in every)), f"{term}: corpus order"

    @rule(data=st.data())
    def concordance_of_a_word(self, data):
        """`annotator kwic WORD` lists every occurrence a slow reading of every passage finds."""
        pool = self._passage_words() or WORDS  # words of the text: found, often more than once a passage
        for word in data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3)):
            self.checked += check_kwic_word(self.session, _bare(word).lower())

    @rule(data=st.data())
    def hand_edit(self, data):
        """The YAML edited in an editor between two commands (a passage's text, a passage removed or
        added, a tag or comment typed in); the next command's sync (or the TUI's) takes it in."""
        import yaml

        store = self.session.store
        if data.draw(st.booleans()):
            path = store.ws.annotation_file(ANNOTATOR)
            ids = self._passage_ids()
            if not ids:
                return
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {"annotator": ANNOTATOR}
            pid = data.draw(st.sampled_from(ids))
            if data.draw(st.booleans()):
                doc.setdefault("tags", []).append({"passage": pid, "theme": data.draw(st.sampled_from(self._theme_ids())),
                                                 "at": "2026-12-03T10:00:00+00:00"})
            else:
                doc.setdefault("memos", []).append({"passage": pid, "at": "2026-12-03T10:00:00+00:00",
                                                  "text": data.draw(text_strategy())})
        else:
            source = data.draw(st.sampled_from(sorted(self.sources)))
            path = store.ws.source_file(source)
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            passages = doc["passages"]
            i = data.draw(st.integers(0, len(passages) - 1))
            edit = data.draw(st.sampled_from(["text", "remove", "add"]))
            if edit == "text":
                passages[i]["text"] = data.draw(text_strategy())
            elif edit == "remove" and len(passages) > 1:
                passages.pop(i)
            else:
                passages.insert(i, {"id": f"{source}-hand{len(passages)}-{i}", "location": "by hand",
                                    "text": data.draw(text_strategy())})
            self.sources[source] = [p["text"] for p in passages]
        path.write_text(yaml.safe_dump(doc, allow_unicode=data.draw(st.booleans()), sort_keys=False), encoding="utf-8")
        if data.draw(st.booleans()):
            self.session.sync()  # the next command's start
        else:
            self.session.index.sync_tags()  # the TUI after its own change: a full sync when more changed
        self._check(data)

    @rule(data=st.data())
    def span_tag_undo_redo(self, data):
        """A few words tagged (a span tag), then the TUI's undo and redo."""
        pid = self._pick(data)
        if pid is not None and data.draw(st.booleans()):
            text = self.session.passage(pid).text
            words = text.split()
            quote = " ".join(words[:data.draw(st.integers(1, max(1, min(3, len(words)))))]) if words else text
            try:
                self.session.tag(pid, [data.draw(st.sampled_from(self._theme_ids()))], quote=quote)
            except AnnotatorError:  # not found, ambiguous, or the passage is tagged as a whole
                pass
        for step in data.draw(st.lists(st.sampled_from(["undo", "redo"]), max_size=3)):
            try:
                getattr(self.session, step)()
            except AnnotatorError:  # changed since (a re-import, a theme deleted): refused with a message
                pass
        self._check(data)

    @rule(data=st.data())
    def cli_search(self, data):
        """`annotator search` as a user runs it (its own session, as a new process): --json prints the
        Session's answer, the plain output the same passages with the same words marked."""
        text = query(data, self._passage_words())
        theme = data.draw(st.sampled_from(self._theme_ids())) if not data.draw(st.integers(0, 4)) else None
        source = data.draw(st.sampled_from(["alpha", "beta", "nosuch"])) if not data.draw(st.integers(0, 4)) else None
        check_cli_search(self.session, self.root, text, data.draw(st.sampled_from([1, 3, 20])), theme, source,
                         untagged=not data.draw(st.integers(0, 5)))
        self.checked += 1

    @rule(data=st.data())
    def export_and_filters_agree_with_the_yaml(self, data):
        """A few passages tagged (some words of them, or whole), then the CSV export's quotations and
        the theme:/untagged filters against a reading of the YAML."""
        for _ in range(data.draw(st.integers(0, 3))):
            pid = self._pick(data)
            words = self.session.passage(pid).text.split() if pid else []
            quote = " ".join(words[:data.draw(st.integers(0, min(3, len(words))))]) or None
            try:
                self.session.tag(pid, [data.draw(st.sampled_from(self._theme_ids()))], quote=quote)
            except AnnotatorError:  # a quote not found or ambiguous, or the passage tagged as a whole
                pass
        check_csv_export(self.session, self.root / "corpus")
        check_theme_filters(self.session, self.root / "corpus")

    @rule(data=st.data())
    def import_killed_midway(self, data):
        """An import (one file or several, new sources or re-imported ones) killed at its Nth rename,
        the YAML or the index half written; the next command's session syncs and then answers as a
        fresh rebuild of what the corpus holds."""
        from annotator.exchange.import_run import ImportRequest

        folder = self.tmp / "import"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        names = data.draw(st.lists(st.sampled_from(["alpha", "beta", "gamma"]), min_size=1, max_size=3, unique=True))
        for name in names:
            texts = data.draw(st.lists(text_strategy(), min_size=1, max_size=4))
            (folder / f"{name}.md").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
        one = len(names) == 1
        request = ImportRequest([folder / f"{name}.md" for name in names], source_id=names[0] if one else None,
                                annotator=ANNOTATOR, language=self.languages[names[0]] if one else None)
        (self.tmp / "temp").mkdir(exist_ok=True)
        tempfile.tempdir, temporary = str(self.tmp / "temp"), tempfile.tempdir  # what a kill leaves there is ours
        try:
            with killed_at_rename(data.draw(st.sampled_from(range(1, 8))), within=self.root):
                self.session.import_files(request, progress=lambda *_: None)  # as the CLI: a new source rebuilds
        except Killed:
            pass
        except AnnotatorError:  # refused as a whole (a several-file import of sources already there)
            pass
        finally:
            tempfile.tempdir = temporary
        self._next_process()
        self.sources = {sf.source.id: [p.text for p in sf.passages] for sf in self.session.store.sources()}
        self.session.sync()  # the next command's start
        self.fresh_rebuild_answers_alike(data)
        self._check(data)

    def _next_process(self) -> None:
        """The process died: its index and searchers are dropped (pending tags unwritten, as after a
        kill) and the next command opens the workspace afresh."""
        self.plain.close()
        self.session.index.close()
        self.session = Session.open(self.root)
        os.environ["ANNOTATOR_FAST_PATHS"] = "0"
        try:
            self.plain = SearchIndex(self.session.store)
        finally:
            del os.environ["ANNOTATOR_FAST_PATHS"]

    @precondition(lambda self: self.session is not None)
    @rule(data=st.data())
    def fresh_rebuild_answers_alike(self, data):
        """(b) The same corpus built afresh finds the same passages, totals and match offsets."""
        fresh_root = self.tmp / "fresh"
        shutil.rmtree(fresh_root, ignore_errors=True)
        shutil.copytree(self.root / "corpus", fresh_root / "corpus")
        fresh = Session.open(fresh_root)
        try:
            fresh.sync()
            # Without deleted documents both indexes hold the same statistics: the same scores and order
            # then, however the index was written (segments, bulk or Whoosh's writer, merges).
            ranked_alike = not self.session.index.searcher().reader().has_deletions()
            words = self._passage_words()
            for n in range(7):  # the listing of every passage and note first: texts, themes, fields
                text = query(data, words) if n else ""
                as_you_type = data.draw(st.booleans()) if n else False
                options = {k: v for k, v in search_options(data, self._theme_ids()).items() if k != "limit"} if n else {}
                got = product_search(self.session, self.session.index, text, as_you_type, **options)
                expected = product_search(fresh, fresh.index, text, as_you_type, **options)
                self.checked += 1
                if not ranked_alike and any(CUT in notice for notice in [*got.notices, *expected.notices]):
                    continue  # a capped term keeps its most frequent words: deleted documents count until merged
                assert_same_answer(got, expected, f"{text} (as_you_type={as_you_type}, fresh rebuild)", ranking=ranked_alike)
        finally:
            fresh.close()
            shutil.rmtree(fresh_root, ignore_errors=True)

    @invariant()
    def every_passage_is_found_by_its_id_document(self):
        if self.session is None:
            return
        listing = product_search(self.session, self.session.index, "", False)
        assert sorted(h.id for h in listing.hits if h.kind == "passage") == sorted(self._passage_ids())


SearchOracle.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    derandomize=not STRESS,  # the suite's profile is the same every run; the long one explores
    **({"phases": [Phase.explicit, Phase.reuse, Phase.generate]} if os.environ.get("ORACLE_NO_SHRINK") else {}),
)
TestSearchOracle = SearchOracle.TestCase
