"""Importers: files in the wild -> the corpus's themes, passages and tags.

`import_source` and `import_theme_notes` are the two entry points; both write
through the store (atomic, locked) and report what they did, including any tag
that an edited source no longer has a place for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# qdpx imports this package's modules; imported as a module (not `import_qdpx` from it), it may
# be the one half-way through importing when this package is first imported.
from annotator.exchange import qdpx
from annotator.errors import AnnotatorError, ImportFailure
from annotator.exchange.importers.checks import MAX_SOURCE_ID, check_annotator, valid_source_id
from annotator.exchange.importers.kindle import import_kindle, looks_like_clippings
from annotator.exchange.importers.merging import PassageCounts, SourceChange, check_id_clashes, count_changes, unplaced_memos
from annotator.exchange.importers.plaintext import parse_plain_text
from annotator.exchange.importers.textio import DecodedText, read_text_file, require_a_file
from annotator.exchange.importers.theme_notes import parse_theme_notes
from annotator.exchange.importers.workspace_json import import_workspace_json, looks_like_export
from annotator.exchange.importers.yaml_passages import parse_yaml_passages
from annotator.corpus import languages
from annotator.corpus.model import Memo, Passage, Source, SourceFile, Tag, Theme, now_iso, slugify, theme_slug, unique_id
from annotator.corpus.store import Store

__all__ = [  # besides what is defined here, named here for the importers' callers
    "MAX_SOURCE_ID", "SourceChange", "check_id_clashes", "count_changes", "unplaced_memos", "valid_source_id",
]

# Passages whose text changed this little keep their id, and so their tags.
REIMPORT_SIMILARITY = 80.0
THEME_COLORS = ["#e06c75", "#98c379", "#61afef", "#e5c07b", "#c678dd", "#56b6c2", "#d19a66", "#be5046", "#7ec699"]


@dataclass
class ImportReport(PassageCounts):
    """What importing one file did; its passage counts summed over the sources it wrote (`sources`)."""

    path: str
    source_id: str = ""
    kind: str = ""
    tags_added: int = 0
    unplaced_tags: list[Tag] = field(default_factory=list)
    unplaced_memos: list[Memo] = field(default_factory=list)
    unplaced_spans: list = field(default_factory=list)  # annotator.corpus.spans.SpanProblem: words no longer found
    themes_added: list[str] = field(default_factory=list)
    themes_updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[SourceChange] = field(default_factory=list)  # one per source written, for a line each
    dry_run: bool = False  # counted on a copy of the corpus: nothing was written
    language: str = ""  # the source's language code
    language_how: str = ""  # "given", "kept", "detected", "the workspace's"
    title_from_file_name: bool = False  # no title given, in the file or before: the file's name, as typed

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "kind": self.kind,
            "source": self.source_id,
            **self.counts(),
            "tags_added": self.tags_added,
            "language": self.language,
            "unplaced_tags": [{"passage": t.passage, "theme": t.theme, "annotator": t.annotator} for t in self.unplaced_tags],
            "unplaced_memos": [{"passage": m.passage, "annotator": m.annotator, "text": m.text} for m in self.unplaced_memos],
            "unplaced_spans": [{"passage": p.tag.passage, "theme": p.tag.theme, "annotator": p.tag.annotator,
                                "quote": p.span_quote, "why": p.reason} for p in self.unplaced_spans],
            "themes_added": self.themes_added,
            "themes_updated": self.themes_updated,
            "warnings": self.warnings,
            "sources": [change.to_json() for change in self.sources],
            "dry_run": self.dry_run,
        }


def detect_kind(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".md", ".markdown"):
        return "markdown"
    highlights = highlights_kind(suffix, text)
    if highlights:
        return highlights
    if suffix == ".json" or looks_like_export(text):
        return "annotator-json"
    if looks_like_clippings(text):
        return "kindle"
    from annotator.exchange.importers.gutenberg import looks_like_gutenberg

    if looks_like_gutenberg(text):
        return "gutenberg"
    return "text"


def highlights_kind(suffix: str, text: str) -> str | None:
    """"koreader" or "readwise" for an e-reader's or Readwise's export of highlights, else None."""
    if suffix == ".csv":  # the one CSV annotator reads; another is refused by its parser, in one line
        return "readwise"
    if suffix == ".json" and '"entries"' in text:
        import json

        from annotator.exchange.importers.koreader import looks_like_koreader

        try:
            return "koreader" if looks_like_koreader(json.loads(text)) else None
        except (ValueError, RecursionError):
            return None
    return None


def _is_koreader(path: Path) -> bool:
    try:
        return highlights_kind(".json", read_text_file(path).text) == "koreader"
    except ImportFailure:
        return False
def default_source_id(path: Path) -> str:
    return slugify(path.stem, fallback="source")


# -- passages ----------------------------------------------------------------------------


def import_source(
    store: Store,
    path: Path,
    *,
    source_id: str | None = None,
    annotator: str = "me",
    resolve_theme=None,
    title: str | None = None,
    author: str | None = None,
    book: str | None = None,
    replace: bool = False,
    progress=None,
    language: str | None = None,
) -> ImportReport:
    """Import one file of passages as a source; re-importing updates it in place.

    `language` (a code, annotator.corpus.languages) is the source's; not given, a re-import keeps
    the one it had, else it is detected from the text, else it is the workspace's.

    `title` and `author` name the work (they win over the file's own); `book` takes one book out of
    a file of highlights; `replace` lets `source_id` replace a source another file made."""
    from annotator.exchange.importers.highlights import HighlightOptions

    path = Path(path)
    require_a_file(path)  # before its signature is read: a pipe or a device would wait or run for ever
    check_annotator(path, annotator)  # before anything is written: tags and comments are saved under it
    if source_id and not valid_source_id(source_id):
        raise ImportFailure(f"--source '{source_id}' must be a slug (lowercase letters, digits, '-'), at most {MAX_SOURCE_ID} characters")
    if replace and not source_id:
        raise ImportFailure("--replace needs --source ID: the source to replace")
    options = HighlightOptions(source_id, title, author, book, replace, annotator)
    from annotator.exchange.importers.kobo import looks_like_kobo

    if looks_like_kobo(path):  # a database, not text
        report = ImportReport(str(path), kind="kobo")
        return _import_highlights(store, path, None, report, options, progress)
    if (title or author or book) and path.suffix.lower() in (".qdpx", ".json") and not _is_koreader(path):
        raise ImportFailure(f"{path}: --title, --author and --book name one work; a project or annotator export keeps its sources' own")
    if path.suffix.lower() == ".qdpx":  # a zip, not text: REFI-QDA project exchange
        report = ImportReport(str(path), kind="qdpx")
        _refuse_a_lone_source_option(path, source_id, replace)
        qdpx.import_qdpx(store, path, report, default_annotator=annotator, replace_id=source_id if replace else None)
        return report
    from annotator.exchange.importers.books import BOOK_KINDS, book_kind, read_book

    kind = book_kind(path)  # EPUB, PDF, Word, OpenDocument, web page: read as a book, not as text
    decoded = DecodedText("", "") if kind else read_text_file(path)
    kind = kind or detect_kind(path, decoded.text)
    report = ImportReport(str(path), kind=kind, warnings=list(decoded.warnings))
    wanted_id = source_id or default_source_id(path)
    explicit_id = bool(source_id)
    given_title, given_author = title, author
    title, author, tag_pairs = None, "", []
    came_from = ""  # the file a YAML file says its source first came from (a corpus file copied out)
    if kind in ("koreader", "readwise"):
        return _import_highlights(store, path, decoded.text, report, options, progress)
    if book and kind != "kindle":
        raise ImportFailure(f"{path}: --book takes one book out of a file of highlights (Kindle, KOReader, Kobo, Readwise)")
    if kind in ("kindle", "annotator-json"):
        return _import_collection(store, path, decoded.text, report, kind, options)
    if kind == "yaml":
        parsed = parse_yaml_passages(decoded.text, path, wanted_id)
        if parsed.source_id and not source_id:
            if not valid_source_id(parsed.source_id):
                raise ImportFailure(f"{path}: source id '{parsed.source_id}' must be a slug, at most {MAX_SOURCE_ID} characters")
            wanted_id = parsed.source_id
            explicit_id = True  # the file names its source: it is never moved to another id
        passages = [Passage(p.id, p.text, p.location, wanted_id) for p in parsed.passages]
        title, author, tag_pairs = parsed.title, parsed.author, parsed.tags
        came_from = parsed.file
        report.warnings += parsed.warnings
        keep_ids = True
    elif kind in BOOK_KINDS:
        read = read_book(path, kind, wanted_id, decoded.text, progress=progress)
        title, author, passages = read.title, read.author, read.passages
        report.warnings += read.warnings
        keep_ids = False
    else:
        from annotator.exchange.importers.front_matter import split_front_matter

        text, front_title, author = (split_front_matter(decoded.text) if path.suffix.lower() in (".md", ".markdown")
                                     else (decoded.text, "", ""))
        title, passages = parse_plain_text(text, wanted_id)
        title = front_title or title
        keep_ids = False
    if not passages:
        raise ImportFailure(f"{path}: no passages found (paragraphs are separated by blank lines)")
    report.source_id = wanted_id
    if language:
        languages.normalise(language)  # an unknown code fails before anything is written

    with store.locked():
        from annotator.exchange.importers.source_ids import claim_source_id

        claimed, notice = claim_source_id(store, wanted_id, path, explicit=explicit_id, replace=replace,
                                          ours=lambda existing: _yaml_of(existing, came_from, passages if keep_ids else []))
        if claimed != wanted_id:
            report.warnings.append(notice)
            passages = [Passage(_moved_id(p.id, wanted_id, claimed), p.text, p.location, claimed) for p in passages]
            wanted_id = report.source_id = claimed
        check_id_clashes(store, wanted_id, passages, path)
        old = store.load_source(wanted_id)
        old_passages = old.passages if old else []
        if not keep_ids:
            passages = carry_over_ids(old_passages, passages, reserved=annotated_ids(store))
        count_changes(report, old_passages, passages)
        kept = old.source.language if old and not language else None
        choice = languages.choose(language or kept, None, [p.text for p in passages], languages.workspace_language(store.ws.corpus))
        report.language, report.language_how = choice.code, ("kept" if kept else choice.how)
        report.warnings += choice.warnings
        # A title the file gives (its `# heading`, metadata) or an earlier import's; else the file's name as
        # typed ("fr.txt" is "fr", not "Fr"), and the import says how to name the work for citations.
        known_title = given_title or title or (old.source.title if old else "")
        report.title_from_file_name = not known_title
        source = Source(
            id=wanted_id,
            title=known_title or path.stem,
            author=given_author or author or (old.source.author if old else ""),
            file=path.name,
            imported_at=now_iso(),
            language=choice.code,
        )
        new_ids = {p.id for p in passages}
        gone = {p.id for p in old_passages} - new_ids
        report.unplaced_tags = [t for t in store.all_tags() if t.passage in gone]
        report.unplaced_memos = unplaced_memos(store, gone)
        # Tags first, then passages: a crash in between leaves tags waiting for their
        # passages (harmless, and the next import places them), never passages half-imported.
        if tag_pairs:
            report.tags_added = _import_tags(store, tag_pairs, annotator, resolve_theme, report)
        from annotator.exchange.importers.span_carry import carry_spans

        carry_spans(store, passages, report)
        store.save_source(SourceFile(source, passages))
    report.passages = len(passages)
    report.sources.append(SourceChange(wanted_id, source.title, **report.counts()))
    return report


def _yaml_of(existing, came_from: str, passages: list[Passage]) -> bool:
    """Whether a YAML file is a version of the existing source: it says it came from the same file
    (a corpus file copied out), or it carries passage ids of that source (an edit of its passages)."""
    if came_from and existing.source.file == came_from:
        return True
    return bool({p.id for p in passages} & {p.id for p in existing.passages})


def _moved_id(passage_id: str, old_source: str, new_source: str) -> str:
    """`keeper-p3` -> `keeper-2-p3`: a text import's passage ids follow its source id to a free one."""
    return new_source + passage_id[len(old_source):] if passage_id.startswith(old_source + "-") else passage_id


def _import_highlights(store: Store, path: Path, text: str | None, report: ImportReport, options, progress) -> ImportReport:
    """KOReader's JSON, Kobo's database, Readwise's CSV: books of highlights (annotator.exchange.importers.highlights)."""
    from annotator.exchange.importers import koreader, kobo, readwise
    from annotator.exchange.importers.highlights import import_highlight_books

    if report.kind == "kobo":
        books, prefix = kobo.read_kobo(path), kobo.PREFIX
    elif report.kind == "koreader":
        books, prefix = koreader.parse_koreader(text, path), koreader.PREFIX
    else:
        books, prefix = readwise.parse_readwise(text, path), readwise.PREFIX
    import_highlight_books(store, path, report, books, prefix=prefix, options=options, progress=progress)
    return report


def _import_collection(store: Store, path: Path, text: str, report: ImportReport, kind: str, options) -> ImportReport:
    """Files that hold several sources at once: Kindle clippings, annotator's JSON export."""
    if kind == "kindle":
        import_kindle(store, path, text, report, source_id=options.source_id, annotator=options.annotator, options=options)
    else:
        _refuse_a_lone_source_option(path, options.source_id, options.replace)
        import_workspace_json(store, path, text, report, replace_id=options.source_id if options.replace else None)
    return report


def _refuse_a_lone_source_option(path: Path, source_id: str | None, replace: bool) -> None:
    """A project (a .qdpx, annotator's JSON) keeps each source's own id: `--source` there only
    names the source to replace, with `--replace`. Alone it would be ignored: say so instead."""
    if source_id and not replace:
        raise ImportFailure(f"{path}: a project import keeps each source's own id; --source {source_id} works only "
                            "with --replace (to replace that source), so nothing was imported")


def annotated_ids(store: Store) -> set[str]:
    """Every passage id some tag or memo points at, placed or not."""
    return {record.passage for af in store.all_annotations() for record in (*af.tags, *af.memos)}


def carry_over_ids(old: list[Passage], new: list[Passage], reserved: set[str] = frozenset()) -> list[Passage]:
    """Give re-imported passages the ids they had before: same text, or text that changed a little.

    A new passage never takes an id that is `reserved` (one that annotations point at, such as
    the id of a passage an earlier re-import removed): its tags belong to other words."""
    if not old:
        return new
    from rapidfuzz import fuzz, process  # rapidfuzz: ~40 ms, only when needed

    available = {p.id: p.text for p in old}
    by_text: dict[str, str] = {}
    for p in old:
        by_text.setdefault(p.text, p.id)
    assigned: list[str | None] = [None] * len(new)
    for i, passage in enumerate(new):
        pid = by_text.get(passage.text)
        if pid is not None and pid in available:
            assigned[i] = pid
            del available[pid]
    for i, passage in enumerate(new):
        if assigned[i] is not None or not available:
            continue
        match = process.extractOne(passage.text, available, scorer=fuzz.ratio, score_cutoff=REIMPORT_SIMILARITY)
        if match:
            assigned[i] = match[2]
            del available[match[2]]
    # An unmatched passage never takes an id the old text had: its tags belong to other words.
    taken = {p.id for p in old} | set(reserved)
    result = []
    for passage, pid in zip(new, assigned):
        if pid is None:
            pid = passage.id
            n = 2
            while pid in taken:
                pid = f"{passage.id}-v{n}"
                n += 1
            taken.add(pid)
        result.append(Passage(pid, passage.text, passage.location, passage.source))
    return result


def _import_tags(store: Store, pairs, annotator: str, resolve_theme, report: ImportReport) -> int:
    by_passage: dict[str, list[str]] = {}
    for pid, theme_name in pairs:
        try:
            theme_id = resolve_theme(theme_name).id if resolve_theme else theme_name
        except AnnotatorError as exc:  # no such theme: the tag is reported, not imported
            report.warnings.append(f"passage {pid}: {exc}; not tagged")
            continue
        by_passage.setdefault(pid, []).append(theme_id)
    added = 0
    for pid, theme_ids in by_passage.items():
        added += len(store.add_tags(annotator, pid, theme_ids))
    return added


# -- theme notes --------------------------------------------------------------------------


# Files that hold passages, highlights or a spreadsheet, never a page of theme notes: read as text
# (a .csv, an .html page) each line or tag would have become a theme.
NOT_THEME_NOTES = (".yaml", ".yml", ".json", ".qdpx", ".csv", ".tsv", ".sqlite", ".epub", ".pdf", ".docx", ".odt",
                   ".html", ".htm", ".xhtml")


def import_theme_notes(store: Store, path: Path) -> ImportReport:
    """Study-guide theme notes -> themes; re-importing updates descriptions, never duplicates."""
    path = Path(path)
    if path.suffix.lower() in NOT_THEME_NOTES:
        raise ImportFailure(f"{path}: theme notes are a text page (one paragraph per theme); import passages without --themes")
    decoded = read_text_file(path)
    report = ImportReport(str(path), kind="theme-notes", warnings=list(decoded.warnings))
    notes = parse_theme_notes(decoded.text)
    if not notes:
        raise ImportFailure(f"{path}: no theme paragraphs found (one paragraph per theme, separated by blank lines)")
    with store.locked():
        themes = store.themes()
        for note in notes:
            existing = _matching_theme(themes, note.name, note.description)
            if existing is not None:
                if existing.description != note.description:
                    existing.description = note.description
                    report.themes_updated.append(existing.id)
                continue
            theme_id = unique_id(theme_slug(note.name), {t.id for t in themes})
            color = THEME_COLORS[len(themes) % len(THEME_COLORS)]
            themes.append(Theme(theme_id, note.name, note.description, color))
            report.themes_added.append(theme_id)
        store.save_themes(themes)
    return report


def _matching_theme(themes: list[Theme], name: str, description: str) -> Theme | None:
    slugs = {slugify(name, "theme"), theme_slug(name)}  # as ids were made before, and now
    for theme in themes:
        if theme.id in slugs or theme.name.casefold() == name.casefold():
            return theme
    from rapidfuzz import fuzz  # rapidfuzz: ~40 ms, only when needed

    for theme in themes:
        if theme.description and fuzz.token_set_ratio(theme.description, description) >= 90:
            return theme
    return None

