"""kill -9 at random instants loses nothing acknowledged and leaves no half-written file.

The normal run kills each kind of writer a few times; the full run (50 kills per mode)
is `ANNOTATOR_STRESS=1 pytest -m slow tests/test_crash.py`, or the script itself:
`python tests/crash_harness.py --kills 50`.
"""

from __future__ import annotations

import os

import pytest

import crash_harness
from annotator.errors import CorpusError
from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace
from annotator.corpus.yamlio import atomic_write_text, read_yaml

STRESS = bool(os.environ.get("ANNOTATOR_STRESS"))
QUICK_KILLS = {"tag": 3, "cli": 3, "import": 2, "codebook": 2}


@pytest.mark.parametrize("mode", crash_harness.MODES)
def test_sigkill_loses_no_acknowledged_work(mode, tmp_path):
    tally = crash_harness.run((mode,), kills=QUICK_KILLS[mode], seed=11, workdir=tmp_path, delay_scale=0.6)
    assert tally.failures == []
    assert tally.acks + tally.in_flight > 0  # the child really was working when it died


@pytest.mark.slow
@pytest.mark.skipif(not STRESS, reason="full-count crash run: set ANNOTATOR_STRESS=1")
@pytest.mark.parametrize("mode", crash_harness.MODES)
def test_fifty_kills(mode, tmp_path):
    tally = crash_harness.run((mode,), kills=50, seed=3, workdir=tmp_path)
    assert tally.failures == []
    assert tally.kills == 50


def test_a_write_that_dies_before_the_rename_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "corpus" / "themes.yaml"
    atomic_write_text(path, "- id: old\n")

    def dies(*_args):
        raise KeyboardInterrupt  # stands in for the process dying between write and rename

    monkeypatch.setattr(os, "replace", dies)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "- id: new\n" * 10_000)
    assert path.read_text() == "- id: old\n"
    assert [p.name for p in path.parent.iterdir()] == ["themes.yaml"]  # no temporary file left behind


def test_leftover_temporary_files_are_ignored_by_the_store(workspace_dir):
    """A kill between mkstemp and rename leaves `.name.xyz.tmp`; it is never read as corpus."""
    annotations = workspace_dir / "corpus" / "annotations"
    (annotations / ".alice.yaml.k2j3.tmp").write_text("annotator: alice\ntags:\n  - passage: lh-0")
    (workspace_dir / "corpus" / "passages" / ".lighthouse.yaml.abcd.tmp").write_text("source:\n  id: lightho")
    store = Store(Workspace(workspace_dir))
    assert store.annotators() == ["alice"]
    assert [sf.source.id for sf in store.sources()] == ["lighthouse"]
    store.add_tags("alice", "lh-001", ["hope"])  # the next write under the lock clears its own file's leftovers
    assert not (annotations / ".alice.yaml.k2j3.tmp").exists()


def test_a_truncated_corpus_file_is_an_error_not_an_empty_corpus(workspace_dir):
    """If a file was cut short by something other than annotator, it is reported, never read as empty."""
    path = workspace_dir / "corpus" / "annotations" / "alice.yaml"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2] + b'\n  - passage: "lh-0')
    with pytest.raises(CorpusError) as info:
        Store(Workspace(workspace_dir)).all_tags()
    assert "alice.yaml" in str(info.value)
    assert read_yaml(workspace_dir / "corpus" / "themes.yaml")  # the rest still loads
