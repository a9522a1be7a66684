import os

import pytest

from annotator.errors import CorpusError
from annotator.corpus.yamlio import atomic_write_text, parse_yaml, read_yaml, write_yaml


def test_mappings_remember_their_line(tmp_path):
    data = parse_yaml("- id: a\n  name: A\n- id: b\n  name: B\n", tmp_path / "t.yaml")
    assert [item.line for item in data] == [1, 3]


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("- id: a\n  name: [unclosed\n- id: b\n")
    with pytest.raises(CorpusError) as info:
        read_yaml(path)
    assert str(path) in str(info.value)
    assert info.value.line is not None and info.value.line >= 2


def test_python_object_tags_are_refused(tmp_path):
    with pytest.raises(CorpusError):
        parse_yaml("!!python/object/apply:os.system ['echo hacked']", tmp_path / "evil.yaml")


def test_alias_bomb_is_refused(tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for n in range(1, 9):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines += [f"z{k}: *i" for k in range(120)]
    with pytest.raises(CorpusError, match="aliases"):
        parse_yaml("\n".join(lines), tmp_path / "bomb.yaml")


def test_timestamps_stay_text(tmp_path):
    data = parse_yaml("at: 2026-11-20T10:05:00+00:00\n", tmp_path / "t.yaml")
    assert data["at"] == "2026-11-20T10:05:00+00:00"


def test_round_trip_keeps_unicode_and_multiline_text(tmp_path):
    path = tmp_path / "out.yaml"
    data = {"text": "Kathy said: “Never let me go”\nsecond line", "id": "x"}
    write_yaml(path, data)
    assert read_yaml(path) == data
    assert "“Never let me go”" in path.read_text(encoding="utf-8")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "f.yaml"
    atomic_write_text(path, "one\n")
    atomic_write_text(path, "two\n")
    assert path.read_text() == "two\n"
    assert os.listdir(tmp_path) == ["f.yaml"]


def test_invalid_utf8_is_reported_with_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"- id: a\n- id: \xff\xfe\n")
    with pytest.raises(CorpusError, match="UTF-8") as info:
        read_yaml(path)
    assert info.value.line == 2


# -- the emitter: whatever it writes, the safe loader reads back identically ------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from annotator.corpus.yamlio import dump_yaml  # noqa: E402

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(), st.sampled_from(["yes", "no", "null", "~", "12", "1e3", "0x1f", "- a", "a: b", "#x", " x", "x ",
                                "2026-11-20T10:05:00+00:00", "line\nbreak", "trail\n", "\u2028", "\x85", "\ufeff",
                                "see p.4:\tthe lamp", "page 12\t#3 matters"]),
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_documents)
def test_emitter_round_trips_through_the_safe_loader(document):
    """Numbers, booleans and nulls too: any YAML reader reads what was written."""
    import yaml

    text = dump_yaml(document)
    assert yaml.load(text, Loader=yaml.SafeLoader) == document


_text_documents = st.recursive(
    st.one_of(st.none(), st.text(), _scalars.filter(lambda v: isinstance(v, str))),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_text_documents)
def test_text_round_trips_through_the_corpus_loader(document):
    """What the corpus holds (text and nulls) is read back by annotator's own loader exactly."""
    assert parse_yaml(dump_yaml(document), "generated.yaml") == document


def test_emitter_writes_readable_block_yaml():
    text = dump_yaml({"annotator": "me", "tags": [{"passage": "p-1", "theme": "hope", "at": "2026-01-01T00:00:00+00:00",
                                                   "comment": "why: two lines\nhere"}]})
    assert text == (
        "annotator: me\ntags:\n- passage: p-1\n  theme: hope\n  at: '2026-01-01T00:00:00+00:00'\n"
        "  comment: |-\n    why: two lines\n    here\n"
    )


@pytest.mark.parametrize("text", ["\n ", "\n  indented after a blank line", "\n \nx", "\n\t"])
def test_text_whose_first_nonblank_line_is_indented_reads_back_unchanged(text):
    # A block scalar takes its indentation from its first non-empty line; these must be quoted.
    assert parse_yaml(dump_yaml({"comment": text}), "generated.yaml") == {"comment": text}


def test_a_tab_after_a_colon_or_before_a_hash_is_quoted_not_cut():
    """`:`+tab starts a mapping value and tab+`#` a comment, as with a space: written plain, the
    text failed to read back (the whole file with it) or lost its end."""
    for text in ("see p.4:\tthe lamp", "page 12\t#3 matters"):
        assert parse_yaml(dump_yaml({"comment": text}), "x.yaml") == {"comment": text}


def test_text_as_written_pickles_as_plain_text():
    """The index's stored fields are pickled: they must not name a class of annotator's."""
    import pickle

    value = parse_yaml("id: 007\n", "x.yaml")["id"]
    assert value == "007" and b"annotator" not in pickle.dumps(value, protocol=-1)
