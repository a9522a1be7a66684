"""REFI-QDA exchange: the structure the schema asks for, a lossless round trip, and hostile archives."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from annotator.exchange import qdpx
from annotator.errors import ImportFailure
from annotator.exchange.exports import export
from annotator.session import Session
from annotator.corpus.workspace import init_workspace

NS = "{urn:QDA-XML:project:1.0}"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?$")

# Child elements each element may hold, in the order Project-mrt2019.xsd's sequences fix.
SEQUENCES = {
    "Project": ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs", "Description", "NoteRef"],
    "Users": ["User"],
    "User": [],
    "CodeBook": ["Codes"],
    "Codes": ["Code"],
    "Code": ["Description", "NoteRef", "Code"],
    "Sources": ["TextSource"],
    "TextSource": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
    "PlainTextSelection": ["Description", "Coding", "NoteRef"],
    "Coding": ["CodeRef", "NoteRef"],
    "CodeRef": [],
    "NoteRef": [],
    "Notes": ["Note"],
    "Note": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
    "Description": [],
    "PlainTextContent": [],
}
REQUIRED = {
    "Project": ["name"],
    "User": ["guid"],
    "Code": ["guid", "name", "isCodable"],
    "TextSource": ["guid"],
    "PlainTextSelection": ["guid", "startPosition", "endPosition"],
    "Coding": ["guid"],
    "CodeRef": ["targetGUID"],
    "NoteRef": ["targetGUID"],
    "Note": ["guid"],
}
GUID_ATTRS = {"guid", "targetGUID", "creatingUser"}


def local(element) -> str:
    assert element.tag.startswith(NS), f"{element.tag} is outside the REFI-QDA namespace"
    return element.tag[len(NS):]


def check_structure(element) -> None:
    name = local(element)
    assert name in SEQUENCES, f"<{name}> is not expected here"
    allowed = SEQUENCES[name]
    positions = [allowed.index(local(child)) for child in element if local(child) in allowed]
    assert len(positions) == len(element), f"<{name}> holds an element the schema does not allow: {[local(c) for c in element]}"
    assert positions == sorted(positions), f"<{name}>'s children are out of the schema's order"
    for attribute in REQUIRED.get(name, []):
        assert element.get(attribute), f"<{name}> lacks required {attribute}"
    for attribute in GUID_ATTRS & set(element.attrib):
        assert GUID.match(element.get(attribute)), f"<{name} {attribute}> is not a GUID"
    if element.get("creationDateTime"):
        assert DATETIME.match(element.get("creationDateTime"))
    if element.get("color"):
        assert re.match(r"^#[0-9a-fA-F]{6}$", element.get("color"))
    for child in element:
        check_structure(child)


def project_xml(data: bytes):
    import defusedxml.ElementTree as SafeET

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return SafeET.fromstring(archive.read("project.qde")), archive


@pytest.fixture
def tutor_session(demo_session):
    """The demo corpus with a comment on a passage and a sub-theme, as a tutor would leave it."""
    from annotator.corpus import codebook

    demo_session.store.add_memo("tutor", "nlmg-010", "Compare with Miss Emily in ch. 22.")
    codebook.set_parent(demo_session.store, "willful-ignorance", "communication")
    return demo_session


def test_export_follows_the_schema_element_by_element(tutor_session):
    data = export(tutor_session, "qdpx")
    root, archive = project_xml(data)
    check_structure(root)
    assert root.get("origin").startswith("annotator")
    users = {u.get("name") for u in root.iter(NS + "User")}
    assert users == {"demo", "tutor", "wren"}
    codes = {c.get("name"): c for c in root.iter(NS + "Code")}
    assert len(codes) == 7
    assert codes["Willful ignorance"] in list(codes["Communication"])  # the sub-theme nests in its parent
    assert codes["Conformity"].find(NS + "Description").text.startswith("Hailsham trains")


def test_selections_point_at_the_passage_text_in_the_source_file(tutor_session):
    data = export(tutor_session, "qdpx")
    root, _ = project_xml(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (source,) = root.iter(NS + "TextSource")
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        text = archive.read("sources/" + path[len("internal://"):]).decode("utf-8")
    passages = {p.id: p for sf in tutor_session.store.sources() for p in sf.passages}
    selections = list(source.iter(NS + "PlainTextSelection"))
    assert len(selections) == 30
    for selection in selections:
        passage = passages[selection.get("name")]
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert text[start:end] == passage.text
        assert selection.find(NS + "Description").text == passage.location


def test_codings_users_and_notes_are_linked(tutor_session):
    root, _ = project_xml(export(tutor_session, "qdpx"))
    users = {u.get("guid"): u.get("name") for u in root.iter(NS + "User")}
    codes = {c.get("guid"): c.get("name") for c in root.iter(NS + "Code")}
    notes = {n.get("guid"): n.find(NS + "PlainTextContent").text for n in root.iter(NS + "Note")}
    selection = next(s for s in root.iter(NS + "PlainTextSelection") if s.get("name") == "nlmg-002")
    codings = {(users[c.get("creatingUser")], codes[c.find(NS + "CodeRef").get("targetGUID")]): c for c in selection.findall(NS + "Coding")}
    assert set(codings) == {("demo", "Conformity"), ("tutor", "Free will"), ("wren", "Conformity")}
    comment_ref = codings[("tutor", "Free will")].find(NS + "NoteRef").get("targetGUID")
    assert notes[comment_ref] == "I read the outburst as resistance to the group, not only exclusion."
    memo_holder = next(s for s in root.iter(NS + "PlainTextSelection") if s.get("name") == "nlmg-010")
    assert [notes[r.get("targetGUID")] for r in memo_holder.findall(NS + "NoteRef")] == ["Compare with Miss Emily in ch. 22."]


def test_export_is_deterministic(tutor_session):
    assert export(tutor_session, "qdpx") == export(tutor_session, "qdpx")


def snapshot(session: Session):
    themes = [(t.id, t.name, t.description, t.color, t.parent) for t in session.themes()]
    passages = [(p.id, p.text, p.location, p.source) for sf in session.store.sources() for p in sf.passages]
    tags = sorted((t.passage, t.theme, t.annotator, t.at, t.comment) for t in session.store.all_tags())
    memos = sorted((m.passage, m.text, m.annotator, m.at) for af in session.store.all_annotations() for m in af.memos)
    return themes, passages, tags, memos, sorted(session.store.annotators())


def test_round_trip_into_an_empty_workspace_preserves_everything(tutor_session, tmp_path, cli):
    out = tmp_path / "class.qdpx"
    code, _, err = cli("export", "--format", "qdpx", "-o", out, "--workspace", tutor_session.ws.root)
    assert code == 0, err
    init_workspace(tmp_path / "fresh", empty=True)
    code, printed, err = cli("import", out, "--workspace", tmp_path / "fresh")
    assert code == 0, err
    assert "30 passages" in printed and "29 tag(s) imported" in printed and "7 theme(s) added" in printed
    fresh = Session.open(tmp_path / "fresh")
    assert snapshot(fresh) == snapshot(tutor_session)
    fresh.sync()
    assert fresh.get("nlmg-010").themes == tutor_session.get("nlmg-010").themes


def test_importing_twice_adds_nothing(tutor_session, tmp_path):
    data = export(tutor_session, "qdpx")
    path = tmp_path / "p.qdpx"
    path.write_bytes(data)
    from annotator.exchange.importers import import_source

    before = snapshot(tutor_session)
    report = import_source(tutor_session.store, path, annotator="tester")
    assert report.tags_added == 0
    assert snapshot(tutor_session) == before


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Interviews" origin="Another tool">
  <Users><User guid="{u}" name="Ana Lima"/></Users>
  <CodeBook><Codes>
    <Code guid="{c1}" name="Work life" isCodable="true" color="#F00">
      <Code guid="{c2}" name="Commuting" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{s}" name="Interview 1" plainTextPath="internal://{s}.txt">
      <PlainTextSelection guid="{p1}" name="Selection about trains" startPosition="0" endPosition="19">
        <Coding guid="{k1}" creatingUser="{u}"><CodeRef targetGUID="{c2}"/><NoteRef targetGUID="{n1}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{p2}" name="q2" startPosition="21" endPosition="999"/>
    </TextSource>
    <PictureSource guid="{pic}" name="photo"/>
  </Sources>
  <Notes><Note guid="{n1}" name="memo"><PlainTextContent>Long commutes.</PlainTextContent></Note></Notes>
</Project>
"""


