"""Span tags: tagging the exact words of a passage, and seeing those words (cited) everywhere.

Real YAML in a temporary workspace, the CLI run as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import yaml

from annotator.corpus.model import Span
from annotator.corpus.spans import QuoteNotFound, occurrences
from annotator.exchange.exports import export

LH2 = "lh-002"  # "The supply boat calls once a fortnight, bringing flour, lamp oil and, if she is lucky, a letter ..."


def annotations(workspace_dir, name: str = "tester") -> dict:
    return yaml.safe_load((workspace_dir / "corpus" / "annotations" / f"{name}.yaml").read_text(encoding="utf-8"))


def run_json(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


# -- finding the words ------------------------------------------------------------------------


def test_whitespace_and_curly_quotes_are_forgiven_and_the_passages_own_words_are_kept():
    text = "She said \u201cwait\u201d and the\n  light   went out."
    [(start, end)] = occurrences(text, '"wait" and the light')
    assert text[start:end] == "\u201cwait\u201d and the\n  light"


def test_tagging_a_quote_stores_the_words_and_their_offsets_beside_the_tag(cli, workspace_dir):
    code, out, _ = cli("--workspace", workspace_dir, "tag", LH2, "hope", "--quote", "a   letter from her younger brother")
    assert code == 0 and "on “a letter from her younger brother”" in out
    tag = next(t for t in annotations(workspace_dir)["tags"] if t["passage"] == LH2)
    [span] = tag["spans"]
    shown = run_json(cli, "--workspace", workspace_dir, "show", LH2)
    assert shown["text"][span["start"]:span["end"]] == span["quote"] == "a letter from her younger brother"
    mine = next(a for a in shown["annotations"] if a["annotator"] == "tester")
    assert mine["spans"] == [span]


@pytest.mark.parametrize("quote, message", [
    ("a letter from her older brother", "is not in lh-002"),
    ("a", "occurs 2 times in lh-002"),
    ("   ", "the quote is empty"),
    ("study engineering. Jonah's first letter", "runs on past the end of the passage"),
])
def test_an_absent_ambiguous_empty_or_overrunning_quote_writes_nothing(cli, workspace_dir, quote, message):
    before = (workspace_dir / "corpus" / "annotations").iterdir()
    before = {p.name: p.read_bytes() for p in before}
    code, out, err = cli("--workspace", workspace_dir, "tag", LH2, "hope", "--quote", quote)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    after = {p.name: p.read_bytes() for p in (workspace_dir / "corpus" / "annotations").iterdir()}
    assert after == before


def test_a_near_miss_names_the_words_the_passage_has(cli, workspace_dir):
    code, _, err = cli("--workspace", workspace_dir, "tag", LH2, "hope", "--quote", "bringing flour lamp oil")
    assert code == 2 and 'the nearest words there are "bringing flour, lamp oil"' in err


def test_a_passage_holds_several_span_tags_and_whole_passage_tags_at_once(session):
    session.tag(LH2, ["hope"], quote="a letter from her younger brother")
    session.tag(LH2, ["hope"], quote="The supply boat")
    session.tag(LH2, ["loss"], quote="who left the island")
    session.tag(LH2, ["memory"])
    mine = {t.theme: t for t in session.tags_on(LH2) if t.annotator == "tester"}
    assert [s.quote for s in mine["hope"].spans] == ["a letter from her younger brother", "The supply boat"]
    assert [s.quote for s in mine["loss"].spans] == ["who left the island"]
    assert mine["memory"].spans == ()
    assert LH2 in [hit.id for hit in session.search("theme:loss", limit=50).hits]  # the index has it, as any tag


def test_untag_with_a_quote_takes_off_that_span_only_and_the_last_one_takes_the_tag(cli, workspace_dir):
    ws = workspace_dir
    cli("--workspace", ws, "tag", LH2, "hope", "--quote", "The supply boat")
    cli("--workspace", ws, "tag", LH2, "hope", "--quote", "lamp oil")
    code, out, _ = cli("--workspace", ws, "untag", LH2, "hope", "--quote", "The  supply boat")
    assert code == 0 and "untagged lh-002: hope on “The supply boat”" in out
    [tag] = [t for t in annotations(ws)["tags"] if t["passage"] == LH2]
    assert [s["quote"] for s in tag["spans"]] == ["lamp oil"]
    cli("--workspace", ws, "untag", LH2, "hope", "--quote", "lamp oil")
    assert not [t for t in annotations(ws)["tags"] if t["passage"] == LH2]


def test_undo_and_redo_of_span_changes(session):
    [first] = session.tag(LH2, ["hope"], quote="The supply boat")
    [second] = session.tag(LH2, ["hope"], quote="lamp oil")
    assert second.span is not None  # a span joining a tag the passage had
    session.revert(second)
    assert [s.quote for s in session.store.annotations("tester").find(LH2, "hope").spans] == ["The supply boat"]
    session.replay(second)
    assert len(session.store.annotations("tester").find(LH2, "hope").spans) == 2
    change = session.toggle(LH2, "hope", span=Span(4, 15, ""))  # "supply boat": a new span, toggled on
    assert change.added and change.span.quote == "supply boat"
    session.revert(change)
    session.revert(second)
    session.revert(first)
    assert session.store.annotations("tester").find(LH2, "hope") is None
    session.replay(first)
    assert [s.quote for s in session.store.annotations("tester").find(LH2, "hope").spans] == ["The supply boat"]


def test_words_of_a_passage_tagged_whole_are_refused_and_the_whole_tag_kept(cli, workspace_dir):
    # A span would narrow the whole-passage tag, and untagging the span would then lose the tag.
    ws = workspace_dir
    cli("--workspace", ws, "tag", LH2, "hope")
    before = (ws / "corpus" / "annotations" / "tester.yaml").read_bytes()
    code, out, err = cli("--workspace", ws, "tag", LH2, "hope", "--quote", "lamp oil")
    assert code == 2 and "tagged 'hope' as a whole passage" in err and len(err.strip().splitlines()) == 1
    assert (ws / "corpus" / "annotations" / "tester.yaml").read_bytes() == before
    [tag] = [t for t in annotations(ws)["tags"] if t["passage"] == LH2]
    assert "spans" not in tag


def test_a_selection_past_the_text_is_refused(session):
    with pytest.raises(QuoteNotFound):
        session.tag(LH2, ["hope"], quote=Span(5, 5000, ""))


# -- the words everywhere -------------------------------------------------------------------------


@pytest.fixture
def spanned(cli, workspace_dir):
    code, _, err = cli("--workspace", workspace_dir, "tag", LH2, "hope", "--quote", "a letter from her younger brother",
                       "--comment", "the letters keep her going")
    assert code == 0, err
    return workspace_dir


def test_show_quote_quotes_the_tagged_words_with_the_citation(cli, spanned):
    code, out, _ = cli("--workspace", spanned, "show", LH2, "--quote")
    # alice's tag on lh-002 is on the whole passage; the span is what is quoted
    assert out.strip() == "“a letter from her younger brother” (Test Author, The Lighthouse Keeper, ch. 1)"
    code, out, _ = cli("--workspace", spanned, "show", LH2, "--quote", "--whole")
    assert out.startswith("“The supply boat calls")


def test_evidence_gives_the_span_and_the_passage_on_request(cli, spanned):
    code, out, _ = cli("--workspace", spanned, "evidence", "hope")
    assert "“a letter from her younger brother”" in out and "The supply boat" not in out
    code, out, _ = cli("--workspace", spanned, "evidence", "hope", "--whole")
    assert "The supply boat calls" in out
    data = run_json(cli, "--workspace", spanned, "evidence", "hope", "--json")
    item = next(p for p in data["passages"] if p["id"] == LH2)
    spans = [s for a in item["annotations"] for s in a["spans"]]
    assert [s["quote"] for s in spans] == ["a letter from her younger brother"]


def test_markdown_and_csv_exports_give_the_span(session, spanned):
    md = export(session, "md", ["hope"]).decode("utf-8")
    assert "> “a letter from her younger brother”\n>\n> (Test Author, The Lighthouse Keeper, ch. 1)" in md
    assert "supply boat" not in md
    assert "supply boat" in export(session, "md", ["hope"], whole=True).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(export(session, "csv", ["hope"]).decode("utf-8"))))
    mine = next(r for r in rows if r["annotator"] == "tester")
    text = session.get(LH2).text
    assert mine["text"] == "a letter from her younger brother" == text[int(mine["start"]):int(mine["end"])]
    theirs = next(r for r in rows if r["annotator"] == "alice" and r["passage"] == LH2)
    assert theirs["text"] == text and theirs["start"] == ""


def test_the_json_export_keeps_spans_and_imports_them_again(session, spanned, tmp_path, cli):
    out = tmp_path / "all.json"
    out.write_bytes(export(session, "json"))
    fresh = tmp_path / "fresh"
    assert cli("init", fresh, "--empty")[0] == 0
    code, _, err = cli("--workspace", fresh, "import", out)
    assert code == 0, err
    shown = run_json(cli, "--workspace", fresh, "show", LH2)
    assert [s["quote"] for a in shown["annotations"] for s in a["spans"]] == ["a letter from her younger brother"]


def test_refi_qda_writes_the_span_at_its_true_offsets_and_reads_it_back(session, spanned, tmp_path, cli):
    data = export(session, "qdpx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        project = archive.read("project.qde").decode("utf-8")
        [source_text] = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("sources/")]
    import re

    found = re.search(r'name="lh-002 \[\d+-\d+\]" startPosition="(\d+)" endPosition="(\d+)"', project)
    assert found, project
    assert source_text[int(found[1]):int(found[2])] == "a letter from her younger brother"
    path = tmp_path / "p.qdpx"
    path.write_bytes(data)
    fresh = tmp_path / "fresh"
    cli("init", fresh, "--empty")
    code, out, err = cli("--workspace", fresh, "import", path)
    assert code == 0, err
    shown = run_json(cli, "--workspace", fresh, "show", LH2)
    mine = next(a for a in shown["annotations"] if a["annotator"] == "tester")
    assert mine["spans"] == [{"quote": "a letter from her younger brother", "start": found and mine["spans"][0]["start"],
                              "end": mine["spans"][0]["end"]}]
    assert shown["text"][mine["spans"][0]["start"]:mine["spans"][0]["end"]] == "a letter from her younger brother"
    assert mine["comment"] == "the letters keep her going"
    theirs = next(a for a in shown["annotations"] if a["annotator"] == "alice")
    assert theirs["spans"] == []  # a whole-passage tag stays one


def test_agreement_counts_a_span_tag_by_passage(session):
    from annotator.agreement import compare

    session.tag(LH2, ["hope"], annotator="bob", quote="The supply boat")
    session.tag(LH2, ["hope"], annotator="bob", quote="lamp oil")
    spans_only = compare(session.store, "alice", "bob").to_json()
    session.untag(LH2, ["hope"], annotator="bob")
    session.tag(LH2, ["hope"], annotator="bob")
    assert compare(session.store, "alice", "bob").to_json() == spans_only  # two spans agree as one tag would
    assert session.theme_counts()["hope"] == 1


# -- spans that no longer fit -----------------------------------------------------------------------


def write_tags(workspace_dir, tags_yaml: str) -> None:
    (workspace_dir / "corpus" / "annotations" / "carol.yaml").write_text("annotator: carol\ntags:\n" + tags_yaml, encoding="utf-8")


@pytest.mark.parametrize("spans_yaml, line, reason", [
    ("  - {quote: '', start: 60, end: 60}\n", 7, "zero length"),
    ("  - {quote: lamp oil for the moon, start: 900, end: 920}\n", 7, "past the passage"),
    ("  - {quote: a boat of lamps, start: 4, end: 18}\n", 7, "no longer in the passage"),
    ("  - {quote: lamp oil, start: here, end: 8}\n", 7, "needs quote"),
    ("  - just words\n", 3, "must be a mapping"),  # a scalar has no line of its own: its tag's
])
def test_hand_edited_spans_that_no_longer_match_are_named_by_file_and_line_and_kept(cli, workspace_dir, spans_yaml, line, reason):
    path = workspace_dir / "corpus" / "annotations" / "carol.yaml"
    write_tags(workspace_dir, f"- passage: {LH2}\n  theme: loss\n  at: '2026-11-20T10:00:00+00:00'\n  spans:\n" + spans_yaml)
    code, out, err = cli("--workspace", workspace_dir, "show", LH2, "--json")
    assert code == 0
    assert f"{path}:{line}: span on lh-002 (loss) cannot be placed" in err and reason in err
    carol = next(a for a in json.loads(out)["annotations"] if a["annotator"] == "carol")
    assert carol["theme"] == "loss" and carol["spans"] == []  # counts for the whole passage
    assert LH2 in [r["id"] for r in run_json(cli, "--workspace", workspace_dir, "search", "theme:loss", "--limit", "50")["results"]]
    cli("--workspace", workspace_dir, "tag", "lh-001", "loss", "--as", "carol")  # a write to the file keeps the span as it was
    stored = yaml.safe_load(path.read_text(encoding="utf-8"))["tags"][0]["spans"]
    assert stored == yaml.safe_load(spans_yaml)
    assert code == 0


def test_a_span_whose_offsets_moved_is_found_again_by_its_words_and_reported(cli, workspace_dir):
    # A correction is never silent (issue #20): the file and line, the offsets stored and where the words are
    path = workspace_dir / "corpus" / "annotations" / "carol.yaml"
    write_tags(workspace_dir, f"- passage: {LH2}\n  theme: loss\n  spans:\n  - {{quote: lamp oil, start: 1, end: 9}}\n")
    code, out, err = cli("--workspace", workspace_dir, "show", LH2, "--json")
    assert code == 0
    carol = next(a for a in json.loads(out)["annotations"] if a["annotator"] == "carol")
    text = json.loads(out)["text"]
    start, end = carol["spans"][0]["start"], carol["spans"][0]["end"]
    assert text[start:end] == "lamp oil"
    [warning] = err.splitlines()
    assert warning.startswith(f"warning: {path}:6: span on lh-002 (loss): offsets 1-9 hold ")
    assert f"its words are at {start}-{end}" in warning
    for command in (["evidence", "loss"], ["export", "--format", "csv"], ["show", LH2, "--quote"]):
        code, out, err = cli("--workspace", workspace_dir, *command)
        assert code == 0 and f"{path}:6:" in err, command
    stored = yaml.safe_load(path.read_text(encoding="utf-8"))["tags"][0]["spans"]
    assert stored == [{"quote": "lamp oil", "start": 1, "end": 9}]  # a reading command never rewrites the file


def test_reimporting_an_edited_text_keeps_spans_still_there_and_reports_the_rest(cli, tmp_path):
    ws = tmp_path / "w"
    cli("init", ws, "--empty")
    source = tmp_path / "story.txt"
    source.write_text("The keeper watched the water while the lamp turned.\n\n"
                      "Her brother wrote about bread and lectures and a friend.\n", encoding="utf-8")
    cli("--workspace", ws, "import", source)
    cli("--workspace", ws, "theme", "add", "Duty")
    assert cli("--workspace", ws, "tag", "story-p1", "duty", "--quote", "the lamp turned")[0] == 0
    assert cli("--workspace", ws, "tag", "story-p2", "duty", "--quote", "bread and lectures")[0] == 0
    source.write_text("Old Tom the keeper watched the water while the lamp turned.\n\n"
                      "Her brother wrote about rice and lectures and a friend.\n", encoding="utf-8")
    code, out, err = cli("--workspace", ws, "import", source)
    assert code == 0, err
    assert "span not placed: story-p2 duty (tester) “bread and lectures”" in out
    first = run_json(cli, "--workspace", ws, "show", "story-p1")
    [span] = first["annotations"][0]["spans"]
    assert first["text"][span["start"]:span["end"]] == "the lamp turned" and span["start"] == 43
    stored = yaml.safe_load((ws / "corpus" / "annotations" / "tester.yaml").read_text(encoding="utf-8"))
    assert [s["start"] for t in stored["tags"] for s in t["spans"]] == [43, 24]  # moved; the other kept as it was
    second = run_json(cli, "--workspace", ws, "show", "story-p2")
    assert second["themes"] == ["duty"] and second["annotations"][0]["spans"] == []


def test_merging_themes_keeps_the_words_both_tags_quote(session):
    from annotator.corpus import codebook

    session.tag(LH2, ["hope"], quote="The supply boat")
    session.tag(LH2, ["loss"], quote="lamp oil")
    session.tag(LH2, ["memory"], quote="who left the island")
    codebook.merge_themes(session.store, "loss", "hope")
    tag = session.store.annotations("tester").find(LH2, "hope")
    assert [s.quote for s in tag.spans] == ["The supply boat", "lamp oil"]
    codebook.rename_theme(session.store, "memory", "Remembering", new_id="remembering")
    assert [s.quote for s in session.store.annotations("tester").find(LH2, "remembering").spans] == ["who left the island"]


def test_a_file_with_comments_keeps_them_and_the_spans(cli, workspace_dir):
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    path.write_text("# my tags\nannotator: tester\ntags:\n- passage: lh-001\n  theme: hope  # the first\n  at: ''\n", encoding="utf-8")
    assert cli("--workspace", workspace_dir, "tag", LH2, "hope", "--quote", "lamp oil")[0] == 0
    text = path.read_text(encoding="utf-8")
    assert "# my tags" in text and "# the first" in text
    tag = next(t for t in yaml.safe_load(text)["tags"] if t["passage"] == LH2)
    # (ruamel, which keeps the comments, quotes the numbers: the reader takes either)
    assert [{k: str(v) for k, v in s.items()} for s in tag["spans"]] == [{"quote": "lamp oil", "start": "56", "end": "64"}]
    shown = run_json(cli, "--workspace", workspace_dir, "show", LH2)
    assert next(a for a in shown["annotations"] if a["annotator"] == "tester")["spans"][0]["start"] == 56


def test_blind_coding_hides_another_annotators_unplaced_span_warnings(cli, workspace_dir):
    ws = str(workspace_dir)
    assert cli("--workspace", ws, "tag", LH2, "hope", "--quote", "flour, lamp oil", "--as", "carol")[0] == 0
    path = workspace_dir / "corpus" / "annotations" / "carol.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("flour, lamp oil", "flour, lamp wick"), encoding="utf-8")
    assert cli("--workspace", ws, "config", "blind", "on")[0] == 0
    code, _, err = cli("--workspace", ws, "show", LH2, "--as", "dave")
    assert code == 0 and "carol" not in err and "lamp wick" not in err  # dave must not learn of carol's tag
    code, _, err = cli("--workspace", ws, "show", LH2, "--as", "carol")
    assert code == 0 and "lamp wick" in err  # carol is still told about her own


def test_toggling_a_span_whose_offsets_moved_takes_it_off_not_a_second_one_on(session, workspace_dir):
    # The passage view shows a moved span where its words are; selecting them and pressing the theme's
    # digit added a second span at the new offsets beside the stale one.
    path = workspace_dir / "corpus" / "annotations" / "carol.yaml"
    write_tags(workspace_dir, f"- passage: {LH2}\n  theme: loss\n  spans:\n  - {{quote: lamp oil, start: 1, end: 9}}\n")
    text = session.passage(LH2).text
    start = text.index("lamp oil")
    change = session.toggle(LH2, "loss", annotator="carol", span=Span(start, start + len("lamp oil"), "lamp oil"))
    assert change is not None and not change.added
    assert (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tags") in (None, [])  # the one span, and its tag, gone


def test_tagging_the_words_of_a_moved_span_again_adds_no_second_span(cli, workspace_dir):
    path = workspace_dir / "corpus" / "annotations" / "carol.yaml"
    write_tags(workspace_dir, f"- passage: {LH2}\n  theme: loss\n  spans:\n  - {{quote: lamp oil, start: 1, end: 9}}\n")
    code, _, err = cli("--workspace", workspace_dir, "tag", LH2, "loss", "--quote", "lamp oil", "--as", "carol")
    assert code == 0, err
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["tags"][0]["spans"] == [{"quote": "lamp oil", "start": 1, "end": 9}]
