"""One open workspace: the store, its index, and the operations both shells offer.

The CLI and the TUI call these methods and nothing below them, so a tag made in
either place goes through the same validation, the same lock and the same index
update.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from annotator import agreement, reports, status, tag_view
from annotator.errors import AnnotatorError, ChangedSince, NotFound, PassageRemoved
from annotator.engine.hits import Hit, SearchResult
from annotator.corpus import codebook, comments, identity
from annotator.corpus.comments import CommentChange
from annotator.corpus.model import Span, Tag, Theme
from annotator.corpus.store import Store, validate_annotator
from annotator.corpus.workspace import Workspace, init_workspace, is_current_folders, resolve
from annotator.exchange.import_run import ImportRequest
from annotator.history import History, TagChange, is_comment

# Records the shells name, handed out here so that they import nothing below the Session.
__all__ = ["CommentChange", "Hit", "ImportRequest", "SearchResult", "Session", "TagChange", "meaning_unavailable"]


def meaning_unavailable() -> str | None:
    """Why search by meaning cannot run here (no model on this machine, switched off), or None."""
    from annotator.engine import embeddings  # the model's package: not at start-up

    return embeddings.unavailable()

if TYPE_CHECKING:  # Whoosh is imported when the index is first used, not at start-up:
    # the TUI paints its first frame meanwhile (about 0.2 s of a cold start).
    from annotator.engine.index import Progress, SearchIndex, SyncReport



class Session:
    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self.store = Store(workspace)
        self.viewer: str | None = None  # who is reading (`--as` on a reading command); None: the default
        self.history = History()  # the tag and comment changes made through this session

    @cached_property
    def index(self) -> "SearchIndex":
        from annotator.engine.index import SearchIndex  # Whoosh: when the index is first used

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
        from annotator.exchange.import_run import import_all_or_nothing, read_whole, run_imports

        request.check()
        annotator = request.annotator or self.default_annotator()
        if request.dry_run:
            from annotator.exchange.importers.dry_run import corpus_copy

            with corpus_copy(self.ws) as scratch:  # no index is written either: the copy is read whole instead
                return run_imports(read_whole(Session(scratch)), request, annotator, progress)
        if len(request.paths) > 1:  # imported on a copy of the corpus first: a bad one among them writes none of them
            reports = import_all_or_nothing(self, request, annotator, progress)
        else:
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
        """How many passages carry each theme (any annotator; only mine while blind coding is on)."""
        pairs = {(t.passage, t.theme) for t in self.visible(self.store.all_tags())}
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
        from rapidfuzz import fuzz, process, utils  # ~40 ms: only when a name is not found

        close = process.extractOne(
            name, {t.id: t.name for t in themes}, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60
        )
        hint = f"; did you mean '{close[2]}' ({close[0]})?" if close else "; 'annotator themes' lists them"
        raise NotFound(f"no theme '{name}'{hint}")

    # -- reading passages ----------------------------------------------------------------

    def search(self, text: str, **options) -> SearchResult:
        result = self._blind_search(text, **options) if self.looking() is not None else self._search(text, **options)
        return self._with_unknown_filters(text, result, options.get("source"))

    def _with_unknown_filters(self, text: str, result, source=None):
        """Say which typed `theme:` filters, and which `source:` filters typed or given (`--source`),
        name none: a typo would otherwise find nothing, silently."""
        notices = [result.notice]
        if "theme" in text.lower():
            notices.append(codebook.unknown_themes_notice(text, self.themes()))
        if source or "source:" in text.lower():
            notices.append(self._unknown_sources_notice(text, source))
        result.notice = "; ".join(n for n in notices if n) or result.notice
        return result

    def source_ids(self) -> list[str]:
        """The sources' ids (each the name of its file in corpus/passages/: a listing, nothing read)."""
        return [path.stem for path in self.store.source_paths()]

    def _unknown_sources_notice(self, text: str, source=None) -> str | None:
        given = [source] if isinstance(source, str) else list(source or ())
        typed = _search_module().prepare(text).sources if "source:" in text.lower() else []
        known = set(self.source_ids())
        unknown = list(dict.fromkeys(s for s in [*given, *typed] if s not in known))
        return "no source " + ", ".join(f"'{s}'" for s in unknown) if unknown else None

    def _search(self, text: str, **options) -> SearchResult:
        themes = [tid for t in options.pop("themes", ()) or () for tid in self.theme_and_subthemes(t)]
        if "theme" in text.lower():
            text = codebook.expand_typed_themes(text, self.themes())
        return self.index.read(lambda: _search_module().search(self.index, text, themes=themes, **options))

    def _blind_search(self, text: str, **options) -> SearchResult:
        """A search whose theme and untagged filters, and the themes shown, are the viewer's tags alone."""
        from annotator import blind

        words, typed_themes, typed_untagged = blind.lift_filters(text)
        themes = [tid for t in [*(options.pop("themes", ()) or ()), *typed_themes] for tid in self.theme_and_subthemes(t)]
        untagged = options.pop("untagged", False) or typed_untagged
        limit = options.pop("limit", 20)
        filtering = bool(themes or untagged)
        # Anyone's theme filter first (a superset of mine, and small), then mine alone; `untagged`
        # (by me) cannot be narrowed by the index: every match is fetched and judged.
        found = self.index.read(lambda: _search_module().search(
            self.index, words, themes=themes, limit=None if filtering else limit, **options))
        mine = blind.themes_by_passage(self.visible(self.store.all_tags()))
        hits = [h for h in found.hits if blind.keeps(h, mine, themes, untagged)] if filtering else found.hits
        order = [t.id for t in self.themes()]
        found.query = text
        found.total = len(hits) if filtering else found.total
        found.hits = [blind.seen_by(h, mine, order) for h in (hits if limit is None else hits[:limit])]
        return found
    def search_meaning(self, text: str, *, progress=None, fill_missing: bool = True, sentences: int | None = None, **options):
        """Passages ranked by meaning and words together (annotator.engine.meaning.MeaningResult).

        `fill_missing` embeds the passages not embedded yet first (minutes on a big corpus,
        telling `progress(done, total)`); without it, the meaning part covers what is
        embedded so far (`embed_passages` fills in the rest) and the result says how much.
        Without the model, the words alone, and the result says why.
        """
        looking = self._blind_meaning if self.looking() is not None else self._meaning
        result = looking(text, progress=progress, fill_missing=fill_missing, sentences=sentences, **options)
        return self._with_unknown_filters(text, result, options.get("source"))

    def _meaning(self, text: str, *, progress=None, fill_missing: bool = True, sentences: int | None = None, **options):
        from annotator.engine import embeddings, meaning

        themes = [tid for t in options.pop("themes", ()) or () for tid in self.theme_and_subthemes(t)]
        model = embeddings.embedder()
        return self.index.read(lambda: meaning.search(
            self.index, text, embedder=model, why_not=embeddings.unavailable() or "", themes=themes,
            progress=progress, fill_missing=fill_missing, sentences=meaning.SENTENCE_RESULTS if sentences is None else sentences,
            **options))

    def _blind_meaning(self, text: str, **options):
        """A search by meaning whose theme and untagged filters, and the themes shown, are the viewer's
        tags alone (as `_blind_search` for words): anyone's theme filter first, then mine."""
        from annotator import blind

        words, typed_themes, typed_untagged = blind.lift_filters(text)
        themes = [tid for t in [*(options.pop("themes", ()) or ()), *typed_themes] for tid in self.theme_and_subthemes(t)]
        untagged = options.pop("untagged", False) or typed_untagged
        limit = options.pop("limit", 20)
        filtering = bool(themes or untagged)
        found = self._meaning(words, themes=themes, limit=2**31 if filtering else limit, **options)
        mine = blind.themes_by_passage(self.visible(self.store.all_tags()))
        hits = [h for h in found.hits if blind.keeps(h, mine, themes, untagged)] if filtering else found.hits
        order = [t.id for t in self.themes()]
        found.query = text
        found.total = len(hits) if filtering else found.total
        found.hits = [blind.seen_by(h, mine, order) for h in hits[:limit]]
        return found

    def best_sentences(self, text: str, hits, stop=None) -> dict:
        """Hit id -> [start, end] of the sentence nearest the meaning query `text` in each of `hits`
        (their sentences embedded once and kept); {} without the model."""
        from annotator.engine import embeddings, meaning

        model = embeddings.embedder()
        if model is None:
            return {}
        return meaning.sentences_for_query(self.ws.index_dir, model, text, hits, stop)

    def embed_passages(self, progress=None, stop=None, read_lock=None):
        """Embed the passages not embedded yet (for search by meaning); their Coverage, or None without the model.

        `read_lock` (the TUI's session lock) is held while the texts are read from the index, not
        while they are embedded."""
        from annotator.engine import embeddings, meaning

        model = embeddings.embedder()
        if model is None:
            return None
        import contextlib

        store = meaning.store_for(self.ws.index_dir, model)
        with read_lock or contextlib.nullcontext():
            searcher = self.index.searcher()
        return meaning.fill(searcher, store, model, progress, stop, read_lock)

    def meaning_coverage(self):
        """How many passages are embedded (annotator.engine.meaning.Coverage), or None without the model."""
        from annotator.engine import embeddings, meaning

        model = embeddings.embedder()
        if model is None:
            return None
        store = meaning.store_for(self.ws.index_dir, model)
        store.reload()
        return self.index.read(lambda: meaning.coverage(self.index.searcher(), store))

    def get(self, doc_id: str) -> Hit:
        hit = self.index.read(lambda: _search_module().get_document(self.index, doc_id))
        if hit is None:
            raise NotFound(f"no passage '{doc_id}'{self._passage_hint(doc_id)}")
        if self.looking() is not None:
            from annotator import blind

            mine = blind.themes_by_passage(self.visible(self.tags_on(doc_id)))
            hit = blind.seen_by(hit, mine, [t.id for t in self.themes()])
        return hit

    def _passage_hint(self, doc_id: str) -> str:
        """'; did you mean ...?' for the nearest passage id, else how to find one."""
        from rapidfuzz import fuzz, process  # ~40 ms: only when an id is not found

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
        return self.visible([t for t in self.store.all_tags() if t.passage == passage_id])

    def theme_and_subthemes(self, name: str) -> list[str]:
        """A theme's id and its descendants' ids: a filter on a parent theme includes its children."""
        return codebook.descendants(self.themes(), self.resolve_theme(name).id)

    def memos_on(self, passage_id: str) -> list:
        """Comments on the passage as a whole, every annotator's, oldest first."""
        memos = [m for af in self.store.all_annotations() for m in af.memos if m.passage == passage_id]
        return sorted(self.visible(memos), key=lambda m: m.at)

    # -- blind coding (annotator.blind) ------------------------------------------------------

    def blind(self) -> bool:
        from annotator.corpus.identity import blind_coding

        return blind_coding(self.ws)

    def set_blind(self, on: bool) -> None:
        from annotator.corpus.identity import set_blind_coding

        set_blind_coding(self.ws, on)

    def looking(self) -> str | None:
        """Whose tags alone may be seen: the viewer's while blind coding is on, else None (everyone's)."""
        return self.who(self.viewer) if self.blind() else None

    def visible(self, items: list) -> list:
        """Tags or comments as the viewer may see them (theirs alone while blind coding is on)."""
        viewer = self.looking()
        return items if viewer is None else [item for item in items if item.annotator == viewer]

    def refuse_while_blind(self, what: str) -> None:
        if self.blind():
            from annotator.class_agreement import BadAgreementInput

            raise BadAgreementInput(f"blind coding is on: {what} would show everyone's tags; "
                                    "the tutor turns it off with 'annotator config blind off'")

    # -- tagging -------------------------------------------------------------------------

    def who(self, annotator: str | None) -> str:
        """The annotator a write is by: `--as NAME` made file-safe as `config name` makes it, else the default."""
        if not annotator:
            return self.default_annotator()
        return validate_annotator(identity.clean_name(annotator))

    def default_annotator(self) -> str:
        """--as aside: this workspace's setting, else $ANNOTATOR_NAME, else the login name."""
        return validate_annotator(identity.annotator_name(self.ws))

    # `index_later=True` (the TUI): the change is written to the annotation YAML (durably) and
    # the index is left alone, so a tag never waits for a search using the index; the caller
    # then calls catch_up(), which the next search's themes and filters follow. The passage
    # is not looked up in the index either: the caller has it from a search.

    def tag(self, passage_id: str, theme_names: list[str], *, annotator: str | None = None,
            comment: str | None = None, index_later: bool = False, quote: "str | Span | None" = None,
            passage_text: str | None = None) -> list[TagChange]:
        """Tag the passage with the themes; with `quote`, just those words (text to find in the
        passage, or a Span of it, as a selection gives): a span tag. The passage's text is read
        from the index unless `passage_text` gives it."""
        annotator = self.who(annotator)
        if not index_later or (quote is not None and passage_text is None):
            passage_text = self.passage(passage_id).text
        # The themes are looked up and the tag written under one hold of the lock: a theme renamed
        # or deleted by another process in between would leave a tag naming no theme.
        with self.store.locked():
            theme_ids = [self.resolve_theme(n).id for n in theme_names]
            self._refuse_a_removed_passage(passage_id, "tagged")
            if quote is not None:
                span = self.span_of(passage_id, passage_text, quote)
                return self._tag_span(annotator, passage_id, theme_ids, span, comment, index_later, passage_text)
            added = self.store.add_tags(annotator, passage_id, theme_ids, comment)
        self._index_tags(index_later)
        own = self.store.annotations(annotator)
        changes = [TagChange(True, own.find(passage_id, t)) for t in added]
        self.history.record(changes)
        return changes

    def _refuse_a_removed_passage(self, passage_id: str, verb: str) -> None:
        """Call holding the lock: a re-import in another process may have removed the passage since
        the caller found it (in the TUI's list, or the CLI's look-up), and a tag or comment on it
        would name no passage. While every passages file is as the index has it, the passage the
        caller found there still exists (a stat of each file); otherwise the files are read (once
        for each change: the store keeps what it read)."""
        if self.index.passages_as_indexed():
            return
        if any(passage_id in outline.ids for outline in self.store.outlines()):
            return
        raise PassageRemoved(f"not {verb}: passage '{passage_id}' is no longer in the corpus (a re-import removed "
                             "it since it was listed); nothing changed")

    @staticmethod
    def span_of(passage_id: str, text: str, quote: "str | Span") -> Span:
        """The span a quote (words to find) or a selection (a Span) stands for in the passage;
        QuoteNotFound (exit 2, one line) if it is absent, ambiguous, empty or past the text."""
        from annotator.corpus import spans

        if isinstance(quote, Span):
            return spans.span_for_offsets(passage_id, text, quote.start, quote.end)
        return spans.span_for_quote(passage_id, text, quote)

    def _tag_span(self, annotator: str, passage_id: str, theme_ids: list[str], span: Span,
                  comment: str | None, index_later: bool, text: str) -> list[TagChange]:
        from annotator.corpus.spans import TaggedWhole, stored_at

        own = self.store.annotations(annotator)
        for theme_id in theme_ids:
            tag = own.find(passage_id, theme_id)
            if tag is not None and not tag.spans:
                raise TaggedWhole(f"{passage_id} is tagged '{theme_id}' as a whole passage; untag it first "
                                  "to tag just some of its words")
        changes = []
        for theme_id in theme_ids:
            tag = own.find(passage_id, theme_id)
            # The words already tagged, at offsets a hand edit moved: that span, not a second one beside it
            same = (stored_at(tag, span, text) if tag is not None else None) or span
            what = self.store.add_span(annotator, passage_id, theme_id, same, comment)
            tag = self.store.annotations(annotator).find(passage_id, theme_id)
            if what == "new":
                changes.append(TagChange(True, tag))
            elif what == "added":
                changes.append(TagChange(True, tag, span))
        self._index_tags(index_later)
        self.history.record(changes)
        return changes

    def untag(self, passage_id: str, theme_names: list[str], *, annotator: str | None = None,
              index_later: bool = False, quote: "str | Span | None" = None) -> list[TagChange]:
        """Remove the themes' tags from the passage; with `quote`, only the span of those words
        (the tag goes with its last span)."""
        annotator = self.who(annotator)
        theme_ids = [self.resolve_theme(n).id for n in theme_names]
        if quote is not None:
            return self._untag_span(annotator, passage_id, theme_ids, quote, index_later)
        before = {t.theme: t for t in self.store.annotations(annotator).tags if t.passage == passage_id}
        removed = self.store.remove_tags(annotator, passage_id, theme_ids)
        self._index_tags(index_later)
        changes = [TagChange(False, before.get(t) or Tag(passage_id, t, annotator)) for t in removed]
        self.history.record(changes)
        return changes

    def _untag_span(self, annotator: str, passage_id: str, theme_ids: list[str], quote: "str | Span",
                    index_later: bool) -> list[TagChange]:
        from annotator.corpus import spans

        changes = []
        for theme_id in theme_ids:
            tag = self.store.annotations(annotator).find(passage_id, theme_id)
            if tag is None:
                continue
            wanted = quote if isinstance(quote, Span) else next((s for s in tag.spans if spans.same_words(s.quote, quote)), None)
            if wanted is None or wanted not in tag.spans:
                continue
            before = self.store.remove_span(annotator, passage_id, theme_id, wanted)
            if before is not None:
                changes.append(TagChange(False, before, wanted if len(before.spans) > 1 else None))
        self._index_tags(index_later)
        self.history.record(changes)
        return changes

    def toggle(self, passage_id: str, theme_id: str, *, annotator: str | None = None,
               index_later: bool = False, span: Span | None = None, passage_text: str | None = None) -> TagChange | None:
        """Tag or untag the passage with the theme; with `span` (a selection), tag or untag those words."""
        from annotator.corpus import spans

        annotator = self.who(annotator)
        existing = self.store.annotations(annotator).find(passage_id, theme_id)
        if span is not None:
            text = passage_text if passage_text is not None else self.passage(passage_id).text
            span = self.span_of(passage_id, text, span)
            stored = spans.stored_at(existing, span, text) if existing is not None else None
            if stored is not None:  # the selection is a tagged span (as shown, even where its offsets moved)
                changes = self.untag(passage_id, [theme_id], annotator=annotator, index_later=index_later, quote=stored)
            else:
                changes = self.tag(passage_id, [theme_id], annotator=annotator, index_later=index_later,
                                   quote=span, passage_text=text)
        elif existing:
            changes = self.untag(passage_id, [theme_id], annotator=annotator, index_later=index_later)
        else:
            changes = self.tag(passage_id, [theme_id], annotator=annotator, index_later=index_later)
        return changes[0] if changes else None

    def revert(self, change: TagChange | CommentChange, *, index_later: bool = False) -> None:
        """Undo one change: remove what was added, restore what was removed. What was changed
        since by someone else (another window, the CLI, a hand edit) is refused: ChangedSince."""
        if is_comment(change):
            with self.store.locked():
                self._refuse_restoring_a_memo(change, change.before, change.after, "undone")
                comments.revert(self.store, change)
        else:
            self._apply(change, not change.added, "undone")
        self._index_tags(index_later)

    def replay(self, change: TagChange | CommentChange, *, index_later: bool = False) -> None:
        """Redo one change."""
        if is_comment(change):
            with self.store.locked():
                self._refuse_restoring_a_memo(change, change.after, change.before, "redone")
                comments.replay(self.store, change)
        else:
            self._apply(change, change.added, "redone")
        self._index_tags(index_later)

    def _refuse_restoring_a_memo(self, change: CommentChange, state, now, verb: str) -> None:
        """Call holding the lock: an undo or redo that brings back a comment on a passage must not
        bring it back on a passage a re-import removed (taking one away, or a tag's comment, may)."""
        if change.on_passage and any(memo not in (now or []) for memo in (state or [])):
            self._refuse_a_removed_passage(change.passage, verb)

    def _apply(self, change: TagChange, add: bool, verb: str) -> None:
        with self.store.locked():  # the theme checked and the tag restored at once, as in tag()
            self._apply_locked(change, add, verb)

    def _apply_locked(self, change: TagChange, add: bool, verb: str) -> None:
        tag = change.tag
        if add and tag.theme not in {t.id for t in self.themes()}:
            raise ChangedSince(f"not {verb}: there is no theme '{tag.theme}' any more (renamed, merged or deleted "
                               "since); nothing changed")
        if add:
            self._refuse_a_removed_passage(tag.passage, verb)
        if change.span is not None and add:
            self.store.add_span(tag.annotator, tag.passage, tag.theme, change.span, at=tag.at)
        elif change.span is not None:
            self.store.remove_span(tag.annotator, tag.passage, tag.theme, change.span, keep_tag=True)
        elif add:
            self.store.restore_tag(tag)
        else:
            self.store.remove_tag_as_was(tag, verb)

    def _index_tags(self, later: bool) -> None:
        if not later:
            self.index.sync_tags()

    def catch_up(self) -> None:
        """Bring the index's themes up to date with tag changes made with `index_later`."""
        self.index.sync_tags()

    def undo(self, *, index_later: bool = False) -> TagChange | CommentChange | None:
        """Revert the newest change made through this session; it, or None when there is none."""
        change = self.history.next_undo()
        if change is not None:
            try:
                self.revert(change, index_later=index_later)
            except (ChangedSince, PassageRemoved) as refused:
                self.history.drop_undo()  # the next undo goes on to older changes, not the same refusal
                raise _going_on(refused, self.history.next_undo(), "undo again for the change before it") from None
            self.history.undone()
        return change

    def redo(self, *, index_later: bool = False) -> TagChange | CommentChange | None:
        """Make again the newest change undone; it, or None when there is none."""
        change = self.history.next_redo()
        if change is not None:
            try:
                self.replay(change, index_later=index_later)
            except (ChangedSince, PassageRemoved) as refused:
                self.history.drop_redo()
                raise _going_on(refused, self.history.next_redo(), "redo again for the change after it") from None
            self.history.redone()
        return change

    # -- comments (annotator.corpus.comments) ---------------------------------------------
    # Written like tags: the passage checked (unless `index_later`: the caller has it from a
    # search), the annotations file changed under the workspace lock, the index told.

    def add_passage_comment(self, passage_id: str, text: str, *, annotator: str | None = None,
                            index_later: bool = False) -> CommentChange:
        return self._comment(passage_id, annotator, index_later,
                             lambda who: comments.add_passage_comment(self.store, who, passage_id, text), adds=True)

    def replace_passage_comment(self, passage_id: str, text: str, *, annotator: str | None = None,
                                index_later: bool = False) -> CommentChange:
        """The annotator's comments on the passage become this one (an empty text deletes them)."""
        return self._comment(passage_id, annotator, index_later,
                             lambda who: comments.replace_passage_comment(self.store, who, passage_id, text), adds=bool(text))

    def delete_passage_comment(self, passage_id: str, *, annotator: str | None = None,
                               index_later: bool = False) -> CommentChange:
        return self._comment(passage_id, annotator, index_later,
                             lambda who: comments.delete_passage_comment(self.store, who, passage_id))

    def set_tag_comment(self, passage_id: str, theme_id: str, text: str | None, *, annotator: str | None = None,
                        index_later: bool = False) -> CommentChange:
        """Replace (or, with no text, delete) the comment on the annotator's tag."""
        return self._comment(passage_id, annotator, index_later,
                             lambda who: comments.set_tag_comment(self.store, who, passage_id, theme_id, text))

    def _comment(self, passage_id: str, annotator: str | None, index_later: bool, write, adds: bool = False) -> CommentChange:
        """`adds`: a comment on the passage itself is written (deleting one, or editing a tag's, is
        allowed on a passage a re-import removed: the tag is there already)."""
        who = self.who(annotator)
        if not index_later:
            self.passage(passage_id)
        with self.store.locked():
            if adds:
                self._refuse_a_removed_passage(passage_id, "saved")
            change = write(who)
        self._index_tags(index_later)  # the annotations file changed: the index's record of it follows
        self.history.record([change])
        return change

    # -- the codebook (annotator.corpus.codebook) -------------------------------------------
    # Each edit is written, then the index synced: theme notes are documents in it, and a
    # rename, merge or delete moves tags.

    def add_theme(self, name: str, *, theme_id: str | None = None, description: str = "", color: str | None = None,
                  parent: str | None = None) -> Theme:
        return self._codebook_edit(codebook.add_theme, self.store, name, theme_id=theme_id, description=description,
                                   color=color, parent=parent)

    def rename_theme(self, theme_id: str, new_name: str | None = None, new_id: str | None = None) -> codebook.CodebookChange:
        return self._codebook_edit(codebook.rename_theme, self.store, theme_id, new_name, new_id)

    def set_theme_color(self, theme_id: str, color: str | None) -> Theme:
        return self._codebook_edit(codebook.set_color, self.store, theme_id, color)

    def set_theme_description(self, theme_id: str, description: str) -> Theme:
        return self._codebook_edit(codebook.set_description, self.store, theme_id, description)

    def set_theme_parent(self, theme_id: str, parent: str | None) -> Theme:
        return self._codebook_edit(codebook.set_parent, self.store, theme_id, parent)

    def merge_themes(self, source_id: str, into_id: str) -> codebook.CodebookChange:
        return self._codebook_edit(codebook.merge_themes, self.store, source_id, into_id)

    def delete_theme(self, theme_id: str, *, force: bool = False) -> codebook.CodebookChange:
        return self._codebook_edit(codebook.delete_theme, self.store, theme_id, force=force)

    def theme_tag_count(self, theme_id: str) -> int:
        """How many tags (any annotator's) carry the theme."""
        return codebook.tag_count(self.store, theme_id)

    def _codebook_edit(self, edit, *args, **kwargs):
        result = edit(*args, **kwargs)
        self.sync()
        return result

    # -- the corpus files ------------------------------------------------------------------

    def annotators(self) -> list[str]:
        return self.store.annotators()

    def signatures(self) -> dict:
        """Each corpus file's signature: a change by another process shows as a difference."""
        return self.store.signatures()

    def has_passages(self) -> bool:
        """Whether any source has been imported (a listing of corpus/passages/, nothing read)."""
        return bool(self.store.source_paths())

    def check_annotations(self) -> None:
        """Every annotator's file read: a malformed one raises now, before a write, not after it."""
        self.store.all_annotations()

    def read_whole(self) -> "Session":
        """Every corpus file read: a malformed one stops a dry run as it stops the import."""
        self.store.themes()
        self.store.sources()
        self.store.all_annotations()
        return self

    def in_current_folder(self) -> bool:
        """Whether this is the workspace the current folder finds."""
        return is_current_folders(self.ws)

    @classmethod
    def create(cls, folder: str | os.PathLike, *, empty: bool = False, language: str | None = None) -> "Session":
        """A new workspace in `folder` (the demo codebook unless `empty`), opened; `language` (a code):
        the language of its sources unless they say otherwise."""
        from annotator.corpus.languages import normalise, set_workspace_language  # only `init` needs them

        code = normalise(language) if language else None  # an unknown code: nothing is created
        ws = init_workspace(Path(folder), empty=empty)
        if code:
            set_workspace_language(ws.corpus, code)
        return cls(ws)

    def name_setting(self) -> tuple[str, str]:
        """The annotator name writes are made by, and where it comes from (annotator.corpus.identity)."""
        return identity.annotator_name(self.ws), identity.where_name_comes_from(self.ws)

    def set_name(self, name: str | None) -> str | None:
        """Save (or, with None, remove) this workspace's name setting; the name saved, made file-safe."""
        if name is not None:
            name = validate_annotator(identity.clean_name(name))
        identity.write_setting(self.ws, "name", name)
        return name

    def settings_file(self) -> Path:
        return identity.settings_path(self.ws)

    # -- files in and out (annotator.exchange) --------------------------------------------
    # Imported when called: the importers and exports pull in parsers and the index, which
    # a TUI start-up does not need.

    def import_source(self, path: Path, *, source_id: str | None = None, annotator: str | None = None):
        """Import a text, Kindle clippings, passages YAML or workspace JSON file (an ImportReport).
        The index is not synced: the caller syncs once after a batch (with its progress)."""
        from annotator.exchange.importers import import_source  # see above: not at start-up

        return import_source(self.store, path, source_id=source_id, annotator=annotator or self.default_annotator(),
                             resolve_theme=self.resolve_theme)

    def import_theme_notes(self, path: Path):
        """Import a theme-notes file into the codebook; chapter notes given as theme notes are refused first."""
        from annotator.exchange.importers import import_theme_notes  # see above: not at start-up
        from annotator.exchange.importers.textio import read_text_file
        from annotator.exchange.importers.theme_notes import parse_theme_notes
        from annotator.exchange.notes_check import refuse_chapter_notes

        if path.is_file():  # the importer reports a missing or unreadable file itself
            refuse_chapter_notes(path, [note.name for note in parse_theme_notes(read_text_file(path).text)])
        return import_theme_notes(self.store, path)

    @contextmanager
    def dry_run(self) -> Iterator["Session"]:
        """A session on a throwaway copy of this corpus, read whole: an import tried on it writes nothing here."""
        from annotator.exchange.importers.dry_run import corpus_copy  # see above: not at start-up

        with corpus_copy(self.ws) as scratch:
            yield Session(scratch).read_whole()

    def export(self, format_name: str, theme_names: list[str] | None = None, *, whole: bool = False) -> bytes:
        """The evidence sheet (md), csv, json or qdpx export, as bytes; `whole`: whole passages, not
        the words span tags quote."""
        from annotator.exchange.exports import export  # see above: not at start-up

        return export(self, format_name, theme_names, whole=whole)

    @staticmethod
    def export_format_for(path: Path) -> str:
        """The format a file name asks for by its ending (`evidence.md` -> md), or a one-line error."""
        from annotator.exchange.formats import format_for_file

        return format_for_file(path)

    def write_export(self, path: Path, data: bytes) -> None:
        """Write an export atomically, never into the workspace's corpus/ or index/ (from any shell)."""
        from annotator.exchange.exports import write_file  # see above: not at start-up

        write_file(path, data, protected=[self.ws.corpus, self.ws.index_dir])

    # -- reports, agreement, whose tags are shown, status ----------------------------------

    def report(self, annotator: str | None = None) -> reports.Report:
        """Passages per theme and source, coverage, co-occurrence; only `annotator`'s tags if given."""
        return reports.build_report(self.store, self.resolve_annotator(annotator) if annotator else None)

    def resolve_annotator(self, name: str) -> str:
        """The annotator a typed name means (its file's name), or an error naming those there are."""
        return agreement.resolve_annotator(self.store, name)

    def pair_agreement(self, first: str, second: str) -> agreement.AgreementReport:
        """Cohen's kappa and the disagreements between two annotators (the TUI's agreement screen)."""
        return agreement.compare(self.store, first, second)

    @cached_property
    def _tags_by_passage(self) -> tag_view.TagsByPassage:
        return tag_view.TagsByPassage(self.store)

    def tags_by_passage(self) -> dict[str, list[Tag]]:
        """Every annotator's tags by passage id, as the files are now (regrouped only after a change)."""
        return self._tags_by_passage.current()

    def status(self) -> dict:
        """What `annotator status` shows: the workspace, its counts, the name, the index, problems."""
        return status.workspace_status(self)

    # -- the index, for the shells -----------------------------------------------------------

    def notify_rebuilds(self, callback: Callable[[str], None]) -> None:
        """Call `callback(reason)` when a search finds the index damaged and rebuilds it."""
        self.index.on_rebuild = callback

    def document_count(self) -> int:
        """How many documents (passages and theme notes) the index holds."""
        return self.index.document_count()

    def warm_up(self) -> Iterator:
        """Steps reading ahead what a fresh process's first searches read (annotator.engine.search.warm_up)."""
        return _search_module().warm_up(self.index)

    def search_unless_cancelled(self, text: str, **options) -> SearchResult | None:
        """`search`, or None when `options['cancelled']()` turned true before it finished."""
        from annotator.engine.query_budget import SearchCancelled  # Whoosh: not at start-up

        try:
            return self.search(text, **options)
        except SearchCancelled:
            return None

    # -- suggestions, evidence, quotations (annotator.suggestions, annotator.evidence) ---------

    def suggest(self, passage_id: str, limit: int = 5, *, wait: bool = False) -> list:
        """Ranked theme suggestions (annotator.suggestions.Suggestion) for a passage, best first.

        With the `semantic` extra installed, embeddings join in once the model is loaded:
        `wait=True` loads it here (seconds); otherwise loading starts in the background
        and these suggestions are lexical.
        """
        # Here, not at the top: these import Whoosh and NumPy, which a TUI start-up does without.
        from annotator import suggestions
        from annotator.engine.index import tag_map

        hit = self.get(passage_id)
        applied = {t.theme for t in self.tags_on(passage_id)}
        embeddings = self._embeddings(wait)
        ranked = suggestions.suggest(
            self.index, self.themes(), hit.id, hit.text,
            tags=self._visible_tag_map() if self.looking() else tag_map(self.store), applied=applied, limit=limit, embeddings=embeddings,
            titles=self._work_names(),
        )
        # A theme that scores 0.00 (as shown) has nothing for it: listed, even first, `1` would tag with it.
        return [s for s in ranked if s.score >= 0.005]

    def _visible_tag_map(self) -> dict[str, list[str]]:
        """passage id -> sorted theme ids, over the tags the viewer may see (blind: their own)."""
        from annotator import blind

        return {pid: sorted(themes) for pid, themes in blind.themes_by_passage(self.visible(self.store.all_tags())).items()}

    def _work_names(self) -> list[str]:
        """The sources' titles and authors: a note naming the work must not steer a suggestion."""
        try:
            return [x for f in self.store.sources() for x in (f.source.title, getattr(f.source, "author", ""))]
        except AnnotatorError:
            return []

    def _embeddings(self, wait: bool):
        """The embedding cache when the `semantic` model is loaded (or `wait`); else None, loading begun."""
        from annotator.engine import semantic  # the sentence model's loader: not at start-up

        if not semantic.available():
            return None
        if semantic.ready() or (wait and semantic.loads()):  # a model that fails to load: words
            return semantic.cache_for(self.ws.index_dir)
        if not wait:
            self.prepare_suggestions()
        return None

    def similar(self, passage_id: str, limit: int = 10, *, wait: bool = False) -> list[Hit]:
        """The passages most like this one, best first (by meaning once the `semantic` model is loaded)."""
        from annotator import suggestions  # Whoosh and NumPy: not at start-up

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
        from annotator.engine import semantic  # not at start-up (see suggest)
        from annotator import suggestions

        themes = self.themes()
        folder = self.ws.index_dir
        index = self.index
        return semantic.warm_up(lambda: suggestions.embed_codebook(semantic.cache_for(folder), themes, index))

    def evidence(self, theme_name: str) -> list:
        """Every passage tagged with the theme (annotator.evidence.EvidencePassage), in corpus order."""
        from annotator import evidence  # the engine's interface: Whoosh, not at start-up

        items = evidence.evidence(self.index, self.store, self.resolve_theme(theme_name).id)
        if self.looking() is None:
            return items
        from annotator import blind

        seen = []
        for item in items:
            item.tags, item.memos = self.visible(item.tags), self.visible(item.memos)
            if item.tags:
                item.hit = blind.seen_by(item.hit, blind.themes_by_passage(self.tags_on(item.hit.id)), [t.id for t in self.themes()])
                seen.append(item)
        return seen

    # -- a class of annotators: agreement, consensus (annotator.class_agreement, annotator.consensus) --

    def agreement(self, names: list[str], top: int | None = None):
        """Agreement among the named annotators (annotator.class_agreement.ClassAgreement)."""
        from annotator import class_agreement

        self.refuse_while_blind("agreement")
        return class_agreement.from_store(self.store, names, top)

    def consensus(self, names: list[str], target: str, *, minimum: int | None = None):
        """Write the tags at least `minimum` (default: most) of the named annotators gave into `target`,
        comments merged; returns annotator.consensus.ConsensusResult with what stays unsettled."""
        from annotator import consensus
        from annotator.agreement import _corpus_order

        self.refuse_while_blind("a consensus")
        target = self.who(target)
        with self.store.locked():  # what is settled and what is written are read and written as one
            annotators, k = consensus.check_consensus(self.store, names, target, minimum)
            result = consensus.settle(self.store, annotators, target, k, _corpus_order(self.store))
            self.store.merge_tags(target, result.written, {consensus.CONSENSUS_FIELD: annotators})
        self._index_tags(False)
        return result

    def accept_into_consensus(self, passage_id: str, theme: str, target: str, annotators: list[str], *,
                              comment: str | None = None, index_later: bool = False) -> list[TagChange]:
        """Tag `target` with one theme settled by adjudication; its file says whom it settles
        (`consensus_of`), as `consensus` writes it, so reports compare each annotator with it."""
        from annotator import consensus

        changes = self.tag(passage_id, [theme], annotator=target, comment=comment, index_later=index_later)
        self.store.merge_tags(self.who(target), [], {consensus.CONSENSUS_FIELD: list(annotators)})
        return changes

    def report_by_annotator(self) -> list:
        """Per annotator: passages, tags, most used themes, kappa against their consensus
        (annotator.class_report.AnnotatorLine)."""
        from annotator import class_report

        self.refuse_while_blind("a report by annotator")
        return class_report.by_annotator(self.store)

    def disputes(self, names: list[str] | None = None, target: str | None = None):
        """What an adjudication walks: (annotators, consensus name, the passages they tagged differently,
        most disagreement first). Names default to an existing consensus's, else everyone's."""
        from annotator import consensus

        self.refuse_while_blind("adjudication")
        if names is None or target is None:
            default_names, default_target = consensus.default_plan(self.store)
            names, target = names or default_names, target or default_target
        target = self.who(target)
        report = self.agreement([n for n in names if n != target], top=None)
        return report.annotators, target, report.disagreements

    def source_title(self, source_id: str) -> str:
        source_file = self.store.load_source(source_id) if source_id else None
        return (source_file.source.title if source_file else "") or source_id

    def quote(self, passage_id: str, *, whole: bool = False, span: Span | None = None) -> str:
        """The tagged words as quotations with the citation, one a line: “words” (Author, Title, location);
        the whole passage when it has no span tags, or `whole`; just `span` when given (a selection)."""
        from annotator.evidence import quote, quote_words

        hit = self.get(passage_id)
        source_file = self.store.load_source(hit.source) if hit.source else None
        title = (source_file.source.title if source_file else "") or hit.source  # as source_title gives it
        author = source_file.source.author if source_file else ""
        if span is not None:
            return quote_words(self.span_of(hit.id, hit.text, span).quote, title, hit.location, author)
        spans = [] if whole else self.spans_on(hit.id, hit.text)
        if not spans:
            return quote(hit, title, author)
        return "\n".join(quote_words(s.quote, title, hit.location, author) for s in spans)

    def language_of(self, hit: Hit) -> str:
        """The language of a passage's source, a code ("" for a theme note)."""
        from annotator.corpus.languages import workspace_language  # only `show` asks

        source = self.store.load_source(hit.source) if hit.kind == "passage" and hit.source else None
        return (source.source.language or workspace_language(self.ws.corpus)) if source else ""

    def grid(self, annotator: str | None = None):
        """The book at a glance (annotator.grid.Grid): locations down, themes across, tagged passages in each."""
        from annotator.grid import build_grid  # only the grid's screen and `report --grid` ask

        return build_grid(self.store, annotator)

    def reading_places(self) -> dict[str, tuple[str, int, int]]:
        """Each passage's place in its book: passage id -> (the book's title, its number there, how many)."""
        places = {}
        for source_file in self.store.sources():
            count = len(source_file.passages)
            for number, passage in enumerate(source_file.passages):
                places[passage.id] = (source_file.source.title or source_file.source.id, number, count)
        return places

    def kwic(self, term: str, **options):
        """A concordance of `term` (annotator.concordance.Concordance): every occurrence in context."""
        from annotator.concordance import concordance

        return concordance(self, term, **options)

    def spans_on(self, passage_id: str, text: str) -> list[Span]:
        """Every annotator's tagged words in the passage, placed in its text now, in text order."""
        from annotator.corpus.spans import placed_spans

        found = {s for tag in self.tags_on(passage_id) for s in placed_spans(tag, text)}
        return sorted(found, key=lambda s: (s.start, s.end))

    def span_problems(self, texts: dict[str, str] | None = None) -> list:
        """Stored spans, of the tags the viewer may see, that cannot be placed in their passage's text now
        (annotator.corpus.spans.SpanProblem); only those on the passages of `texts` (id -> text) when given."""
        from annotator.corpus.spans import problems

        if texts is None:
            texts = {p.id: p.text for sf in self.store.sources() for p in sf.passages}
        found = []
        for tag in self.visible(self.store.all_tags()):  # blind: not another's tags, even in a warning
            if tag.spans and tag.passage in texts:
                found += problems(tag, texts[tag.passage], self.ws.annotation_file(tag.annotator))
        return found


# An import that brings at least this many passages, and most of the corpus, rebuilds the index
# instead of updating it: as fast (in parallel), and its progress can be shown passage by passage.
REBUILD_AFTER_IMPORT = 2000


def _going_on(refused: AnnotatorError, following, hint: str) -> AnnotatorError:
    """A refused undo or redo, saying what the next one does when there is a change left for it."""
    if following is None:
        return refused
    return type(refused)(f"{refused}; {hint}")


def _mostly_new(session: Session, reports: list) -> bool:
    written = sum(report.added + report.changed for report in reports)
    if written < REBUILD_AFTER_IMPORT:
        return False
    return 2 * written >= sum(len(source.passages) for source in session.store.sources())


def _search_module():
    from annotator.engine import search  # Whoosh: imported by the first search, after the first frame

    return search