def guids(n: int) -> list[str]:
    import uuid

    return [str(uuid.UUID(int=i + 1)) for i in range(n)]


def test_a_project_from_another_tool_imports_with_ids_from_names(tmp_path):
    u, c1, c2, s, p1, p2, k1, n1, pic = guids(9)
    xml = FOREIGN.format(u=u, c1=c1, c2=c2, s=s, p1=p1, p2=p2, k1=k1, n1=n1, pic=pic)
    path = write_zip(tmp_path / "foreign.qdpx", {"project.qde": xml, f"sources/{s}.txt": "I take the train in.\n\nSecond answer."})
    ws = init_workspace(tmp_path / "ws", empty=True)
    session = Session(ws)
    from annotator.exchange.importers import import_source

    report = import_source(session.store, path, annotator="tester")
    themes = {t.id: t for t in session.themes()}
    assert set(themes) == {"work-life", "commuting"}
    assert themes["commuting"].parent == "work-life"
    assert themes["work-life"].color == "#ff0000"
    (source,) = session.store.sources()
    assert source.source.id == "interview-1"
    assert [(p.id, p.text) for p in source.passages] == [("interview-1-001", "I take the train in")]
    (tag,) = session.store.all_tags()
    assert (tag.passage, tag.theme, tag.annotator, tag.comment) == ("interview-1-001", "commuting", "Ana-Lima", "Long commutes.")
    assert any("outside its" in w for w in report.warnings)
    assert any("non-text" in w for w in report.warnings)


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "sources/../../x.txt", "C:/windows.txt", "a\\..\\b.txt"])
def test_unsafe_member_paths_are_refused(tmp_path, name):
    path = write_zip(tmp_path / "bad.qdpx", {"project.qde": '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', name: "x"})
    with pytest.raises(ImportFailure, match="unsafe path"):
        qdpx.read_qdpx(path, "tester")


