"""Nothing lost, third round: a workspace from a classmate, and changes made elsewhere meanwhile.

Each test is a reproduction found by attacking the product as a user runs it: the CLI (or the
Session both shells use) on a real workspace in a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from annotator.session import Session


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- a link to nothing in corpus/ must not carry a write out of the workspace ----------------------


@pytest.mark.parametrize("folder, args", [
    ("annotations", ["tag", "lh-001", "hope", "--as", "eve"]),
    ("annotations", ["comment", "lh-001", "a note", "--as", "eve"]),
    ("passages", ["import", "INPUT", "--source", "eve"]),
])
def test_a_dangling_link_in_the_corpus_writes_nothing_anywhere(cli, workspace_dir, tmp_path, folder, args):
    outside = tmp_path / "outside"
    link = workspace_dir / "corpus" / folder / "eve.yaml"
    link.symlink_to(os.path.relpath(outside / "deep" / "pwned.yaml", link.parent))
    source = tmp_path / "more.yaml"
    source.write_text("source: {id: more}\npassages:\n- id: more-1\n  text: Fog over the bay.\n")
    before = snapshot(workspace_dir / "corpus")
    code, _out, err = cli("--workspace", workspace_dir, *[str(source) if a == "INPUT" else a for a in args])
    assert code != 0 and len(err.splitlines()) == 1
    assert "eve.yaml" in err  # a link to nothing, refused as such or read as an empty file
    assert not outside.exists()
    assert snapshot(workspace_dir / "corpus") == before and link.is_symlink()


def test_a_link_to_an_existing_file_is_still_written_through(cli, workspace_dir, tmp_path):
    shared = tmp_path / "shared.yaml"
    shared.write_text("annotator: eve\ntags: []\n")
    (workspace_dir / "corpus" / "annotations" / "eve.yaml").symlink_to(shared)
    assert cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "eve")[0] == 0
    assert "passage: lh-001" in shared.read_text()


# -- undo and redo never undo someone else's change made since ---------------------------------------


def tags_of(workspace_dir: Path, name: str) -> str:
    return (workspace_dir / "corpus" / "annotations" / f"{name}.yaml").read_text()


@pytest.fixture
def window(workspace_dir) -> Session:
    """The TUI's session, writing as the TUI does (the index caught up later), open while the
    CLI writes to the same workspace."""
    session = Session.open(workspace_dir)
    yield session
    session.close()


def _changed_since(step) -> str:
    from annotator.errors import ChangedSince

    with pytest.raises(ChangedSince) as raised:
        step()
    return str(raised.value)


def test_undo_keeps_a_comment_the_cli_put_on_the_tag_since(cli, workspace_dir, window):
    window.tag("lh-005", ["hope"], annotator="alice", index_later=True)
    assert cli("--workspace", workspace_dir, "comment", "lh-005", "precious", "--theme", "hope", "--as", "alice")[0] == 0
    before = tags_of(workspace_dir, "alice")
    message = _changed_since(lambda: window.undo(index_later=True))
    assert "not undone" in message and "lh-005" in message and "\n" not in message
    assert tags_of(workspace_dir, "alice") == before and "precious" in before
    assert window.undo(index_later=True) is not None or window.history.next_undo() is None  # the stale step is gone


def test_undo_of_a_comment_keeps_the_one_written_elsewhere_since(cli, workspace_dir, window):
    window.add_passage_comment("lh-005", "mine", annotator="alice", index_later=True)
    assert cli("--workspace", workspace_dir, "comment", "lh-005", "theirs", "--as", "alice")[0] == 0
    _changed_since(lambda: window.undo(index_later=True))
    text = tags_of(workspace_dir, "alice")
    assert "mine" in text and "theirs" in text


def test_undo_of_a_tag_comment_keeps_the_one_written_elsewhere_since(cli, workspace_dir, window):
    window.set_tag_comment("lh-002", "hope", "first", annotator="alice", index_later=True)
    assert cli("--workspace", workspace_dir, "comment", "lh-002", "second", "--theme", "hope", "--as", "alice")[0] == 0
    _changed_since(lambda: window.undo(index_later=True))
    assert "second" in tags_of(workspace_dir, "alice")


def test_undo_and_redo_after_a_theme_is_renamed_elsewhere_change_nothing(cli, workspace_dir, window):
    window.tag("lh-005", ["hope"], annotator="alice", index_later=True)
    assert cli("--workspace", workspace_dir, "theme", "rename", "hope", "Hopeful", "--id", "hopeful")[0] == 0
    before = tags_of(workspace_dir, "alice")
    assert "no 'hope' tag" in _changed_since(lambda: window.undo(index_later=True))
    assert tags_of(workspace_dir, "alice") == before

    window.tag("lh-003", ["hopeful"], annotator="alice", index_later=True)
    window.undo(index_later=True)
    assert cli("--workspace", workspace_dir, "theme", "rename", "hopeful", "Hope", "--id", "hope")[0] == 0
    before = tags_of(workspace_dir, "alice")
    assert "no theme 'hopeful'" in _changed_since(lambda: window.redo(index_later=True))
    assert tags_of(workspace_dir, "alice") == before  # no tag left pointing at a theme that is gone


def test_undo_and_redo_still_work_when_nothing_changed_elsewhere(cli, workspace_dir, window):
    before = yaml.safe_load(tags_of(workspace_dir, "alice"))
    window.tag("lh-005", ["hope"], comment="why", annotator="alice", index_later=True)
    window.undo(index_later=True)
    assert yaml.safe_load(tags_of(workspace_dir, "alice")) == before
    window.redo(index_later=True)
    assert "why" in tags_of(workspace_dir, "alice")


# -- an import of something that is not a file ends at once ------------------------------------------


@pytest.mark.parametrize("kind", ["device", "pipe"])
@pytest.mark.parametrize("themes", [False, True])
def test_importing_a_device_or_a_pipe_is_refused_at_once(workspace_dir, tmp_path, kind, themes):
    import subprocess
    import sys

    if kind == "device":
        target = Path("/dev/zero")  # read for ever, ever more memory, before the fix; only read here
    else:
        target = tmp_path / "notes.txt"
        os.mkfifo(target)  # nobody writes: reading it waited for ever
    before = snapshot(workspace_dir / "corpus")
    args = [sys.executable, "-m", "annotator", "--workspace", str(workspace_dir), "import", *(["--themes"] if themes else []),
            str(target)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert f"is a {kind}, not a file" in done.stderr
    assert snapshot(workspace_dir / "corpus") == before


# -- a theme renamed by another process while a tag is written ---------------------------------------


def test_a_theme_renamed_while_a_tag_is_written_leaves_no_tag_without_a_theme(workspace_dir, monkeypatch):
    import threading

    from annotator.corpus import codebook
    from annotator.corpus.store import Store

    session = Session.open(workspace_dir)
    renames = []
    looked_up = Session.resolve_theme

    def look_up_then_rename_elsewhere(self, name):
        theme = looked_up(self, name)
        if not renames:  # another process renames the theme right after it was looked up
            other = threading.Thread(target=codebook.rename_theme, args=(Store(session.ws), "hope", "Hopes", "hopes"))
            other.start()
            other.join(timeout=1.0)  # without the lock held it finishes here, before the tag is written
            renames.append(other)
        return theme

    monkeypatch.setattr(Session, "resolve_theme", look_up_then_rename_elsewhere)
    session.tag("lh-005", ["hope"], annotator="alice", index_later=True)
    renames[0].join(timeout=60)
    themes = {t.id for t in Session.open(workspace_dir).themes()}
    tags = Session.open(workspace_dir).store.all_tags()
    assert themes >= {"hopes"} and not [t for t in tags if t.theme not in themes]
    assert any(t.passage == "lh-005" and t.theme == "hopes" for t in tags)
    session.close()


# -- a full disk: what is saved can still be searched ----------------------------------------------


def test_a_full_disk_still_lets_the_index_be_read_and_refuses_a_write_in_one_line(cli, workspace_dir, monkeypatch):
    import errno

    assert cli("--workspace", workspace_dir, "search", "lighthouse")[0] == 0  # an index, built while there was room

    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Session, "sync", disk_full)  # the index's update is refused, as on a full disk
    before = snapshot(workspace_dir / "corpus")
    code, out, err = cli("--workspace", workspace_dir, "search", "sketching")
    assert code == 0 and "lh-005" in out
    assert len(err.splitlines()) == 1 and "cannot update the index (no space left on the disk)" in err
    code, _out, err = cli("--workspace", workspace_dir, "tag", "lh-005", "hope", "--as", "alice")
    assert code != 0 and len(err.splitlines()) == 1 and "no space left" in err
    assert snapshot(workspace_dir / "corpus") == before
