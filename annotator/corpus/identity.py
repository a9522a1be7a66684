"""Who is annotating: `--as NAME`, else this workspace's setting, else $ANNOTATOR_NAME, else the login name.

The workspace setting lives in `.annotator/settings.yaml` beside `corpus/`. It is
personal (two tutors sharing a corpus through git each have their own), so the
folder carries its own `.gitignore` and never reaches the repository.
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

from annotator.errors import BadInput, WriteFailure
from annotator.corpus.workspace import Workspace
from annotator.corpus.yamlio import atomic_write_text, read_yaml, write_yaml

ANNOTATOR_ENV = "ANNOTATOR_NAME"
SETTINGS_DIR = ".annotator"
SETTINGS_NAME = "settings.yaml"


def settings_path(ws: Workspace) -> Path:
    return ws.root / SETTINGS_DIR / SETTINGS_NAME


# path -> (the file's inode, size and times when read, its settings): every search asks for the
# blind-coding setting, and reading the file cost more than a rare word's search itself.
_settings_read: dict[str, tuple[tuple[int, int, int, int], dict]] = {}


def read_settings(ws: Workspace) -> dict:
    path = os.path.join(ws.root, SETTINGS_DIR, SETTINGS_NAME)
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return {}
    except OSError:  # read_yaml says what is wrong
        found = None
    signature = None if found is None else (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)
    cached = _settings_read.get(path)
    if signature is not None and cached is not None and cached[0] == signature:
        return dict(cached[1])
    data = read_yaml(Path(path))
    settings = dict(data) if isinstance(data, dict) else {}
    if signature is not None:
        _settings_read[path] = (signature, settings)
    return dict(settings)


def write_setting(ws: Workspace, key: str, value: str | None) -> None:
    folder = settings_path(ws).parent
    if folder.is_symlink():  # planted in a cloned or unpacked workspace: the write would land where it points
        raise WriteFailure(f"cannot write {settings_path(ws)}: {folder} is a symbolic link to {os.path.realpath(folder)}; "
                           "nothing was written (remove the link: the folder is made again, for you alone)")
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        atomic_write_text(ignore, "# personal settings: never committed\n*\n")
    settings = read_settings(ws)
    if value is None:
        settings.pop(key, None)
    else:
        settings[key] = value
    write_yaml(settings_path(ws), settings, header="# Your own settings for this workspace (not committed).\n")


def clean_name(name: str) -> str:
    """A name made safe for a file name: spaces and odd characters become '-'."""
    cleaned = re.sub(r"[^\w.-]", "-", name.strip()).strip(".-")
    if not cleaned:
        raise BadInput(f"annotator name '{name}' has no usable letters")
    return cleaned


def annotator_name(ws: Workspace, explicit: str | None = None) -> str:
    """The name tags are recorded under, by the order in the module docstring."""
    if explicit:
        return clean_name(explicit)
    configured = read_settings(ws).get("name")
    if isinstance(configured, str) and configured.strip():
        return clean_name(configured)
    from_env = os.environ.get(ANNOTATOR_ENV, "").strip()
    if from_env:
        return clean_name(from_env)
    return clean_name(login_name())


def where_name_comes_from(ws: Workspace) -> str:
    if isinstance(read_settings(ws).get("name"), str) and read_settings(ws)["name"].strip():
        return f"workspace setting ({settings_path(ws)})"
    if os.environ.get(ANNOTATOR_ENV, "").strip():
        return f"${ANNOTATOR_ENV}"
    return "login name"


def login_name() -> str:
    try:
        return getpass.getuser() or "me"
    except (KeyError, OSError, ImportError):  # no login name in this environment (getpass's documented failures)
        return "me"


# -- blind coding (annotator.blind): a setting in the same file ---------------------------------

BLIND_KEY = "blind"


def blind_coding(ws: Workspace) -> bool:
    """Whether blind coding is on: each annotator sees only their own tags."""
    value = read_settings(ws).get(BLIND_KEY)  # the settings file keeps scalars as written: text
    return isinstance(value, str) and value.strip().lower() in ("on", "true", "yes")


def set_blind_coding(ws: Workspace, on: bool) -> None:
    write_setting(ws, BLIND_KEY, "on" if on else None)
