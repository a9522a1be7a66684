"""Every saved screen belongs to a snapshot test.

syrupy fails a serial run on a snapshot no test uses any more, but skips that check under
pytest-xdist (each worker sees only its share of the tests), so the suite checks it here.
"""

from __future__ import annotations

import ast
from pathlib import Path

HERE = Path(__file__).parent
SNAPSHOTS = HERE / "__snapshots__"


def _snapshot_tests(module: Path) -> set[str]:
    """The test functions in `module` that take the snap_compare fixture."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")
            and "snap_compare" in {arg.arg for arg in node.args.args}}


def test_every_snapshot_file_belongs_to_a_snapshot_test():
    saved = sorted(SNAPSHOTS.rglob("*.svg"))
    assert saved
    orphans = []
    for svg in saved:
        module = HERE / f"{svg.parent.name}.py"  # __snapshots__/<test module>/<test name>[<params>].svg
        if not module.exists() or svg.stem.split("[", 1)[0] not in _snapshot_tests(module):
            orphans.append(str(svg.relative_to(HERE)))
    assert not orphans, f"snapshots no test compares with (delete them, or run with --snapshot-update): {orphans}"
