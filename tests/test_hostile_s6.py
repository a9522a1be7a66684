"""Crafted workspaces and crashes mid-write, attacked again (session 6): each test is a fault found
and fixed, laid down as a user or a classmate's zip would leave it, run through the CLI."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.corpus import read_cache
from annotator.engine import index_seal


def search(cli, ws, *query) -> tuple[list[str], str]:
    code, out, err = cli("--workspace", ws, "search", *query, "--json")
    assert code == 0 and "Traceback" not in err, err
    return [r["id"] for r in json.loads(out)["results"]], err


def test_a_key_file_left_empty_by_a_crash_is_made_again_once(cli, workspace_dir, tmp_path, monkeypatch):
    """A crash between creating the key file and writing it left it empty: every run then made
    its own key, so every command rebuilt the index (half a minute at 100k passages)."""
    key = tmp_path / "data" / "index.key"
    key.parent.mkdir()
    key.write_bytes(b"")
    monkeypatch.setenv(index_seal.KEY_ENV, str(key))
    expected, _ = search(cli, workspace_dir, "sketching")
    assert len(key.read_bytes()) == index_seal.KEY_BYTES
    index_seal._keys.clear()  # the next run: a new process reads the key again
    again, err = search(cli, workspace_dir, "sketching")
    assert again == expected
    assert "rebuilt" not in err
    assert [p.name for p in key.parent.iterdir()] == ["index.key"]


def _elsewhere(tmp_path) -> Path:
    """A folder of the user's outside the workspace, with a `meaning` folder of its own."""
    folder = tmp_path / "elsewhere"
    (folder / "meaning").mkdir(parents=True)
    (folder / "meaning" / "notes.txt").write_text("mine\n")
    return folder


def _unchanged(folder: Path) -> bool:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == ["meaning", "meaning/notes.txt"]


def test_a_linked_read_cache_folder_is_never_written_through(cli, workspace_dir, tmp_path, monkeypatch):
    """A crafted zip's `index/read-cache` linked to a folder of the user's (a shell's start-up
    folder) had the cache files, titles and ids of the crafted corpus, written there."""
    elsewhere = _elsewhere(tmp_path)
    (workspace_dir / "index").mkdir()
    (workspace_dir / "index" / "read-cache").symlink_to(elsewhere)
    monkeypatch.setattr(read_cache, "RACY_NS", 0)  # the files here were all written just now
    for command in (["report", "--grid"], ["themes"], ["evidence", "hope"], ["status"]):
        code, _out, err = cli("--workspace", workspace_dir, *command)
        assert code == 0, err
    assert _unchanged(elsewhere)


@pytest.mark.parametrize("name", ["index.building", "index.old", "index", "index/meaning"])
def test_a_link_beside_or_in_the_index_is_removed_never_followed(cli, workspace_dir, tmp_path, name):
    """A link named `index.building` or `index.old` made every search an internal error; one named
    `index` or `index.old` had the rebuild move the `meaning` folder it points to into the
    workspace; a linked `index/meaning` was kept, and embeddings written where it points."""
    elsewhere = _elsewhere(tmp_path)
    (workspace_dir / name).parent.mkdir(exist_ok=True)
    (workspace_dir / name).symlink_to(elsewhere)
    expected = ["lh-005"]
    for _run in range(2):
        found, _err = search(cli, workspace_dir, "sketching")
        assert found[:1] == expected
    assert _unchanged(elsewhere)
    assert sorted(p.name for p in workspace_dir.iterdir() if p.name.startswith("index")) == ["index"]
    assert not [p for p in (workspace_dir / "index").rglob("*") if p.is_symlink()]


class TooLong(Exception):
    pass


@pytest.fixture
def deadline():
    """What used to hang fails instead: SIGALRM interrupts a wait that never ends (a pipe's)."""
    def stop(_signum, _frame):
        raise TooLong("still running after 30 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _limited():
    """In the child: what used to read /dev/zero for ever fails at 3 GB of memory or a 256 MB file."""
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))


