"""Crash harness: SIGKILL writers at random moments and prove nothing acknowledged is lost.

A child process runs a loop of durable operations on a workspace and prints
`BEGIN ...` before and `ACK ...` after each one (an ACK means "the user was told it
is done"). The harness kills the child with SIGKILL after a random delay, then checks
in a fresh process state that:

- every corpus file loads, and is byte-for-byte what the writer would have written
  for the data it holds (so no file is truncated or half-written);
- every acknowledged operation is there (tags, theme edits, imports), and an
  operation cut short left the corpus as before it or as after it;
- the search index syncs (repairing itself if need be) and agrees with the corpus.

Modes: `tag` (core tagging loop: tag/untag through Session), `cli` (`annotator tag`
and `untag` processes killed mid-run), `import` (re-importing two versions of a text
source), `codebook` (adding/editing themes, importing theme notes).

    python tests/crash_harness.py --kills 50            # every mode, 50 kills each
    python tests/crash_harness.py --mode tag --kills 50 --seed 7
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
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE_WORKSPACE = HERE / "fixtures" / "workspace"
ANNOTATOR = "crash"
MODES = ("tag", "cli", "import", "codebook")
WORDS = (
    "light lamp keeper letter boat storm island brother winter harbour tide rope bread lens beam "
    "drawing buttons memory hope friend loss silence window ladder gull rock wick oil engine"
).split()


# -- building the workspace ------------------------------------------------------------------


def paragraphs(rng: random.Random, count: int, words: int = 40) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "." for _ in range(count)]


def source_versions(seed: int = 1) -> tuple[str, str]:
    """Two versions of one text: B edits some paragraphs a little, drops some, adds some."""
    rng = random.Random(seed)
    a = paragraphs(rng, 400)
    b = list(a)
    for i in range(0, len(b), 7):
        b[i] = b[i].replace(".", " indeed.", 1)
    del b[5:15]
    b[100:100] = paragraphs(rng, 12)
    return "\n\n".join(a) + "\n", "\n\n".join(b) + "\n"


def make_workspace(root: Path) -> Path:
    """The fixture workspace plus a 300-passage source, so annotation files grow large."""
    from annotator.exchange.importers import import_source
    from annotator.session import Session

    shutil.copytree(FIXTURE_WORKSPACE, root)
    text = root.parent / f"{root.name}-bulk.txt"
    text.write_text("\n\n".join(paragraphs(random.Random(0), 300, 30)) + "\n", encoding="utf-8")
    session = Session.open(root)
    import_source(session.store, text, source_id="bulk")
    session.sync()
    session.close()
    return root


# -- the children: loops of acknowledged operations -------------------------------------------


def random_words(rng: random.Random, count: int) -> str:
    # Made-up words: descriptions that share no vocabulary, so no two themes look alike to the importer.
    return " ".join("".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(count))


def say(*words) -> None:
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


def child_tag(ws: str, seed: int) -> None:
    from annotator.session import Session

    rng = random.Random(seed)
    session = Session.open(ws)
    session.sync()
    pids = [p.id for sf in session.store.sources() for p in sf.passages]
    themes = [t.id for t in session.themes()]
    say("READY")
    while True:
        pid, theme = rng.choice(pids), rng.choice(themes)
        tagged = session.store.annotations(ANNOTATOR).find(pid, theme) is not None
        op = "untag" if tagged and rng.random() < 0.4 else "tag"
        say("BEGIN", op, pid, theme)
        if op == "tag":
            comment = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30))) or None
            session.tag(pid, [theme], annotator=ANNOTATOR, comment=comment)
        else:
            session.untag(pid, [theme], annotator=ANNOTATOR)
        say("ACK", op, pid, theme)


def child_import(ws: str, seed: int, version_a: str, version_b: str) -> None:
    from annotator.exchange.importers import import_source
    from annotator.session import Session

    rng = random.Random(seed)
    session = Session.open(ws)
    say("READY")
    while True:
        name = rng.choice("ab")
        path = version_a if name == "a" else version_b
        say("BEGIN", name)
        import_source(session.store, Path(path), source_id="story", annotator=ANNOTATOR, replace=True)
        session.sync()
        say("ACK", name)


def child_codebook(ws: str, seed: int, scratch: str) -> None:
    from annotator.exchange.importers import import_theme_notes
    from annotator.corpus.model import Theme
    from annotator.session import Session

    rng = random.Random(seed)
    session = Session.open(ws)
    say("READY")
    while True:
        op = rng.choice(("add", "edit", "notes"))
        key = f"{seed}x{rng.randrange(10**9)}"
        description = random_words(rng, rng.randint(5, 80))
        if op == "notes":
            # Theme notes with headings unique to this step: importing adds exactly these themes.
            names = [f"Notion {key} {c}" for c in "ab"]
            notes = Path(scratch) / f"notes-{key}.txt"
            notes.write_text(
                "Study Guide\n\n" + "".join(f"{n}\n\n{random_words(rng, 40)} {n}.\n\n" for n in names),
                encoding="utf-8",
            )
            say("BEGIN", "notes", json.dumps(names))
            import_theme_notes(session.store, notes)
            session.sync()
            say("ACK", "notes", json.dumps(names))
            continue
        with session.store.locked():
            themes = session.store.themes()
            if op == "add" or not themes:
                op, target = "add", f"extra-{key}"
                themes.append(Theme(target, f"Extra {key}", description))
            else:
                theme = rng.choice(themes)
                target = theme.id
                theme.description = description
            say("BEGIN", op, target, json.dumps(description))
            session.store.save_themes(themes)
        session.sync()
        say("ACK", op, target, json.dumps(description))


# -- checking a workspace after a kill -------------------------------------------------------


class CrashCheckFailed(AssertionError):
    pass


def check_files_whole(ws_root: Path):
    """Every corpus file loads and is exactly the canonical dump of what it holds."""
    from annotator.corpus.store import THEMES_HEADER, Store
    from annotator.corpus.workspace import Workspace
    from annotator.corpus.yamlio import dump_yaml

    store = Store(Workspace(ws_root))
    themes = store.themes()
    expected = THEMES_HEADER + dump_yaml([t.to_yaml() for t in themes])
    if store.ws.themes_file.read_text(encoding="utf-8") != expected and _written_by_us(store.ws.themes_file):
        raise CrashCheckFailed("themes.yaml is not a whole file")
    for sf in store.sources():
        path = store.ws.source_file(sf.source.id)
        if _written_by_us(path) and path.read_text(encoding="utf-8") != dump_yaml(sf.to_yaml()):
            raise CrashCheckFailed(f"{path.name} is not a whole file")
    for af in store.all_annotations():
        path = store.ws.annotation_file(af.annotator)
        if _written_by_us(path) and path.read_text(encoding="utf-8") != dump_yaml(af.to_yaml()):
            raise CrashCheckFailed(f"{path.name} is not a whole file")
    return store


def _written_by_us(path: Path) -> bool:
    # Fixture files are hand-written (folded text); only files the harness rewrote are canonical.
    return path.stat().st_mtime > _written_by_us.since  # type: ignore[attr-defined]


_written_by_us.since = time.time()  # type: ignore[attr-defined]


def check_index_agrees(ws_root: Path, store) -> str:
    """Sync a fresh session's index and compare tag filters with the corpus; returns the sync reason."""
    from annotator.session import Session

    session = Session.open(ws_root)
    try:
        report = session.sync()
        tagged: dict[str, set[str]] = {}
        for tag in store.all_tags():
            tagged.setdefault(tag.theme, set()).add(tag.passage)
        for theme in session.themes():
            found = {h.id for h in session.search("", themes=[theme.id], kind="passage", limit=100_000).hits}
            if found != tagged.get(theme.id, set()):
                raise CrashCheckFailed(f"index disagrees with the corpus on theme '{theme.id}'")
        passages = sum(len(sf.passages) for sf in store.sources())
        listed = session.search("", kind="passage", limit=10).total
        if listed != passages:
            raise CrashCheckFailed(f"index lists {listed} passages, the corpus has {passages}")
        return report.reason if report.rebuilt else ("updated" if report.changed else "current")
    finally:
        session.close()


