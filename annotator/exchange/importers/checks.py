"""Checks on what an import brings, all made before its first write.

An import that fails half-way leaves a workspace partly changed (themes added, an
annotator's file written, then a source refused); so every id an import will write is
checked here first, and a bad one stops the import with one line, nothing written.
"""

from __future__ import annotations

from pathlib import Path

from annotator.errors import AnnotatorError, ImportFailure
from annotator.exchange.importers.merging import check_id_clashes
from annotator.corpus.model import NOTE_ID_PREFIX, SLUG_RE, AnnotationFile, Passage, Source, reserved_for_notes
from annotator.corpus.store import validate_annotator
from annotator.textsafe import has_controls, show_line

MAX_SOURCE_ID = 100

MAX_PASSAGE_ID = 200


def passage_id_problem(passage_id: str) -> str | None:
    """Why the id cannot name a passage, or None when it can."""
    if not passage_id or any(ch.isspace() for ch in passage_id):
        return "must be non-empty and have no spaces"
    if has_controls(passage_id):
        return "must not hold control characters"
    if reserved_for_notes(passage_id):
        return f"must not start with '{NOTE_ID_PREFIX}' (theme notes use it)"
    if len(passage_id) > MAX_PASSAGE_ID:
        return f"is longer than {MAX_PASSAGE_ID} characters"
    return None


def check_passage_id(passage_id: str, where: str | Path) -> None:
    problem = passage_id_problem(passage_id)
    if problem:
        raise ImportFailure(f"{where}: passage id '{show_line(passage_id[:80])}' {problem}")


def check_sources(store, path: Path, sources: list[tuple[Source, list[Passage]]]) -> None:
    """Source and passage ids valid, unique within the import and not another source's."""
    seen_sources: set[str] = set()
    seen_passages: dict[str, str] = {}
    for source, passages in sources:
        if not valid_source_id(source.id):
            raise ImportFailure(
                f"{path}: source id '{show_line(source.id[:80])}' must be a slug (lowercase letters, digits, '-'), "
                f"at most {MAX_SOURCE_ID} characters"
            )
        if source.id in seen_sources:
            raise ImportFailure(f"{path}: source id '{source.id}' appears twice")
        seen_sources.add(source.id)
        for passage in passages:
            check_passage_id(passage.id, path)
            if passage.id in seen_passages:
                other = seen_passages[passage.id]
                raise ImportFailure(f"{path}: passage id '{passage.id}' appears twice (in '{other}' and '{source.id}')")
            seen_passages[passage.id] = source.id
    for source, passages in sources:
        check_id_clashes(store, source.id, passages, path)
        store.load_source(source.id)  # a malformed file it replaces stops the import here, not half-way


def check_annotation_files(store, annotators) -> None:
    """Read every annotations file the import will add to: a malformed one stops it before any write."""
    for name in annotators:
        store.annotations(name)


def check_annotator(path: Path, name: str) -> None:
    """A name that can make an annotations file name."""
    try:
        validate_annotator(name)
    except AnnotatorError as exc:
        raise ImportFailure(f"{path}: {exc}") from None


def check_annotations(path: Path, annotation_files: list[AnnotationFile]) -> None:
    """Annotator names that make file names, and tags and memos that point at printable ids."""
    for af in annotation_files:
        check_annotator(path, af.annotator)
        for record in (*af.tags, *af.memos):
            if has_controls(record.passage):
                raise ImportFailure(f"{path}: {af.annotator}'s annotations name passage '{show_line(record.passage[:80])}', which holds control characters")
        for tag in af.tags:
            if has_controls(tag.theme):
                raise ImportFailure(f"{path}: {af.annotator}'s tags name theme '{show_line(tag.theme[:80])}', which holds control characters")


def valid_source_id(source_id: str) -> bool:
    # The id names a file, passages/<id>.yaml: a slug, and short enough for any file system.
    return bool(SLUG_RE.match(source_id)) and len(source_id) <= MAX_SOURCE_ID
