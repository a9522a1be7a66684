from pathlib import Path

import pytest

from annotator.errors import ImportFailure
from annotator.exchange.importers import import_source, import_theme_notes
from annotator.exchange.importers.plaintext import parse_plain_text
from annotator.exchange.importers.textio import read_text_file
from annotator.exchange.importers.theme_notes import parse_theme_notes
from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace, init_workspace

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def empty_store(tmp_path):
    return Store(init_workspace(tmp_path / "ws", empty=True))


# -- theme notes ---------------------------------------------------------------------------


def test_theme_notes_skip_titles_use_headings_and_name_the_rest():
    notes = parse_theme_notes((FIXTURES / "theme-notes.txt").read_text())
    assert [(n.name, n.named_from) for n in notes] == [
        ("Loneliness", "inferred"),
        ("Memory", "heading"),
        ("Hope", "heading"),
        ("Duty", "inferred"),
        ("Sea", "inferred"),
    ]
    assert notes[1].description.startswith("Memory in the story is tied to objects")
    assert not any("Study Notes" in n.description for n in notes)


def test_import_theme_notes_creates_themes_then_updates_without_duplicates(empty_store, tmp_path):
    report = import_theme_notes(empty_store, FIXTURES / "theme-notes.txt")
    assert report.themes_added == ["loneliness", "memory", "hope", "duty", "sea"]
    edited = tmp_path / "notes.txt"
    edited.write_text((FIXTURES / "theme-notes.txt").read_text().replace("Hope is measured in boats.", "Hope is counted in boats."))
    again = import_theme_notes(empty_store, edited)
    assert again.themes_added == []
    assert again.themes_updated == ["hope"]
    assert len(empty_store.themes()) == 5
    assert "counted in boats" in next(t for t in empty_store.themes() if t.id == "hope").description


def test_heading_on_the_line_above_its_paragraph():
    text = "Courage\nCourage is what the keeper shows every night when she climbs the tower in a storm, and the story treats it as ordinary work rather than heroism.\n"
    (note,) = parse_theme_notes(text)
    assert note.name == "Courage"
    assert note.description.startswith("Courage is what")


# -- plain text and markdown ------------------------------------------------------------------


def test_markdown_headings_and_chapter_lines_become_locations():
    text = "# The Keeper\n\nChapter 1\n\nFirst paragraph here.\n\nSecond paragraph\nwrapped over two lines.\n\n## Chapter Two\n\nThird.\n\n## The Storm\n\nFourth.\n"
    title, passages = parse_plain_text(text, "keeper")
    assert title == "The Keeper"
    assert [(p.id, p.location) for p in passages] == [
        ("keeper-p1", "ch. 1"),
        ("keeper-p2", "ch. 1"),
        ("keeper-p3", "ch. 2"),
        ("keeper-p4", "The Storm"),
    ]
    assert passages[1].text == "Second paragraph wrapped over two lines."


def test_paragraphs_without_headings_are_cited_by_number():
    _, passages = parse_plain_text("One.\n\nTwo.\n", "s")
    assert [p.location for p in passages] == ["para 1", "para 2"]


def test_very_long_paragraph_split_at_sentence_boundaries():
    sentence = "The keeper climbed the stairs again and lit the lamp for the passing ships. "
    _, passages = parse_plain_text(sentence * 40, "s")
    assert len(passages) > 1
    assert all(p.text.endswith(".") for p in passages)
    assert all(len(p.text.split()) <= 220 for p in passages)
    assert passages[0].id == "s-p1-1" and passages[1].id == "s-p1-2"


def test_text_import_then_reimport_keeps_ids_of_edited_passages(empty_store, tmp_path):
    src = tmp_path / "story.txt"
    paragraphs = [f"Paragraph number {n} tells of the keeper and the long night watching the sea." for n in range(1, 6)]
    src.write_text("\n\n".join(paragraphs))
    first = import_source(empty_store, src)
    assert first.passages == 5 and first.source_id == "story"
    empty_store.add_tags("me", "story-p3", ["x"])
    paragraphs.insert(0, "A brand new opening paragraph about something else entirely.")
    paragraphs[3] = paragraphs[3].replace("long night", "long dark night")
    src.write_text("\n\n".join(paragraphs))
    second = import_source(empty_store, src)
    texts = {p.id: p.text for p in empty_store.load_source("story").passages}
    assert "long dark night" in texts["story-p3"]
    assert second.unplaced_tags == []
    assert second.added == 1 and second.changed == 1


def test_reimport_reports_tags_it_cannot_place(empty_store, tmp_path):
    src = tmp_path / "story.txt"
    src.write_text("Alpha paragraph about the lamp.\n\nBeta paragraph about the boat.\n")
    import_source(empty_store, src)
    empty_store.add_tags("me", "story-p2", ["x"])
    src.write_text("Alpha paragraph about the lamp.\n\nSomething completely different now, nothing alike.\n")
    report = import_source(empty_store, src)
    assert [(t.passage, t.theme) for t in report.unplaced_tags] == [("story-p2", "x")]
    assert empty_store.annotations("me").find("story-p2", "x") is not None  # kept, not dropped


# -- yaml -------------------------------------------------------------------------------------


