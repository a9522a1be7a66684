"""Comments on a passage (memos) travel with it: show, evidence and the Markdown evidence sheet."""

from __future__ import annotations

import json


def test_passage_comments_in_evidence_and_the_evidence_sheet(cli, workspace_dir):
    ws = ["--workspace", workspace_dir]
    assert cli("comment", "lh-006", "Keepsakes", "again.", "--as", "bob", *ws)[0] == 0
    code, out, _ = cli("evidence", "memory", "--json", *ws)
    (passage,) = json.loads(out)["passages"]
    assert passage["memos"] == [{"annotator": "bob", "text": "Keepsakes again.", "time": passage["memos"][0]["time"]}]
    code, out, _ = cli("evidence", "memory", *ws)
    assert "bob, on the passage: Keepsakes again." in out
    code, out, _ = cli("export", "--format", "md", "--theme", "memory", *ws)
    assert "- *bob, on the passage:* Keepsakes again." in out
