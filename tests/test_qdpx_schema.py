"""Every REFI-QDA export validates against the REFI-QDA 1.0 project schema (Project.xsd, MIT).

The schema in tests/fixtures/refi-qda is the standard's own file, read by lxml: an export
another QDA tool would reject fails here, whatever state the workspace was in.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from annotator.corpus import codebook
from annotator.exchange.exports import export
from annotator.exchange.importers import import_source
from annotator.session import Session
from annotator.corpus.workspace import init_workspace

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "refi-qda" / "Project.xsd"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def assert_valid(schema, data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    if not schema.validate(document):
        problems = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        pytest.fail(f"the export breaks Project.xsd:\n{problems}")


def test_the_demo_workspace_exports_a_valid_project(schema, demo_session):
    assert_valid(schema, export(demo_session, "qdpx"))


def test_a_tutors_workspace_with_comments_memos_and_sub_themes_exports_a_valid_project(schema, demo_session):
    demo_session.tag("nlmg-010", ["hope"], annotator="tutor", comment="a <hope> & a \"lie\"")
    demo_session.store.add_memo("tutor", "nlmg-010", "Compare with Miss Emily in ch. 22.")
    codebook.set_parent(demo_session.store, "willful-ignorance", "communication")
    assert_valid(schema, export(demo_session, "qdpx"))


def test_an_empty_workspace_exports_a_valid_project(schema, tmp_path):
    init_workspace(tmp_path / "empty", empty=True)
    session = Session.open(tmp_path / "empty")
    try:
        assert_valid(schema, export(session, "qdpx"))
    finally:
        session.close()


def test_odd_text_and_several_sources_export_a_valid_project(schema, session, tmp_path):
    notes = tmp_path / "odd-notes.md"
    notes.write_text(
        "# Chapter 1\n\nCurly “quotes”, an open-plan office, naïve café, tabs\there & <angle> brackets.\n\n"
        "Emoji 🌊 and a zero-width\u200bspace, and Ünïcödé.\n",
        encoding="utf-8",
    )
    import_source(session.store, notes, annotator="tester")
    session.sync()
    source = next(sf for sf in session.store.sources() if sf.source.id == "odd-notes")
    session.tag(source.passages[0].id, [session.themes()[0].id], annotator="tester", comment="]]> not a CDATA end")
    assert_valid(schema, export(session, "qdpx"))


def test_a_project_exported_then_imported_exports_valid_again(schema, demo_session, tmp_path):
    path = tmp_path / "class.qdpx"
    path.write_bytes(export(demo_session, "qdpx"))
    init_workspace(tmp_path / "fresh", empty=True)
    fresh = Session.open(tmp_path / "fresh")
    try:
        import_source(fresh.store, path, annotator="tester")
        fresh.sync()
        assert_valid(schema, export(fresh, "qdpx"))
    finally:
        fresh.close()
