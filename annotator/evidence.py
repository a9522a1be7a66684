"""Evidence for an essay: the passages tagged with a theme, and quotations with citations."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator import search as search_mod
from annotator.index import SearchIndex
from annotator.model import Tag
from annotator.search import Hit
from annotator.store import Store


@dataclass
class EvidencePassage:
    """A passage tagged with a theme, with the tags (and so annotators and comments) that put it there."""

    hit: Hit
    tags: list[Tag] = field(default_factory=list)
    source_title: str = ""

    @property
    def comments(self) -> list[str]:
        return [t.comment for t in self.tags if t.comment]

    @property
    def annotators(self) -> list[str]:
        return sorted({t.annotator for t in self.tags})

    def to_json(self) -> dict:
        """As `show --json` prints a passage: its fields and its annotations."""
        data = self.hit.to_json()
        data.pop("score", None)
        data.pop("matches", None)
        data["annotations"] = annotations_json(self.tags)
        return data


def annotations_json(tags: list[Tag]) -> list[dict]:
    return [{"annotator": t.annotator, "theme": t.theme, "comment": t.comment, "time": t.at} for t in tags]


def source_titles(store: Store) -> dict[str, str]:
    return {sf.source.id: sf.source.title or sf.source.id for sf in store.sources()}


def evidence(index: SearchIndex, store: Store, theme_id: str) -> list[EvidencePassage]:
    """Every passage tagged with the theme, in corpus order, each with that theme's tags on it."""
    result = search_mod.search(index, "", themes=[theme_id], kind="passage", limit=None)
    by_passage: dict[str, list[Tag]] = {}
    for tag in sorted(store.all_tags(), key=lambda t: (t.annotator, t.at)):
        if tag.theme == theme_id:
            by_passage.setdefault(tag.passage, []).append(tag)
    titles = source_titles(store)
    return [
        EvidencePassage(hit, by_passage.get(hit.id, []), titles.get(hit.source, hit.source))
        for hit in result.hits
    ]


def tagged_passage_order(index: SearchIndex) -> dict[str, int]:
    """Every tagged passage's position in corpus order."""
    from whoosh import query as wq

    ix = index.open()
    with ix.searcher() as searcher:
        q = wq.And([wq.Term("kind", "passage"), wq.Term("tagged", "yes")])
        results = searcher.search(q, limit=None, sortedby="order")
        return {hit["id"]: position for position, hit in enumerate(results)}


# -- quotations ---------------------------------------------------------------------------------


def citation(source_title: str, location: str) -> str:
    """`(Never Let Me Go, ch. 7)`; just the title or the location when the other is missing."""
    inside = ", ".join(part for part in (source_title.strip(), location.strip()) if part)
    return f"({inside})" if inside else ""


def quote(hit: Hit, source_title: str) -> str:
    """The passage as a quotation ready to paste: “text” (Source, location).

    Double quotation marks inside the passage become single ones, as a quotation
    within a quotation should.
    """
    text = " ".join(hit.text.split())
    text = text.replace("“", "‘").replace("”", "’").replace('"', "'")
    cited = citation(source_title, hit.location)
    return f"“{text}”" + (f" {cited}" if cited else "")
