"""Importing `annotator export --format json` back: themes, sources and annotations.

What the export holds is merged into the workspace: themes are added or updated
by id, each source is written with the ids it had, and tags and memos are added
to each annotator's file unless already there (same passage and theme), with
their original times and comments. Importing an export into an empty workspace
and exporting again gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.errors import CorpusError, ImportFailure
from annotator.exchange.importers.checks import check_annotation_files, check_annotations, check_sources
from annotator.exchange.importers.merging import merge_annotations, merge_themes
from annotator.exchange.importers.project_ids import claim_project_ids
from annotator.exchange.importers.saving import replace_source
from annotator.corpus.model import AnnotationFile, SourceFile, themes_from_yaml

FORMAT_NAME = "annotator-export"


def looks_like_export(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("{") and f'"{FORMAT_NAME}"' in head


def import_workspace_json(store, path: Path, text: str, report, replace_id: str | None = None) -> None:
    data = _load(path, text)
    try:
        themes = themes_from_yaml(_list(data, "themes", path), path)
        sources = [SourceFile.from_yaml(item, path) for item in _list(data, "sources", path)]
        annotations = [AnnotationFile.from_yaml(item, path) for item in _list(data, "annotations", path)]
    except CorpusError as exc:
        raise ImportFailure(f"{path}: not a valid annotator export ({exc.detail})") from None
    check_annotations(path, annotations)
    with store.locked():
        # a source of another file with the same id moves to a free one (project_ids)
        claimed = claim_project_ids(store, path, [(sf.source, sf.passages) for sf in sources], annotations, report, replace_id)
        sources = [SourceFile(source, passages) for source, passages in claimed]
        check_sources(store, path, claimed)
        check_annotation_files(store, [af.annotator for af in annotations])
        merge_themes(store, themes, report)
        for sf in sources:
            replace_source(store, sf.source, [p for p in sf.passages], path, report)
        for af in annotations:
            report.tags_added += merge_annotations(store, af)
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