# -- the parent: run, kill, check --------------------------------------------------------------


@dataclass
class Tally:
    kills: int = 0
    acks: int = 0
    in_flight: int = 0
    failures: list[str] = field(default_factory=list)
    index_repairs: dict[str, int] = field(default_factory=dict)
    leftover_tmp: int = 0

    def to_json(self) -> dict:
        return self.__dict__


def _child_command(mode: str, ws: Path, seed: int, *extra: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(ws), str(seed), *extra]


def _run_and_kill(command: list[str], rng: random.Random, max_delay: float, env=None) -> list[list[str]]:
    """Start the child, wait for READY, let it work a random while, SIGKILL it; return its lines."""
    # Unbuffered bytes: a buffered readline() could read ahead lines that communicate() then never sees.
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, env=env)
    first = child.stdout.readline().decode()
    if first.strip() != "READY":
        child.kill()
        out, err = (b.decode(errors="replace") for b in child.communicate())
        raise CrashCheckFailed(f"child did not start: {first}{out}{err[-2000:]}")
    time.sleep(rng.uniform(0, max_delay))
    child.send_signal(signal.SIGKILL)
    out, err = (b.decode(errors="replace") for b in child.communicate())
    if "Traceback" in err:
        raise CrashCheckFailed(f"child crashed before the kill:\n{err[-3000:]}")
    return [line.split(" ", 3) for line in out.splitlines() if line]