def test_an_internal_path_that_climbs_out_is_refused(tmp_path):
    xml = f'<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="{guids(1)[0]}" name="s" plainTextPath="internal://../../etc/passwd"/></Sources></Project>'
    path = write_zip(tmp_path / "climb.qdpx", {"project.qde": xml})
    with pytest.raises(ImportFailure, match="unsafe path"):
        qdpx.read_qdpx(path, "tester")


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = write_zip(tmp_path / "bomb.qdpx", {"project.qde": "<Project/>", "sources/big.txt": b"\0" * (4 * 1024 * 1024)})
    with pytest.raises(ImportFailure, match="zip bomb"):
        qdpx.read_qdpx(path, "tester")


def test_size_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(qdpx, "MAX_MEMBER_BYTES", 1000)
    path = write_zip(tmp_path / "big.qdpx", {"project.qde": "<Project/>", "sources/a.txt": "words " * 300})
    with pytest.raises(ImportFailure, match="refusing"):
        qdpx.read_qdpx(path, "tester")
    monkeypatch.setattr(qdpx, "MAX_MEMBERS", 2)
    path = write_zip(tmp_path / "many.qdpx", {"project.qde": "<Project/>", "a": "1", "b": "2"})
    with pytest.raises(ImportFailure, match="files in the archive"):
        qdpx.read_qdpx(path, "tester")


def test_xml_entities_are_refused(tmp_path):
    xml = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Project name="&b;"/>'
    path = write_zip(tmp_path / "laughs.qdpx", {"project.qde": xml})
    with pytest.raises(ImportFailure, match="entities"):
        qdpx.read_qdpx(path, "tester")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a zip at all", "zip archive"),
        ({"other.xml": "<x/>"}, "no project.qde"),
        ({"project.qde": "<Project name='x'>"}, "malformed XML"),
        ({"project.qde": "<CodeBook/>"}, "not a REFI-QDA"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path, cli, workspace_dir, content, message):
    path = tmp_path / "bad.qdpx"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write_zip(path, content)
    code, out, err = cli("import", path, "--workspace", workspace_dir)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_a_clash_with_existing_passages_writes_nothing(tutor_session, tmp_path, workspace_dir):
    """Importing into a workspace whose passage ids belong to another source is refused whole."""
    data = export(tutor_session, "qdpx")
    path = tmp_path / "p.qdpx"
    path.write_bytes(data)
    target = Session.open(workspace_dir)
    target.store.save_source(
        __import__("annotator.corpus.model", fromlist=["SourceFile"]).SourceFile(
            __import__("annotator.corpus.model", fromlist=["Source"]).Source("other"),
            [__import__("annotator.corpus.model", fromlist=["Passage"]).Passage("nlmg-001", "clash", "", "other")],
        )
    )
    before = snapshot(target)
    from annotator.exchange.importers import import_source

    with pytest.raises(ImportFailure, match="nlmg-001"):
        import_source(target.store, path, annotator="tester")
    assert snapshot(target) == before


def test_control_characters_never_make_the_xml_invalid(session):
    session.store.add_memo("tester", "lh-001", "bell\x07 and tab\tstay readable")
    data = export(session, "qdpx")
    root, _ = project_xml(data)  # parses: no character XML 1.0 forbids
    texts = [n.find(NS + "PlainTextContent").text for n in root.iter(NS + "Note")]
    assert "bell\ufffd and tab\tstay readable" in texts
