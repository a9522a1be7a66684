"""Writing imported records beside what the workspace holds: id clashes between sources,
what changed in a source, comments left without a passage, themes merged by id and
annotations merged without duplicates. Shared by every importer that writes whole sources
(Kindle clippings, annotator's JSON export, REFI-QDA projects) and by plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from annotator.errors import ImportFailure
from annotator.corpus.model import AnnotationFile, Memo, Passage, Tag, Theme
from annotator.corpus.store import Store


@dataclass(kw_only=True)
class PassageCounts:
    """What an import did to passages: how many a source has now, how many of them are new, changed
    and unchanged, and how many it lost. One source's change counts them, and so does a file's report
    (summed over the sources it wrote)."""

    passages: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0

    def add_changes(self, other: "PassageCounts") -> None:
        """Add another's new, changed, unchanged and lost passages (not its passages: counted once saved)."""
        self.added += other.added
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.removed += other.removed

    def counts(self) -> dict[str, int]:
        return {"passages": self.passages, "added": self.added, "changed": self.changed,
                "unchanged": self.unchanged, "removed": self.removed}


@dataclass
class SourceChange(PassageCounts):
    """What an import did to one source: its passages new, changed, unchanged and removed."""

    source_id: str
    title: str = ""

    def to_json(self) -> dict:
        return {"source": self.source_id, "title": self.title, **self.counts()}


def check_id_clashes(store: Store, source_id: str, passages: list[Passage], path: Path) -> None:
    mine = {p.id for p in passages}
    for other_path in store.source_paths():
        if other_path.stem == source_id:
            continue
        other = store.load_source_path(other_path)
        clash = mine & {p.id for p in other.passages}
        if clash:
            example = sorted(clash)[0]
            # Ids made from the source id (`notes-p1`) change with --source; ids the file writes itself do not.
            hint = ("use --source to import under another id" if example.startswith(f"{source_id}-")
                    else "the file gives its passages their ids, so give them other ids there")
            raise ImportFailure(f"{path}: passage id '{example}' already belongs to source '{other.source.id}'; {hint}")


def count_changes(report: PassageCounts, old: list[Passage], new: list[Passage]) -> None:
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


def merge_themes(store, incoming: list[Theme], report) -> None:
    themes = [replace(t) for t in store.themes()]  # copies: the store's cached records stay as the file is
    by_id = {t.id: t for t in themes}
    for theme in incoming:
        existing = by_id.get(theme.id)
        if existing is None:
            themes.append(theme)
            by_id[theme.id] = theme
            report.themes_added.append(theme.id)
        elif _merge_theme(existing, theme, report):
            report.themes_updated.append(theme.id)
    _drop_bad_parents(themes, set(report.themes_added) | set(report.themes_updated), report)
    if report.themes_added or report.themes_updated:
        store.save_themes(themes)


THEME_FIELDS = ("name", "description", "color", "parent")


def _drop_bad_parents(themes: list[Theme], imported: set[str], report) -> None:
    """An imported theme whose parent is not in the codebook, or whose nesting leads back to
    itself, goes to the top level (the codebook stays a tree), and the import says so."""
    by_id = {t.id: t for t in themes}
    for theme in themes:
        if theme.id not in imported or not theme.parent:
            continue
        seen, parent = {theme.id}, theme.parent
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            parent = by_id[parent].parent
        if parent is None:
            continue
        why = "is not in the codebook" if parent not in by_id else "nests it inside itself"
        report.warnings.append(f"theme '{theme.id}': its parent '{theme.parent}' {why}; it is put at the top level")
        theme.parent = None


def _merge_theme(existing: Theme, incoming: Theme, report) -> bool:
    """Take the fields the import has; one it lacks (another tool may have no description or
    colour) never erases the codebook's. A value that replaces another is reported."""
    changed = False
    for name in THEME_FIELDS:
        new, old = getattr(incoming, name), getattr(existing, name)
        if not new or new == old:
            continue
        if old:
            report.warnings.append(f"theme '{existing.id}': the import replaces its {name}" + (
                "" if name == "description" else f" ({old} -> {new})"))
        setattr(existing, name, new)
        changed = True
    return changed


def _new_spans(have: Tag, incoming: Tag) -> tuple:
    """The spans an imported tag quotes that the tag already there does not (one on the whole
    passage stays so: an import narrows no tag)."""
    if not have.spans:
        return ()
    return tuple(s for s in incoming.spans if s not in have.spans)


def merge_annotations(store, incoming: AnnotationFile) -> int:
    def edit(annotations: AnnotationFile) -> int:
        have_tags = {(t.passage, t.theme): i for i, t in enumerate(annotations.tags)}
        have_memos = {(m.passage, m.text) for m in annotations.memos}
        added = memos_added = spans_added = 0
        for tag in incoming.tags:
            position = have_tags.get((tag.passage, tag.theme))
            if position is None:
                annotations.tags.append(Tag(tag.passage, tag.theme, annotations.annotator, tag.at, tag.comment, spans=tag.spans))
                have_tags[(tag.passage, tag.theme)] = len(annotations.tags) - 1
                added += 1
            elif _new_spans(annotations.tags[position], tag):  # the words a tag quotes join the tag there
                old = annotations.tags[position]
                annotations.tags[position] = replace(old, spans=old.spans + _new_spans(old, tag))
                spans_added += 1
        for memo in incoming.memos:
            if (memo.passage, memo.text) not in have_memos:
                memo.annotator = annotations.annotator
                annotations.memos.append(memo)
                have_memos.add((memo.passage, memo.text))
                memos_added += 1
        # None when nothing is new, so that the file is not rewritten.
        return (added, memos_added) if added or memos_added or spans_added else None

    result = store._edit_annotations(incoming.annotator, edit)
    return result[0] if result else 0
