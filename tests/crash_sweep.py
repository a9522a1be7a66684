"""Crash sweep: SIGKILL every kind of `annotator` command mid-run, then prove nothing was lost.

tests/crash_harness.py kills tagging, imports and codebook edits in loops; this sweep runs each
command a user runs (tag, untag, comment, import --replace, theme rename/merge/delete, reindex,
the sync a search starts, the embeddings a search by meaning computes, an export) as a real
process, kills it, and checks after each kill that:

- every corpus file loads and is whole (crash_harness.check_files_whole);
- nothing the user had before is gone: every earlier tag, comment, memo, passage and theme is
  there, except what the killed command itself was asked to change, which is either as before
  or as after (a renamed theme's tags under the old id or the new one, never under neither);
- every tag names a theme of the codebook;
- the next command works (`annotator search --json`, no traceback), and its answers agree
  with an index built afresh from the corpus (`annotator reindex` in a copy);
- derived data is whole: the embeddings stored are those of their texts; an export's output
  is absent or a whole file; no temporary file is left beside the index or the output.

Kill points: the CI run kills each command at fixed points of its writes (KILL_POINTS, by
tests/kill_at.py: reproducible, and where a multi-file change is half done); the long run
(`--rounds N`, ANNOTATOR_STRESS) kills random commands at random such points or after a random
while (inside a computation too).

    python tests/crash_sweep.py --rounds 60 --seed 4
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import crash_harness  # noqa: E402

WHO = crash_harness.ANNOTATOR
QUERIES = (["light"], ["storm", "harbour"], ["untagged", "lamp"], ['"the lens"'])


class SweepFailed(AssertionError):
    pass


# -- what the user has ---------------------------------------------------------------------------


@dataclass
class State:
    themes: dict[str, str]
    tags: dict[tuple[str, str, str], str | None]  # (annotator, passage, theme) -> comment
    memos: Counter
    passages: dict[str, list[tuple[str, str]]]  # source id -> [(passage id, text)]


def snapshot(ws: Path) -> State:
    store = crash_harness.check_files_whole(ws)  # raises if a file is torn
    tags = {(t.annotator, t.passage, t.theme): t.comment for t in store.all_tags()}
    memos = Counter((m.annotator, m.passage, m.text) for af in store.all_annotations() for m in af.memos)
    passages = {sf.source.id: [(p.id, p.text) for p in sf.passages] for sf in store.sources()}
    return State({t.id: t.name for t in store.themes()}, tags, memos, passages)


@dataclass
class Op:
    """One command and what it may change: everything else must be exactly as before."""

    name: str
    argv: list[str]
    env: dict = field(default_factory=dict)
    theme_moves: dict[str, str] = field(default_factory=dict)  # rename/merge: old id -> new id
    drops_theme: str | None = None  # delete --force: the theme and its tags may go
    drops_tag: tuple | None = None  # untag: (annotator, passage, theme)
    comment_on: tuple | None = None  # comment --theme: that tag's comment may change
    source: str | None = None  # import: that source's passages may be any of `versions`
    versions: tuple = ()
    output: Path | None = None  # export: absent, as before, or a whole JSON document
    prepare: Callable[[], None] | None = None


def check_nothing_lost(before: State, after: State, op: Op) -> None:
    for theme_id in before.themes:
        if theme_id in after.themes or theme_id == op.drops_theme:
            continue
        if theme_id in op.theme_moves and op.theme_moves[theme_id] in after.themes:
            continue
        raise SweepFailed(f"{op.name}: theme '{theme_id}' is gone")
    for key, comment in before.tags.items():
        annotator, passage, theme = key
        if key == op.drops_tag or theme == op.drops_theme:
            continue
        moved = (annotator, passage, op.theme_moves.get(theme, theme))
        if key not in after.tags and moved not in after.tags:
            raise SweepFailed(f"{op.name}: the tag {key} is gone")
        if key in after.tags and key != op.comment_on and theme not in op.theme_moves and after.tags[key] != comment:
            raise SweepFailed(f"{op.name}: the comment on {key} changed: {comment!r} -> {after.tags[key]!r}")
    lost_memos = before.memos - after.memos
    if lost_memos:
        raise SweepFailed(f"{op.name}: comments on passages are gone: {sorted(lost_memos)[:3]}")
    for source_id, passages in before.passages.items():
        if source_id == op.source:  # (by the texts: a re-import keeps the ids of passages that moved)
            texts = [text for _, text in after.passages.get(source_id, [])]
            if texts not in ([text for _, text in passages], *op.versions):
                raise SweepFailed(f"{op.name}: source '{source_id}' is neither as before nor as imported")
        elif after.passages.get(source_id) != passages:
            raise SweepFailed(f"{op.name}: the passages of '{source_id}' changed")
    for annotator, passage, theme in after.tags:
        if theme not in after.themes:
            raise SweepFailed(f"{op.name}: {annotator}'s tag on {passage} names no theme ('{theme}')")


# -- running and killing a command ----------------------------------------------------------------


def annotator_command() -> list[str]:
    exe = Path(sys.executable).with_name("annotator")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "annotator"]


def child_env(extra: dict | None = None) -> dict:
    env = {**os.environ, "NO_COLOR": "1", "ANNOTATOR_NAME": WHO}
    env.pop("ANNOTATOR_DEBUG", None)  # the user's one-line errors, not a debugging traceback
    env.update(extra or {})
    return env


def run_command(ws: Path, op: Op, kill: str | float | None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of the command, killed at a kill point (tests/kill_at.py) when
    `kill` names one, or with SIGKILL after `kill` seconds when it is a number."""
    if isinstance(kill, str):
        command = [sys.executable, str(HERE / "kill_at.py"), kill, "--"]
    else:
        command = annotator_command()
    child = subprocess.Popen([*command, "--workspace", str(ws), *op.argv],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(op.env))
    try:
        out, err = child.communicate(timeout=kill if isinstance(kill, float) else None)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate()
    if "Traceback" in err:
        raise SweepFailed(f"annotator {' '.join(op.argv)} printed a traceback:\n{err[-3000:]}")
    if child.returncode not in (0, -signal.SIGKILL):
        raise SweepFailed(f"annotator {' '.join(op.argv)} failed ({child.returncode}): {err.strip()[-500:]}")
    return child.returncode, out, err


