"""A saved web page (.html, .htm, .xhtml) -> its main text as passages, located by its headings.

Navigation, headers, footers, sidebars, cookie banners, scripts and styles are left out
(htmltext.py has the rules). The title is the page's `og:title`, else its first `<h1>`, else
its `<title>`; the author its `author` (or `article:author`, `dc.creator`) meta tag.
"""

from __future__ import annotations

import re
from pathlib import Path

from annotator.errors import ImportFailure
from annotator.exchange.importers.chapters import Book, BookBuilder
from annotator.exchange.importers.htmltext import extract
from annotator.exchange.importers.textio import decode_bytes, read_input_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.IGNORECASE)
AUTHOR_KEYS = ("author", "article:author", "book:author", "dc.creator", "dcterms.creator", "citation_author")
CHAPTER_LEVELS = 3


def read_web_page(path: Path, source_id: str) -> Book:
    page = extract(_read_markup(path), web=True)
    headings = [e for e in page.events if e.kind == "heading"]
    title = page.meta.get("og:title") or next((h.text for h in headings if h.level == 1), "") or page.title
    builder = BookBuilder(source_id)
    for event in page.events:
        if event.kind == "heading":
            if event.text != title and event.level <= CHAPTER_LEVELS:
                builder.heading(event.text)
        elif event.kind == "paragraph":
            builder.paragraph(event.text)
    author = next((page.meta[k] for k in AUTHOR_KEYS if page.meta.get(k) and "://" not in page.meta[k]), "")
    return builder.done(title, author)


def _read_markup(path: Path) -> str:
    raw = read_input_bytes(path)
    if not raw.strip():
        raise ImportFailure(f"{path}: the file is empty")
    declared = _META_CHARSET.search(raw[:4096])
    if declared and not raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(raw, path).text
