"""kill -9 during any command a user runs loses nothing they had, and the next command works.

The CI run kills each command at fixed points of its writes (tests/kill_at.py: one file of a
multi-file change in place and the next not, or a temporary file written and not renamed); the
long run kills random commands at random points and instants:
`ANNOTATOR_STRESS=1 pytest -m slow tests/test_crash_sweep.py`, or `python tests/crash_sweep.py`.
"""

from __future__ import annotations

import os

import pytest

import crash_sweep

STRESS = bool(os.environ.get("ANNOTATOR_STRESS"))
GROUPS = {
    "annotations": ("tag", "untag", "comment", "tag-comment"),
    "codebook": ("rename", "merge", "delete"),
    "import-and-index": ("import", "reindex", "sync"),
    "derived": ("embeddings", "export"),
}


@pytest.mark.parametrize("group", GROUPS)
def test_killed_commands_lose_nothing(group, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_MEANING", "1")  # the embeddings the parent checks, as the child made them
    tally = crash_sweep.sweep_ops(tmp_path, GROUPS[group])
    assert tally.kills == sum(len(crash_sweep.KILL_POINTS[name]) for name in GROUPS[group])  # each point was reached


@pytest.mark.slow
@pytest.mark.skipif(not STRESS, reason="long random crash sweep: set ANNOTATOR_STRESS=1")
def test_a_long_random_sweep(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_MEANING", "1")
    tally = crash_sweep.sweep_random(tmp_path, rounds=80, seed=5)
    assert tally.kills > 20
