"""Writing imported passages and memos into the workspace, shared by the multi-source importers."""

from __future__ import annotations

from pathlib import Path

from annotator.exchange.importers.merging import SourceChange, check_id_clashes, count_changes, unplaced_memos
from annotator.corpus.model import Memo, Passage, Source, SourceFile, now_iso
from annotator.corpus.store import Store


def replace_source(store: Store, source: Source, passages: list[Passage], path: Path, report) -> None:
    """Save a source with the given passages (ids kept), adding its changes to the report."""
    check_id_clashes(store, source.id, passages, path)
    old = store.load_source(source.id)
    old_passages = old.passages if old else []
    change = SourceChange(source.id, source.title, passages=len(passages))
    count_changes(change, old_passages, passages)
    report.sources.append(change)
    report.add_changes(change)
    gone = {p.id for p in old_passages} - {p.id for p in passages}
    report.unplaced_tags += [t for t in store.all_tags() if t.passage in gone]
    report.unplaced_memos += unplaced_memos(store, gone)
    from annotator.exchange.importers.span_carry import carry_spans

    carry_spans(store, passages, report)
    store.save_source(SourceFile(source, passages))
    report.passages += len(passages)


def add_memos(store: Store, annotator: str, memos: list[tuple[str, str]], at: str | None = None) -> int:
    """Add (passage id, text) memos that the annotator does not already have; returns how many."""
    stamp = at or now_iso()

    def edit(annotations) -> int:
        have = {(m.passage, m.text) for m in annotations.memos}
        added = 0
        for passage_id, text in memos:
            if (passage_id, text) not in have:
                annotations.memos.append(Memo(passage_id, text, annotations.annotator, stamp))
                have.add((passage_id, text))
                added += 1
        return added

    return store._edit_annotations(annotator, edit) or 0 if memos else 0
