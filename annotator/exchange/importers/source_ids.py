"""Which source an import writes: never another file's by accident.

A source id comes from a file name (`keeper.md` -> `keeper`), a book's title or `--source ID`.
When a source of that id already exists it is updated in place only when it came from the
same file (or, for highlights, from the same kind of export of the same book). Otherwise:

* an id the import made up takes the next free one (`keeper-2`) and says so;
* an id the user gave (`--source ID`, or `id:` in a YAML file) is refused, naming
  `--source ID --replace`, which replaces it on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from annotator.errors import ImportFailure
from annotator.textsafe import show_line

MAX_SUFFIX = 1000


def same_file(existing, path: Path) -> bool:
    return bool(existing.source.file) and existing.source.file == Path(path).name


def claim_source_id(store, wanted: str, path: Path, *, explicit: bool = False, replace: bool = False,
                    ours: Callable[[object], bool] = lambda existing: False) -> tuple[str, str | None]:
    """(the source id to write, a notice for the user or None)."""
    existing = store.load_source(wanted)
    if existing is None or replace or same_file(existing, path) or ours(existing):
        return wanted, None
    came_from = show_line(existing.source.file or "another import")
    if explicit:
        raise ImportFailure(
            f"{path}: source '{wanted}' holds the passages of {came_from}; import under another id with --source ID, "
            f"or replace it with --source {wanted} --replace"
        )
    for n in range(2, MAX_SUFFIX):
        candidate = f"{wanted}-{n}"
        other = store.load_source(candidate)
        if other is None or same_file(other, path) or ours(other):
            notice = (f"source '{wanted}' holds the passages of {came_from}; imported {show_line(Path(path).name)} as "
                      f"'{candidate}' (--source {wanted} --replace replaces it instead)")
            return candidate, notice
    raise ImportFailure(f"{path}: sources '{wanted}' to '{wanted}-{MAX_SUFFIX - 1}' all exist; name one with --source ID")
