"""The CLI as a new user meets it (issue 17), and issue 15's long theme names."""

from __future__ import annotations

import yaml


def themes_in(workspace_dir) -> list[dict]:
    return yaml.safe_load((workspace_dir / "corpus" / "themes.yaml").read_text(encoding="utf-8"))


def test_a_300_character_theme_name_is_refused_with_a_clear_message(cli, workspace_dir):
    before = themes_in(workspace_dir)
    code, out, err = cli("--workspace", workspace_dir, "theme", "add", "x" * 300)
    assert code != 0
    assert "at most 80 characters" in err and "300" in err
    assert themes_in(workspace_dir) == before
    code, out, err = cli("--workspace", workspace_dir, "theme", "rename", "hope", "y" * 81)
    assert code != 0 and "at most 80" in err
