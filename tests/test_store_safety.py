"""Nothing lost, second round: hand-edited, hostile and odd files, odd bytes, refused writes.

Each test is a reproduction from the nothing-lost issue (#15), run as a user runs it: the CLI
on a real workspace in a temporary folder.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace
from annotator.corpus.yamlio import parse_yaml


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (links as their target's text), to show nothing changed."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def corpus(workspace_dir: Path) -> dict[str, bytes]:
    return snapshot(workspace_dir / "corpus")


@pytest.fixture
def annotations_dir(workspace_dir) -> Path:
    return workspace_dir / "corpus" / "annotations"


# -- 1. the file name decides where a write goes, never the `annotator:` key inside --------------


def test_a_copied_annotations_file_is_refused_not_written_over_its_original(cli, workspace_dir, annotations_dir):
    shutil.copy(annotations_dir / "alice.yaml", annotations_dir / "bob.yaml")  # its key still says alice
    before = corpus(workspace_dir)
    code, _out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "bob")
    assert code == 2
    assert len(err.splitlines()) == 1 and "bob.yaml" in err and "'alice'" in err
    assert corpus(workspace_dir) == before


@pytest.mark.parametrize("key", ["../../../outside/pwned", "ABSOLUTE"])
def test_an_annotator_key_with_a_path_writes_nowhere(cli, workspace_dir, annotations_dir, key, tmp_path):
    key = str(tmp_path / "pwned") if key == "ABSOLUTE" else key
    (annotations_dir / "eve.yaml").write_text(f"annotator: {key}\ntags: []\n")
    outside, before = snapshot(workspace_dir.parent.parent), corpus(workspace_dir)
    for args in (["tag", "lh-001", "hope", "--as", "eve"], ["comment", "lh-001", "a note", "--as", "eve"]):
        code, _out, err = cli("--workspace", workspace_dir, *args)
        assert code == 2 and "eve.yaml" in err and len(err.splitlines()) == 1
    assert corpus(workspace_dir) == before
    assert {k: v for k, v in snapshot(workspace_dir.parent.parent).items() if f"/{workspace_dir.name}/" not in k} == {
        k: v for k, v in outside.items() if f"/{workspace_dir.name}/" not in k}
    assert not (tmp_path / "pwned.yaml").exists()


def test_a_write_goes_to_the_file_that_was_read(workspace_dir, annotations_dir):
    store = Store(Workspace(workspace_dir))
    store.add_tags("alice", "lh-001", ["hope"])
    assert sorted(p.name for p in annotations_dir.iterdir()) == ["alice.yaml"]
    assert store.annotations("alice").find("lh-001", "hope")


# -- 2. a byte that is not UTF-8 never reaches a file ---------------------------------------------


NOT_UTF8 = b"caf\xe9".decode("utf-8", "surrogateescape")  # what Python makes of $(printf 'caf\xe9')


@pytest.mark.parametrize("args", [
    ["comment", "lh-001", NOT_UTF8],
    ["theme", "add", NOT_UTF8],
    ["theme", "add", "Ok name", "--description", NOT_UTF8],
    ["theme", "describe", "hope", NOT_UTF8],
    ["tag", "lh-001", "hope", "--comment", NOT_UTF8],
], ids=["comment", "theme-add", "theme-add-description", "theme-describe", "tag-comment"])
def test_an_argument_that_is_not_utf8_is_refused_and_nothing_is_written(cli, workspace_dir, args):
    before = corpus(workspace_dir)
    code, _out, err = cli("--workspace", workspace_dir, *args)
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "caf\\xe9" in err and "not valid UTF-8" in err
    assert corpus(workspace_dir) == before
    assert cli("--workspace", workspace_dir, "themes")[0] == 0  # the corpus still reads


def test_a_lone_surrogate_from_a_json_import_is_refused(cli, workspace_dir, tmp_path):
    exported = tmp_path / "work.json"
    assert cli("--workspace", workspace_dir, "export", "--format", "json", "-o", exported)[0] == 0
    text = exported.read_text().replace("Reunion after the storm.", "Reunion \\ud800 after")
    exported.write_text(text)
    other = tmp_path / "other"
    shutil.copytree(workspace_dir, other)
    shutil.rmtree(other / "corpus" / "annotations")
    code, _out, err = cli("--workspace", other, "import", exported)
    assert code == 2 and "not valid UTF-8" in err
    assert all("\\ud800" not in p.read_text() for p in (other / "corpus").rglob("*.yaml"))
    assert cli("--workspace", other, "themes")[0] == 0


# -- 3. a duplicate key is a malformed file --------------------------------------------------------


def test_two_tags_blocks_after_a_bad_merge_are_refused_and_nothing_is_rewritten(cli, workspace_dir, annotations_dir):
    path = annotations_dir / "alice.yaml"
    original = path.read_text()
    path.write_text(original + "tags:\n  - passage: lh-003\n    theme: hope\n    at: x\n")
    second_block = original.count("\n") + 1
    before = corpus(workspace_dir)
    code, _out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "alice")
    assert code == 2
    assert err.strip().endswith(f"{path}:{second_block}: duplicate key 'tags'")
    assert corpus(workspace_dir) == before


def test_a_duplicate_key_inside_a_record_names_its_line():
    with pytest.raises(Exception, match=r"x.yaml:3: duplicate key 'text'"):
        parse_yaml("- id: a\n  text: one\n  text: two\n", "x.yaml")


# -- 5. hand edits survive a write: unknown fields -------------------------------------------------


def test_unknown_fields_survive_a_tag_and_a_theme_edit(cli, workspace_dir, annotations_dir):
    path = annotations_dir / "alice.yaml"
    path.write_text(path.read_text().replace("    theme: hope\n", "    theme: hope\n    confidence: 0.8\n")
                    + "reviewed_by: carol\n")
    themes = workspace_dir / "corpus" / "themes.yaml"
    themes.write_text(themes.read_text().replace("- id: hope\n", "- id: hope\n  aliases: [optimism, trust]\n", 1))
    assert cli("--workspace", workspace_dir, "tag", "lh-001", "loss", "--as", "alice")[0] == 0
    assert cli("--workspace", workspace_dir, "theme", "describe", "memory", "What is kept.")[0] == 0
    text = path.read_text()
    assert "confidence: 0.8\n" in text and "reviewed_by: carol" in text and "passage: lh-001" in text
    assert parse_yaml(themes.read_text(), "t")[0]["aliases"] == ["optimism", "trust"]


# -- 7. a symbolic link stays a link ---------------------------------------------------------------


def test_a_write_through_a_symlinked_corpus_file_keeps_the_link(cli, workspace_dir, annotations_dir, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.move(annotations_dir / "alice.yaml", shared / "alice.yaml")
    (annotations_dir / "alice.yaml").symlink_to(os.path.relpath(shared / "alice.yaml", annotations_dir))
    assert cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "alice")[0] == 0
    assert (annotations_dir / "alice.yaml").is_symlink()
    assert "passage: lh-001" in (shared / "alice.yaml").read_text()
    assert sorted(os.listdir(shared)) == ["alice.yaml"]  # no temporary file left beside the target
    assert sorted(os.listdir(annotations_dir)) == ["alice.yaml"]


# -- 11. scalars keep the text as written ----------------------------------------------------------


def test_scalars_keep_the_text_as_written_and_are_written_back_unchanged(cli, workspace_dir):
    path = workspace_dir / "corpus" / "passages" / "lighthouse.yaml"
    text = path.read_text()
    text = text.replace("id: lh-001", "id: 007", 1).replace("title: ", "title: no\n  was_title: ", 1)
    text += "  - id: 0x1F\n    location: 1:30\n    text: A passage at half past one.\n"
    path.write_text(text)
    annotations = workspace_dir / "corpus" / "annotations" / "alice.yaml"
    code, out, err = cli("--workspace", workspace_dir, "show", "0x1F", "--json")
    assert code == 0, err
    assert '"location": "1:30"' in out
    assert cli("--workspace", workspace_dir, "show", "007")[0] == 0
    assert cli("--workspace", workspace_dir, "tag", "007", "yes", "--as", "alice")[0] == 3  # no theme 'True'
    themes = workspace_dir / "corpus" / "themes.yaml"
    themes.write_text(themes.read_text() + "- id: 'yes'\n  name: yes\n  description: x\n")
    assert cli("--workspace", workspace_dir, "tag", "007", "yes", "--as", "alice")[0] == 0
    assert cli("--workspace", workspace_dir, "tag", "0x1F", "yes", "--as", "alice")[0] == 0
    written = annotations.read_text()
    assert "passage: \"007\"" in written or "passage: '007'" in written or "passage: 007" in written
    tags = {(t.passage, t.theme) for t in Store(Workspace(workspace_dir)).annotations("alice").tags}
    assert {("007", "yes"), ("0x1F", "yes")} <= tags
    (source,) = Store(Workspace(workspace_dir)).sources()
    assert source.source.title == "no"


def test_a_yaml_import_keeps_themes_and_ids_as_written(cli, workspace_dir, tmp_path):
    themes = workspace_dir / "corpus" / "themes.yaml"
    themes.write_text(themes.read_text() + "- id: 'yes'\n  name: Yes\n  description: x\n")
    incoming = tmp_path / "in.yaml"
    incoming.write_text("source: {id: odd}\npassages:\n- id: 007\n  location: 1:30\n  text: Seven.\n  themes: [yes]\n")
    code, _out, err = cli("--workspace", workspace_dir, "import", incoming)
    assert code == 0, err
    assert [(t.passage, t.theme) for t in Store(Workspace(workspace_dir)).all_tags() if t.passage == "007"] == [("007", "yes")]


# -- 14. a refused write says what is wrong, not "internal error" -----------------------------------


def _refuse(monkeypatch, code: int, call: str = "replace"):
    real = getattr(os, call)

    def refused(*args, **kwargs):
        if call == "open" and not (args[1] & (os.O_WRONLY | os.O_RDWR)):
            return real(*args, **kwargs)
        raise OSError(code, os.strerror(code), str(args[0]))

    monkeypatch.setattr(os, call, refused)


@pytest.mark.parametrize("code,reason", [(errno.EACCES, "permission denied"), (errno.ENOSPC, "no space left"),
                                         (errno.EROFS, "read-only file system")])
def test_a_refused_corpus_write_says_why_and_that_nothing_changed(cli, workspace_dir, monkeypatch, code, reason):
    assert cli("--workspace", workspace_dir, "reindex")[0] == 0
    before = corpus(workspace_dir)
    _refuse(monkeypatch, code)
    status, _out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "alice")
    assert status != 0 and status != 70
    assert len(err.splitlines()) == 1 and reason in err and "alice.yaml" in err and "not changed" in err
    assert corpus(workspace_dir) == before


def test_a_lock_file_that_cannot_be_made_says_why(cli, workspace_dir, monkeypatch):
    _refuse(monkeypatch, errno.EROFS, "open")
    status, _out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "alice")
    assert status == 1
    assert "read-only file system" in err and ".annotator.lock" in err and "nothing was changed" in err


def test_a_symlinked_lock_file_says_why(cli, workspace_dir, tmp_path):
    (workspace_dir / ".annotator.lock").symlink_to(tmp_path / "elsewhere" / "lock")
    before = corpus(workspace_dir)
    status, _out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "alice")
    assert status == 1 and "symbolic link" in err and len(err.splitlines()) == 1
    assert corpus(workspace_dir) == before


# -- 5. hand edits survive a write: comments -------------------------------------------------------


def test_comments_in_an_annotations_file_survive_tag_and_untag(cli, workspace_dir, annotations_dir):
    path = annotations_dir / "alice.yaml"
    text = path.read_text().replace("    theme: hope\n", "    theme: hope   # strong evidence\n    confidence: 0.8\n")
    text = "# Alice's tags, reviewed by Carol\n" + text.replace("tags:\n", "tags:\n  # chapter one\n")
    path.write_text(text)
    assert cli("--workspace", workspace_dir, "tag", "lh-001", "loss", "--as", "alice", "--comment", "two\nlines")[0] == 0
    assert cli("--workspace", workspace_dir, "untag", "lh-006", "memory", "--as", "alice")[0] == 0
    written = path.read_text()
    untouched = text.replace("  - passage: lh-006\n    theme: memory\n    at: '2026-11-20T09:12:30+00:00'\n"
                             "    comment: The drawing joins the mother's buttons as a keepsake.\n", "")
    assert written.startswith(untouched)  # every other line as the user left it, the new tag after them
    assert "  - passage: lh-001\n    theme: loss\n" in written and "      two\n      lines\n" in written
    tags = Store(Workspace(workspace_dir)).annotations("alice").tags
    assert [(t.passage, t.theme) for t in tags] == [("lh-002", "hope"), ("lh-007", "loss"), ("lh-012", "friendship"),
                                                   ("lh-001", "loss")]
    assert tags[0].extra == {"confidence": "0.8"} and tags[-1].comment == "two\nlines"


def test_a_comment_edited_in_place_with_the_mtime_put_back_survives_the_next_write(cli, workspace_dir, annotations_dir):
    # The in-process session (the TUI's) remembers the document it last wrote; a hand edit that keeps
    # the size and restores the mtime must still be read, not overwritten with the remembered one.
    from annotator.session import Session

    path = annotations_dir / "alice.yaml"
    path.write_text("# reviewed by Carol\n" + path.read_text())
    session = Session.open(workspace_dir)
    try:
        session.tag("lh-001", ["loss"], annotator="alice")
        written = path.read_text()
        stat = path.stat()
        with open(path, "r+", encoding="utf-8") as handle:  # in place: same inode, same size
            handle.write(written.replace("# reviewed by Carol", "# REVIEWED BY DAVE", 1))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        session.tag("lh-003", ["loss"], annotator="alice")
    finally:
        session.close()
    assert path.read_text().startswith("# REVIEWED BY DAVE\n")


def test_comments_in_the_codebook_survive_a_theme_edit(cli, workspace_dir):
    path = workspace_dir / "corpus" / "themes.yaml"
    text = path.read_text().replace("- id: hope\n", "# the class's codebook\n- id: hope  # the core theme\n", 1)
    path.write_text(text)
    assert cli("--workspace", workspace_dir, "theme", "describe", "memory", "What is kept.")[0] == 0
    assert cli("--workspace", workspace_dir, "theme", "add", "Weather")[0] == 0
    written = path.read_text()
    assert "# the class's codebook\n- id: hope  # the core theme\n" in written
    themes = Store(Workspace(workspace_dir)).themes()
    assert [t.id for t in themes][-1] == "weather" and themes[1].description == "What is kept."


def test_a_file_without_comments_is_written_by_the_fast_emitter(workspace_dir, annotations_dir):
    from annotator.corpus.yamlio import dump_yaml

    Store(Workspace(workspace_dir)).add_tags("alice", "lh-001", ["hope"])
    af = Store(Workspace(workspace_dir)).annotations("alice")
    assert (annotations_dir / "alice.yaml").read_text() == dump_yaml(af.to_yaml())


# -- found by the mutation fuzzer -------------------------------------------------------------------


@pytest.mark.parametrize("args", [["theme", "add", "Weather"], ["theme", "describe", "hope", "new words"],
                                  ["theme", "rename", "hope", "Hopefulness"]], ids=["add", "describe", "rename"])
def test_a_codebook_edit_with_another_file_malformed_writes_nothing(cli, workspace_dir, annotations_dir, args):
    path = annotations_dir / "alice.yaml"
    path.write_text(path.read_text().replace("    theme: hope\n", "", 1))  # a tag without its theme
    before = corpus(workspace_dir)
    code, _out, err = cli("--workspace", workspace_dir, *args)
    assert code == 2 and "alice.yaml" in err and "missing 'theme'" in err
    assert corpus(workspace_dir) == before


# -- a file spelled .yml is written where it was read ----------------------------------------------


def test_a_yml_annotations_file_is_written_in_place_not_beside(cli, workspace_dir, annotations_dir):
    (annotations_dir / "alice.yaml").rename(annotations_dir / "alice.yml")
    assert cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "alice")[0] == 0
    assert sorted(p.name for p in annotations_dir.iterdir()) == ["alice.yml"]
    assert "passage: lh-001" in (annotations_dir / "alice.yml").read_text()


def test_a_yml_source_is_reimported_in_place_not_beside(cli, workspace_dir, tmp_path):
    passages = workspace_dir / "corpus" / "passages"
    (passages / "lighthouse.yaml").rename(passages / "lighthouse.yml")
    incoming = tmp_path / "lighthouse.yaml"
    incoming.write_text("source: {id: lighthouse, title: The Lighthouse Keeper}\npassages:\n"
                        "- id: lh-001\n  text: Ada kept the light.\n")
    code, _out, err = cli("--workspace", workspace_dir, "import", incoming)
    assert code == 0, err
    assert sorted(p.name for p in passages.iterdir()) == ["lighthouse.yml"]
    assert cli("--workspace", workspace_dir, "themes")[0] == 0


def test_a_full_disk_while_the_index_is_built_says_so_not_internal_error(cli, workspace_dir, monkeypatch):
    from annotator.engine import index_build

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(workspace_dir / "index.building" / "seg"))

    monkeypatch.setattr(index_build, "build", full)
    before = corpus(workspace_dir)
    code, _out, err = cli("--workspace", workspace_dir, "search", "light")
    assert code == 1 and len(err.splitlines()) == 1
    assert "no space left" in err and "index.building" in err and "internal error" not in err
    assert corpus(workspace_dir) == before


@pytest.mark.parametrize("themes_flag", [False, True], ids=["passages", "theme-notes"])
def test_an_import_into_a_workspace_with_a_malformed_file_writes_nothing(cli, workspace_dir, tmp_path, themes_flag):
    themes = workspace_dir / "corpus" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8") + "\n" + themes.read_text(encoding="utf-8"), encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text("Hope\n\nThe students hope for a deferral they have only heard of.\n\nA second paragraph.\n", encoding="utf-8")
    before = corpus(workspace_dir)
    args = ["--workspace", workspace_dir, "import", notes] + (["--themes"] if themes_flag else [])
    code, out, err = cli(*args)
    assert code == 2 and "themes.yaml" in err and "duplicate theme id" in err
    assert err.count("\n") == 1
    assert corpus(workspace_dir) == before
