"""One right answer whatever the index's history (annotator.engine.search, query_budget).

A workspace built source by source holds several segments; `annotator reindex` writes one.
With no passage deleted in between, both hold the same statistics, so every query must
rank alike: prefix, wildcard and fuzzy terms included, whose words were once chosen and
scored segment by segment (a one-word expansion scored by BM25F, three words at a flat 1.0).
"""

from __future__ import annotations

import json

import pytest

from annotator.session import Session


def import_texts(cli, root, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        path = root / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        code, _, err = cli("import", str(path), "--workspace", root)
        assert code == 0, err


def ranking(cli, root, query: str) -> list[tuple[str, float]]:
    code, out, err = cli("search", query, "--json", "--limit", "500", "--workspace", root)
    assert code == 0, err
    return [(hit["id"], round(hit["score"], 6)) for hit in json.loads(out)["results"]]


def segment_count(root) -> int:
    return sum(1 for path in (root / "index").iterdir() if path.suffix == ".seg")


@pytest.fixture
def orchard_sources(cli, tmp_path):
    root = tmp_path / "ws"
    code, _, err = cli("init", "--empty", str(root))
    assert code == 0, err
    import_texts(cli, root, {
        "big": "\n\n".join(f"Old orchard over the open ocean, field {n}." for n in range(40)),
        "one": "Open river and the sea.",  # one word beginning `o` in its segment
        "two": "Ocean, ocean and a boat.\n\nOld lamp.",  # two
    })
    assert segment_count(root) > 1
    return root


@pytest.mark.parametrize("query", ["o*", "oc*", "o*en", "ocean~1", "open o*", "river OR oce*"])
def test_expanded_terms_rank_alike_in_many_segments_and_in_one(cli, orchard_sources, query):
    before = ranking(cli, orchard_sources, query)
    code, _, err = cli("reindex", "--workspace", orchard_sources)
    assert code == 0, err
    assert segment_count(orchard_sources) == 1
    assert ranking(cli, orchard_sources, query) == before
    assert len({score for _, score in before}) > 1  # ranked by BM25F, not a flat 1.0


def test_a_capped_prefix_keeps_the_index_wide_most_frequent_words(cli, tmp_path):
    """As you type `pax`, its 64 most frequent completions are searched: the most frequent in
    the whole index, not in each segment (the small source's frequent word counts once there)."""
    root = tmp_path / "ws"
    code, _, err = cli("init", "--empty", str(root))
    assert code == 0, err
    rare = [f"pax{a}{b}" for a in "abcdefghij" for b in "abcdefghij"]  # 100 completions, one passage each
    import_texts(cli, root, {
        "big": "\n\n".join(f"The {word} stood by the gate." for word in rare),
        "small": "\n\n".join("The paxzz stood by the wall." for _ in range(5))
                 + "\n\n" + "\n\n".join(f"A {word} again." for word in rare[:3]),
    })
    assert segment_count(root) > 1
    session = Session.open(root)
    try:
        before = session.search("pax", as_you_type=True, limit=None)
        session.sync(force=True)  # `annotator reindex`: one segment
        after = session.search("pax", as_you_type=True, limit=None)
    finally:
        session.close()
    assert [(h.id, round(h.score, 6)) for h in before.hits] == [(h.id, round(h.score, 6)) for h in after.hits]
    assert "small-p1" in {h.id for h in before.hits}  # `paxzz`, the most frequent completion, is kept


def test_a_word_inside_compounds_ranks_alike_in_many_segments_and_in_one(cli, tmp_path):
    """`Schuld` is also looked for inside compounds, at a tenth of a word's weight. Whoosh dropped
    that tenth in a segment holding one word with `schuld` inside: the short source's passage
    outranked, until `annotator reindex`, the passages that hold the word itself."""
    root = tmp_path / "ws"
    code, _, err = cli("init", "--empty", "--language", "de", str(root))
    assert code == 0, err
    import_texts(cli, root, {
        "roman": "Das Schuldgefühl blieb.\n\nDie Schuld war alt.\n\nEine Schuldfrage am Abend.",
        "brief": "Schuld und Schuld.",  # one word holding `schuld` in its segment: the word itself
    })
    assert segment_count(root) > 1
    before = ranking(cli, root, "Schuld")
    code, _, err = cli("reindex", "--workspace", root)
    assert code == 0, err
    assert segment_count(root) == 1
    assert ranking(cli, root, "Schuld") == before
