"""Shared fixtures: real YAML workspaces in temporary folders, real indexes."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).parent.parent

# The key that seals this user's indexes (annotator.engine.index_seal): one for the test run (its
# subprocesses too), never the developer's own. Set before any fixture, module-scoped ones included.
os.environ["ANNOTATOR_INDEX_KEY_FILE"] = os.path.join(tempfile.mkdtemp(prefix="annotator-test-key-"), "index.key")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    """No test reads the developer's own workspace, name or data directory."""
    monkeypatch.delenv("ANNOTATOR_WORKSPACE", raising=False)
    monkeypatch.setenv("ANNOTATOR_NAME", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))  # a read-only workspace's index
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("ANNOTATOR_DEBUG", "1")  # a bug surfaces as its traceback, not the CLI's one-line "internal error"
    # Suggestions stay lexical (no torch loading) unless a test of the semantic path asks.
    monkeypatch.setenv("ANNOTATOR_SEMANTIC", "0")


@pytest.fixture
def workspace_dir(tmp_path) -> Path:
    """A copy of the small lighthouse workspace (4 themes, 12 passages, 4 tags by alice)."""
    target = tmp_path / "ws"
    shutil.copytree(FIXTURES / "workspace", target)
    return target


@pytest.fixture
def demo_workspace_dir(tmp_path) -> Path:
    """A copy of the repository's demo corpus (Never Let Me Go)."""
    target = tmp_path / "demo"
    shutil.copytree(REPO_ROOT / "corpus", target / "corpus")
    return target


@pytest.fixture
def session(workspace_dir):
    from annotator.session import Session

    s = Session.open(workspace_dir)
    s.sync()
    yield s
    s.close()


@pytest.fixture
def demo_session(demo_workspace_dir):
    from annotator.session import Session

    s = Session.open(demo_workspace_dir)
    s.sync()
    yield s
    s.close()


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from annotator.cli import main

    def run(*args: str):
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="session")
def lighthouse_embeddings(tmp_path_factory) -> Path:
    """The lighthouse passages' embeddings (and a few sentences'), made once for the test run: the
    `index/meaning` folder to copy (the tests of search by meaning; they skip without the model)."""
    from annotator.session import Session

    folder = tmp_path_factory.mktemp("embedded") / "ws"
    shutil.copytree(FIXTURES / "workspace", folder)
    session = Session.open(folder)
    session.sync()
    for query in ("a storm at sea", "no mail comes any more, and she waits on the pier for every delivery"):
        session.search_meaning(query)
    session.close()
    return folder / "index" / "meaning"


@pytest.fixture
def ready_dir(workspace_dir, lighthouse_embeddings) -> Path:
    """The lighthouse workspace with its passages embedded already."""
    shutil.copytree(lighthouse_embeddings, workspace_dir / "index" / "meaning")
    return workspace_dir
