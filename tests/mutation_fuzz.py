"""Mutation fuzzer: hand-edit a *valid* workspace the way people do, run one CLI command, check.

Each case copies the fixture workspace into a temporary root (beside it: an `outside/` folder
and the inputs), edits one corpus file as a person or a bad merge would — renames a key,
duplicates a block, swaps a value's type, injects control or non-UTF-8 bytes, adds comments or
unknown fields, changes the `annotator:` key, and may set the mtime back — then runs one CLI
command in-process and checks:

- no traceback; an error is one line;
- a command that fails changed no file at all;
- a command that succeeds changed only the files it names (its annotator's file, the codebook,
  the `-o` file...), and nothing outside the workspace (a listing of the root is compared);
- every corpus file that loaded before still loads, and every file written loads;
- a tag or comment written keeps every tag, memo and field that was there.

    python tests/mutation_fuzz.py --cases 2000 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fuzz_inputs  # noqa: E402

FIXTURE = HERE / "fixtures" / "workspace"
PASSAGES = [f"lh-{n:03d}" for n in range(1, 13)] + ["nope", "007"]
THEMES = ["hope", "memory", "friendship", "loss", "Hope", "no-such", "yes"]
WHO = ["alice", "tester", "bob", "carol.b", "../../x", "alice "]
KEYS = ["id", "name", "text", "location", "description", "color", "parent", "source", "passages", "tags",
        "memos", "passage", "theme", "at", "comment", "annotator", "title", "confidence", "aliases", "Tags", "x"]
BYTES = [b"\xe9", b"\x00", b"\x1b[2J", b"\xc2\x85", b"\xff\xfe", b"\x07", b"\t", b"\r", b"\xed\xa0\x80", b"\xe2\x80\xae"]
ODD_VALUES = ["[a, b]", "{x: 1}", "''", "~", "007", "no", "yes", "1:30", "0x1F", "1e3", ".inf", "!!binary aGk=",
              "&a x", "*a", "|\n      block", "- item", "2026-01-01", "'quoted'", '"\\ud800"', "# only a comment"]
SURROGATE_TEXT = b"caf\xe9".decode("utf-8", "surrogateescape")
# Findings of commands whose fix belongs to another part: counted (and shown) apart, not failed on.
KNOWN_OPEN: dict[str, str] = {}


@dataclass
class Counts:
    cases: int = 0
    ok: int = 0
    refused: int = 0
    findings: int = 0
    known: int = 0  # findings in a part another session owns (KNOWN_OPEN), counted apart
    mutations: dict = field(default_factory=dict)
    examples: list = field(default_factory=list)


# -- mutations of one file's bytes --------------------------------------------------------------


def _lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


def rename_key(rng, raw):
    lines = _lines(raw)
    keyed = [i for i, line in enumerate(lines) if re.match(rb"^\s*(- )?\w+:", line)]
    if keyed:
        i = rng.choice(keyed)
        lines[i] = re.sub(rb"\w+:", rng.choice(KEYS).encode() + b":", lines[i], count=1)
    return b"\n".join(lines)


def duplicate_block(rng, raw):
    """A block (a key or a list item with what is indented under it) repeated: a bad merge."""
    lines = _lines(raw)
    starts = [i for i, line in enumerate(lines) if re.match(rb"^\s*(- )?\w+:", line)]
    if not starts:
        return raw + raw
    i = rng.choice(starts)
    indent = len(lines[i]) - len(lines[i].lstrip(b" -"))
    end = i + 1
    while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip(b" ")) > indent:
        end += 1
    return b"\n".join(lines[:end] + lines[i:end] + lines[end:])


def swap_type(rng, raw):
    lines = _lines(raw)
    valued = [i for i, line in enumerate(lines) if re.match(rb"^\s*(- )?\w+: \S", line)]
    if valued:
        i = rng.choice(valued)
        key = lines[i].split(b":", 1)[0]
        lines[i] = key + b": " + rng.choice(ODD_VALUES).encode()
    return b"\n".join(lines)


def inject_bytes(rng, raw):
    at = rng.randrange(len(raw) + 1)
    return raw[:at] + rng.choice(BYTES) + raw[at:]


def add_comment_or_field(rng, raw):
    lines = _lines(raw)
    i = rng.randrange(len(lines))
    indent = re.match(rb"^\s*", lines[i].replace(b"- ", b"  ")).group()
    extra = rng.choice([b"# a note by hand", b"confidence: 0.8", b"aliases: [a, b]", b"reviewed: yes"])
    if extra.startswith(b"#") and rng.random() < 0.5 and lines[i].strip():
        lines[i] += b"  " + extra
    else:
        lines.insert(i + 1, indent + extra)
    return b"\n".join(lines)


def annotator_key(rng, raw):
    name = rng.choice([b"alice", b"bob", b"../../../outside/pwned", b"/tmp/pwned", b"demo", b""])
    if re.search(rb"(?m)^annotator:", raw):
        return re.sub(rb"(?m)^annotator:.*$", b"annotator: " + name, raw, count=1)
    return b"annotator: " + name + b"\n" + raw


def structure(rng, raw):
    import yaml

    try:
        data = yaml.safe_load(raw)
    except Exception:  # noqa: BLE001
        return raw
    return fuzz_inputs.dump(fuzz_inputs.mutate_structure(rng, data, rng.randint(1, 3))).encode("utf-8", "surrogatepass")


MUTATIONS = {fn.__name__: fn for fn in (rename_key, duplicate_block, swap_type, inject_bytes, add_comment_or_field,
                                        annotator_key, structure)}


# -- the commands and what each may change -------------------------------------------------------


def _text(rng) -> str:
    roll = rng.random()
    if roll < 0.15:
        return SURROGATE_TEXT
    if roll < 0.25:
        return "line one\nline two # not a comment"
    return fuzz_inputs.nasty_text(rng, 6) or "x"


def command(rng, root: Path) -> tuple[list[str], set[str]]:
    """A CLI command and the corpus files (relative to the root) it may change; '*' for any."""
    who = rng.choice(WHO)
    from annotator.corpus.identity import clean_name

    mine = f"ws/corpus/annotations/{clean_name(who)}.yaml"
    pid, theme = rng.choice(PASSAGES), rng.choice(THEMES)
    roll = rng.randrange(12)
    if roll == 0:
        args = ["tag", pid, theme, "--as", who] + (["--comment", _text(rng)] if rng.random() < 0.4 else [])
        return args, {mine}
    if roll == 1:
        return ["untag", pid, theme, "--as", who], {mine}
    if roll == 2:
        return ["comment", pid, _text(rng), "--as", who] + (["--theme", theme] if rng.random() < 0.4 else []), {mine}
    if roll == 3:
        return ["theme", "add", _text(rng)[:80]] + (["--description", _text(rng)] if rng.random() < 0.5 else []), {
            "ws/corpus/themes.yaml"}
    if roll == 4:
        return ["theme", "describe", theme, _text(rng)], {"ws/corpus/themes.yaml"}
    if roll == 5:
        return ["theme", "rename", theme, _text(rng)[:60]], {"ws/corpus/themes.yaml"}
    if roll == 6:
        out = root / "out" / "export.json"
        return ["export", "--format", rng.choice(["json", "md", "csv"]), "-o", str(out)], {"out/export.json"}
    if roll == 7:
        path = root / "inputs" / "incoming.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = f"source: {{id: incoming}}\npassages:\n- id: in-1\n  text: {json.dumps(_text(rng))}\n  themes: [{theme}]\n"
        path.write_text(body, encoding="utf-8", errors="surrogatepass")
        return ["import", str(path)], {"*"}
    reading = [["show", pid, "--json"], ["themes", "--json"], ["search", rng.choice(fuzz_inputs.WORDS), "--json"],
               ["evidence", theme, "--json"], ["report", "--json"]]
    return rng.choice(reading), set()


# -- one case ------------------------------------------------------------------------------------


def listing(root: Path) -> dict[str, str]:
    """Every file and link under `root` but the index and the lock, with a digest of its bytes."""
    result = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("ws/index", "ws/.annotator.lock")) or path.is_dir() and not path.is_symlink():
            continue
        if path.is_symlink():
            result[rel] = "link:" + os.readlink(path)
        else:
            result[rel] = hashlib.sha1(path.read_bytes()).hexdigest()
    return result


def loads(root: Path) -> dict[str, object]:
    """Each corpus file read as the store reads it: its records, or the error's text."""
    from annotator.errors import AnnotatorError
    from annotator.corpus.model import SourceFile, themes_from_yaml
    from annotator.corpus.store import annotation_file_from_yaml
    from annotator.corpus.yamlio import read_yaml

    result = {}
    corpus = root / "ws" / "corpus"
    for path in sorted(corpus.rglob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        parse = (themes_from_yaml if path.name == "themes.yaml" and path.parent == corpus else
                 SourceFile.from_yaml if path.parent.name == "passages" else annotation_file_from_yaml)
        try:
            raw = read_yaml(path)
            result[rel] = parse(raw, path)
            if isinstance(raw, dict):
                result[rel].raw = raw  # the file as YAML reads it, for _kept_records
        except AnnotatorError as exc:
            result[rel] = exc
    return result


def run_cli(args: list[str], root: Path) -> tuple[int, str]:
    from annotator.cli import main

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(["--workspace", str(root / "ws"), *args])
        except SystemExit as exc:  # argparse refusing the arguments: usage and one error line
            code = exc.code
    return code, err.getvalue()


def check(args, may_change, code, err, before, after, loaded_before, loaded_after) -> list[str]:
    problems = []
    if len(err.strip().splitlines()) > 1 and code != 0 and not err.startswith("usage:"):
        problems.append(f"error is not one line: {err[:300]!r}")
    if code == 70 or "internal error" in err:
        problems.append(f"internal error: {err[:300]!r}")
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    if code != 0 and changed:
        problems.append(f"failed (exit {code}: {err.strip()[:200]!r}) yet changed {sorted(changed)}")
    outside = {k for k in changed if not k.startswith("ws/")} - may_change
    if outside:
        problems.append(f"touched outside the workspace: {sorted(outside)}")
    if "*" not in may_change and changed - may_change - outside:
        problems.append(f"changed files it does not name: {sorted(changed - may_change - outside)}")
    from annotator.errors import AnnotatorError

    for rel, value in loaded_after.items():
        if isinstance(value, AnnotatorError) and (rel in changed or not isinstance(loaded_before.get(rel), AnnotatorError)):
            problems.append(f"{rel} no longer loads: {value}")
    if code == 0 and args[0] in ("tag", "comment"):
        problems += _kept_records(loaded_before, loaded_after, changed)
    return problems


def _kept_records(before, after, changed) -> list[str]:
    """Every tag (with every field it had), memo and top-level field of a file written is still there."""
    from annotator.corpus.model import AnnotationFile

    problems = []
    for rel in changed:
        old, new = before.get(rel), after.get(rel)
        if not (isinstance(old, AnnotationFile) and isinstance(new, AnnotationFile)):
            continue
        old_raw, new_raw = _raw(old), _raw(new)
        if not set(old_raw) <= set(new_raw):
            problems.append(f"{rel}: fields lost: {sorted(set(old_raw) - set(new_raw))}")
        new_tags = {(str(t.get("passage")), str(t.get("theme"))): t for t in new_raw.get("tags") or []}
        for tag in old_raw.get("tags") or []:
            kept = new_tags.get((str(tag.get("passage")), str(tag.get("theme"))))
            if kept is None or not set(tag) <= set(kept):
                problems.append(f"{rel}: tag {tag.get('passage')}/{tag.get('theme')} or one of its fields lost")
        if len(new_raw.get("memos") or []) < len(old_raw.get("memos") or []):
            problems.append(f"{rel}: a memo lost")
    return problems


def _raw(records) -> dict:
    return getattr(records, "raw", None) or {}


def run_case(rng: random.Random, root: Path, counts: Counts) -> None:
    ws = root / "ws"
    shutil.rmtree(root, ignore_errors=True)
    (root / "outside").mkdir(parents=True)
    (root / "outside" / "keep.txt").write_text("not annotator's\n")
    shutil.copytree(FIXTURE, ws)
    mutated = []
    for _ in range(rng.randint(0, 2)):
        path = rng.choice(sorted((ws / "corpus").rglob("*.yaml")))
        name = rng.choice(list(MUTATIONS) if path.parent.name == "annotations" else
                          [m for m in MUTATIONS if m != "annotator_key"])
        stat = path.stat()
        path.write_bytes(MUTATIONS[name](rng, path.read_bytes()))
        if rng.random() < 0.5:  # `touch -d`, a checkout, a sync tool: the mtime set back
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        mutated.append(f"{name}({path.name})")
        counts.mutations[name] = counts.mutations.get(name, 0) + 1
    args, may_change = command(rng, root)
    before, loaded_before = listing(root), loads(root)
    counts.cases += 1
    try:
        code, err = run_cli(args, root)
    except Exception:  # noqa: BLE001 - a traceback is what this looks for
        _finding(counts, mutated, args, [traceback.format_exc()[-1500:]])
        return
    problems = check(args, may_change, code, err, before, listing(root), loaded_before, loads(root))
    if problems and args[0] in KNOWN_OPEN:
        counts.known += 1
    elif problems:
        _finding(counts, mutated, args, problems)
    elif code == 0:
        counts.ok += 1
    else:
        counts.refused += 1


def _finding(counts: Counts, mutated, args, problems) -> None:
    counts.findings += 1
    if len(counts.examples) < 8:
        shown = [a.encode("utf-8", "backslashreplace").decode() for a in args]
        counts.examples.append({"mutations": mutated, "command": shown, "problems": problems})


@contextlib.contextmanager
def isolated_environment(root: Path):
    """No real workspace, name or data folder; a bug shows its traceback."""
    saved = dict(os.environ)
    os.environ.pop("ANNOTATOR_WORKSPACE", None)
    os.environ.update(ANNOTATOR_NAME="tester", XDG_DATA_HOME=str(root / "xdg"), NO_COLOR="1",
                      ANNOTATOR_DEBUG="1", ANNOTATOR_SEMANTIC="0")
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run(cases: int = 100, seed: int = 0) -> Counts:
    counts = Counts()
    rng = random.Random(f"mutation-{seed}")
    scratch = Path(tempfile.mkdtemp(prefix="annotator-mutation-"))
    try:
        with isolated_environment(scratch):
            for _ in range(cases):
                run_case(rng, scratch / "root", counts)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    counts = run(args.cases, args.seed)
    report = dict(counts.__dict__, seconds=round(time.perf_counter() - start, 1))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 1 if counts.findings else 0


if __name__ == "__main__":
    sys.exit(main())