def test_yaml_import_keeps_ids_and_imports_themes_as_tags(workspace_dir, tmp_path):
    store = Store(Workspace(workspace_dir))
    src = tmp_path / "extra.yaml"
    src.write_text(
        "source:\n  title: Extra Notes\n  author: Me\npassages:\n"
        "  - id: ex-1\n    text: The brother writes from the mainland.\n    location: p. 3\n    themes: [hope, Memory]\n"
        "  - id: ex-2\n    text: A second note.\n    mood: calm\n"
    )
    from annotator.session import Session

    session = Session.open(workspace_dir)
    report = import_source(store, src, annotator="bob", resolve_theme=session.resolve_theme)
    sf = store.load_source("extra")
    assert sf.source.title == "Extra Notes" and sf.source.author == "Me"
    assert [(p.id, p.location) for p in sf.passages] == [("ex-1", "p. 3"), ("ex-2", "")]
    assert {(t.passage, t.theme) for t in store.annotations("bob").tags} == {("ex-1", "hope"), ("ex-1", "memory")}
    assert report.tags_added == 2
    assert any("unknown key 'mood'" in w for w in report.warnings)


def test_yaml_import_refuses_ids_owned_by_another_source(workspace_dir, tmp_path):
    store = Store(Workspace(workspace_dir))
    src = tmp_path / "clash.yaml"
    src.write_text("passages:\n  - id: lh-001\n    text: Stolen id.\n")
    with pytest.raises(ImportFailure, match="already belongs to source 'lighthouse'"):
        import_source(store, src)


def test_yaml_import_without_text_is_an_error_with_line(empty_store, tmp_path):
    src = tmp_path / "bad.yaml"
    src.write_text("passages:\n  - id: a\n    text: fine\n  - id: b\n")
    with pytest.raises(ImportFailure, match=r"bad.yaml:4: passage 2 has no 'text'"):
        import_source(empty_store, src)


# -- encodings and binary files ----------------------------------------------------------------------


def test_utf8_bom_is_read_without_warning(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffCafé society.".encode("utf-8"))
    decoded = read_text_file(path)
    assert decoded.text == "Café society." and not decoded.warnings


def test_legacy_encoding_is_detected_with_a_warning(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(("Le café était fermé; la forêt était sombre et élégante. " * 5).encode("cp1252"))
    decoded = read_text_file(path)
    assert "café" in decoded.text and "forêt" in decoded.text
    assert decoded.warnings and "not UTF-8" in decoded.warnings[0]


@pytest.mark.parametrize("payload", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"hello\x00world" * 10, b"%PDF-1.7\n..."])
def test_binary_files_are_refused(empty_store, tmp_path, payload):
    path = tmp_path / "file.txt"
    path.write_bytes(payload)
    with pytest.raises(ImportFailure, match="binary"):
        import_source(empty_store, path)


def test_missing_file_is_a_clear_error(empty_store, tmp_path):
    with pytest.raises(ImportFailure, match="no such file"):
        import_source(empty_store, tmp_path / "nope.txt")


def test_heading_above_a_short_paragraph_and_pronouns_never_name_a_theme():
    text = (
        "Guide\n\nLoneliness\nKathy spends much of her life alone, and solitude marks her work as a carer.\n\n"
        "Memory\nKathy remembers Hailsham constantly; memory is how she keeps what she lost.\n\n\n"
        "She tells her friends that her own hope is her only comfort, and her hope never fades for her.\n"
    )
    assert [(n.name, n.named_from) for n in parse_theme_notes(text)] == [
        ("Loneliness", "heading"), ("Memory", "heading"), ("Hope", "inferred"),
    ]


def test_theme_notes_refuse_a_yaml_file(empty_store, tmp_path):
    path = tmp_path / "passages.yaml"
    path.write_text("passages: []\n")
    with pytest.raises(ImportFailure, match="theme notes are a text page"):
        import_theme_notes(empty_store, path)
    assert empty_store.themes() == []


def test_a_chapter_heading_first_is_a_location_not_the_title():
    title, passages = parse_plain_text("# Chapter 1\n\nPip in the churchyard.\n\n# Chapter 2\n\nMrs Joe and the Tickler.\n", "ge")
    assert title is None
    assert [p.location for p in passages] == ["ch. 1", "ch. 2"]


def test_the_pieces_of_a_long_paragraph_keep_distinct_locations():
    sentence = "The keeper climbed the stairs again and lit the lamp for the passing ships. "
    _, passages = parse_plain_text("A first short paragraph.\n\n" + sentence * 40, "s")
    locations = [p.location for p in passages[1:]]
    assert len(locations) > 1 and len(set(locations)) == len(locations)
    assert locations[:2] == ["para 2, part 1", "para 2, part 2"]


def test_yaml_source_given_as_a_string_is_the_title(empty_store, tmp_path):
    passages = tmp_path / "ge.yaml"
    passages.write_text('source: "Great Expectations"\npassages:\n  - text: Pip in the churchyard.\n    location: ch. 1\n')
    report = import_source(empty_store, passages)
    assert empty_store.load_source(report.source_id).source.title == "Great Expectations"


GE_NOTES = (
    "Ambition\n\nPip wants to rise above the forge and become a gentleman, and the wish shapes every choice he makes.\n\n"
    "Guilt\n\nPip carries guilt from the first chapter, when he steals food for the convict, to the very end.\n\n"
    "Class\n\nMoney and manners divide the characters, and the novel asks whether a gentleman is made or born.\n"
)


def test_theme_notes_that_start_with_a_heading_keep_it():
    assert [(n.name, n.named_from) for n in parse_theme_notes(GE_NOTES)] == [
        ("Ambition", "heading"), ("Guilt", "heading"), ("Class", "heading")]
    # the same notes under a title line read the same
    titled = parse_theme_notes("Great Expectations: Themes\n\n" + GE_NOTES)
    assert [n.name for n in titled] == ["Ambition", "Guilt", "Class"]


def test_a_lone_first_line_before_unheaded_notes_is_still_a_title():
    notes = parse_theme_notes("Great Expectations\n\nPip wants to rise above the forge and become a gentleman.\n\n"
                              "Pip carries guilt from the first chapter, when he steals food for the convict.\n")
    assert all(n.named_from == "inferred" for n in notes) and len(notes) == 2