def _count_tmp(ws: Path) -> int:
    return sum(1 for p in (ws / "corpus").rglob(".*.tmp"))


def _observed_tags(store) -> set[tuple[str, str]]:
    return {(t.passage, t.theme) for t in store.annotations(ANNOTATOR).tags}


def _settle_pairs(state: dict, lines: list[list[str]], tally: Tally) -> set:
    """Apply acknowledged tag/untag lines to the expected state; return the pair cut short, if any."""
    pending: set = set()
    for parts in lines:
        if parts[0] == "BEGIN":
            pending = {(parts[2], parts[3])}
        elif parts[0] == "ACK":
            state[(parts[2], parts[3])] = parts[1] == "tag"
            pending = set()
            tally.acks += 1
    tally.in_flight += len(pending)
    return pending


def _check_pairs(state: dict, pending: set, store) -> None:
    observed = _observed_tags(store)
    for pair, present in state.items():
        if pair in pending:
            continue
        if (pair in observed) != present:
            what = "acknowledged tag missing" if present else "acknowledged untag undone"
            raise CrashCheckFailed(f"{what}: {pair}")
    for pair in pending:
        state[pair] = pair in observed


def _after_kill(ws: Path, tally: Tally, mode: str, index_check: bool = True):
    store = check_files_whole(ws)
    if index_check:
        reason = check_index_agrees(ws, store)
        key = f"{mode}: {reason}"
        tally.index_repairs[key] = tally.index_repairs.get(key, 0) + 1
    return store


def run_tag(ws: Path, kills: int, rng: random.Random, tally: Tally, max_delay: float) -> None:
    state: dict = {}
    for _ in range(kills):
        lines = _run_and_kill(_child_command("tag", ws, rng.randrange(10**6)), rng, max_delay)
        tally.kills += 1
        pending = _settle_pairs(state, lines, tally)
        store = _after_kill(ws, tally, "tag")
        _check_pairs(state, pending, store)


