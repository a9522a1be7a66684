"""PDF -> paragraphs located by page (and chapter), read with pypdf.

pypdf gives each piece of text with its position and size (a visitor function); lines are
rebuilt from those and joined into paragraphs by layout:

- a new paragraph starts after a gap wider than the usual line spacing, at an indented
  line, or after a line that ends a sentence and is short (or has room for the next line's
  first word: the break was the writer's); a paragraph running over a page break is one
  paragraph, located on the page where it starts;
- a line in a larger type than the body text, or a short line reading "Chapter 3", is a
  heading: it names the chapter of what follows ("ch. 3, p. 45");
- a word hyphenated at a line end is rejoined ("remem-" + "bered" -> "remembered");
- running headers and footers (a first or last line that repeats, numbers aside, on many
  pages or on the neighbouring pages) and bare page numbers are dropped.

Pages are numbered as the PDF labels them (roman front matter too), else from 1. A PDF with
no text layer (a scan) or one that needs a password is refused with one line, and so is one
pypdf cannot parse: any exception inside the parser becomes that line.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import ImportFailure
from annotator.exchange.importers.chapters import Book, BookBuilder, clean
from annotator.exchange.importers.plaintext import heading_location
from annotator.exchange.importers.textio import read_head

HEADING_SCALE = 1.15  # a line this much larger than the body text is a heading
PARAGRAPH_GAP = 1.4  # a gap this many line spacings wide starts a paragraph
SHORT_LINE = 0.75  # a line shorter than this share of the page's full lines may end a paragraph
FITS_SHARE = 0.95  # ...and so may one with room for the next line's first word within this share
RUNNING_SHARE = 0.3  # a first/last line repeated on this share of the pages is a running header/footer
_PAGE_NUMBER = re.compile(r"^(page\s+)?([0-9]+|[ivxlcdm]+)(\s+(of|/)\s+[0-9]+)?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_PLACEHOLDER_TITLE = re.compile(r"^(microsoft (word|powerpoint) - |untitled\b|document\d*$)|\.(docx?|odt|rtf|indd|tex|pdf|txt)$",
                                re.IGNORECASE)
_HYPHENATED = re.compile(r"[A-Za-zÀ-ÿ][-\u00ad]$")


@dataclass(eq=False)  # lines are told apart by identity: two can read the same
class Line:
    text: str
    x: float
    y: float
    size: float
    page: int = 0


def read_pdf(path: Path, source_id: str, progress=None) -> Book:
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its notes on damaged files would print mid-import (or mid-TUI)
    try:
        reader = _open(path)
        pages, skipped = _readable_pages(path, reader, progress)
        labels = _page_labels(reader, len(pages))
        title, author = _metadata(reader)
    except ImportFailure:
        raise
    except RecursionError:
        raise ImportFailure(f"{path}: the PDF nests objects too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - untrusted input: whatever pypdf raises is one line
        raise ImportFailure(f"{path}: cannot read this PDF ({type(exc).__name__}: {str(exc)[:120]})") from None
    if not any(pages):
        raise ImportFailure(f"{path}: the PDF has no text layer (a scan?); run OCR on it first (e.g. ocrmypdf) and import the result")
    pages = _without_running_lines(pages, _body_size(pages))
    builder = BookBuilder(source_id)
    _Paragraphs(builder, pages, labels).build()
    if skipped:
        shown = ", ".join(labels[n] for n in skipped[:10]) + (" …" if len(skipped) > 10 else "")
        builder.book.warnings.append(f"{path}: {len(skipped)} damaged page(s) could not be read and were left out: p. {shown}")
    return builder.done(title, author)


def _readable_pages(path: Path, reader, progress=None) -> tuple[list[list["Line"]], list[int]]:
    """Each page's lines; a damaged page is left out (and named), unless no page can be read at all."""
    pages, skipped, first_error = [], [], None
    total = len(reader.pages)
    for number, page in enumerate(reader.pages):
        if progress:
            progress(number, total, "reading")
        try:
            pages.append(_page_lines(page, number))
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001 - one damaged page need not cost the book
            pages.append([])
            skipped.append(number)
            first_error = first_error or exc
    if pages and len(skipped) == len(pages):
        raise first_error
    return pages, skipped


