"""Undo in the TUI after the CLI changed the same tag: the other change is kept, and said so."""

from __future__ import annotations

import yaml
from pilot_helpers import SIZE, settle, wait_until


def my_tags(workspace_dir) -> list[dict]:
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tags") or [] if path.exists() else []


async def test_undo_keeps_a_comment_the_cli_wrote_on_the_tag_since(app, workspace_dir, cli):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "1")  # lh-001 tagged with theme 1, hope
        await wait_until(app, pilot, lambda: [t["theme"] for t in my_tags(workspace_dir)] == ["hope"], "the tag written")
        code, _out, err = cli("--workspace", workspace_dir, "comment", "lh-001", "kept", "--theme", "hope", "--as", "tester")
        assert code == 0, err
        app.poll_corpus()  # what the 1 s timer does: the re-read done before the key, not racing it
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert [(t["theme"], t.get("comment")) for t in my_tags(workspace_dir)] == [("hope", "kept")]
        shown = [str(n.message) for n in app._notifications]
        assert any(m.startswith("not undone:") and "\n" not in m for m in shown), shown
