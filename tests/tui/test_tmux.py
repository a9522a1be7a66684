"""End to end: the real `annotator` binary in a real terminal (tmux), typed at like a user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

TMUX = shutil.which("tmux")
BINARY = Path(sys.executable).with_name("annotator")

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed: the end-to-end terminal test needs it"),
    pytest.mark.skipif(not BINARY.exists(), reason=f"no annotator console script beside {sys.executable}"),
]


class Terminal:
    def __init__(self, socket: str, session: str):
        self.base = [TMUX, "-L", socket]
        self.session = session

    def run(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=False).stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")


@pytest.fixture
def terminal(workspace_dir):
    socket = f"annotator-test-{uuid.uuid4().hex[:8]}"
    term = Terminal(socket, "main")
    env = {**os.environ, "ANNOTATOR_NAME": "tester", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    command = f"{BINARY} --workspace {workspace_dir}; echo annotator-exited-$?; sleep 30"
    subprocess.run([*term.base, "new-session", "-d", "-s", "main", "-x", "80", "-y", "24", command], env=env, check=True)
    yield term
    subprocess.run([*term.base, "kill-server"], check=False, capture_output=True)


def test_search_tag_and_quit_in_a_real_terminal(terminal, workspace_dir):
    terminal.wait_for("12 passages")
    terminal.keys("sketching")
    screen = terminal.wait_for("1 passage ")
    assert "ch. 3" in screen or "lh-005" in screen or "sketch" in screen.lower()
    terminal.keys("Down", "1")  # in one write, as a fast typist would
    tags_file = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not tags_file.exists():
        time.sleep(0.2)
    tags = yaml.safe_load(tags_file.read_text(encoding="utf-8"))["tags"]
    assert [(t["passage"], t["theme"]) for t in tags] == [("lh-005", "hope")]
    terminal.wait_for("Hope ")
    terminal.keys("C-q")
    terminal.wait_for("annotator-exited-0")
