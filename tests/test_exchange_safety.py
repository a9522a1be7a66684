"""Hostile and unlucky input at the exchange doors: imports, REFI-QDA, exports, terminal output."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from annotator import qdpx
from annotator.errors import ImportFailure

FIXTURES = Path(__file__).parent / "fixtures"
CLIPPINGS = FIXTURES / "My Clippings.txt"


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, to show that nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- item 19: each unplaced comment reported once ------------------------------------------------


def test_a_reimport_reports_each_comment_not_placed_once(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws)
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.read_bytes())
    cli("--workspace", ws, "import", clippings)
    assert cli("--workspace", ws, "comment", "the-salt-road-l410", "a note of mine")[0] == 0
    text = clippings.read_bytes().decode("utf-8")
    kept = [c for c in text.split("==========\r\n") if "Location 410-412" not in c]
    clippings.write_bytes("==========\r\n".join(kept).encode("utf-8"))
    code, out, err = cli("--workspace", ws, "import", clippings)
    assert code == 0, err
    assert out.count("comment not placed: the-salt-road-l410 (tester)") == 1


# -- item 20: a DOCTYPE is refused even with no entities -----------------------------------------


def test_an_external_doctype_without_entities_is_refused(tmp_path):
    xml = '<?xml version="1.0"?><!DOCTYPE Project SYSTEM "http://example.com/p.dtd"><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
    path = write_zip(tmp_path / "dtd.qdpx", {"project.qde": xml})
    with pytest.raises(ImportFailure, match="DTD"):
        qdpx.read_qdpx(path, "tester")


# -- item 4: an absent field never erases a present one --------------------------------------------

FLAT_CODEBOOK = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Class">
  <CodeBook><Codes><Code guid="00000000-0000-0000-0000-000000000001" name="Hope" isCodable="true"{extra}</Codes></CodeBook>
</Project>
"""


def _themes(ws: Path) -> dict:
    from annotator.session import Session

    return {t.id: t for t in Session.open(ws).themes()}


def test_a_code_with_no_description_or_colour_keeps_the_themes_own(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws)
    before = _themes(ws)["hope"]
    path = write_zip(tmp_path / "other.qdpx", {"project.qde": FLAT_CODEBOOK.format(extra="/>")})
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 0, err
    after = _themes(ws)["hope"]
    assert (after.name, after.description, after.color) == (before.name, before.description, before.color)
    assert before.description and before.color


def test_a_code_whose_description_differs_replaces_it_and_says_so(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws)
    before = _themes(ws)["hope"]
    extra = '><Description>Hope, as the class reads it.</Description></Code>'
    path = write_zip(tmp_path / "other.qdpx", {"project.qde": FLAT_CODEBOOK.format(extra=extra)})
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 0, err
    after = _themes(ws)["hope"]
    assert after.description == "Hope, as the class reads it."
    assert after.color == before.color
    assert "theme 'hope': the import replaces its description" in err
