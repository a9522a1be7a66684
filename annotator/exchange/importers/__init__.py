"""Importers: files in the wild -> the corpus's themes, passages and tags.

`import_source` and `import_theme_notes` are the two entry points; both write
through the store (atomic, locked) and report what they did, including any tag
that an edited source no longer has a place for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError, ImportFailure
from annotator.exchange.importers.plaintext import parse_plain_text
from annotator.exchange.importers.textio import read_text_file
from annotator.exchange.importers.theme_notes import parse_theme_notes
from annotator.exchange.importers.yaml_passages import parse_yaml_passages
from annotator.corpus import languages
from annotator.corpus.model import SLUG_RE, Memo, Passage, Source, SourceFile, Tag, Theme, now_iso, slugify, unique_id
from annotator.corpus.store import Store

MAX_SOURCE_ID = 100
# Passages whose text changed this little keep their id, and so their tags.
REIMPORT_SIMILARITY = 80.0
THEME_COLORS = ["#e06c75", "#98c379", "#61afef", "#e5c07b", "#c678dd", "#56b6c2", "#d19a66", "#be5046", "#7ec699"]


@dataclass
class SourceChange:
    """What an import did to one source: its passages new, changed, unchanged and removed."""

    source_id: str
    title: str = ""
    passages: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0

    def to_json(self) -> dict:
        return {"source": self.source_id, "title": self.title, "passages": self.passages, "added": self.added,
                "changed": self.changed, "unchanged": self.unchanged, "removed": self.removed}


@dataclass
class ImportReport:
    path: str
    source_id: str = ""
    kind: str = ""
    passages: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    tags_added: int = 0
    unplaced_tags: list[Tag] = field(default_factory=list)
    unplaced_memos: list[Memo] = field(default_factory=list)
    themes_added: list[str] = field(default_factory=list)
    themes_updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[SourceChange] = field(default_factory=list)  # one per source written, for a line each
    dry_run: bool = False  # counted on a copy of the corpus: nothing was written
    language: str = ""  # the source's language code
    language_how: str = ""  # "given", "kept", "detected", "the workspace's"

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "kind": self.kind,
            "source": self.source_id,
            "passages": self.passages,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "tags_added": self.tags_added,
            "language": self.language,
            "unplaced_tags": [{"passage": t.passage, "theme": t.theme, "annotator": t.annotator} for t in self.unplaced_tags],
            "unplaced_memos": [{"passage": m.passage, "annotator": m.annotator, "text": m.text} for m in self.unplaced_memos],
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
    from annotator.exchange.importers.kindle import looks_like_clippings
    from annotator.exchange.importers.workspace_json import looks_like_export

    if suffix == ".json" or looks_like_export(text):
        return "annotator-json"
    if looks_like_clippings(text):
        return "kindle"
    return "text"


def valid_source_id(source_id: str) -> bool:
    # The id names a file, passages/<id>.yaml: a slug, and short enough for any file system.
    return bool(SLUG_RE.match(source_id)) and len(source_id) <= MAX_SOURCE_ID


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
    language: str | None = None,
) -> ImportReport:
    """Import one file of passages as a source; re-importing updates it in place.

    `language` (a code, annotator.corpus.languages) is the source's; not given, a re-import keeps
    the one it had, else it is detected from the text, else it is the workspace's."""
    from annotator.exchange.importers.checks import check_annotator

    path = Path(path)
    check_annotator(path, annotator)  # before anything is written: tags and comments are saved under it
    if path.suffix.lower() == ".qdpx":  # a zip, not text: REFI-QDA project exchange
        from annotator.exchange.qdpx import import_qdpx

        report = ImportReport(str(path), kind="qdpx")
        import_qdpx(store, path, report, default_annotator=annotator)
        return report
    decoded = read_text_file(path)
    kind = detect_kind(path, decoded.text)
    report = ImportReport(str(path), kind=kind, warnings=list(decoded.warnings))
    wanted_id = source_id or default_source_id(path)
    if source_id and not valid_source_id(source_id):
        raise ImportFailure(f"--source '{source_id}' must be a slug (lowercase letters, digits, '-'), at most {MAX_SOURCE_ID} characters")
    title, author, tag_pairs = None, "", []
    if kind in ("kindle", "annotator-json"):
        return _import_collection(store, path, decoded.text, report, kind, source_id, annotator)
    if kind == "yaml":
        parsed = parse_yaml_passages(decoded.text, path, wanted_id)
        if parsed.source_id and not source_id:
            if not valid_source_id(parsed.source_id):
                raise ImportFailure(f"{path}: source id '{parsed.source_id}' must be a slug, at most {MAX_SOURCE_ID} characters")
            wanted_id = parsed.source_id
        passages = [Passage(p.id, p.text, p.location, wanted_id) for p in parsed.passages]
        title, author, tag_pairs = parsed.title, parsed.author, parsed.tags
        report.warnings += parsed.warnings
        keep_ids = True
    else:
        title, passages = parse_plain_text(decoded.text, wanted_id)
        keep_ids = False
    if not passages:
        raise ImportFailure(f"{path}: no passages found (paragraphs are separated by blank lines)")
    report.source_id = wanted_id
    if language:
        languages.normalise(language)  # an unknown code fails before anything is written

    with store.locked():
        _check_id_clashes(store, wanted_id, passages, path)
        old = store.load_source(wanted_id)
        old_passages = old.passages if old else []
        if not keep_ids:
            passages = carry_over_ids(old_passages, passages, reserved=annotated_ids(store))
        _count_changes(report, old_passages, passages)
        kept = old.source.language if old and not language else None
        choice = languages.choose(language or kept, None, [p.text for p in passages], languages.workspace_language(store.ws.corpus))
        report.language, report.language_how = choice.code, ("kept" if kept else choice.how)
        report.warnings += choice.warnings
        source = Source(
            id=wanted_id,
            title=title or (old.source.title if old else "") or path.stem.replace("_", " ").replace("-", " ").title(),
            author=author or (old.source.author if old else ""),
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
        store.save_source(SourceFile(source, passages))
    report.passages = len(passages)
    report.sources.append(SourceChange(wanted_id, source.title, report.passages, report.added, report.changed,
                                       report.unchanged, report.removed))
    return report


def _import_collection(store: Store, path: Path, text: str, report: ImportReport, kind: str, source_id, annotator) -> ImportReport:
    """Files that hold several sources at once: Kindle clippings, annotator's JSON export."""
    if kind == "kindle":
        from annotator.exchange.importers.kindle import import_kindle

        import_kindle(store, path, text, report, source_id=source_id, annotator=annotator)
    else:
        from annotator.exchange.importers.workspace_json import import_workspace_json

        import_workspace_json(store, path, text, report)
    return report


def _check_id_clashes(store: Store, source_id: str, passages: list[Passage], path: Path) -> None:
    mine = {p.id for p in passages}
    for other_path in store.source_paths():
        if other_path.stem == source_id:
            continue
        other = store.load_source_path(other_path)
        clash = mine & {p.id for p in other.passages}
        if clash:
            example = sorted(clash)[0]
            raise ImportFailure(
                f"{path}: passage id '{example}' already belongs to source '{other.source.id}'; use --source to import under another id"
            )


def _count_changes(report: ImportReport, old: list[Passage], new: list[Passage]) -> None:
    old_by_id = {p.id: p for p in old}
    for passage in new:
        before = old_by_id.get(passage.id)
        if before is None:
            report.added += 1
        elif before.text == passage.text:  # a moved paragraph changes its "para N", not its words
            report.unchanged += 1
        else:
            report.changed += 1
    report.removed = len(set(old_by_id) - {p.id for p in new})


def unplaced_memos(store: Store, gone: set[str]) -> list[Memo]:
    return [m for af in store.all_annotations() for m in af.memos if m.passage in gone]


def annotated_ids(store: Store) -> set[str]:
    """Every passage id some tag or memo points at, placed or not."""
    return {record.passage for af in store.all_annotations() for record in (*af.tags, *af.memos)}


def carry_over_ids(old: list[Passage], new: list[Passage], reserved: set[str] = frozenset()) -> list[Passage]:
    """Give re-imported passages the ids they had before: same text, or text that changed a little.

    A new passage never takes an id that is `reserved` (one that annotations point at, such as
    the id of a passage an earlier re-import removed): its tags belong to other words."""
    if not old:
        return new
    from rapidfuzz import fuzz, process

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


def import_theme_notes(store: Store, path: Path) -> ImportReport:
    """Study-guide theme notes -> themes; re-importing updates descriptions, never duplicates."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml", ".json", ".qdpx"):
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
            theme_id = unique_id(slugify(note.name, "theme"), {t.id for t in themes})
            color = THEME_COLORS[len(themes) % len(THEME_COLORS)]
            themes.append(Theme(theme_id, note.name, note.description, color))
            report.themes_added.append(theme_id)
        store.save_themes(themes)
    return report


def _matching_theme(themes: list[Theme], name: str, description: str) -> Theme | None:
    slug = slugify(name, "theme")
    for theme in themes:
        if theme.id == slug or theme.name.casefold() == name.casefold():
            return theme
    from rapidfuzz import fuzz

    for theme in themes:
        if theme.description and fuzz.token_set_ratio(theme.description, description) >= 90:
            return theme
    return None