def run_cli(ws: Path, kills: int, rng: random.Random, tally: Tally, max_delay: float) -> None:
    """Each round one real `annotator tag|untag` process, killed at a random instant (or finishing first)."""
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace

    store = Store(Workspace(ws))
    pids = [p.id for sf in store.sources() for p in sf.passages]
    themes = [t.id for t in store.themes()]
    exe = Path(sys.executable).with_name("annotator")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "annotator"]
    env = {**os.environ, "NO_COLOR": "1"}
    state: dict = {}
    # Kill somewhere within a run's usual length (it depends on the machine and its load), so that
    # some runs finish and are acknowledged, and the rest die at every stage of their work.
    started = time.perf_counter()
    subprocess.run([*command, "--workspace", str(ws), "tag", pids[0], themes[0], "--as", "warmup"], capture_output=True, env=env)
    max_delay = max(1.3 * (time.perf_counter() - started), 0.2)
    killed = rounds = 0
    while killed < kills and rounds < 3 * kills:
        rounds += 1
        pair = (rng.choice(pids), rng.choice(themes))
        op = "untag" if state.get(pair) and rng.random() < 0.5 else "tag"
        child = subprocess.Popen(
            [*command, "--workspace", str(ws), op, pair[0], pair[1], "--as", ANNOTATOR],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        try:
            child.wait(timeout=rng.uniform(0.1, max_delay))
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
        out, err = child.communicate()
        tally.kills += child.returncode == -signal.SIGKILL
        killed += child.returncode == -signal.SIGKILL
        if "Traceback" in err:
            raise CrashCheckFailed(f"annotator {op} printed a traceback:\n{err[-3000:]}")
        pending: set = set()
        if child.returncode == 0:
            state[pair] = op == "tag"
            tally.acks += 1
        elif child.returncode == -signal.SIGKILL:
            pending = {pair}
            tally.in_flight += 1
        else:
            raise CrashCheckFailed(f"annotator {op} failed ({child.returncode}): {err.strip()}")
        store = _after_kill(ws, tally, "cli")
        _check_pairs(state, pending, store)


def run_import(ws: Path, kills: int, rng: random.Random, tally: Tally, max_delay: float) -> None:
    from annotator.exchange.importers.plaintext import parse_plain_text

    version_a, version_b = source_versions()
    files = {}
    for name, text in (("a", version_a), ("b", version_b)):
        files[name] = ws.parent / f"story-{name}.txt"
        files[name].write_text(text, encoding="utf-8")
    texts = {name: [p.text for p in parse_plain_text(text, "story")[1]] for name, text in (("a", version_a), ("b", version_b))}
    tags_before = {p: p.read_bytes() for p in (ws / "corpus" / "annotations").glob("*.yaml")}
    current = None  # the version on disk; None before the first import
    for _ in range(kills):
        lines = _run_and_kill(_child_command("import", ws, rng.randrange(10**6), str(files["a"]), str(files["b"])), rng, max_delay)
        tally.kills += 1
        allowed = {current}
        for parts in lines:
            if parts[0] == "BEGIN":
                allowed = {current, parts[1]}
            elif parts[0] == "ACK":
                current, allowed = parts[1], {parts[1]}
                tally.acks += 1
        tally.in_flight += len(allowed) > 1
        store = _after_kill(ws, tally, "import")
        source = store.load_source("story")
        on_disk = None if source is None else next(
            (name for name, t in texts.items() if [p.text for p in source.passages] == t), "neither"
        )
        if on_disk not in allowed:
            raise CrashCheckFailed(
                f"interrupted import left version {on_disk!r}; expected one of {sorted(map(str, allowed))}; child said {lines}"
            )
        current = on_disk
        for path, raw in tags_before.items():
            if path.read_bytes() != raw:
                raise CrashCheckFailed(f"an import changed {path.name}")


def run_codebook(ws: Path, kills: int, rng: random.Random, tally: Tally, max_delay: float) -> None:
    from annotator.corpus.model import slugify

    scratch = Path(tempfile.mkdtemp(prefix="crash-notes-"))
    expected: dict[str, str | None] = {}  # theme id -> acknowledged description (None: must merely exist)
    for _ in range(kills):
        lines = _run_and_kill(_child_command("codebook", ws, rng.randrange(10**6), str(scratch)), rng, max_delay)
        tally.kills += 1
        pending: dict[str, set] = {}
        for parts in lines:
            if parts[0] == "BEGIN":
                pending = _codebook_effect(parts, slugify)
            elif parts[0] == "ACK":
                for theme_id, values in _codebook_effect(parts, slugify).items():
                    expected[theme_id] = next(iter(values))
                pending = {}
                tally.acks += 1
        tally.in_flight += bool(pending)
        store = _after_kill(ws, tally, "codebook")
        themes = {t.id: t.description for t in store.themes()}
        for theme_id, description in expected.items():
            allowed = pending.get(theme_id, set()) | {description}
            if theme_id not in themes:
                raise CrashCheckFailed(f"acknowledged theme '{theme_id}' missing")
            if description is not None and themes[theme_id] not in allowed:
                raise CrashCheckFailed(f"theme '{theme_id}': an acknowledged edit was lost or half-applied")
        # What was cut short either happened or did not; from now on it is known.
        for theme_id in pending:
            if theme_id in themes:
                expected[theme_id] = themes[theme_id]
    shutil.rmtree(scratch, ignore_errors=True)


def _codebook_effect(parts: list[str], slugify) -> dict[str, set]:
    rest = " ".join(parts[2:])
    if parts[1] == "notes":
        return {slugify(name): {None} for name in json.loads(rest)}
    target, description = rest.split(" ", 1)
    return {target: {json.loads(description)}}


RUNNERS = {"tag": run_tag, "cli": run_cli, "import": run_import, "codebook": run_codebook}
MAX_DELAY = {"tag": 1.5, "cli": 0.6, "import": 2.5, "codebook": 1.5}


def run(modes=MODES, kills: int = 50, seed: int = 0, workdir: Path | None = None, delay_scale: float = 1.0) -> Tally:
    """Run the named modes with `kills` kills each; raises CrashCheckFailed on the first loss."""
    _written_by_us.since = time.time()  # type: ignore[attr-defined]
    tally = Tally()
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="annotator-crash-")) if own_dir else workdir
    try:
        for mode in modes:
            ws = make_workspace(workdir / f"ws-{mode}")
            rng = random.Random(f"{seed}-{mode}")
            RUNNERS[mode](ws, kills, rng, tally, MAX_DELAY[mode] * delay_scale)
            tally.leftover_tmp += _count_tmp(ws)
    finally:
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return tally


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        mode, ws, seed, *extra = argv[1:]
        {"tag": child_tag, "import": child_import, "codebook": child_codebook}[mode](ws, int(seed), *extra)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=[*MODES, "all"], default="all")
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs per mode (default 50)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    modes = MODES if args.mode == "all" else (args.mode,)
    start = time.perf_counter()
    try:
        tally = run(modes, args.kills, args.seed)
    except CrashCheckFailed as exc:
        print(f"FAILED: {exc}")
        return 1
    print(json.dumps({**tally.to_json(), "modes": list(modes), "seconds": round(time.perf_counter() - start, 1)}, indent=2))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
