"""Evidence for an essay: the passages tagged with a theme, and quotations with citations."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.engine.hits import Hit
from annotator.engine.index import SearchIndex
from annotator.corpus.model import Memo, Span, Tag
from annotator.corpus.spans import placed_spans, span_json
from annotator.engine.interface import stored_passages
from annotator.corpus.store import Store


@dataclass
class EvidencePassage:
    """A passage tagged with a theme, with the tags (and so annotators and comments) that put it there."""

    hit: Hit
    tags: list[Tag] = field(default_factory=list)
    source_title: str = ""
    memos: list[Memo] = field(default_factory=list)  # comments on the passage as a whole
    source_author: str = ""

    @property
    def citation(self) -> str:
        return citation(self.source_title, self.hit.location, self.source_author)

    @property
    def comments(self) -> list[str]:
        return [t.comment for t in self.tags if t.comment]

    @property
    def annotators(self) -> list[str]:
        return sorted({t.annotator for t in self.tags})

    @property
    def spans(self) -> list[Span]:
        """The words these tags quote, placed in the passage, in text order; [] when every tag is on
        the whole passage (the passage is then the evidence)."""
        return sorted({s for t in self.tags for s in placed_spans(t, self.hit.text)}, key=lambda s: (s.start, s.end))

    def to_json(self) -> dict:
        """As `show --json` prints a passage: its fields and its annotations."""
        data = self.hit.to_json()
        data.pop("score", None)
        data["matches"] = []  # as `show --json`: a passage found by its tag, not by words
        data["annotations"] = annotations_json(self.tags, self.hit.text)
        data["memos"] = [{"annotator": m.annotator, "text": m.text, "time": m.at} for m in self.memos]
        return data


def sheet_annotators(items: list[EvidencePassage]) -> list[str]:
    """Everyone whose tags or comments are on these passages: with one, a sheet need not label each comment."""
    return sorted({t.annotator for item in items for t in item.tags} | {m.annotator for item in items for m in item.memos})


def annotations_json(tags: list[Tag], text: str = "") -> list[dict]:
    """Each tag as `show --json` lists it, with the words it quotes (placed in `text`)."""
    return [{"annotator": t.annotator, "theme": t.theme, "comment": t.comment, "time": t.at,
             "spans": [span_json(s) for s in placed_spans(t, text)]} for t in tags]


def source_titles(store: Store) -> dict[str, str]:
    return {sf.source.id: sf.source.title or sf.source.id for sf in store.sources()}


def source_authors(store: Store) -> dict[str, str]:
    return {sf.source.id: sf.source.author for sf in store.sources() if sf.source.author}


def evidence(index: SearchIndex, store: Store, theme_id: str) -> list[EvidencePassage]:
    """Every passage tagged with the theme, in corpus order, each with that theme's tags on it.

    Tags are read from the corpus files (the truth), passages from the index.
    """
    all_tags = store.all_tags()
    themes_on: dict[str, set[str]] = {}
    for tag in all_tags:
        themes_on.setdefault(tag.passage, set()).add(tag.theme)
    by_passage: dict[str, list[Tag]] = {}
    for tag in sorted(all_tags, key=lambda t: (t.annotator, t.at)):
        if tag.theme == theme_id:
            by_passage.setdefault(tag.passage, []).append(tag)
    stored = stored_passages(index, by_passage)
    memos: dict[str, list[Memo]] = {}
    for annotation_file in store.all_annotations():
        for memo in annotation_file.memos:
            if memo.passage in stored:
                memos.setdefault(memo.passage, []).append(memo)
    for found in memos.values():
        found.sort(key=lambda m: (m.at, m.annotator))
    titles = source_titles(store) if stored else {}
    authors = source_authors(store) if stored else {}
    items = []
    for passage_id in sorted(stored, key=lambda pid: stored[pid].get("order", 0)):
        fields = stored[passage_id]
        hit = Hit(
            id=passage_id, kind="passage", text=fields.get("text", ""), source=fields.get("source", ""),
            location=fields.get("location", ""), themes=sorted(themes_on.get(passage_id, ())), score=0.0,
        )
        items.append(EvidencePassage(hit, by_passage[passage_id], titles.get(hit.source, hit.source), memos.get(passage_id, []),
                                     authors.get(hit.source, "")))
    return items


def corpus_positions(index: SearchIndex, ids) -> dict[str, int]:
    """Each passage's position in corpus order (only the ones the index has)."""
    return {pid: fields.get("order", 0) for pid, fields in stored_passages(index, ids).items()}


# -- quotations ---------------------------------------------------------------------------------


def citation(source_title: str, location: str, author: str = "") -> str:
    """`(Kazuo Ishiguro, Never Let Me Go, ch. 7)`: the work's author, title and the place in it, each
    left out when unknown. Every citation annotator prints or writes is made here."""
    parts = (" ".join(author.split()), " ".join(source_title.split()), " ".join(location.split()))
    inside = ", ".join(part for part in parts if part)
    return f"({inside})" if inside else ""


def quote(hit: Hit, source_title: str, author: str = "") -> str:
    """The passage as a quotation ready to paste: “text” (Source, location).

    Double quotation marks inside the passage become single ones, as a quotation
    within a quotation should.
    """
    return quote_words(hit.text, source_title, hit.location, author)


def quote_words(words: str, source_title: str, location: str, author: str = "") -> str:
    """Some words (a passage, or the span a tag quotes) as a quotation with its citation."""
    text = " ".join(words.split())
    text = text.replace("“", "‘").replace("”", "’").replace('"', "'")
    cited = citation(source_title, location, author)
    return f"“{text}”" + (f" {cited}" if cited else "")