def run_in_process(ws: Path, *argv: str) -> tuple[int, str, str]:
    """The next command, as the CLI runs it (in this process: no second interpreter start)."""
    import contextlib
    import io

    from annotator.cli import main as annotator_main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = annotator_main(["--workspace", str(ws), *argv])
    return code, out.getvalue(), err.getvalue()


# -- after the kill ---------------------------------------------------------------------------------


def search_ids(session, words: list[str]) -> set[str]:
    return {h.id for h in session.search(" ".join(words), kind="passage", limit=100_000).hits}


def check_next_command_and_index(ws: Path, scratch: Path) -> None:
    """`annotator search` works, and every answer agrees with an index built afresh from the corpus."""
    from annotator.session import Session

    code, out, err = run_in_process(ws, "search", "light", "--json", "--limit", "100000")
    if code != 0 or "Traceback" in err:
        raise SweepFailed(f"the next command failed: {err.strip()}")
    answered = {r["id"] for r in json.loads(out)["results"] if r["kind"] == "passage"}
    fresh = scratch / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(ws / "corpus", fresh / "corpus")
    built, kept = Session.open(fresh), Session.open(ws)
    try:
        built.sync()
        kept.sync()
        if answered != search_ids(built, ["light"]):
            raise SweepFailed("`annotator search light` disagrees with a fresh reindex")
        for words in QUERIES:
            if search_ids(kept, words) != search_ids(built, words):
                raise SweepFailed(f"search {words} disagrees with a fresh reindex")
        for theme in built.themes():
            if search_ids(kept, [f"theme:{theme.id}"]) != search_ids(built, [f"theme:{theme.id}"]):
                raise SweepFailed(f"theme:{theme.id} disagrees with a fresh reindex")
    finally:
        built.close()
        kept.close()
    leftovers = [p.name for p in ws.iterdir() if p.name.startswith("index.")]
    leftovers += [p.name for p in (ws / "index").glob("_annotator_*.toc.*")]
    leftovers += [p.name for p in (ws / "index").glob(".manifest.json.*.tmp")]
    if leftovers:
        raise SweepFailed(f"left behind after the next command: {leftovers}")


