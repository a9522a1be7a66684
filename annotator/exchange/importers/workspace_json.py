"""Importing `annotator export --format json` back: themes, sources and annotations.

What the export holds is merged into the workspace: themes are added or updated
by id, each source is written with the ids it had, and tags and memos are added
to each annotator's file unless already there (same passage and theme), with
their original times and comments. Importing an export into an empty workspace
and exporting again gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from annotator.errors import CorpusError, ImportFailure
from annotator.corpus.model import AnnotationFile, SourceFile, Tag, Theme, themes_from_yaml

FORMAT_NAME = "annotator-export"


def looks_like_export(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{") and f'"{FORMAT_NAME}"' in head


def import_workspace_json(store, path: Path, text: str, report) -> None:
    data = _load(path, text)
    try:
        themes = themes_from_yaml(_list(data, "themes", path), path)
        sources = [SourceFile.from_yaml(item, path) for item in _list(data, "sources", path)]
        annotations = [AnnotationFile.from_yaml(item, path) for item in _list(data, "annotations", path)]
    except CorpusError as exc:
        raise ImportFailure(f"{path}: not a valid annotator export ({exc.detail})") from None
    from annotator.exchange.importers.checks import check_annotation_files, check_annotations, check_sources
    from annotator.exchange.importers.saving import replace_source

    check_annotations(path, annotations)
    with store.locked():
        check_sources(store, path, [(sf.source, sf.passages) for sf in sources])
        check_annotation_files(store, [af.annotator for af in annotations])
        _merge_themes(store, themes, report)
        for sf in sources:
            replace_source(store, sf.source, [p for p in sf.passages], path, report)
        for af in annotations:
            report.tags_added += _merge_annotations(store, af)
    report.source_id = ", ".join(sf.source.id for sf in sources)


def _list(data: dict, key: str, path: Path) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ImportFailure(f"{path}: not a valid annotator export ('{key}' must be a list)")
    return value


def _load(path: Path, text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ImportFailure(f"{path}:{getattr(exc, 'lineno', '?')}: not valid JSON ({getattr(exc, 'msg', exc)})") from None
    except RecursionError:  # the decoder recurses once per level: [[[[...]]]] thousands deep
        raise ImportFailure(f"{path}: the JSON nests too deeply to be an annotator export") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ImportFailure(f"{path}: not an annotator export (expected \"format\": \"{FORMAT_NAME}\")")
    if not isinstance(data.get("version"), int) or data["version"] > 1:
        raise ImportFailure(f"{path}: export format version {data.get('version')!r} is newer than this annotator reads")
    return data


def _merge_themes(store, incoming: list[Theme], report) -> None:
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


def _merge_annotations(store, incoming: AnnotationFile) -> int:
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
