"""The shape of the code, checked as tests so the README's one test command covers it.

ruff (pyflakes and pycodestyle's errors) and import-linter (the core imports neither Textual
nor the shells; the shells go through the Session; only the search engine imports Whoosh;
the layers shells > session > features > exchange > evidence > engine > corpus) are
configured in pyproject.toml.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).parent.parent


def run_tool(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing():
    result = run_tool(sys.executable, "-m", "ruff", "check", "annotator", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contracts_hold():
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.fail("lint-imports is not installed: pip install -e '.[test]'")
    result = run_tool(lint_imports, "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_itself_through_others():
    """No import cycle, whether the imports are at module level, inside functions or for type checking only."""
    import grimp  # import-linter's graph builder

    graph = grimp.build_graph("annotator", cache_dir=None)
    cycles = sorted({
        tuple(sorted((module, imported)))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("annotator") and imported != module
        and graph.chain_exists(importer=imported, imported=module, as_packages=False)
    })
    assert cycles == []


def test_the_shells_never_reach_past_the_session_to_its_store():
    # import-linter sees imports only; a shell that used `session.store` would write (or read)
    # without the Session's validation, lock and index update, which is what the Session is for.
    import re

    reach = re.compile(r"\bsession\.store\b")
    found = [f"{path.relative_to(REPO_ROOT)}:{number}"
             for folder in ("cli", "tui") for path in sorted((REPO_ROOT / "annotator" / folder).glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if reach.search(line)]
    assert found == []
