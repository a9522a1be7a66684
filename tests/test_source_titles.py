"""A source's title: the work's own (a `# heading`, the file's metadata, --title), else the file's
name as the user typed it, never re-cased ("fr.txt" was cited as "Fr")."""

from __future__ import annotations

import yaml


def _title(ws, source_id: str) -> str:
    return yaml.safe_load((ws / "corpus" / "passages" / f"{source_id}.yaml").read_text(encoding="utf-8"))["source"]["title"]


def test_a_title_from_the_file_name_is_kept_as_typed_and_the_import_says_how_to_name_the_work(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("init", ws)[0] == 0
    (tmp_path / "fr.txt").write_text("Le soleil se levait sur la mer.\n\nIl faisait beau.\n", encoding="utf-8")
    (tmp_path / "my_essay-ch1.txt").write_text("Pip is afraid of the convict.\n", encoding="utf-8")
    code, out, err = cli("--workspace", ws, "import", tmp_path / "fr.txt", tmp_path / "my_essay-ch1.txt")
    assert code == 0, err
    assert _title(ws, "fr") == "fr" and _title(ws, "my-essay-ch1") == "my_essay-ch1"
    assert "title: fr (the file's name; --title" in out
    code, out, _err = cli("--workspace", ws, "show", "fr-p1", "--quote")
    assert "(fr, para 1)" in out
    code, out, _err = cli("--workspace", ws, "import", tmp_path / "fr.txt")  # said once, not at each re-import
    assert "title:" not in out and _title(ws, "fr") == "fr"


def test_a_title_the_file_or_the_user_gives_wins_and_needs_no_line(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("init", ws)[0] == 0
    (tmp_path / "lm.md").write_text("# Les Misérables\n\nJean Valjean entra.\n", encoding="utf-8")
    (tmp_path / "day.txt").write_text("Il faisait beau.\n", encoding="utf-8")
    code, out, _err = cli("--workspace", ws, "import", tmp_path / "lm.md")
    assert _title(ws, "lm") == "Les Misérables" and "title:" not in out
    code, out, _err = cli("--workspace", ws, "import", tmp_path / "day.txt", "--title", "Le Jour")
    assert _title(ws, "day") == "Le Jour" and "title:" not in out
