"""Exports: the workspace's evidence as Markdown, CSV or JSON (and what else registers here).

`FORMATS` maps a format's name to its writer. A writer takes the open `Session`
and the theme ids to export (every theme, in codebook order, when the user named
none) and returns the file's bytes. The same workspace always gives the same
bytes: no export time is written and everything is listed in a fixed order.

Another module adds a format with the `register` decorator; the CLI offers every
name in `FORMATS` after importing the modules listed in `FORMAT_MODULES`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from annotator.corpus.leftovers import STALE_SECONDS, remove_stale_temporaries
from annotator.corpus.yamlio import atomic_write_bytes
from annotator.errors import AnnotatorError, BadInput
from annotator.exchange import qdpx  # noqa: F401 - registers the qdpx format
from annotator.exchange.formats import FORMATS, Writer, annotation_files_seen, register  # noqa: F401 - FORMATS and Writer named here as before
from annotator.evidence import EvidencePassage, corpus_positions, sheet_annotators
from annotator.corpus.model import Theme
from annotator.corpus.spans import placed_spans

if TYPE_CHECKING:  # what of the session the writers read (annotator.session sits above the exchange)
    from annotator.exchange.formats import ExportSession as Session

JSON_FORMAT_NAME = "annotator-export"
JSON_FORMAT_VERSION = 1
# `text`: the words a span tag quotes (the passage for a tag on all of it, or with --whole);
# `start`, `end`: their offsets in the passage, empty for the whole passage.
CSV_COLUMNS = ["passage", "source", "location", "theme", "annotator", "comment", "text", "start", "end", "citation",
               "passage_comments"]  # last, so that the columns before keep their places
WHOLE_FORMATS = ("md", "csv")  # the writers that quote either spans or whole passages
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def load_formats() -> dict[str, Writer]:
    """Every export format by name (the modules defining them are imported with this one)."""
    return FORMATS


def export(session: "Session", format_name: str, theme_names: list[str] | None = None, *, whole: bool = False) -> bytes:
    """The export's bytes; `whole`: the Markdown and CSV quote whole passages, not the words span tags quote."""
    writer = load_formats().get(format_name)
    if writer is None:
        raise BadInput(f"unknown export format '{format_name}'; choose one of {', '.join(sorted(FORMATS))}")
    if whole and format_name in WHOLE_FORMATS:
        return writer(session, selected_theme_ids(session, theme_names), whole=True)
    return writer(session, selected_theme_ids(session, theme_names))


class UnsafeOutput(AnnotatorError):
    """An export asked to overwrite the workspace's own files."""

    exit_code = 2


def write_file(path: Path, data: bytes, protected: Iterable[Path] = ()) -> None:
    """Write an export where `path` leads, never inside a `protected` folder (the corpus, the index).

    A symlink is followed: its target is written (atomically when it is a regular file, so a
    crash leaves the old file or the whole new one). A FIFO or a device (/dev/null, a terminal)
    is written into, never replaced by a regular file.
    """
    target = Path(os.path.realpath(path))  # every symlink followed, a dangling one to where it points
    if target.is_symlink():  # still a link: a loop, which leads nowhere to write
        raise AnnotatorError(f"cannot write {path}: its symbolic links lead round in a loop")
    for folder in protected:
        root = Path(os.path.realpath(folder))
        if target == root or root in target.parents:
            raise UnsafeOutput(f"refusing to write {path}: it is inside the workspace's {folder.name}/ folder, which an export must not replace")
    try:
        if _is_special(target):
            with open(target, "wb") as handle:
                handle.write(data)
        else:
            remove_stale_temporaries(target, older_than=STALE_SECONDS)  # a killed export's, beside the user's file
            atomic_write_bytes(target, data)  # `-o reports/evidence.md` makes reports/ as needed
    except OSError as exc:
        raise AnnotatorError(f"cannot write {path}: {exc.strerror or exc}") from None


def _is_special(path: Path) -> bool:
    """A FIFO, a device or a socket: something to write into, not a file to replace."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def selected_theme_ids(session: "Session", theme_names: list[str] | None) -> list[str]:
    """The named themes in codebook order (each resolved by id or name), or every theme."""
    themes = session.themes()
    if not theme_names:
        return [t.id for t in themes]
    wanted = {session.resolve_theme(name).id for name in theme_names}
    return [t.id for t in themes if t.id in wanted]


def _themes_by_id(session: "Session") -> dict[str, Theme]:
    return {t.id: t for t in session.themes()}


# -- Markdown: an evidence sheet ---------------------------------------------------------------


def markdown_escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_passage(item: EvidencePassage, label_comments: bool = True, whole: bool = False) -> list[str]:
    """The passage (or the words its tags quote) with its citation, then its comments; each labelled
    with its annotator unless the whole sheet is one annotator's (the sheet names them once, at the top)."""
    spans = [] if whole else item.spans
    if spans:
        lines = []
        for span in spans:
            lines += [">"] if lines else []
            lines.append(f"> “{markdown_escape(' '.join(span.quote.split()))}”")
    else:
        lines = [f"> {markdown_escape(line.strip())}" if line.strip() else ">" for line in item.hit.text.strip().splitlines()]
    cited = item.citation
    if cited:
        lines += [">", f"> {markdown_escape(cited)}"]
    lines.append("")
    comments = [t for t in item.tags if t.comment]
    for tag in comments:
        label = f"*{markdown_escape(tag.annotator)}:* " if label_comments else ""
        lines.append(f"- {label}{markdown_escape(' '.join(tag.comment.split()))}")
    for memo in item.memos:
        label = f"*{markdown_escape(memo.annotator)}, on the passage:*" if label_comments else "*On the passage:*"
        lines.append(f"- {label} {markdown_escape(' '.join(memo.text.split()))}")
    if comments or item.memos:
        lines.append("")
    return lines


