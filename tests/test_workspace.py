import pytest

from annotator.errors import AnnotatorError
from annotator.corpus.workspace import ENV_VAR, find_upwards, init_workspace, resolve, user_workspace_dir


def test_explicit_workspace_wins_over_environment(workspace_dir, tmp_path, monkeypatch):
    other = init_workspace(tmp_path / "other")
    monkeypatch.setenv(ENV_VAR, str(other.root))
    assert resolve(workspace_dir).root == workspace_dir.resolve()


def test_environment_variable_used_when_no_flag(workspace_dir, monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(workspace_dir))
    assert resolve(None, cwd=tmp_path).root == workspace_dir.resolve()


def test_nearest_folder_with_corpus_found_from_a_subfolder(workspace_dir):
    deep = workspace_dir / "corpus" / "passages"
    assert find_upwards(deep) == workspace_dir
    assert resolve(None, cwd=deep).root == workspace_dir


def test_per_user_workspace_created_with_demo_codebook(tmp_path):
    ws = resolve(None, cwd=tmp_path)
    assert ws.root == user_workspace_dir()
    assert "conformity" in ws.themes_file.read_text()


def test_missing_explicit_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(AnnotatorError, match="no workspace there"):
        resolve(tmp_path / "nowhere")


def test_init_refuses_to_overwrite_a_workspace(workspace_dir):
    with pytest.raises(AnnotatorError, match="already a workspace"):
        init_workspace(workspace_dir)


def test_init_empty_has_no_themes_and_ignores_index(tmp_path):
    ws = init_workspace(tmp_path / "fresh", empty=True)
    assert ws.themes_file.read_text().strip() == "[]"
    assert "/index/" in (ws.root / ".gitignore").read_text()
    assert ws.passages_dir.is_dir() and ws.annotations_dir.is_dir()