def _open(path: Path):
    from pypdf import PdfReader

    head = read_head(path, 1024)
    if not head:
        raise ImportFailure(f"{path}: the file is empty (0 bytes)")
    if b"%PDF" not in head:
        raise ImportFailure(f"{path}: not a PDF (no %PDF header)")
    reader = PdfReader(path)
    if reader.is_encrypted:
        try:  # many PDFs are "encrypted" with an empty password and only restrict printing or copying
            opened = reader.decrypt("")
        except Exception:  # noqa: BLE001 - an unsupported cipher is the same answer
            opened = 0
        if not opened:
            raise ImportFailure(f"{path}: the PDF is encrypted (password-protected); remove the password and import again")
    return reader


def _metadata(reader) -> tuple[str, str]:
    info = reader.metadata
    if not info:
        return "", ""
    title, author = info.get("/Title"), info.get("/Author")
    title = clean(str(title)) if isinstance(title, str) else ""
    if _PLACEHOLDER_TITLE.search(title):  # what the software that made the PDF wrote, not the work's title
        title = ""
    return title, (clean(str(author)) if isinstance(author, str) else "")


def _page_labels(reader, count: int) -> list[str]:
    numbers = [str(n + 1) for n in range(count)]
    try:
        if "/PageLabels" in reader.trailer["/Root"]:
            labels = list(reader.page_labels)
            if len(labels) == count and all(label.strip() for label in labels):
                return [label.strip() for label in labels]
    except Exception:  # noqa: BLE001 - labels are a nicety: a damaged tree numbers pages from 1
        pass
    return numbers


def _page_lines(page, number: int) -> list[Line]:
    """The page's lines in content order, each with the position and size of its first piece."""
    lines: list[Line] = []

    def visit(text, cm, tm, font, font_size):
        if not text:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]) or 1.0
        size = abs(font_size * scale) or 1.0
        for k, piece in enumerate(text.split("\n")):
            if k and lines and lines[-1].text.strip():
                lines.append(Line("", x, y - k * size * 1.2, size, number))  # pypdf broke the line itself
            if not piece:
                continue
            last = lines[-1] if lines else None
            if last is not None and (not last.text or abs(last.y - y) < size * 0.4) and k == 0:
                if not last.text:
                    last.x, last.y, last.size = x, y, size
                last.text += piece
            else:
                lines.append(Line(piece, x, y, size, number))

    page.extract_text(visitor_text=visit)
    result = []
    for line in lines:
        line.text = clean(line.text)
        if line.text:
            result.append(line)
    return result


# -- running headers and footers --------------------------------------------------------------


def _key(line: Line) -> str:
    return re.sub(r"\d+", "#", line.text.lower())


def _body_size(pages: list[list[Line]]) -> float:
    """The type size of most of the text (by characters, so that headings and footers do not count)."""
    sizes = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0]


def _set_apart(lines: list[Line], index: int, body_size: float) -> bool:
    """A short line in small type at the top or bottom of a page, well away from the text: a header or footer."""
    if len(lines) < 2:
        return False
    line = lines[index]
    neighbour = lines[index + 1] if index == 0 else lines[index - 1]
    return (line.size < body_size * 0.92 and len(line.text.split()) <= 12
            and abs(line.y - neighbour.y) > body_size * 1.8)


def _without_running_lines(pages: list[list[Line]], body_size: float) -> list[list[Line]]:
    edges = Counter()
    for lines in pages:
        for key in {_key(line) for line in (*lines[:2], *lines[-2:])}:
            edges[key] += 1
    repeated = {key for key, n in edges.items() if len(pages) >= 4 and n >= max(3, RUNNING_SHARE * len(pages))}
    result = []
    for i, lines in enumerate(pages):
        neighbours = {_key(line) for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < len(pages) and j != i
                      for line in (*pages[j][:2], *pages[j][-2:])}
        drop = {id(lines[k]) for k in {0, len(lines) - 1} if lines and _set_apart(lines, k, body_size)}
        for line in (*lines[:2], *lines[-2:]):
            key = _key(line)
            if key in repeated or key in neighbours or _PAGE_NUMBER.match(line.text):
                drop.add(id(line))
        result.append([line for line in lines if id(line) not in drop])
    return result