def run_limited(ws, *args) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, in a process that cannot eat the machine's memory or disk."""
    return subprocess.run([sys.executable, "-m", "annotator", "--workspace", str(ws), *map(str, args)],
                          capture_output=True, text=True, timeout=120, preexec_fn=_limited)


def _two_texts(tmp_path) -> list[Path]:
    paths = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}.txt"
        path.write_text(f"The {name} keeper's log.\n\nA lamp lit at dusk.\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_links_in_a_loop_in_the_corpus_do_not_stop_a_several_file_import(cli, workspace_dir, tmp_path, deadline):
    """A cloned repository can hold links: two links in a loop in `corpus/passages` made the copy
    an import of several files works on walk for ever. Only what the store reads is copied."""
    (workspace_dir / "corpus" / "passages" / "loop").symlink_to("..")
    (workspace_dir / "corpus" / "passages" / "loop2").symlink_to("..")
    code, out, err = cli("--workspace", workspace_dir, "import", *_two_texts(tmp_path), "--dry-run")
    assert code == 0 and "would import source 'first'" in out, err
    code, out, err = cli("--workspace", workspace_dir, "import", *_two_texts(tmp_path))
    assert code == 0 and (workspace_dir / "corpus" / "passages" / "second.yaml").exists(), err


def test_a_link_to_a_device_in_the_corpus_is_not_read(workspace_dir, tmp_path):
    """A link to /dev/zero anywhere in the corpus had a several-file import copy zeros until the disk
    was full; as a passages file, every command read it until memory ran out. The first is not
    copied (the store never reads it), the second is refused with one line naming it."""
    (workspace_dir / "corpus" / "notes").symlink_to("/dev/zero")
    done = run_limited(workspace_dir, "import", *_two_texts(tmp_path))
    assert done.returncode == 0, done.stderr
    zero = workspace_dir / "corpus" / "passages" / "zero.yaml"
    zero.symlink_to("/dev/zero")
    done = run_limited(workspace_dir, "search", "lamp")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert str(zero) in done.stderr and "not a file" in done.stderr


@pytest.mark.parametrize("where", ["passages/piped.yaml", "annotations/tester.yaml", "themes.yaml"])
def test_a_corpus_file_that_is_a_named_pipe_is_one_line(cli, workspace_dir, tmp_path, where, deadline):
    """A named pipe as a corpus file waited for ever for a writer, whatever the command: it is now
    refused with one line naming it, and nothing is written."""
    path = workspace_dir / "corpus" / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    for command in (["search", "lamp"], ["tag", "lh-005", "hope"], ["import", *_two_texts(tmp_path)]):
        code, _out, err = cli("--workspace", workspace_dir, *command)
        assert code == 2, (command, err)
        assert err.count("\n") == 1 and str(path) in err and "not a file" in err, err
    assert not (workspace_dir / "corpus" / "passages" / "first.yaml").exists()


@pytest.mark.parametrize("command", [["show"], ["show", "--json"], ["tag", "hope"], ["untag", "hope"], ["comment", "why"], ["suggest"]])
def test_a_passage_id_that_is_not_utf8_is_not_found(cli, workspace_dir, command):
    """An argument holding a byte that is not UTF-8 (`caf\\xe9` typed in a Latin-1 terminal) reaches
    Python as a lone surrogate: as a passage id it was an internal error (exit 70)."""
    name, *rest = command
    code, _out, err = cli("--workspace", workspace_dir, name, "caf\udce9", *rest)
    assert code == 3, err
    assert err == "annotator: no passage 'caf\\udce9'; search for it with 'annotator search WORDS'\n"


def test_a_disk_full_at_the_second_file_of_an_import_writes_neither(cli, workspace_dir, tmp_path, monkeypatch):
    """Several files are imported all or nothing, but a disk that filled up while their passages
    were put into the workspace left the first ones written. (The disk fills at the second file:
    a real full disk, a tmpfs, did the same by hand.)"""
    import tempfile

    passages = workspace_dir / "corpus" / "passages"
    real_mkstemp = tempfile.mkstemp

    def disk_full_at_the_second(*args, **kwargs):
        if Path(kwargs.get("dir", "")) == passages and kwargs.get("prefix", "").startswith(".second.yaml"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_mkstemp(*args, **kwargs)

    before = {p.name: p.read_bytes() for p in passages.iterdir()}
    monkeypatch.setattr(tempfile, "mkstemp", disk_full_at_the_second)
    code, _out, err = cli("--workspace", workspace_dir, "import", *_two_texts(tmp_path))
    assert code != 0 and "no space left" in err and err.count("\n") == 1, err
    assert {p.name: p.read_bytes() for p in passages.iterdir()} == before  # no leftover either
    monkeypatch.setattr(tempfile, "mkstemp", real_mkstemp)  # room made again: it all goes in
    code, _out, err = cli("--workspace", workspace_dir, "import", *_two_texts(tmp_path))
    assert code == 0, err
    assert search(cli, workspace_dir, "dusk")[0][:2] == ["first-p2", "second-p2"]


@pytest.mark.parametrize("command", [["config", "name", "bob"], ["config", "blind", "on"]])
def test_a_linked_settings_folder_is_never_written_through(cli, workspace_dir, tmp_path, command):
    """A cloned workspace's `.annotator` linked to a folder of the user's had `config` write its
    settings.yaml (merged into one there) and a .gitignore into that folder."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "settings.yaml").write_text("theme: dark\n", encoding="utf-8")
    (workspace_dir / ".annotator").symlink_to(elsewhere)
    code, _out, err = cli("--workspace", workspace_dir, *command)
    assert code != 0 and err.count("\n") == 1 and "symbolic link" in err, err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["settings.yaml"]
    assert (elsewhere / "settings.yaml").read_text(encoding="utf-8") == "theme: dark\n"


def test_what_a_killed_several_file_import_left_is_cleared_by_importing_again(cli, workspace_dir, tmp_path):
    """A kill while the files went in (tests/kill_at.py before-rename) leaves each file not yet
    renamed as a whole hidden copy beside its place; importing the same files again, which
    completes the import, clears them."""
    passages = workspace_dir / "corpus" / "passages"
    for name in ("first", "second"):
        (passages / f".{name}.yaml.k1ll3d.tmp").write_text("source:\n  id: half\n", encoding="utf-8")
    code, _out, err = cli("--workspace", workspace_dir, "import", *_two_texts(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in passages.iterdir()) == ["first.yaml", "lighthouse.yaml", "second.yaml"]


def test_the_corpus_copy_a_killed_import_left_in_the_temporary_folder_is_cleared(cli, workspace_dir, tmp_path, monkeypatch):
    """A several-file import or a dry run works on a copy of the corpus in the temporary folder:
    a kill while it worked (tests/kill_at.py before-rename:1..4) left that whole copy there for
    good, one more at every kill. The next one clears those whose process is gone."""
    import tempfile

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = temporary / f"annotator-dry-run-{gone.stdout.strip()}-k1ll3d", temporary / f"annotator-dry-run-{os.getpid()}-w0rk1ng"
    for copy in (dead, alive):
        (copy / "corpus" / "passages").mkdir(parents=True)
        (copy / "corpus" / "passages" / "lighthouse.yaml").write_text("source: {}\n", encoding="utf-8")
        os.utime(copy, (time.time() - 3600, time.time() - 3600))
    code, _out, err = cli("--workspace", workspace_dir, "import", *_two_texts(tmp_path), "--dry-run")
    assert code == 0, err
    assert sorted(temporary.iterdir()) == [alive]  # (its process, this one, still works on it)
