"""What a search returns: plain records, free of Whoosh, so a screen can name them
without paying for the search engine's import before its first frame."""

from __future__ import annotations

from dataclasses import dataclass, field

NOTICE_PREFIX = "query cut down: "


@dataclass
class Hit:
    id: str
    kind: str
    text: str
    source: str
    location: str
    themes: list[str]
    score: float
    matches: list[list[int]] = field(default_factory=list)
    title: str = ""

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "source": self.source,
            "location": self.location,
            "themes": self.themes,
            "score": round(self.score, 4),
            "matches": self.matches,
        }


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None = None
    notice: str | None = None  # why nothing was searched (only common words were typed)
    notices: list[str] = field(default_factory=list)  # what the query budget cut (annotator.engine.query_budget)

    def to_json(self) -> dict:
        data = {"query": self.query, "total": self.total, "results": [h.to_json() for h in self.hits]}
        if self.suggestion:
            data["suggestion"] = self.suggestion
        if self.notice:
            data["notice"] = self.notice
        if self.notices:
            data["notices"] = list(self.notices)
        return data

    def notice_line(self) -> str:
        """The one line that says what the query budget cut, or '' when nothing was."""
        return notice_line(self.notices)


def notice_line(notices) -> str:
    """The one line that says what was cut, or '' when nothing was."""
    return NOTICE_PREFIX + "; ".join(notices) if notices else ""
