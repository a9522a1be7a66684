"""Several processes on one workspace: no lost write, no reader crash, no stuck lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from annotator.session import Session
from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace

WRITERS = 4
TAGS_EACH = 6
THEMES = ["hope", "memory", "friendship", "loss"]
PASSAGES = [f"lh-{n:03d}" for n in range(1, 13)]


def python(code: str, *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )


def finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err
    return out


def distinct_pairs(writer: int) -> list[tuple[str, str]]:
    pairs = [(p, t) for p in PASSAGES for t in THEMES]
    return pairs[writer::WRITERS][:TAGS_EACH]


WRITER = """
    import sys
    from annotator.session import Session
    ws, writer, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
    session = Session.open(ws)
    for pair in pairs:
        pid, theme = pair.split("/")
        session.tag(pid, [theme], annotator="shared", comment=f"by writer {writer}")
    print("done")
"""


def test_parallel_writers_to_one_annotation_file_lose_no_tag(workspace_dir):
    Session.open(workspace_dir).sync()
    procs = [
        python(WRITER, str(workspace_dir), str(w), *[f"{p}/{t}" for p, t in distinct_pairs(w)])
        for w in range(WRITERS)
    ]
    for proc in procs:
        finish(proc)
    tags = Store(Workspace(workspace_dir)).annotations("shared").tags
    assert len(tags) == WRITERS * TAGS_EACH
    assert {(t.passage, t.theme) for t in tags} == {pair for w in range(WRITERS) for pair in distinct_pairs(w)}
    # The index saw every one of them too.
    session = Session.open(workspace_dir)
    session.sync()
    for theme in THEMES:
        expected = {t.passage for t in session.store.all_tags() if t.theme == theme}
        assert {h.id for h in session.search("", themes=[theme], kind="passage", limit=100).hits} == expected


def test_parallel_cli_tag_commands_all_land(workspace_dir):
    exe = Path(sys.executable).with_name("annotator")
    pairs = [("lh-001", "hope"), ("lh-001", "memory"), ("lh-002", "loss"), ("lh-003", "friendship")]
    procs = [
        subprocess.Popen(
            [str(exe), "--workspace", str(workspace_dir), "tag", pid, theme, "--as", "bob"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for pid, theme in pairs
    ]
    for proc in procs:
        finish(proc)
    assert {(t.passage, t.theme) for t in Store(Workspace(workspace_dir)).annotations("bob").tags} == set(pairs)


READER = """
    import sys, time, traceback
    from pathlib import Path
    from annotator.session import Session
    session = Session.open(sys.argv[1])
    session.sync()
    print("READY", flush=True)
    searches = errors = 0
    stop, deadline = Path(sys.argv[2]), time.monotonic() + 120  # until the rebuilder is done
    while not stop.exists() and time.monotonic() < deadline:
        for query in ("letter", "sketching", "boat storm", '"the light"', "light*"):
            try:
                session.search(query, limit=20)
                session.get("lh-005")
                searches += 1
            except Exception:
                errors += 1
                traceback.print_exc()
    print(searches, errors)
"""


REBUILDS = 10  # full rebuilds (each with a tag and an untag) under the readers

REBUILDER = """
    import sys
    from pathlib import Path
    from annotator.session import Session
    session = Session.open(sys.argv[1])
    n = 0
    for _ in range(int(sys.argv[2])):  # a count, not a time: a loaded machine only makes it slower
        session.sync(force=True)  # a full rebuild, swapped in under the readers' feet
        n += 1
        session.tag(f"lh-00{n % 9 + 1}", ["hope"], annotator=f"w{n % 3}")  # an incremental commit
        session.untag(f"lh-00{n % 9 + 1}", ["hope"], annotator=f"w{n % 3}")
    Path(sys.argv[3]).touch()  # the readers stop
    print(n)
"""


def test_readers_never_crash_while_writers_commit_and_rebuild(workspace_dir, tmp_path):
    """A reader holding the index open keeps searching while another process commits and rebuilds it."""
    Session.open(workspace_dir).sync()
    stop = tmp_path / "rebuilder-done"  # the readers search until the rebuilder's rounds are all done
    readers = [python(READER, str(workspace_dir), str(stop)) for _ in range(2)]
    for reader in readers:
        assert reader.stdout.readline().strip() == "READY"
    rebuilder = python(REBUILDER, str(workspace_dir), str(REBUILDS), str(stop))
    assert int(finish(rebuilder)) == REBUILDS
    for reader in readers:
        searches, errors = map(int, finish(reader).split())
        assert searches > 0
        assert errors == 0


HOLD_WHOOSH_LOCK = """
    import sys, time
    from annotator.session import Session
    session = Session.open(sys.argv[1])
    session.sync()
    writer = session.index.open().writer()  # takes Whoosh's WRITELOCK
    print("LOCKED", flush=True)
    time.sleep(60)
"""

HOLD_STORE_LOCK = """
    import sys, time
    from annotator.session import Session
    session = Session.open(sys.argv[1])
    with session.store.locked():
        print("LOCKED", flush=True)
        time.sleep(60)
"""


@pytest.mark.parametrize("holder", [HOLD_WHOOSH_LOCK, HOLD_STORE_LOCK], ids=["whoosh-writelock", "workspace-lock"])
def test_a_lock_left_by_a_killed_process_does_not_block_the_next_one(workspace_dir, holder):
    proc = python(holder, str(workspace_dir))
    assert proc.stdout.readline().strip() == "LOCKED"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    session = Session.open(workspace_dir)
    started = time.monotonic()
    session.tag("lh-005", ["memory"], annotator="after")  # writes the corpus and commits to the index
    assert time.monotonic() - started < 20  # not the 30 s lock timeout: the dead holder's lock is gone
    assert [h.id for h in session.search("sketching", themes=["memory"]).hits] == ["lh-005"]