@register("md")
def write_markdown(session: "Session", theme_ids: list[str], whole: bool = False) -> bytes:
    themes = _themes_by_id(session)
    items_by_theme = {theme_id: session.evidence(theme_id) for theme_id in theme_ids}
    annotators = sheet_annotators([item for items in items_by_theme.values() for item in items])
    lines = ["# Evidence", ""]
    if len(annotators) == 1:
        lines += [f"*Tags and comments by {markdown_escape(annotators[0])}.*", ""]
    for theme_id, items in items_by_theme.items():
        theme = themes[theme_id]
        lines += [f"## {markdown_escape(theme.name)}", ""]
        if theme.description:
            lines += [markdown_escape(" ".join(theme.description.split())), ""]
        if not items:
            lines += ["*No passages tagged with this theme yet.*", ""]
        for item in items:
            lines += markdown_passage(item, label_comments=len(annotators) > 1, whole=whole)
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


# -- CSV: one row per tag ---------------------------------------------------------------------


def csv_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


@register("csv")
def write_csv(session: "Session", theme_ids: list[str], whole: bool = False) -> bytes:
    """One row per tag; a span tag, one row per span it quotes (unless `whole`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = []
    for position, theme_id in enumerate(theme_ids):
        for item in session.evidence(theme_id):
            rows += [(item, position, tag) for tag in item.tags]
    # Corpus order first, then codebook order, then annotator.
    corpus_position = corpus_positions(session.index, {item.hit.id for item, _, _ in rows})
    rows.sort(key=lambda r: (corpus_position[r[0].hit.id], r[1], r[2].annotator))
    for item, _, tag in rows:
        hit = item.hit
        cells = [hit.id, hit.source, hit.location, tag.theme, tag.annotator, tag.comment or ""]
        memos = csv_memos(item, tag.annotator)
        spans = [] if whole else placed_spans(tag, hit.text)
        for span in spans:
            writer.writerow([csv_safe(c) for c in cells + [span.quote, str(span.start), str(span.end), item.citation, memos]])
        if not spans:
            writer.writerow([csv_safe(c) for c in cells + [hit.text, "", "", item.citation, memos]])
    return out.getvalue().encode("utf-8")


def csv_memos(item: EvidencePassage, annotator: str) -> str:
    """The comments on the passage as a whole (a highlight's notes), one a line; another
    annotator's named, as the Markdown sheet names them."""
    return "\n".join(memo.text if memo.annotator == annotator else f"{memo.annotator}: {memo.text}"
                     for memo in item.memos)


# -- JSON: the whole workspace, importable again -----------------------------------------------


def workspace_json(session: "Session", theme_ids: list[str]) -> dict:
    """Themes, sources with their passages, and every annotator's tags on the chosen themes (the
    viewer's alone while blind coding is on)."""
    themes = _themes_by_id(session)
    wanted = set(theme_ids)
    sources = session.store.sources()  # corpus order: by id, as listings and the TUI show them
    annotations = []
    for af in sorted(annotation_files_seen(session), key=lambda a: a.annotator):
        tags = [_tag_json(t) for t in af.tags if t.theme in wanted]
        entry = {"annotator": af.annotator, "tags": tags}
        if af.memos:
            entry["memos"] = [m.to_yaml() for m in af.memos]
        annotations.append(entry)
    return {
        "format": JSON_FORMAT_NAME,
        "version": JSON_FORMAT_VERSION,
        "themes": [themes[t].to_yaml() for t in theme_ids],
        "sources": [{"source": sf.source.to_yaml(), "passages": [p.to_yaml() for p in sf.passages]} for sf in sources],
        "annotations": annotations,
    }


def _tag_json(tag) -> dict:
    """A tag as its YAML has it, a span's offsets as numbers."""
    data = tag.to_yaml()
    if "spans" in data:
        data["spans"] = [s.to_json() if s.raw is None else s.raw for s in tag.spans]
    return data


@register("json")
def write_json(session: "Session", theme_ids: list[str]) -> bytes:
    return (json.dumps(workspace_json(session, theme_ids), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
