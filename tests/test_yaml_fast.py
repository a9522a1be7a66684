"""The fast reader for annotator's own YAML must read exactly what PyYAML's loader reads, or decline.

A differential test: random corpus-like data written by yamlio's dumper, then randomly mutated
text (hand edits: comments, indentation, quotes, anchors, duplicate keys...), each read by both
readers. Wherever the fast one answers, its value, types (text vs AsWritten), key order and
mapping lines equal PyYAML's; where PyYAML refuses a text, the fast one declines.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.corpus import yaml_fast, yamlio
from annotator.corpus.yamlio import LineDict


def pyyaml_read(text: str):
    loader = yamlio._line_loader()(text)
    loader.name = "test.yaml"
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def fast_read(text: str):
    return yaml_fast.parse(text, yamlio._plain_text, LineDict)


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (a.line == b.line and list(a) == list(b) and all(type(x) is type(y) for x, y in zip(a, b))
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def assert_agrees(text: str) -> None:
    fast = fast_read(text)
    try:
        slow = pyyaml_read(text)
    except (yaml.YAMLError, yamlio.CorpusError, RecursionError):
        assert fast is yaml_fast.DECLINED, text
        return
    if fast is not yaml_fast.DECLINED:
        assert same(fast, slow), text


# Text a corpus holds: words, numbers and YAML's look-alikes, punctuation, quotes, line breaks.
WORDS = st.sampled_from(["hope", "no", "yes", "007", "0.8", "1:30", "null", "~", "2026-01-02", "a: b", "x #y", "-1",
                         "it's", '"q"', "#tag", "- item", "<<", "&a", "*a", "!t", "[x]", "{y}", "|", ">", "%", "@",
                         "é", "—", "tab\there", "cr\rlf", " lead", "trail ", "", "\n", "line\n", "a\n\nb", "  in\n  dented",
                         "TRUE", "on", "0x1F", ".inf", "=", "key:", "?", "a,b", "\u2028", "\x85", "\ufeff"])
TEXT = st.lists(WORDS, max_size=4).map(" ".join) | st.text(max_size=12)
KEYS = st.sampled_from(["id", "text", "passage", "theme", "at", "comment", "yes", "null", "007", "a-b", "x.y", "k"])
SCALAR = TEXT | st.none()
DATA = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
                    max_leaves=12)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(DATA)
def test_written_data_reads_the_same(data):
    try:
        text = yamlio.dump_yaml(data)
    except Exception:  # noqa: BLE001 - text the dumper refuses (lone surrogates) is not a case here
        return
    assert_agrees(text)


MUTATIONS = st.sampled_from(["# comment", "  # indented comment", "", "   ", "- x", "  - y", "key: value", "key: value  # c",
                             "  deeper: 1", "k: &a 1", "j: *a", "k: !!str 5", "k: [1, 2]", "k: {a: 1}", "k: 'it''s'",
                             "k: 'open", 'k: "a\\tb"', 'k: "plain"', "k: |", "k: |-", "k: |+", "k: >", "    block line",
                             "---", "...", "%YAML 1.1", "? k", "k:v", "id: dup", "\tk: 1", "k: 1:30", "null: 1", "<<: {}",
                             "k: <<", "    ", "k: ~", "k:", "-", "- - z", "-   a: 1"])


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(DATA, st.lists(st.tuples(st.integers(0, 40), MUTATIONS, st.integers(0, 6)), max_size=4))
def test_hand_edited_text_reads_the_same_or_is_declined(data, edits):
    try:
        lines = yamlio.dump_yaml(data).split("\n")
    except Exception:  # noqa: BLE001
        return
    for position, line, indent in edits:
        lines.insert(position % (len(lines) + 1), " " * indent + line)
    assert_agrees("\n".join(lines))


def test_the_corpus_shapes_are_read_fast():
    text = ("annotator: ann\ntags:\n  - passage: p-1\n    theme: hope\n    at: '2026-01-02T00:00:00+00:00'\n"
            "    comment: |\n      two\n\n      lines\n    confidence: 0.8\nmemos: []\n")
    fast = fast_read(text)
    assert fast is not yaml_fast.DECLINED
    assert same(fast, pyyaml_read(text))
    assert type(fast["tags"][0]["confidence"]) is yamlio.AsWritten and fast["tags"][0].line == 3


def test_a_duplicate_key_is_left_to_pyyaml_which_refuses_it():
    assert fast_read("a: 1\na: 2\n") is yaml_fast.DECLINED