# -- paragraphs -------------------------------------------------------------------------------


class _Paragraphs:
    def __init__(self, builder: BookBuilder, pages: list[list[Line]], labels: list[str]):
        self.builder = builder
        self.pages = pages
        self.labels = labels
        self.body_size = _body_size([lines for lines in pages if lines]) if any(pages) else 12.0
        gaps = Counter()
        for lines in pages:
            for above, below in zip(lines, lines[1:]):
                if _same_size(above.size, self.body_size) and 0 < above.y - below.y < 4 * self.body_size:
                    gaps[round(above.y - below.y, 1)] += 1
        self.spacing = gaps.most_common(1)[0][0] if gaps else self.body_size * 1.2
        self.parts: list[str] = []
        self.page = ""
        self.heading: list[str] = []
        self.heading_size = 0.0
        self.last_text, self.last_full = "", 0  # the last line of the page before, and that page's full line length

    def build(self) -> None:
        for number, lines in enumerate(self.pages):
            body = [line for line in lines if _same_size(line.size, self.body_size)]
            margin = Counter(round(line.x) for line in body).most_common(1)[0][0] if body else 0
            full = sorted(len(line.text) for line in body)
            full_length = full[int(len(full) * 0.9)] if full else 0
            previous: Line | None = None
            self._end_heading()  # a heading never runs on from the page before (a title page's author line)
            if self.last_text and self._ended(self.last_text, lines[0].text if lines else "", self.last_full):
                self._end_paragraph()  # the last line of the page before ended a paragraph
            for line in lines:
                if self._is_heading(line):
                    self._end_paragraph()
                    if self.heading and abs(line.size - self.heading_size) > 0.5:
                        self._end_heading()  # a heading in another size: a section under the chapter
                    self.heading.append(line.text)
                    self.heading_size = line.size
                    previous = None
                    continue
                self._end_heading()
                ended = previous is not None and self._ended(previous.text, line.text, full_length)
                if self.parts and (ended or self._starts_paragraph(line, previous, margin)):
                    self._end_paragraph()
                if not self.parts:
                    self.page = self.labels[number]
                self._add(line.text)
                previous = line
            self.last_text, self.last_full = (previous.text, full_length) if previous else ("", 0)
        self._end_heading()
        self._end_paragraph()

    def _is_heading(self, line: Line) -> bool:
        if line.size >= self.body_size * HEADING_SCALE and len(line.text.split()) <= 15:
            return True
        return len(line.text.split()) <= 6 and heading_location(line.text) is not None and not self.parts

    def _starts_paragraph(self, line: Line, previous: Line | None, margin: int) -> bool:
        if previous is None:  # the first line of a page: a new paragraph only if indented
            return line.x > margin + self.body_size * 0.8
        gap = previous.y - line.y
        if gap > self.spacing * PARAGRAPH_GAP or gap < -self.body_size:  # wide gap, or a new column
            return True
        return line.x > margin + self.body_size * 0.8 and previous.x <= margin + self.body_size * 0.8

    def _ended(self, text: str, next_text: str, full_length: int) -> bool:
        """Did this line end its paragraph? It ends a sentence, and it is short, or the next line's
        first word would have fitted on it (so the break was the writer's, not the typesetter's)."""
        if not _SENTENCE_END.search(text):
            return False
        first_word = next_text.split(" ", 1)[0]
        return len(text) < full_length * SHORT_LINE or len(text) + 1 + len(first_word) < full_length * FITS_SHARE

    def _add(self, text: str) -> None:
        if self.parts and _HYPHENATED.search(self.parts[-1]) and text[:1].islower():
            self.parts[-1] = self.parts[-1][:-1] + text
            return
        self.parts.append(text)

    def _end_paragraph(self) -> None:
        if self.parts:
            self.builder.set_page(self.page)
            self.builder.paragraph(" ".join(self.parts))
            self.parts = []

    def _end_heading(self) -> None:
        if self.heading:
            self.builder.heading(" ".join(self.heading))
            self.heading = []


def _same_size(size: float, body: float) -> bool:
    return abs(size - body) < body * 0.08
