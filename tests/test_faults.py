"""Fault injection: every writing command against a read-only folder and a full disk.

Each must stop with one line that says what is wrong (not "internal error"), exit non-zero,
and leave every file as it was. Tests run as root, where file modes do not stop a write, so
the faults are real file systems where the machine allows it — a tmpfs remounted read-only,
a small tmpfs filled up — and otherwise the system calls that write, patched to fail with
EROFS or ENOSPC. The mutation fuzzer (tests/mutation_fuzz.py) runs in tests/test_fuzz.py.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import mutation_fuzz

STRESS = bool(os.environ.get("ANNOTATOR_STRESS"))

FIXTURE = Path(__file__).parent / "fixtures" / "workspace"


def writing_commands(inputs: Path, cli) -> list[list[str]]:
    inputs.mkdir(exist_ok=True)
    (inputs / "more.yaml").write_text("source: {id: more}\npassages:\n- id: more-1\n  text: Fog.\n  themes: [hope]\n")
    shutil.copytree(FIXTURE, inputs / "ws")
    assert cli("--workspace", inputs / "ws", "export", "--format", "json", "-o", inputs / "work.json")[0] == 0
    exported = inputs / "work.json"
    exported.write_text(exported.read_text().replace('"alice"', '"zed"'))  # another's work: new tags to merge
    return [
        ["tag", "lh-001", "hope", "--as", "alice"],
        ["tag", "lh-001", "hope", "--as", "newbie", "--comment", "why"],
        ["untag", "lh-002", "hope", "--as", "alice"],
        ["comment", "lh-001", "a note", "--as", "alice"],
        ["comment", "lh-006", "changed", "--theme", "memory", "--as", "alice"],
        ["theme", "add", "Weather"],
        ["theme", "describe", "hope", "new words"],
        ["theme", "rename", "hope", "Hopefulness"],
        ["theme", "rename", "hope", "Hope", "--id", "hopes"],
        ["theme", "delete", "loss", "--force"],
        ["import", str(inputs / "more.yaml")],
        ["import", str(inputs / "work.json")],
        ["config", "name", "Zed"],
    ]


def _mount(*args: str) -> bool:
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.fixture(params=["mounted", "patched"])
def tmpfs(request, tmp_path):
    """A small tmpfs of its own, or None where the machine allows no mount (and for the
    patched faults, which run everywhere)."""
    where = tmp_path / "fs"
    where.mkdir()
    if request.param == "patched" or not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)):
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=20)


def _prepare(root: Path, cli) -> Path:
    ws = root / "ws"
    shutil.copytree(FIXTURE, ws)
    assert cli("--workspace", ws, "reindex")[0] == 0  # the index is fresh: only the command writes
    return ws


def _fill(root: Path) -> None:
    """Write until the file system refuses: no room left for the smallest new file."""
    with open(root / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    n = 0
    while True:  # the last partial pages
        try:
            (root / f"filler-{n}").write_bytes(b"\0" * 512)
            n += 1
        except OSError:
            break


def _patched_faults(monkeypatch, code: int) -> None:
    """The writes of a read-only or full disk, where no real one can be made."""
    real_open = os.open

    def refuse(*args, **_kwargs):
        raise OSError(code, os.strerror(code), str(args[0]) if args else None)

    def open_for_reading_only(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_for_reading_only)
    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "mkdir", refuse)
    import tempfile

    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: refuse(k.get("dir", "tmp")))


def _check_refused(cli, ws: Path, args: list[str], reason: str) -> None:
    root = ws.parent
    before = mutation_fuzz.listing(root)
    code, _out, err = cli("--workspace", ws, *args)
    assert code not in (0, 70), (args, code, err)
    assert len(err.strip().splitlines()) == 1, (args, err)
    assert reason in err and "internal error" not in err, (args, err)
    assert "not changed" in err or "nothing was changed" in err, (args, err)
    assert mutation_fuzz.listing(root) == before, args


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_every_writing_command_says_what_is_wrong_and_changes_nothing(cli, tmpfs, tmp_path, monkeypatch, fault):
    root = tmpfs or (tmp_path / "root")
    root.mkdir(exist_ok=True)
    ws = _prepare(root, cli)
    commands = writing_commands(tmp_path / "inputs", cli)
    random_commands = _random_commands(tmp_path / "random-inputs") if STRESS else []
    reason = "read-only file system" if fault == "read-only" else "no space left"
    if tmpfs is None:
        _patched_faults(monkeypatch, errno.EROFS if fault == "read-only" else errno.ENOSPC)
    elif fault == "read-only":
        assert _mount("-o", "remount,ro", str(root))
    else:
        _fill(root)
        reason = "no space left"
    try:
        for args in commands:
            _check_refused(cli, ws, args, reason)
        for args in random_commands:
            _check_random(ws, args)
    finally:
        if tmpfs is not None and fault == "read-only":
            _mount("-o", "remount,rw", str(root))


def test_a_full_disk_found_at_fsync_leaves_the_file_as_it_was(cli, workspace_dir, monkeypatch):
    """Some file systems report a full disk only when the data is flushed."""
    assert cli("--workspace", workspace_dir, "reindex")[0] == 0
    before = mutation_fuzz.listing(workspace_dir.parent)

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code, _out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "alice")
    assert code == 1 and "no space left" in err and "alice.yaml" in err
    assert mutation_fuzz.listing(workspace_dir.parent) == before  # no temporary file left behind either


def _random_commands(inputs: Path, cases: int = 300) -> list[list[str]]:
    """The mutation fuzzer's commands, odd arguments and all (made before the fault is)."""
    import random

    rng = random.Random(15)
    return [mutation_fuzz.command(rng, inputs)[0] for _ in range(cases)]


def _check_random(ws: Path, args: list[str]) -> None:
    """Refused as above, or, for a command that needs no write (a search on a full disk, an
    export to another disk), done without changing anything."""
    before = mutation_fuzz.listing(ws.parent)
    code, err = mutation_fuzz.run_cli(args, ws.parent)
    if err.startswith("usage:"):  # argparse refused the arguments
        return
    assert code != 70 and "internal error" not in err, (args, err)
    assert mutation_fuzz.listing(ws.parent) == before, args
    if code != 0:
        assert len(err.strip().splitlines()) == 1, (args, err)
