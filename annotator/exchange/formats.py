"""The export formats: each writer registers itself here under its name (md, csv, json, qdpx).

A module of its own so that a format defined elsewhere (REFI-QDA in annotator.exchange.qdpx)
registers without importing the exports module that lists it.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING, Callable, Protocol

from annotator.errors import BadInput

if TYPE_CHECKING:
    from annotator.corpus.model import AnnotationFile, Theme
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace
    from annotator.engine.index import SearchIndex


class ExportSession(Protocol):
    """What an export writer reads of the session it is given (annotator.session.Session is one;
    the exchange sits below the session and does not import it)."""

    ws: "Workspace"
    store: "Store"
    index: "SearchIndex"

    def themes(self) -> list["Theme"]: ...

    def resolve_theme(self, name: str) -> "Theme": ...

    def looking(self) -> str | None: ...


def annotation_files_seen(session: ExportSession) -> list["AnnotationFile"]:
    """Every annotator's file of tags and comments; only the viewer's own while blind coding is on,
    so that every export format shows what `show` and `evidence` show (annotator.blind)."""
    viewer = session.looking()
    files = session.store.all_annotations()
    return files if viewer is None else [af for af in files if af.annotator == viewer]


Writer = Callable[[ExportSession, list[str]], bytes]

FORMATS: dict[str, Writer] = {}


def register(name: str) -> Callable[[Writer], Writer]:
    def add(writer: Writer) -> Writer:
        FORMATS[name] = writer
        return writer

    return add


FORMATS_BY_SUFFIX = {".md": "md", ".csv": "csv", ".json": "json", ".qdpx": "qdpx"}


def format_for_file(path: PurePath) -> str:
    """The export format a file name asks for by its ending (`evidence.md` -> md), or a one-line error."""
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise BadInput(f"{path.name}: end the name in {', '.join(FORMATS_BY_SUFFIX)} to choose the format") from None
