"""Nothing lost, third round: a workspace from a classmate, and changes made elsewhere meanwhile.

Each test is a reproduction found by attacking the product as a user runs it: the CLI (or the
Session both shells use) on a real workspace in a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
