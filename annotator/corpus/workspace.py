"""Where a workspace lives. Nothing else in annotator computes corpus or index paths.

Resolution order: an explicit `--workspace DIR`, then `$ANNOTATOR_WORKSPACE`, then the
nearest folder at or above the current one that holds `corpus/`, then a per-user
workspace in the platform's data directory, created on first use with the demo codebook.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from annotator.errors import BadInput, os_error_reason
from annotator.corpus.yamlio import atomic_write_text

ENV_VAR = "ANNOTATOR_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    root: Path
    found_by: str = field(default="", compare=False)  # how resolve() found it, for `annotator status`

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def index_dir(self) -> Path:
        return (self.derived_home or self.root) / "index"

    @property
    def themes_file(self) -> Path:
        return self.corpus / "themes.yaml"

    @property
    def passages_dir(self) -> Path:
        return self.corpus / "passages"

    @property
    def annotations_dir(self) -> Path:
        return self.corpus / "annotations"

    @property
    def lock_file(self) -> Path:
        # Beside the corpus, not in it: git never sees it, and every writer shares it.
        return (self.derived_home or self.root) / ".annotator.lock"

    @cached_property
    def derived_home(self) -> Path | None:
        """Where the index and the lock go when this folder cannot be written (a classmate's
        folder, read-only media), so that it can still be searched and read; None otherwise."""
        if not self.read_only:
            return None
        return read_only_index_home(self.root)

    @cached_property
    def read_only(self) -> bool:
        """Whether the system refuses writes here: no lock could be taken, no tag written."""
        if not self.root.is_dir():  # not made yet (init): nothing to say
            return False
        own_lock = self.root / ".annotator.lock"
        return not os.access(self.root, os.W_OK) or (own_lock.exists() and not os.access(own_lock, os.W_OK))

    def source_file(self, source_id: str) -> Path:
        return _existing_spelling(self.passages_dir / f"{source_id}.yaml")

    def annotation_file(self, annotator: str) -> Path:
        return _existing_spelling(self.annotations_dir / f"{annotator}.yaml")

    def exists(self) -> bool:
        return self.corpus.is_dir()


def _existing_spelling(path: Path) -> Path:
    """`x.yaml`, or `x.yml` if that is the file there: corpus files of either spelling are read,
    so a write must go to the one that was read, not make a second file beside it."""
    if not path.exists():
        other = path.with_suffix(".yml")
        if other.exists():
            return other
    return path


def user_workspace_dir() -> Path:
    from platformdirs import user_data_dir  # only when no workspace is named

    return Path(user_data_dir("annotator", appauthor=False)) / "workspace"


def read_only_index_home(root: Path) -> Path:
    """A per-user cache folder for a read-only workspace's index, one per workspace path."""
    from platformdirs import user_cache_dir  # only for a read-only workspace

    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
    return Path(user_cache_dir("annotator", appauthor=False)) / "read-only-workspaces" / digest


def find_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "corpus").is_dir():
            return folder
    return None


def resolve(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Workspace:
    """Find the workspace to use, creating the per-user one if nothing else applies."""
    if explicit:
        return _existing(Path(explicit).expanduser(), "--workspace")
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return _existing(Path(from_env).expanduser(), f"${ENV_VAR}")
    found = find_upwards((cwd or Path.cwd()).resolve())
    if found:
        return Workspace(found, "the nearest folder with corpus/ at or above the current one")
    user_dir = user_workspace_dir()
    if not (user_dir / "corpus").is_dir():
        init_workspace(user_dir)
    return Workspace(user_dir, "your own workspace (no corpus/ folder at or above the current one)")


def is_current_folders(ws: Workspace, cwd: Path | None = None) -> bool:
    """Whether the workspace is the one the current folder is in (so a message need not name it)."""
    return find_upwards((cwd or Path.cwd()).resolve()) == ws.root


def _existing(path: Path, origin: str) -> Workspace:
    ws = Workspace(path.resolve(), origin)
    if path.exists() and not path.is_dir():  # 'annotator init FILE' would fail too: not offered
        raise BadInput(f"{origin} {path}: a file, not a workspace folder (a folder holding corpus/)")
    if not ws.exists():
        raise BadInput(f"{origin} {path}: no workspace there (no corpus/ folder); create one with 'annotator init {path}'")
    return ws


def _refuse_inside_a_workspaces_files(root: Path) -> None:
    """A workspace made in another's corpus/ or index/ would put files in its corpus (committed
    with it) or in its derived index (deleted at the next rebuild)."""
    for folder in (root, *root.parents):
        if folder.name in ("corpus", "index") and (folder.parent / "corpus" / "themes.yaml").is_file():
            raise BadInput(f"{root} is in the {folder.name}/ folder of the workspace {folder.parent}; "
                           "make the new workspace somewhere outside it")


def demo_themes_text() -> str:
    from importlib import resources  # only `init` needs it; every start-up would import it

    return resources.files("annotator").joinpath("data/demo-themes.yaml").read_text(encoding="utf-8")


def init_workspace(root: Path, *, empty: bool = False) -> Workspace:
    """Create a workspace folder with corpus/ (the demo codebook unless empty) and a .gitignore."""
    ws = Workspace(Path(root).expanduser().resolve())
    if ws.themes_file.exists():
        raise BadInput(f"{ws.root} is already a workspace (it has corpus/themes.yaml)")
    if ws.root.exists() and not ws.root.is_dir():
        raise BadInput(f"{ws.root} exists and is not a folder")
    _refuse_inside_a_workspaces_files(ws.root)
    try:
        ws.passages_dir.mkdir(parents=True, exist_ok=True)
        ws.annotations_dir.mkdir(parents=True, exist_ok=True)
    except (FileNotFoundError, NotADirectoryError) as exc:  # a parent that is a file, or /proc: no folder can go there
        raise BadInput(f"cannot create a workspace at {ws.root}: {os_error_reason(exc)}") from None
    atomic_write_text(ws.themes_file, "[]\n" if empty else demo_themes_text())
    gitignore = ws.root / ".gitignore"
    if not gitignore.exists():
        atomic_write_text(gitignore, "/index/\n/.annotator.lock\n")
    return ws
