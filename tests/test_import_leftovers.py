"""Issue #18's leftovers: small gaps in imports and exports, each as a user meets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.corpus.store import Store
from annotator.corpus.workspace import init_workspace
from annotator.exchange.importers import import_source


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["json", "qdpx"])
def test_source_without_replace_on_a_project_import_is_refused_in_one_line(cli, workspace_dir, tmp_path, fmt):
    exported = tmp_path / f"project.{fmt}"
    assert cli("--workspace", workspace_dir, "export", "--format", fmt, "-o", exported)[0] == 0
    target = tmp_path / "fresh"
    assert cli("init", target)[0] == 0
    before = tree(target / "corpus")
    code, _out, err = cli("--workspace", target, "import", exported, "--source", "mine")
    assert code == 2 and len(err.splitlines()) == 1
    assert "--source mine works only with --replace" in err
    assert tree(target / "corpus") == before


def test_the_csv_carries_the_comments_on_the_passage_a_highlights_notes(cli, workspace_dir):
    import csv
    import io

    assert cli("--workspace", workspace_dir, "comment", "lh-002", "=my highlight's note", "--as", "alice")[0] == 0
    assert cli("--workspace", workspace_dir, "comment", "lh-002", "a tutor's view", "--as", "tutor")[0] == 0
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "csv", "--theme", "hope")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    row = next(r for r in rows if r["passage"] == "lh-002" and r["annotator"] == "alice")
    assert row["passage_comments"].splitlines() == ["'=my highlight's note", "tutor: a tutor's view"]


GUTENBERG = """The Project Gutenberg eBook of A Tale of Two Cities

Title: A Tale of Two Cities

Author: Charles Dickens

*** START OF THE PROJECT GUTENBERG EBOOK A TALE OF TWO CITIES ***

A TALE OF TWO CITIES

by Charles Dickens

CHAPTER I.
The Period


It was the best of times, it was the worst of times, it was the age of wisdom, it was the age
of foolishness, it was the epoch of belief, it was the epoch of incredulity.


CHAPTER II.

The Mail


It was the Dover road that lay, on a Friday night late in November, before the first of the
persons with whom this history has business.


CHAPTER III.


"Yes."

Said the guard, and nothing more that night on the road to Dover, where the mail went on.

*** END OF THE PROJECT GUTENBERG EBOOK A TALE OF TWO CITIES ***
"""


def test_a_gutenberg_chapters_title_line_is_not_a_passage(tmp_path):
    store = Store(init_workspace(tmp_path / "ws", empty=True))
    path = tmp_path / "pg98.txt"
    path.write_text(GUTENBERG)
    passages = store.load_source(import_source(store, path).source_id).passages
    assert [(p.location, p.text.split()[0]) for p in passages] == [
        ("ch. I", "It"), ("ch. II", "It"), ("ch. III", '"Yes."'), ("ch. III", "Said")]
