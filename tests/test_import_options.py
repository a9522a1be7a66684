"""Every import: --title and --author, --dry-run, progress, and never a silent replacement (issue #18, 9 and 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.session import Session

CLIPPING = (
    "Keeper (Ana Lima)\n- Your Highlight on page 3 | Location 40-41 | Added on Monday, 3 March 2025 10:00:00\n\n"
    "The light must never go out.\n==========\n"
)


@pytest.fixture
def ws(cli, tmp_path) -> Path:
    folder = tmp_path / "ws"
    assert cli("init", folder)[0] == 0
    return folder


def store(ws: Path):
    return Session.open(ws).store


def test_title_and_author_name_the_work_in_citations(cli, ws, tmp_path):
    notes = tmp_path / "my-notes.md"
    notes.write_text("# My reading notes\n\n## Chapter 3\n\nPip meets Estella and is ashamed of his boots.\n", encoding="utf-8")
    code, out, err = cli("--workspace", ws, "import", notes, "--title", "Great Expectations", "--author", "Charles Dickens")
    assert code == 0, err
    code, out, err = cli("--workspace", ws, "show", "my-notes-p1", "--quote")
    assert out.strip() == "“Pip meets Estella and is ashamed of his boots.” (Charles Dickens, Great Expectations, ch. 3)"


def test_a_different_file_never_replaces_a_source_silently(cli, ws, tmp_path):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_text(CLIPPING, encoding="utf-8")
    assert cli("--workspace", ws, "import", clippings)[0] == 0
    assert cli("--workspace", ws, "tag", "keeper-l40", "hope")[0] == 0
    notes = tmp_path / "keeper.md"
    notes.write_text("The keeper's first night.\n\nThe storm.\n", encoding="utf-8")
    code, out, err = cli("--workspace", ws, "import", notes)
    assert code == 0, err
    assert "'keeper-2'" in out and "holds the passages of My Clippings.txt" in err and "--replace" in err
    assert [p.id for p in store(ws).load_source("keeper").passages] == ["keeper-l40"]  # the highlights stay
    assert [p.id for p in store(ws).load_source("keeper-2").passages] == ["keeper-2-p1", "keeper-2-p2"]
    # the same file again updates its own source in place
    notes.write_text("The keeper's first night.\n\nThe storm.\n\nThe boat.\n", encoding="utf-8")
    code, out, err = cli("--workspace", ws, "import", notes)
    assert code == 0 and "'keeper-2'" in out and "1 new" in out
    assert not store(ws).load_source("keeper-3")
    code, out, err = cli("--workspace", ws, "show", "keeper-l40", "--json")
    assert '"hope"' in out  # the tag is still placed


def test_an_explicit_source_of_another_file_is_refused_unless_replaced(cli, ws, tmp_path):
    first = tmp_path / "first.txt"
    first.write_text("One paragraph.\n", encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text("Another paragraph.\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", first, "--source", "essay")[0] == 0
    code, out, err = cli("--workspace", ws, "import", second, "--source", "essay")
    assert code == 2 and err.count("\n") == 1
    assert "--source essay --replace" in err
    assert store(ws).load_source("essay").passages[0].text == "One paragraph."
    code, out, err = cli("--workspace", ws, "import", second, "--source", "essay", "--replace")
    assert code == 0, err
    assert store(ws).load_source("essay").passages[0].text == "Another paragraph."
    code, out, err = cli("--workspace", ws, "import", second, "--replace")
    assert code == 2 and "--replace needs --source" in err


def test_dry_run_writes_nothing_for_every_kind(cli, ws, tmp_path):
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_text(CLIPPING, encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("# Keeper\n\nA paragraph.\n", encoding="utf-8")
    before = sorted((p.relative_to(ws), p.stat().st_mtime_ns) for p in ws.rglob("*") if p.is_file())
    for path in (clippings, notes):
        code, out, err = cli("--workspace", ws, "import", path, "--dry-run", "--title", "Keeper", "--author", "Ana Lima")
        assert code == 0, err
        assert "would import" in out and "nothing was written" in out
    after = sorted((p.relative_to(ws), p.stat().st_mtime_ns) for p in ws.rglob("*") if p.is_file())
    assert after == before


def test_session_import_reports_progress_and_indexes(ws, tmp_path):
    from annotator.exchange.import_run import ImportRequest

    notes = tmp_path / "notes.md"
    notes.write_text("\n\n".join(f"Paragraph {n} about the keeper and the lamp." for n in range(30)), encoding="utf-8")
    heard = []
    session = Session.open(ws)
    reports = session.import_files(ImportRequest([notes], title="Notes"), progress=lambda what, done, total: heard.append((what, done, total)))
    assert reports[0].passages == 30
    assert heard[0] == ("reading notes.md", 0, 1)
    assert ("read", 1, 1) in heard
    assert any(what == "indexing" for what, _, _ in heard)
    assert session.search("lamp").total == 30


def test_progress_bar_line():
    from annotator.cli.progress_bar import bar_line

    assert bar_line("indexing", 1, 4, 80) == "indexing  [######------------------]  25%"
    assert bar_line("indexing", 0, 0, 80).endswith("  0%")


def test_a_corpus_file_copied_out_and_edited_updates_its_source(cli, ws, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("The keeper's first night.\n\nThe storm.\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", notes)[0] == 0
    copied = tmp_path / "edited.yaml"
    copied.write_text((ws / "corpus" / "passages" / "notes.yaml").read_text(encoding="utf-8").replace("The storm.", "The great storm."))
    code, out, err = cli("--workspace", ws, "import", copied)
    assert code == 0, err
    assert "1 changed" in out and [p.text for p in store(ws).load_source("notes").passages][1] == "The great storm."
    stranger = tmp_path / "other.yaml"
    stranger.write_text("source:\n  id: notes\npassages:\n  - id: x-1\n    text: Not the same file.\n", encoding="utf-8")
    code, out, err = cli("--workspace", ws, "import", stranger)
    assert code == 2 and "--source notes --replace" in err
