"""Opening the TUI: what runs before its first frame, and a broken codebook found just after it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from annotator.tui.app import AnnotatorApp

# What the first frame does not need: each is imported once it is painted (or never).
NOT_BEFORE_FIRST_FRAME = ["yaml", "filelock", "whoosh", "numpy", "rapidfuzz", "argparse", "annotator.engine.index"]

FIRST_FRAME_PROBE = textwrap.dedent(
    """
    import asyncio, gc, json, pathlib, sys
    from annotator.cli import tui_only
    from annotator.tui import hold_collector
    hold_collector()  # as run_tui does
    from annotator.tui.app import AnnotatorApp
    from annotator.session import Session

    seen = {}

    class Probe(AnnotatorApp):
        CSS_PATH = str(pathlib.Path(sys.modules[AnnotatorApp.__module__].__file__).with_name(AnnotatorApp.CSS_PATH))

        def _first_frame(self):
            seen["modules"] = sorted(sys.modules)
            seen["focused"] = type(self.focused).__name__
            super()._first_frame()
            seen["collecting"] = gc.isenabled()

    async def run():
        app = Probe(Session.open(sys.argv[1]))
        async with app.run_test(size=(100, 30)) as pilot:
            while app.last_paint is None:
                await pilot.pause(0.05)
            seen["themes"] = [t.id for t in app.look.themes]
            seen["results"] = [hit.id for hit in app.main.results.hits][:3]

    asyncio.run(run())
    sys.__stdout__.write(json.dumps(seen) + "\\n")
    """
)


def test_first_frame_comes_before_yaml_filelock_and_the_index(workspace_dir):
    """Start-up imports only what the first frame shows; the rest follows it, as before."""
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME_PROBE, str(workspace_dir)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert [name for name in NOT_BEFORE_FIRST_FRAME if name in seen["modules"]] == []
    assert seen["focused"] == "SearchBox"
    assert seen["collecting"] is True  # the collector held for start-up runs again
    assert seen["themes"] == ["hope", "memory", "friendship", "loss"]
    assert seen["results"] == ["lh-001", "lh-002", "lh-003"]  # the empty query lists passages in corpus order


async def test_broken_codebook_stops_the_app_with_its_one_line_error(session, workspace_dir):
    themes = workspace_dir / "corpus" / "themes.yaml"
    themes.write_text(themes.read_text() + "\n- id: broken\n  name: [oops\n")
    app = AnnotatorApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
    assert app.return_code == 2
    assert "themes.yaml:" in str(app.start_error) and "malformed YAML" in str(app.start_error)
