"""`annotator init` inside another workspace's corpus/ or index/ is refused in one line.

`annotator init w/corpus` made w/corpus/corpus/themes.yaml and a .gitignore inside the corpus
(committed with it); a workspace inside index/ is deleted by the next rebuild.
"""

from __future__ import annotations

import pytest

import mutation_fuzz


@pytest.mark.parametrize("inside", ["corpus", "corpus/passages/new", "index/new"])
def test_init_inside_a_workspaces_corpus_or_index_is_refused(cli, workspace_dir, inside):
    assert cli("--workspace", workspace_dir, "reindex")[0] == 0
    before = mutation_fuzz.listing(workspace_dir.parent)
    code, _out, err = cli("init", workspace_dir / inside)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert f"folder of the workspace {workspace_dir}" in err and "outside it" in err
    assert mutation_fuzz.listing(workspace_dir.parent) == before
    assert not (workspace_dir / inside / "corpus").exists()


def test_init_beside_the_corpus_still_makes_a_workspace(cli, workspace_dir):
    code, _out, err = cli("init", workspace_dir / "essay")
    assert code == 0, err
    assert (workspace_dir / "essay" / "corpus" / "themes.yaml").is_file()
