"""One open workspace: the store, its index, and the operations both shells offer.

The CLI and the TUI call these methods and nothing below them, so a tag made in
either place goes through the same validation, the same lock and the same index
update.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from annotator.errors import AnnotatorError, NotFound
from annotator.engine.hits import Hit, SearchResult
from annotator.corpus.model import Tag, Theme
from annotator.corpus.store import Store, validate_annotator
from annotator.corpus.workspace import Workspace, resolve

if TYPE_CHECKING:  # Whoosh is imported when the index is first used, not at start-up:
    # the TUI paints its first frame meanwhile (about 0.2 s of a cold start).
    from annotator.engine.index import Progress, SearchIndex, SyncReport

@dataclass
class TagChange:
    """One tag added or removed, as undo and redo need it."""

    added: bool
    tag: Tag


class Session:
    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self.store = Store(workspace)

    @cached_property
    def index(self) -> "SearchIndex":
        from annotator.engine.index import SearchIndex

        return SearchIndex(self.store)

    @classmethod
    def open(cls, workspace: str | os.PathLike | None = None) -> "Session":
        return cls(resolve(workspace))

    def close(self) -> None:
        if "index" not in self.__dict__:
            return  # never opened
        try:
            self.index.flush_pending()  # tag changes waiting in memory go into the index
        except Exception:  # noqa: BLE001 - derived data: the next sync catches up from the YAML
            pass
        self.index.close()

    # -- index -----------------------------------------------------------------------

    def sync(self, progress: "Progress | None" = None, force: bool = False) -> "SyncReport":
        return self.index.sync(progress=progress, force=force)

    # -- importing (annotator.exchange.import_run) ------------------------------------

    def import_files(self, request, progress=None) -> list:
        """Import the files an `ImportRequest` names (or, with `dry_run`, find out what that would do,
        writing nothing); then bring the index up to date. `progress(what, done, total)` hears of each
        file and of the indexing. Returns an ImportReport per file."""
        from annotator.exchange.import_run import read_whole, run_imports

        request.check()
        annotator = request.annotator or self.default_annotator()
        if request.dry_run or len(request.paths) > 1:
            from annotator.exchange.importers.dry_run import corpus_copy

            with corpus_copy(self.ws) as scratch:  # no index is written either: the copy is read whole instead
                tried = run_imports(read_whole(Session(scratch)), request, annotator, progress if request.dry_run else None)
            if request.dry_run:
                return tried
            # Several files: all were tried on the copy first, so a bad one among them writes none of them.
        reports = run_imports(self, request, annotator, progress)
        if progress is None:
            self.sync()
            return reports
        progress("indexing", 0, 1)  # an update of the index in place reports no steps of its own: its start and end
        self.sync(progress=lambda done, total: progress("indexing", done, total), force=_mostly_new(self, reports))
        progress("indexing", 1, 1)
        return reports

    # -- themes ------------------------------------------------------------------------

    def themes(self) -> list[Theme]:
        return self.store.themes()

    def theme_counts(self) -> Counter:
        """How many passages carry each theme (any annotator)."""
        pairs = {(t.passage, t.theme) for t in self.store.all_tags()}
        return Counter(theme for _, theme in pairs)

    def resolve_theme(self, name: str) -> Theme:
        """A theme by id or name, case-insensitively; a clear error otherwise."""
        wanted = name.strip().casefold()
        themes = self.themes()
        for theme in themes:
            if theme.id.casefold() == wanted or theme.name.casefold() == wanted:
                return theme
        slug = re.sub(r"[^a-z0-9]+", "-", wanted).strip("-")
        for theme in themes:
            if theme.id == slug:
                return theme
        from rapidfuzz import fuzz, process, utils

        close = process.extractOne(
            name, {t.id: t.name for t in themes}, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60
        )
        hint = f"; did you mean '{close[2]}' ({close[0]})?" if close else "; 'annotator themes' lists them"
        raise NotFound(f"no theme '{name}'{hint}")

    # -- reading passages ----------------------------------------------------------------

    def search(self, text: str, **options) -> SearchResult:
        themes = [tid for t in options.pop("themes", ()) or () for tid in self.theme_and_subthemes(t)]
        if "theme" in text.lower():
            from annotator.corpus.codebook import expand_typed_themes

            text = expand_typed_themes(text, self.themes())
        return self.index.read(lambda: _search_module().search(self.index, text, themes=themes, **options))

    def get(self, doc_id: str) -> Hit:
        hit = self.index.read(lambda: _search_module().get_document(self.index, doc_id))
        if hit is None:
            raise NotFound(f"no passage '{doc_id}'{self._passage_hint(doc_id)}")
        return hit

    def _passage_hint(self, doc_id: str) -> str:
        """'; did you mean ...?' for the nearest passage id, else how to find one."""
        from rapidfuzz import fuzz, process

        try:
            ids = [p.id for source in self.store.sources() for p in source.passages]
        except AnnotatorError:
            ids = []
        close = process.extractOne(doc_id, ids, scorer=fuzz.ratio, score_cutoff=70)
        if close:
            return f"; did you mean '{close[0]}'?"
        return "; search for it with 'annotator search WORDS'"

    def passage(self, passage_id: str) -> Hit:
        """A passage (not a theme note: notes are the codebook, and are never tagged)."""
        hit = self.get(passage_id)
        if hit.kind != "passage":
            raise NotFound(f"'{passage_id}' is a theme note, not a passage; notes are edited with 'annotator theme'")
        return hit

    def tags_on(self, passage_id: str) -> list[Tag]:
        return [t for t in self.store.all_tags() if t.passage == passage_id]

    def theme_and_subthemes(self, name: str) -> list[str]:
        """A theme's id and its descendants' ids: a filter on a parent theme includes its children."""
        from annotator.corpus.codebook import descendants

        return descendants(self.themes(), self.resolve_theme(name).id)

    def memos_on(self, passage_id: str) -> list:
        """Comments on the passage as a whole, every annotator's, oldest first."""
        memos = [m for af in self.store.all_annotations() for m in af.memos if m.passage == passage_id]
        return sorted(memos, key=lambda m: m.at)

    # -- tagging -------------------------------------------------------------------------

    def who(self, annotator: str | None) -> str:
        """The annotator a write is by: `--as NAME` made file-safe as `config name` makes it, else the default."""
        if not annotator:
            return self.default_annotator()
        from annotator.corpus.identity import clean_name

        return validate_annotator(clean_name(annotator))

    def default_annotator(self) -> str:
        """--as aside: this workspace's setting, else $ANNOTATOR_NAME, else the login name."""
        from annotator.corpus.identity import annotator_name

        return validate_annotator(annotator_name(self.ws))

    # `index_later=True` (the TUI): the change is written to the annotation YAML (durably) and
    # the index is left alone, so a tag never waits for a search using the index; the caller
    # then calls catch_up(), which the next search's themes and filters follow. The passage
    # is not looked up in the index either: the caller has it from a search.

    def tag(self, passage_id: str, theme_names: list[str], *, annotator: str | None = None,
            comment: str | None = None, index_later: bool = False) -> list[TagChange]:
        annotator = self.who(annotator)
        if not index_later:
            self.passage(passage_id)
        theme_ids = [self.resolve_theme(n).id for n in theme_names]
        added = self.store.add_tags(annotator, passage_id, theme_ids, comment)
        self._index_tags(index_later)
        own = self.store.annotations(annotator)
        return [TagChange(True, own.find(passage_id, t)) for t in added]

    def untag(self, passage_id: str, theme_names: list[str], *, annotator: str | None = None,
              index_later: bool = False) -> list[TagChange]:
        annotator = self.who(annotator)
        theme_ids = [self.resolve_theme(n).id for n in theme_names]
        before = {t.theme: t for t in self.store.annotations(annotator).tags if t.passage == passage_id}
        removed = self.store.remove_tags(annotator, passage_id, theme_ids)
        self._index_tags(index_later)
        return [TagChange(False, before.get(t) or Tag(passage_id, t, annotator)) for t in removed]

    def toggle(self, passage_id: str, theme_id: str, *, annotator: str | None = None,
               index_later: bool = False) -> TagChange | None:
        annotator = self.who(annotator)
        if self.store.annotations(annotator).find(passage_id, theme_id):
            changes = self.untag(passage_id, [theme_id], annotator=annotator, index_later=index_later)
        else:
            changes = self.tag(passage_id, [theme_id], annotator=annotator, index_later=index_later)
        return changes[0] if changes else None

    def revert(self, change: TagChange, *, index_later: bool = False) -> None:
        """Undo one change: remove what was added, restore what was removed."""
        if change.added:
            self.store.remove_tags(change.tag.annotator, change.tag.passage, [change.tag.theme])
        else:
            self.store.restore_tag(change.tag)
        self._index_tags(index_later)

    def replay(self, change: TagChange, *, index_later: bool = False) -> None:
        """Redo one change."""
        if change.added:
            self.store.restore_tag(change.tag)
        else:
            self.store.remove_tags(change.tag.annotator, change.tag.passage, [change.tag.theme])
        self._index_tags(index_later)

    def _index_tags(self, later: bool) -> None:
        if not later:
            self.index.sync_tags()

    def catch_up(self) -> None:
        """Bring the index's themes up to date with tag changes made with `index_later`."""
        self.index.sync_tags()

    # -- suggestions, evidence, quotations (annotator.suggestions, annotator.evidence) ---------

    def suggest(self, passage_id: str, limit: int = 5, *, wait: bool = False) -> list:
        """Ranked theme suggestions (annotator.suggestions.Suggestion) for a passage, best first.

        With the `semantic` extra installed, embeddings join in once the model is loaded:
        `wait=True` loads it here (seconds); otherwise loading starts in the background
        and these suggestions are lexical.
        """
        from annotator import suggestions
        from annotator.engine.index import tag_map

        hit = self.get(passage_id)
        applied = {t.theme for t in self.tags_on(passage_id)}
        embeddings = self._embeddings(wait)
        ranked = suggestions.suggest(
            self.index, self.themes(), hit.id, hit.text,
            tags=tag_map(self.store), applied=applied, limit=limit, embeddings=embeddings,
        )
        # A theme that scores 0.00 (as shown) has nothing for it: listed, even first, `1` would tag with it.
        return [s for s in ranked if s.score >= 0.005]

    def _embeddings(self, wait: bool):
        """The embedding cache when the `semantic` model is loaded (or `wait`); else None, loading begun."""
        from annotator.engine import semantic

        if not semantic.available():
            return None
        if wait or semantic.ready():
            return semantic.cache_for(self.ws.index_dir)
        self.prepare_suggestions()
        return None

    def similar(self, passage_id: str, limit: int = 10, *, wait: bool = False) -> list[Hit]:
        """The passages most like this one, best first (by meaning once the `semantic` model is loaded)."""
        from annotator import suggestions

        hit = self.get(passage_id)
        embeddings = self._embeddings(wait)
        found = suggestions.similar_passages(self.index, hit.id, hit.text, limit=limit, embeddings=embeddings)
        hits = []
        for passage_id_, score in found:
            similar = self.get(passage_id_)
            similar.score = score
            hits.append(similar)
        return hits

    def prepare_suggestions(self):
        """Start loading the sentence model and embedding the codebook in a background thread
        (when the `semantic` extra is installed); returns the thread, or None."""
        from annotator.engine import semantic
        from annotator import suggestions

        themes = self.themes()
        folder = self.ws.index_dir
        index = self.index
        return semantic.warm_up(lambda: suggestions.embed_codebook(semantic.cache_for(folder), themes, index))

    def evidence(self, theme_name: str) -> list:
        """Every passage tagged with the theme (annotator.evidence.EvidencePassage), in corpus order."""
        from annotator import evidence

        return evidence.evidence(self.index, self.store, self.resolve_theme(theme_name).id)

    def source_title(self, source_id: str) -> str:
        source_file = self.store.load_source(source_id) if source_id else None
        return (source_file.source.title if source_file else "") or source_id

    def quote(self, passage_id: str) -> str:
        """The passage as a quotation with its citation: “text” (Author, Title, location)."""
        from annotator.evidence import quote

        hit = self.get(passage_id)
        source_file = self.store.load_source(hit.source) if hit.source else None
        author = source_file.source.author if source_file else ""
        return quote(hit, self.source_title(hit.source), author)


# An import that brings at least this many passages, and most of the corpus, rebuilds the index
# instead of updating it: as fast (in parallel), and its progress can be shown passage by passage.
REBUILD_AFTER_IMPORT = 2000


def _mostly_new(session: Session, reports: list) -> bool:
    written = sum(report.added + report.changed for report in reports)
    if written < REBUILD_AFTER_IMPORT:
        return False
    return 2 * written >= sum(len(source.passages) for source in session.store.sources())


def _search_module():
    from annotator.engine import search

    return search
