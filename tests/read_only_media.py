"""A workspace on a folder the user cannot write, made read-only for real: file modes where the
tests do not run as root, a tmpfs remounted read-only where they do (root ignores file modes);
where neither can be had, the test is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "workspace"


def _mount(*args: str) -> bool:
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _make_writable(path: Path) -> None:
    for folder, _dirs, files in os.walk(path):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def read_only_workspace(tmp_path, monkeypatch):
    """A copy of the lighthouse workspace (no index) on a folder the user cannot write, for a
    fixture to `yield from`."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    where = tmp_path / "media"
    where.mkdir()
    if os.geteuid() != 0:
        ws = where / "ws"
        shutil.copytree(FIXTURE, ws)
        for folder, _dirs, files in os.walk(where):
            os.chmod(folder, 0o555)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o444)
        yield ws
        _make_writable(where)
        return
    if not _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)):
        pytest.skip("running as root where no file system can be mounted read-only")
    try:
        shutil.copytree(FIXTURE, where / "ws")
        assert _mount("-o", "remount,ro", str(where))
        yield where / "ws"
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=20)
