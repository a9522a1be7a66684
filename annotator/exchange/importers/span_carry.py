"""Re-importing an edited source: the words span tags quote, found again in the new text.

A span whose words are still in its passage (once) moves to their new offsets; one whose
words are gone or now occur twice is kept as it was, its tag standing for the whole
passage, and reported.
"""

from __future__ import annotations

from annotator.corpus.model import AnnotationFile, Passage
from annotator.corpus.spans import SpanProblem, place, why_unplaced
from annotator.corpus.store import Store


def carry_spans(store: Store, passages: list[Passage], report) -> None:
    """Move the spans on these passages to where their words are now (call under the store lock,
    before the passages are saved); report the ones that cannot be placed."""
    texts = {p.id: p.text for p in passages}
    if not any(t.spans and t.passage in texts for t in store.all_tags()):
        return  # the usual case: no annotations file is read again or written

    def edit(annotations: AnnotationFile) -> int:
        changed = 0
        for tag in annotations.tags:
            text = texts.get(tag.passage)
            if text is None or not tag.spans:
                continue
            moved = []
            for span in tag.spans:
                placed = place(span, text)
                if placed is None:
                    report.unplaced_spans.append(SpanProblem(store.ws.annotation_file(tag.annotator), span.line, tag,
                                                             why_unplaced(span, text), " ".join(span.quote.split())))
                moved.append(placed or span)
            if tuple(moved) != tag.spans:
                tag.spans = tuple(moved)
                changed += 1
        return changed

    store.rewrite_all_annotations(edit)
