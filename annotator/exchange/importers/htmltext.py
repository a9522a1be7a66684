"""The reading text of an HTML or XHTML page as headings and paragraphs (stdlib html.parser).

Shared by EPUB (each spine document is XHTML) and web pages. Left out everywhere: scripts,
styles, hidden elements, footnote markers (`<sup>1</sup>`, `epub:type="noteref"`), the
footnotes themselves and page-break markers (`epub:type="pagebreak"`, `<span class="pagenum">`).
For a web page (`web=True`) also navigation, headers and footers, sidebars, forms, cookie and
consent banners, share buttons and comment threads (by element, ARIA role, or a class or id
word such as `cookie`, `sidebar`, `menu`); and when the page marks its main text (`<main>`,
`<article>`, `role="main"`) only that is kept.

html.parser expands the standard character references only; a DOCTYPE's entities are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from annotator.exchange.importers.chapters import clean

_DOCTYPE_SUBSET = re.compile(r"^(\ufeff?\s*(?:<\?xml[^>]*>\s*)?)<!DOCTYPE[^\[>]*\[[^\]]*\]\s*>", re.IGNORECASE)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCKS = {
    "p", "div", "li", "ul", "ol", "dl", "dd", "dt", "blockquote", "pre", "td", "th", "tr", "table", "section",
    "article", "main", "body", "figure", "figcaption", "hr", "address", "center", "caption", *HEADINGS,
}
ALWAYS_SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "select",
                  "button", "textarea", "audio", "video", "canvas", "map"}
WEB_SKIPPED = {"nav", "aside", "footer", "form", "menu", "dialog"}
SKIPPED_TYPES = {"noteref", "pagebreak", "footnote", "footnotes", "endnote", "endnotes", "rearnote", "rearnotes",
                 "annotation", "doc-noteref", "doc-pagebreak", "doc-footnote", "doc-endnotes", "doc-backlink", "toc"}
WEB_SKIPPED_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar"}
# Words in a class or id that mark what is not the text: one word of the class, split at - and _.
BOILERPLATE_WORDS = {
    "cookie", "cookies", "consent", "gdpr", "banner", "nav", "navbar", "navigation", "menu", "sidebar", "breadcrumb",
    "breadcrumbs", "share", "sharing", "social", "newsletter", "subscribe", "subscription", "advert", "advertisement",
    "ads", "ad", "promo", "related", "comments", "comment", "footer", "masthead", "skip", "popup", "modal", "toolbar",
}
PAGE_NUMBER_CLASSES = {"pagenum", "pagenumber", "page-number", "pagebreak", "page-break", "footnote-ref", "noteref"}
_MARKER = re.compile(r"^\[?[\d*†‡§¶]{1,4}\]?$|^\[?[a-z]\]?$")  # in a <sup>
_LINK_MARKER = re.compile(r"^\[[\d*†‡§¶a-z]{1,4}\]$|^[*†‡§¶]{1,3}$")  # a bare link: "see page 12" keeps its 12
# Elements HTML lets go unclosed: a skipped one ends where the next block starts.
_SELF_ENDING = {"p", "li", "dd", "dt"}
VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr", "param"}
MAIN_TAGS = {"main", "article"}


@dataclass
class Event:
    kind: str  # "heading", "paragraph" or "anchor" (an element id, for chapters that start mid-file)
    text: str
    level: int = 0
    in_main: bool = False


@dataclass
class Page:
    events: list[Event] = field(default_factory=list)
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def headings(self) -> list[Event]:
        return [e for e in self.events if e.kind == "heading"]


class _Extractor(HTMLParser):
    def __init__(self, web: bool):
        super().__init__(convert_charrefs=True)
        self.web = web
        self.page = Page()
        self.buffer: list[str] = []
        self.heading_level = 0
        self.skip_tag = ""  # while inside a skipped element: its tag, and how deep
        self.skip_depth = 0
        self.main_depth = 0
        self.sup_start: int | None = None
        self.link_start: int | None = None
        self.in_title = False
        self.title_parts: list[str] = []
        self.in_pre = 0

    # -- skipping ----------------------------------------------------------------------------

    def _skipped(self, tag: str, attrs: dict[str, str]) -> bool:
        if tag in ALWAYS_SKIPPED or "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return True
        style = attrs.get("style", "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            return True
        kinds = set(attrs.get("epub:type", "").lower().split()) | set(attrs.get("role", "").lower().split())
        if kinds & SKIPPED_TYPES:
            return True
        classes = set(attrs.get("class", "").lower().split())
        if classes & PAGE_NUMBER_CLASSES:
            return True
        if not self.web:
            return False
        if tag in WEB_SKIPPED or kinds & WEB_SKIPPED_ROLES:
            return True
        if tag == "header" and not self.main_depth:
            return True
        words = set(re.split(r"[-_\s]+", f"{attrs.get('class', '')} {attrs.get('id', '')}".lower())) - {""}
        return tag not in ("body", "html", "main", "article") and bool(words & BOILERPLATE_WORDS)

    def handle_starttag(self, tag: str, attr_list) -> None:
        if tag == "title" and not self.title_parts:
            self.in_title = True
        if tag == "meta":
            self._meta(dict((k.lower(), v or "") for k, v in attr_list))
            return
        if self.skip_depth:
            if self.skip_depth == 1 and self.skip_tag in _SELF_ENDING and tag in BLOCKS and tag != "body":
                self.skip_depth = 0  # an unclosed <p class="share">: the next block ends it
            elif tag == self.skip_tag:
                self.skip_depth += 1
                return
            else:
                return
        if tag in VOID:
            if tag == "br":
                self.buffer.append("\n")
            elif tag == "hr":
                self._flush()
            return
        attrs = {k.lower(): (v or "") for k, v in attr_list}
        if tag == "title":
            return
        if self._skipped(tag, attrs):
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag in MAIN_TAGS or attrs.get("role") == "main":
            self.main_depth += 1
        if tag in BLOCKS:
            self._flush()
        if tag in HEADINGS:
            self.heading_level = HEADINGS[tag]
        if tag == "pre":
            self.in_pre += 1
        if tag == "sup":
            self.sup_start = len(self.buffer)
        if tag == "a" and "#" in attrs.get("href", "") and self.sup_start is None:
            self.link_start = len(self.buffer)
        if attrs.get("id") and not self.buffer:
            self.page.events.append(Event("anchor", attrs["id"], in_main=bool(self.main_depth)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if tag == "sup" and self.sup_start is not None:
            self._drop_marker(self.sup_start, _MARKER)
            self.sup_start = None
        if tag == "a" and self.link_start is not None:
            self._drop_marker(self.link_start, _LINK_MARKER)
            self.link_start = None
        if tag == "pre":
            self.in_pre = max(0, self.in_pre - 1)
        if tag in BLOCKS:
            self._flush()
        if tag in HEADINGS:
            self.heading_level = 0
        if tag in MAIN_TAGS and self.main_depth:
            self.main_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if not self.skip_depth:
            self.buffer.append(data)

    # -- output ------------------------------------------------------------------------------

    def _drop_marker(self, start: int, marker: re.Pattern) -> None:
        """A footnote marker (`<sup>3</sup>`, `<a href="#n3">[3]</a>`) is dropped from the text."""
        if marker.match("".join(self.buffer[start:]).strip()):
            del self.buffer[start:]

    def _flush(self) -> None:
        text = clean("".join(self.buffer))
        self.buffer = []
        if not text:
            return
        kind = "heading" if self.heading_level else "paragraph"
        self.page.events.append(Event(kind, text, self.heading_level, bool(self.main_depth)))

    def _meta(self, attrs: dict[str, str]) -> None:
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        if key and attrs.get("content") and key not in self.page.meta:
            self.page.meta[key] = clean(attrs["content"])

    def close(self) -> None:
        super().close()
        self._flush()
        self.page.title = clean("".join(self.title_parts))


def extract(markup: str, *, web: bool = False) -> Page:
    """Headings, paragraphs and anchors of a page, in reading order."""
    parser = _Extractor(web)
    # html.parser ends a DOCTYPE at its first ">", so an internal subset's "]>" would be read as text.
    parser.feed(_DOCTYPE_SUBSET.sub(r"\1<!DOCTYPE html>", markup, count=1))
    parser.close()
    page = parser.page
    if web and any(e.in_main and e.kind != "anchor" for e in page.events):
        page.events = [e for e in page.events if e.in_main]
    return page
