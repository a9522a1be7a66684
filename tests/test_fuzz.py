"""Bad input, fuzzed: every door gives a sane result or one clear line, never a traceback.

Property tests (hypothesis) on the parsers and the store, a short run of the fuzz loop
(tests/fuzz_inputs.py) over every target, and the real CLI on a few bad inputs.
Full count: `ANNOTATOR_STRESS=1 pytest -m slow tests/test_fuzz.py` or
`python tests/fuzz_inputs.py --cases 10000`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_inputs
import mutation_fuzz
from annotator.errors import CorpusError, ImportFailure
from annotator.exchange.importers.plaintext import parse_plain_text
from annotator.exchange.importers.textio import decode_bytes
from annotator.exchange.importers.theme_notes import parse_theme_notes
from annotator.corpus.model import AnnotationFile, Passage, Source, SourceFile, Tag, themes_from_yaml
from annotator.corpus.yamlio import dump_yaml, parse_yaml

STRESS = bool(os.environ.get("ANNOTATOR_STRESS"))
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40))
keys = st.sampled_from(["id", "name", "text", "location", "description", "color", "parent", "source", "passages",
                        "tags", "memos", "themes", "passage", "theme", "at", "comment", "annotator", "title"])
yaml_data = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys | st.text(max_size=8), children, max_size=6),
    max_leaves=30,
)


# -- properties ---------------------------------------------------------------------------------


@PROPERTY
@given(st.text(max_size=400))
def test_any_text_parses_as_yaml_or_names_the_file(text):
    try:
        parse_yaml(text, "corpus/themes.yaml")
    except CorpusError as exc:
        assert str(exc).startswith("corpus/themes.yaml")


@PROPERTY
@given(yaml_data)
def test_any_yaml_structure_loads_as_corpus_records_or_fails_clearly(data):
    text = dump_yaml(data)
    for load in (themes_from_yaml, SourceFile.from_yaml, AnnotationFile.from_yaml):
        try:
            load(parse_yaml(text, Path("corpus/x.yaml")), Path("corpus/x.yaml"))
        except CorpusError as exc:
            assert "\n" not in str(exc).strip() or "'" in str(exc)  # one line, unless it quotes the bad value


printable_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300)


@PROPERTY
@given(printable_text, st.text(max_size=30), printable_text)
def test_what_is_written_is_read_back_exactly(text, location, comment):
    """Durability starts here: any passage text or comment survives a write and a read unchanged."""
    source = SourceFile(Source("s"), [Passage("s-1", text, location, "s")])
    assert SourceFile.from_yaml(parse_yaml(dump_yaml(source.to_yaml()), "s.yaml"), Path("s.yaml")).passages == source.passages
    tags = AnnotationFile("ann", [Tag("s-1", "hope", "ann", "2026-01-01T00:00:00+00:00", comment)])
    again = AnnotationFile.from_yaml(parse_yaml(dump_yaml(tags.to_yaml()), "a.yaml"), Path("ann.yaml"))
    assert again.tags[0].comment == (comment or None)


@PROPERTY
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_are_refused_as_not_text(raw):
    try:
        decoded = decode_bytes(raw, "input.txt")
    except ImportFailure as exc:
        assert str(exc).startswith("input.txt")
    else:
        assert isinstance(decoded.text, str)


@PROPERTY
@given(st.text(max_size=3000))
def test_any_text_splits_into_clean_passages(text):
    _title, passages = parse_plain_text(text, "src")
    assert len({p.id for p in passages}) == len(passages)
    assert all(p.text.strip() for p in passages)


@PROPERTY
@given(st.text(max_size=3000))
def test_any_text_reads_as_theme_notes(text):
    for note in parse_theme_notes(text):
        assert note.name.strip() and note.description.strip()


@PROPERTY
@given(st.text(max_size=2000))
def test_any_text_reads_as_kindle_clippings(text):
    from annotator.exchange.importers.kindle import parse_clippings

    parse_clippings(text)
    parse_clippings(text.replace("\n\n", "\n==========\n"))


@PROPERTY
@given(st.text(max_size=2000))
def test_any_text_reads_as_readwise_or_koreader_or_is_refused(text):
    from annotator.exchange.importers.koreader import parse_koreader
    from annotator.exchange.importers.readwise import parse_readwise

    for parse, shaped in ((parse_readwise, "Highlight,Book Title,Note\n" + text), (parse_koreader, text),
                          (parse_koreader, '{"title": "X", "entries": [' + text + "]}")):
        try:
            parse(shaped, Path("in"))
        except ImportFailure as exc:
            assert "\n" not in str(exc)


@pytest.fixture(scope="module")
def searchable(tmp_path_factory):
    import shutil

    from annotator.session import Session

    root = tmp_path_factory.mktemp("fuzz-search") / "ws"
    shutil.copytree(fuzz_inputs.FIXTURES / "workspace", root)
    session = Session.open(root)
    session.sync()
    yield session
    session.close()


query_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(fuzz_inputs.QUERY_PIECES + fuzz_inputs.WORDS), max_size=10).map(" ".join),
)


@PROPERTY
@given(query_text, st.booleans())
def test_any_query_searches_and_marks_matches_inside_the_text(searchable, query, as_you_type):
    result = searchable.search(query, limit=20, as_you_type=as_you_type)
    assert result.total >= len(result.hits)
    for hit in result.hits:
        assert all(0 <= start < end <= len(hit.text) for start, end in hit.matches)


AWKWARD_QUERIES = ["*", '"unclosed', "(", ")", "((a", "a AND", "NOT", "-", "theme:", "~", "?", "x" * 5000,
                   " ".join(["light"] * 2000), "\x00", "[a TO", "source:*"]


@pytest.mark.parametrize("query", AWKWARD_QUERIES, ids=[f"q{n}" for n in range(len(AWKWARD_QUERIES))])
def test_awkward_queries_still_search(searchable, query):
    searchable.search(query)


# -- the fuzz loop ---------------------------------------------------------------------------


def test_fuzz_loop_finds_no_traceback():
    counts = fuzz_inputs.run(cases=6 * len(fuzz_inputs.TARGETS), seed=101)
    failures = {name: c.examples for name, c in counts.items() if c.tracebacks}
    assert failures == {}
    assert sum(c.ok for c in counts.values()) > 0 and sum(c.clean_errors for c in counts.values()) > 0


def test_book_files_mangled_give_passages_or_one_line():
    """EPUB, PDF, DOCX, ODT, HTML and Gutenberg files, whole or truncated, bit-flipped, with entity
    bombs, unsafe member names, DRM markers or zip bombs: never a traceback, nothing half-written."""
    counts = fuzz_inputs.run(cases=60, seed=18, targets=["books"])
    assert {name: c.examples for name, c in counts.items() if c.tracebacks} == {}
    assert counts["books"].ok and counts["books"].clean_errors


def test_crafted_inputs_and_export_paths_find_nothing():
    """The shapes that once got through (hostile ids, huge numbers, nested codes, shared members,
    a DOCTYPE, absent theme fields, -o at the corpus or a FIFO), with their oracles."""
    counts = fuzz_inputs.run(cases=24, seed=15, targets=["crafted", "export-output"])
    assert {name: c.examples for name, c in counts.items() if c.tracebacks} == {}
    assert all(c.ok and c.clean_errors for c in counts.values())


@pytest.mark.slow
@pytest.mark.skipif(not STRESS, reason="full-count fuzzing: set ANNOTATOR_STRESS=1")
def test_ten_thousand_cases_no_traceback():
    counts = fuzz_inputs.run(cases=10_000, seed=0)
    assert {name: c.examples for name, c in counts.items() if c.tracebacks} == {}


@pytest.mark.slow
@pytest.mark.skipif(not STRESS, reason="50 MB import: set ANNOTATOR_STRESS=1")
def test_a_50_megabyte_text_file_imports_or_is_refused_clearly():
    count = fuzz_inputs.big_text_import(50)
    assert count.tracebacks == 0, count.examples


# -- the real CLI on bad input: one line on stderr ---------------------------------------------


def _bad_inputs(folder: Path) -> list[tuple[list[str], Path | None]]:
    folder.mkdir()
    binary = folder / "photo.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    malformed = folder / "passages.yaml"
    malformed.write_text("passages:\n  - id: a\n    text: [unclosed\n")
    evil = folder / "evil.yaml"
    evil.write_text("passages: !!python/object/apply:os.system ['echo pwned']\n")
    bomb = folder / "bomb.yaml"
    bomb.write_text(fuzz_inputs.alias_bomb(__import__("random").Random(1), 9, 10))
    not_zip = folder / "project.qdpx"
    not_zip.write_bytes(b"PK\x03\x04 truncated")
    traversal = folder / "traversal.qdpx"
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("../../escape.txt", "x")
        archive.writestr("project.qde", "<Project/>")
    nul_notes = folder / "notes.txt"
    nul_notes.write_bytes(b"Hope\n\nSome \x00 text\x00\x00")
    kobo = folder / "KoboReader.sqlite"
    kobo.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 4)
    koreader = folder / "highlights.json"
    koreader.write_text('{"title": "X", "entries": {"text": "not a list"}}')
    readwise = folder / "readwise.csv"
    readwise.write_text("Title,Author\nX,Y\n")
    return [
        (["import", str(kobo)], None),
        (["import", str(koreader)], None),
        (["import", str(readwise)], None),
        (["import", str(readwise), "--book", "X", "--title", "T", "--source", "s", "--replace"], None),
        (["import", str(binary)], None),
        (["import", str(malformed)], None),
        (["import", str(evil)], None),
        (["import", str(bomb)], None),
        (["import", str(not_zip)], None),
        (["import", str(traversal)], None),
        (["import", "--themes", str(nul_notes)], None),
        (["import", str(folder / "missing.txt")], None),
        (["import", str(folder)], None),
        (["show", "no-such-passage"], None),
        (["tag", "lh-001", "no-such-theme"], None),
        (["tag", "lh-001", "hope", "--as", "../../etc"], None),
        (["search", '"unclosed (', "--json"], None),
    ]


def _run_all(commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    """Run the CLI commands side by side (they are independent) and collect their results."""
    exe = Path(sys.executable).with_name("annotator")
    env = {**os.environ, "NO_COLOR": "1"}
    procs = [subprocess.Popen([str(exe), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for args in commands]
    results = []
    for args, proc in zip(commands, procs):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


def test_cli_reports_bad_input_in_one_line(workspace_dir, tmp_path):
    commands = [["--workspace", str(workspace_dir), *args] for args, _ in _bad_inputs(tmp_path / "inputs")]
    for proc in _run_all(commands):
        args = proc.args
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        assert len(proc.stderr.splitlines()) <= 1, (args, proc.stderr)
        if "search" not in args and "../../etc" not in args:  # a name with slashes is cleaned into a plain one
            assert proc.returncode != 0 and proc.stderr.startswith("annotator: "), (args, proc.returncode, proc.stderr)
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()
    # Nothing was written outside the workspace's own folders.
    assert not list(tmp_path.glob("*.yaml")) and not list(workspace_dir.glob("*.yaml"))
    assert {p.parent for p in (workspace_dir / "corpus").rglob("*.yaml")} <= {
        workspace_dir / "corpus", workspace_dir / "corpus" / "passages", workspace_dir / "corpus" / "annotations"}


def test_cli_reports_a_broken_corpus_file_in_one_line_naming_it(workspace_dir, tmp_path):
    import shutil

    commands = []
    for n, broken in enumerate(("- id: hope\n  name: [unclosed\n", "- id: Not A Slug\n", "\x00\x01binary",
                                "- id: a\n- id: a\n", "!!python/object/new:os.system [ls]\n")):
        ws = tmp_path / f"ws{n}"
        shutil.copytree(workspace_dir, ws)
        (ws / "corpus" / "themes.yaml").write_bytes(broken.encode())
        commands.append(["--workspace", str(ws), "themes"])
    for proc in _run_all(commands):
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.splitlines()) == 1 and "themes.yaml" in proc.stderr, proc.stderr


# -- the mutation fuzzer: valid workspaces edited by hand, one CLI command, nothing else changed -----


def test_mutated_workspaces_lose_nothing_and_touch_nothing_else():
    counts = mutation_fuzz.run(cases=400 if STRESS else 40, seed=7)
    assert counts.findings == 0, counts.examples
    assert counts.ok and counts.refused


@pytest.mark.slow
@pytest.mark.skipif(not STRESS, reason="full-count mutation fuzzing: set ANNOTATOR_STRESS=1")
def test_two_thousand_mutated_workspaces():
    counts = mutation_fuzz.run(cases=2000, seed=0)
    assert counts.findings == 0, counts.examples
