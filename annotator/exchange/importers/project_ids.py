"""Which ids a project's sources take: never another file's source by accident.

A .qdpx project or an annotator export names its own source ids. A source whose id already
exists in the workspace is the same source (updated in place) when it came from the same file
(`file`, which an export keeps), or when the two share a passage: the same id with the same
words. Otherwise it moves to a free id (`keeper-2`) with a notice, as a single file does
(annotator.exchange.importers.source_ids), and its passages, tags and memos move with it.
`--source ID --replace` replaces source ID on purpose.
"""

from __future__ import annotations

from dataclasses import replace as with_changes
from pathlib import Path
from typing import Iterable

from annotator.corpus.model import AnnotationFile, Passage, Source, SourceFile
from annotator.exchange.importers.checks import valid_source_id
from annotator.exchange.importers.source_ids import claim_source_id


def claim_project_ids(store, path: Path, sources: list[tuple[Source, list[Passage]]],
                      annotations: Iterable[AnnotationFile], report,
                      replace_id: str | None = None) -> list[tuple[Source, list[Passage]]]:
    """The sources with the ids they are to be written under; tags and memos renamed to match."""
    claimed: list[tuple[Source, list[Passage]]] = []
    moved: dict[str, str] = {}  # old passage id -> new
    for source, passages in sources:
        if not valid_source_id(source.id):  # not a file name: check_sources refuses it next
            claimed.append((source, passages))
            continue
        taken = {s.id for s, _ in sources if s is not source} | {s.id for s, _ in claimed}
        source_id, notice = claim_source_id(
            _WithProject(store, taken), source.id, _named_by(source, path), replace=source.id == replace_id,
            ours=lambda existing, source=source, passages=passages: _same_source(existing, source, passages))
        if notice is None:
            claimed.append((source, passages))
            continue
        report.warnings.append(notice)
        renamed = [with_changes(p, id=_moved_id(p.id, source.id, source_id), source=source_id) for p in passages]
        moved.update((p.id, q.id) for p, q in zip(passages, renamed))
        claimed.append((with_changes(source, id=source_id), renamed))
    for af in annotations if moved else ():
        for record in (*af.tags, *af.memos):
            record.passage = moved.get(record.passage, record.passage)
    return claimed


class _WithProject:
    """The workspace's sources as claim_source_id sees them, plus the ids the project's other
    sources hold: a moved source never takes one (keeper -> keeper-3 when the project has keeper-2)."""

    def __init__(self, store, taken: set[str]):
        self.store, self.taken = store, taken

    def load_source(self, source_id: str):
        existing = self.store.load_source(source_id)
        if existing is None and source_id in self.taken:
            return SourceFile(Source(source_id, file="another source of this project"))
        return existing


def _named_by(source: Source, path: Path) -> Path:
    """The file the source came from, which claim_source_id compares and names in its notice."""
    return Path(source.file or Path(path).name)


def _same_source(existing, source: Source, passages: list[Passage]) -> bool:
    if existing.source.file and existing.source.file == source.file:
        return True
    theirs = {p.id: p.text for p in existing.passages}
    return any(theirs.get(p.id) == p.text for p in passages)


def _moved_id(passage_id: str, old_source: str, new_source: str) -> str:
    """`keeper-p3` -> `keeper-2-p3`; an id not named after its source gets the new id in front."""
    if passage_id.startswith(old_source + "-"):
        return new_source + passage_id[len(old_source):]
    return f"{new_source}-{passage_id}"