def check_export(op: Op, before: bytes | None) -> None:
    """The output is absent, as before, or a whole document. (A killed export may leave its temporary
    file beside it; the next export clears it: tests/test_leftovers.py.)"""
    path = op.output
    if not path.exists():
        return
    data = path.read_bytes()
    if data == before:
        return
    try:
        json.loads(data)
    except ValueError:
        raise SweepFailed(f"a killed export left a torn {path.name} ({len(data)} bytes)") from None


def check_embeddings(ws: Path, sample: int = 6) -> None:
    """Every stored embedding row is its text's (a torn append never passes for a vector), and the
    next job's append lines up after whatever the kill left."""
    import numpy as np

    from annotator.engine import embeddings, meaning
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace

    model = embeddings.embedder()
    if model is None:
        return
    texts = {meaning.text_key(p.text): p.text for sf in Store(Workspace(ws)).sources() for p in sf.passages}
    store = meaning.VectorStore(ws / "index", model.name, model.dim)
    fresh = [k for k in texts if k not in store.rows][:3]
    store.add(fresh, model.embed([texts[k] for k in fresh], "passage"))  # what the next job does first
    store = meaning.VectorStore(ws / "index", model.name, model.dim)  # read back as another process would
    if any(k not in texts for k in store.rows):
        raise SweepFailed("the embeddings hold keys of no passage's text")
    keys = list(store.rows)
    picked = [*fresh, *random.Random(len(keys)).sample(keys, min(sample, len(keys)))]
    if picked:
        stored = store.read_rows(np.array([store.rows[k] for k in picked]))
        expected = model.embed([texts[k] for k in picked], "passage")
        if not np.allclose(stored, expected, atol=1e-4):
            raise SweepFailed("a stored embedding is not its text's")


def _seed_workspace(root: Path, size: tuple[int, int]) -> None:
    """The fixture workspace, a bulk source, a story to re-import, and tags, comments and spare
    themes for the killed commands to work on."""
    from annotator.exchange.importers import import_source
    from annotator.session import Session

    ws = root / "ws"
    shutil.copytree(crash_harness.FIXTURE_WORKSPACE, ws)
    bulk_text = root / "bulk.txt"
    bulk_text.write_text("\n\n".join(crash_harness.paragraphs(random.Random(0), size[0], 30)) + "\n", encoding="utf-8")
    for name, text in zip("ab", story_versions(size[1])):
        (root / f"story-{name}.txt").write_text(text, encoding="utf-8")
    session = Session.open(ws)
    import_source(session.store, bulk_text, source_id="bulk")
    import_source(session.store, root / "story-a.txt", source_id="story", annotator=WHO, replace=True)
    session.sync()
    bulk = [p.id for p in session.store.load_source("bulk").passages]
    for n in range(6):
        theme = session.add_theme(f"Spare {n}", description=f"spare theme {n} for merging and deleting")
        for pid in bulk[40 + 5 * n: 45 + 5 * n]:
            session.tag(pid, [theme.id], annotator=WHO, index_later=True)
    for i, pid in enumerate(bulk[:40]):
        session.tag(pid, [("hope", "memory", "loss")[i % 3]], annotator=WHO, comment=f"why {i}" if i % 2 else None,
                    index_later=True)
        if i % 5 == 0:
            session.add_passage_comment(pid, f"a note on {pid}", annotator=WHO, index_later=True)
    session.sync()
    session.close()
    (root / "bulk-ids.json").write_text(json.dumps(bulk))


def story_versions(count: int) -> tuple[str, str]:
    """crash_harness's two versions of a text, shortened: re-importing it takes a moment, not seconds."""
    return tuple("\n\n".join(text.split("\n\n")[:count]) + "\n" for text in crash_harness.source_versions())


# -- the operations ----------------------------------------------------------------------------------


_TEMPLATES: dict[tuple, Path] = {}  # one seeded workspace a size and process, copied for each sweep


