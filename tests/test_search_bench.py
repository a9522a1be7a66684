"""The search benchmark runs end to end at a small size (figures are not asserted: no timed tests)."""

from __future__ import annotations

import json

from benchmarks import search_bench


def test_small_benchmark_run_reports_every_figure(tmp_path, capsys):
    report = search_bench.run(2000, folder=tmp_path, repeats=1, toggles=3)
    for engine in ("whoosh", "fts5"):
        assert report[engine]["build_s"] > 0
        assert report[engine]["p95_ms"] >= report[engine]["p50_ms"] > 0
    assert report["whoosh"]["tag_toggle_p95_ms"] > 0
    assert report["whoosh"]["update_one_passage_p95_ms"] > 0
    assert report["p95_ratio"] > 0 and report["peak_rss_mb"] > 0
    assert report["whoosh"]["median_total_hits"] > 0
    json.dumps(report)


def test_query_mix_is_fixed_for_a_seed():
    from benchmarks.synthetic import generate_passages

    passages = generate_passages(500, seed=3)
    first = search_bench.query_mix(passages, seed=3)
    assert first == search_bench.query_mix(passages, seed=3)
    kinds = {q.kind for q in first}
    assert {"1 common", "1 rare", "prefix", "phrase", "source filter"} <= kinds


def test_prefix_queries_are_as_selective_in_french_as_in_english():
    """Four letters, more where over MAX_PREFIX_WORDS words of the vocabulary begin with them."""
    from benchmarks.synthetic import vocabulary

    for language in ("en", "fr"):
        words = sorted(vocabulary(3, language=language))
        passages = search_bench.generate_corpus(500, 3, language=language).passages
        for q in (q.annotator for q in search_bench.query_mix(passages, 3, language) if q.kind == "prefix"):
            assert sum(w.startswith(q[:-1]) for w in words) <= search_bench.MAX_PREFIX_WORDS