class Sweep:
    def __init__(self, root: Path, seed: int, size: tuple[int, int] = (300, 150)):
        """`size`: the passages of the bulk source and of the re-imported story."""
        self.root = root
        self.rng = random.Random(seed)
        self.ws = root / "ws"
        self.scratch = root / "scratch"
        self.scratch.mkdir(parents=True)
        self.counter = 0
        template = _TEMPLATES.get(size)
        if template is None or not template.exists():
            template = _TEMPLATES[size] = Path(tempfile.mkdtemp(prefix="annotator-sweep-template-"))
            _seed_workspace(template, size)
        shutil.copytree(template, root, dirs_exist_ok=True)
        self.story = {name: root / f"story-{name}.txt" for name in "ab"}
        self.bulk = json.loads((root / "bulk-ids.json").read_text())
        self.story_versions = {name: self._passages_of(path) for name, path in self.story.items()}

    def _passages_of(self, path: Path) -> list[str]:
        from annotator.exchange.importers.plaintext import parse_plain_text

        return [p.text for p in parse_plain_text(path.read_text(encoding="utf-8"), "story")[1]]

    def fresh(self) -> str:
        self.counter += 1
        return f"{self.counter}x{self.rng.randrange(10**6)}"

    def themes_of(self, state: State, prefix: str = "") -> list[str]:
        return sorted(t for t in state.themes if t.startswith(prefix))

    def make(self, name: str, state: State) -> Op:
        rng = self.rng
        mine = sorted(k for k in state.tags if k[0] == WHO)
        spare = self.themes_of(state, "spare") or self.themes_of(state)
        core = [t for t in ("hope", "memory", "loss", "friendship") if t in state.themes]
        if name == "tag":
            pid = rng.choice(self.bulk)
            return Op(name, ["tag", pid, rng.choice(core), "--as", WHO, "--comment", f"said {self.fresh()}"])
        if name == "untag":
            key = rng.choice(mine)
            return Op(name, ["untag", key[1], key[2], "--as", WHO], drops_tag=key)
        if name == "comment":
            return Op(name, ["comment", rng.choice(self.bulk), f"a thought {self.fresh()}", "--as", WHO])
        if name == "tag-comment":
            key = rng.choice(mine)
            return Op(name, ["comment", key[1], f"on reflection {self.fresh()}", "--theme", key[2], "--as", WHO],
                      comment_on=key)
        if name == "import":
            version = rng.choice("ab")
            return Op(name, ["import", str(self.story[version]), "--source", "story", "--replace"], source="story",
                      versions=tuple(self.story_versions.values()))
        if name == "rename":
            old = rng.choice(spare)
            new = f"renamed-{self.fresh()}"
            return Op(name, ["theme", "rename", old, f"Renamed {new}", "--id", new], theme_moves={old: new})
        if name == "merge":
            old, into = rng.sample(spare, 2) if len(spare) > 1 else (spare[0], core[0])
            return Op(name, ["theme", "merge", old, into], theme_moves={old: into})
        if name == "delete":
            victim = rng.choice(spare)
            return Op(name, ["theme", "delete", victim, "--force"], drops_theme=victim)
        if name == "reindex":
            return Op(name, ["reindex"])
        if name == "sync":
            return Op(name, ["search", "storm", "--json"], prepare=self._change_behind_the_index)
        if name == "embeddings":
            return Op(name, ["search", "--meaning", "the keeper and the storm", "--json"],
                      env={"ANNOTATOR_MEANING": "1", "ANNOTATOR_SEMANTIC": "1", "KILL_AT_MEANING_BATCH": "4"})
        if name == "export":
            return Op(name, ["export", "--format", "json", "-o", str(self.scratch / "all.json")],
                      output=self.scratch / "all.json")
        raise ValueError(name)

    def _change_behind_the_index(self) -> None:
        """Another process's edit (a tag and a new source), so the search's sync has work to do."""
        from annotator.corpus.store import Store
        from annotator.corpus.workspace import Workspace
        from annotator.exchange.importers import import_source

        store = Store(Workspace(self.ws))
        store.add_tags("other", self.rng.choice(self.bulk), ["friendship"])
        extra = self.scratch / f"extra{self.counter}.txt"
        extra.write_text("\n\n".join(crash_harness.paragraphs(self.rng, 60, 25)) + "\n", encoding="utf-8")
        import_source(store, extra, source_id=f"extra-{self.fresh()}", annotator=WHO)

    def round(self, name: str, kill: str | float | None) -> int:
        """Run (and kill) one command; check everything. Returns its exit status (-9: killed)."""
        before_state = snapshot(self.ws)
        op = self.make(name, before_state)
        if op.prepare:
            op.prepare()
            before_state = snapshot(self.ws)
        if op.name == "embeddings":
            shutil.rmtree(self.ws / "index" / "meaning", ignore_errors=True)  # so that it embeds them again
        before_output = op.output.read_bytes() if op.output and op.output.exists() else None
        code, _out, _err = run_command(self.ws, op, kill)
        after_state = snapshot(self.ws)
        check_nothing_lost(before_state, after_state, op)
        if op.output:
            check_export(op, before_output)
        check_next_command_and_index(self.ws, self.scratch)
        if op.name == "embeddings":
            check_embeddings(self.ws)
        return code


OPS = ("tag", "untag", "comment", "tag-comment", "import", "rename", "merge", "delete", "reindex", "sync",
       "embeddings", "export")
# The CI run's kill points, each where the command's files are half-way (tests/kill_at.py):
# one file renamed into place and the next not, or a temporary file written and not renamed.
KILL_POINTS = {
    "tag": ("before-rename:1",),
    "untag": ("after-rename:1",),
    "comment": ("before-rename:1",),
    "tag-comment": ("after-rename:1",),
    "import": ("before-rename:2", "after-rename:2"),  # the source written, its tags or the index not
    "rename": ("after-rename:1", "after-rename:2"),  # the new theme beside the old; tags moved, the old not gone
    "merge": ("after-rename:1",),  # tags moved, the theme not removed
    "delete": ("after-rename:1",),  # tags removed, the theme not
    "reindex": ("before-rename:1", "after-rename:1"),  # the new index built; the old moved aside, the new not in
    "sync": ("before-rename:2", "after-rename:3"),
    "embeddings": ("before-append:.keys:2",),  # a batch stored; the next one's vectors appended, their keys not
    "export": ("before-rename:1",),
}


@dataclass
class Tally:
    rounds: int = 0
    kills: int = 0
    finished: int = 0
    by_op: dict = field(default_factory=dict)


def sweep_ops(root: Path, names, seed: int = 0, size: tuple[int, int] = (80, 60)) -> Tally:
    """Kill each command at its CI kill points (KILL_POINTS), checking after each (a small workspace)."""
    crash_harness._written_by_us.since = time.time()  # type: ignore[attr-defined]
    sweep = Sweep(root, seed, size)
    tally = Tally()
    for name in names:
        for point in KILL_POINTS[name]:
            _count(tally, name, sweep.round(name, point))
    return tally


def sweep_random(root: Path, rounds: int, seed: int) -> Tally:
    """Random commands killed at random kill points, or after a random while (mid-computation too)."""
    crash_harness._written_by_us.since = time.time()  # type: ignore[attr-defined]
    sweep = Sweep(root, seed)
    rng = random.Random(seed)
    tally = Tally()
    for _ in range(rounds):
        name = rng.choice(OPS)
        kill = (f"{rng.choice(('before', 'after'))}-rename:{rng.randint(1, 8)}" if rng.random() < 0.6
                else rng.uniform(0.2, 3.0))
        _count(tally, name, sweep.round(name, kill))
    return tally


def _count(tally: Tally, name: str, code: int) -> None:
    tally.rounds += 1
    killed = code == -signal.SIGKILL
    tally.kills += killed
    tally.finished += not killed
    done = tally.by_op.setdefault(name, [0, 0])
    done[0 if killed else 1] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="annotator-sweep-"))
    started = time.perf_counter()
    try:
        tally = sweep_random(root, args.rounds, args.seed)
    except (SweepFailed, crash_harness.CrashCheckFailed) as exc:
        print(f"FAILED: {exc}")
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps({**tally.__dict__, "seconds": round(time.perf_counter() - started, 1)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
