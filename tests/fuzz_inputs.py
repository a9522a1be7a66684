"""Fuzz loop: throw bad input at every door annotator has, count tracebacks (there must be none).

Doors: corpus YAML files (themes, passages, annotations) as the store loads them,
imported YAML / text / Markdown / theme notes / Kindle clippings / annotator JSON /
REFI-QDA (.qdpx) files, and search queries. Each case must end in a sane result or
in an AnnotatorError (one clear line). Anything else, or a case that runs longer than
the time limit, counts as a traceback and is saved for replay.

Imports are also held to what a user would notice: a refused import leaves the corpus as it
was, a finished one keeps every theme's description and colour and writes only ids a terminal
can show. The `crafted` target sends the shapes that once got through (hostile or 300-character
ids, 5,000-digit numbers, 3,000 nested codes, sources sharing one member, a DOCTYPE, codes with
absent fields) and then checks that the CLI prints no control a terminal obeys; `export-output`
aims `export -o` at the corpus, the index, symlinks, a FIFO and a device node.

    python tests/fuzz_inputs.py --cases 10000          # spread over all targets
    python tests/fuzz_inputs.py --target query --cases 2000 --seed 3
    python tests/fuzz_inputs.py --big                  # also a 50 MB text import
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import random
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
CASE_TIME_LIMIT_S = 20
RESET_EVERY = 150

WORDS = ("the keeper light boat letter storm memory hope loss friend island brother Hailsham sketching "
         "Chapter ch. page Location Highlight Note Bookmark Added on id text theme passages source").split()
NASTY = [
    "", " ", "\x00", "\x1b[2J", "[red]x[/]", "[bold]", "\u202e", "\ufeff", "\ud7ff", "💥", "ﷺ", "\t", "\r", "\r\n",
    "\x85", "\u2028", "'", '"', "\\", "%s", "{0}", "${x}", "../../etc/passwd", "=cmd|' /C calc'!A0", "&a", "*a",
    "!!python/object/apply:os.system ['echo pwned']", "!!binary aGk=", "---", "...", "? ", ": ", "- ", "#", "|", ">",
    "<", "&amp;", "<![CDATA[", "]]>", "NaN", "-1", "1e309", "0x1F", "True", "null", "~", "~~", "*", "?", "(", ")",
    '"unclosed', "AND", "OR", "NOT", "-", "theme:", "source:", "kind:", "[a TO z]", "{", "}", "^", "x" * 300,
]


def nasty_text(rng: random.Random, max_words: int = 12) -> str:
    pieces = []
    for _ in range(rng.randint(0, max_words)):
        roll = rng.random()
        if roll < 0.4:
            pieces.append(rng.choice(WORDS))
        elif roll < 0.7:
            pieces.append(rng.choice(NASTY))
        elif roll < 0.9:
            pieces.append("".join(chr(rng.choice((rng.randrange(32, 127), rng.randrange(0x80, 0x3000), rng.randrange(0x1F300, 0x1FAFF)))) for _ in range(rng.randint(1, 8))))
        else:
            pieces.append("".join(chr(rng.randrange(0, 0x110000)) for _ in range(rng.randint(1, 4))).encode("utf-8", "replace").decode("utf-8", "replace"))
    return rng.choice((" ", "", "\n", "  ")).join(pieces)


def random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        return rng.choice([
            nasty_text(rng), rng.randint(-10**20, 10**20), rng.random() * 1e10, True, False, None,
            "a" * rng.choice((1, 10, 1000, 1000, 20_000)), rng.choice(WORDS), "lh-00" + str(rng.randint(0, 20)),
        ])
    if roll < 0.7:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    keys = ["id", "name", "text", "location", "description", "color", "parent", "source", "passages", "tags",
            "memos", "themes", "passage", "theme", "at", "comment", "annotator", "title", "author"]
    return {rng.choice(keys) if rng.random() < 0.8 else nasty_text(rng, 2): random_value(rng, depth + 1) for _ in range(rng.randint(0, 6))}


def dump(data, allow_unicode: bool = True) -> str:
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=allow_unicode)


def mutate_text(rng: random.Random, text: str, edits: int | None = None) -> str:
    chars = list(text)
    for _ in range(edits if edits is not None else rng.randint(1, 12)):
        if not chars:
            chars.append(rng.choice(NASTY))
            continue
        i = rng.randrange(len(chars))
        roll = rng.random()
        if roll < 0.3:
            del chars[i : i + rng.randint(1, 40)]
        elif roll < 0.7:
            chars.insert(i, rng.choice(NASTY + [":", "-", "\n", "  ", "\t", "&x ", "*x ", "[", "]", "{", "}", "\"", "'"]))
        elif roll < 0.85:
            chars[i] = chr(rng.randrange(0, 0x3000))
        else:  # duplicate a slice: duplicate ids and keys
            j = rng.randrange(len(chars))
            chars[i:i] = chars[j : j + rng.randint(1, 400)]
    return "".join(chars)


def alias_bomb(rng: random.Random, width: int | None = None, depth: int | None = None) -> str:
    width = width or rng.randint(2, 12)
    depth = depth or rng.randint(2, 10)
    lines = [f'l0: &l0 [{",".join(["lol"] * width)}]']
    for n in range(1, depth):
        lines.append(f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * width)}]")
    top = f"*l{depth - 1}"
    shape = rng.choice((
        f"passages:\n  - id: p1\n    text: boom\n    themes: {top}\n",
        f"passages:\n  - id: p1\n    text: {top}\n",
        f"source:\n  id: bomb\n  title: {top}\npassages:\n  - id: p1\n    text: boom\n",
        f"- id: hope\n  name: {top}\n",
        f"annotator: x\ntags: {top}\n",
        f"passages: {top}\n",
    ))
    return "\n".join(lines) + "\n" + shape


# -- workspaces ------------------------------------------------------------------------------


class Context:
    """One scratch workspace per target, reset every RESET_EVERY cases."""

    def __init__(self, root: Path):
        self.root = root
        self.count = 0
        self.session = None
        self.reset()

    def reset(self) -> None:
        from annotator.session import Session

        if self.session is not None:
            self.session.close()
        ws = self.root / "ws"
        shutil.rmtree(ws, ignore_errors=True)
        shutil.copytree(FIXTURES / "workspace", ws)
        self.ws = ws
        self.session = Session.open(ws)
        self.session.sync()

    def tick(self) -> None:
        self.count += 1
        if self.count % RESET_EVERY == 0:
            self.reset()

    def input_file(self, name: str, data: bytes) -> Path:
        path = self.root / "inputs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


# -- targets: each builds one input and exercises annotator with it ----------------------------


def case_corpus_yaml(rng: random.Random, ctx: Context):
    """A corpus file as the store meets it: hand-edited, mangled, hostile."""
    from annotator.corpus.store import Store

    which = rng.choice(("themes", "passages", "annotations"))
    base = {
        "themes": FIXTURES / "workspace" / "corpus" / "themes.yaml",
        "passages": FIXTURES / "workspace" / "corpus" / "passages" / "lighthouse.yaml",
        "annotations": FIXTURES / "workspace" / "corpus" / "annotations" / "alice.yaml",
    }[which]
    roll = rng.random()
    if roll < 0.35:
        text = mutate_text(rng, base.read_text(encoding="utf-8"))
    elif roll < 0.6:
        text = dump(random_value(rng), allow_unicode=rng.random() < 0.5)
    elif roll < 0.7:
        text = alias_bomb(rng)
    elif roll < 0.8:
        text = base.read_text(encoding="utf-8") + mutate_text(rng, base.read_text(encoding="utf-8"), 2)  # duplicates
    else:
        text = nasty_text(rng, 40)
    raw = text.encode("utf-8", "surrogatepass") if rng.random() < 0.9 else bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
    target = {
        "themes": ctx.ws / "corpus" / "themes.yaml",
        "passages": ctx.ws / "corpus" / "passages" / "fuzz.yaml",
        "annotations": ctx.ws / "corpus" / "annotations" / "fuzz.yaml",
    }[which]
    original = target.read_bytes() if target.exists() else None
    target.write_bytes(raw)
    try:
        store = Store(ctx.session.store.ws)
        store.themes()
        store.sources()
        store.all_annotations()
        ctx.session.sync()
        ctx.session.search("light", limit=5)
        return "ok"
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)


def _import(ctx: Context, name: str, data: bytes, **options):
    """Import the input; a refused import must have written nothing, a finished one must have
    kept every theme's description and colour and written only ids a terminal can show."""
    from annotator.errors import AnnotatorError
    from annotator.exchange.importers import import_source

    path = ctx.input_file(name, data)
    before = corpus_signature(ctx.ws)
    themes_before = {t.id: copy.copy(t) for t in ctx.session.store.themes()}  # the store's own objects are edited in place
    try:
        report = import_source(ctx.session.store, path, annotator="fuzz", resolve_theme=ctx.session.resolve_theme, **options)
    except AnnotatorError:
        changed = sorted(set(before.items()) ^ set(corpus_signature(ctx.ws).items()))
        if changed:
            raise AssertionError(f"a refused import changed the corpus: {sorted({name for name, _ in changed})}") from None
        raise
    check_after_import(ctx, themes_before)
    ctx.session.sync()
    return report


def corpus_signature(ws: Path) -> dict[str, tuple[int, int, int]]:
    """Every corpus file by (size, mtime, inode): an atomic write changes the inode."""
    signature = {}
    for path in sorted((ws / "corpus").rglob("*")):
        if path.is_file():
            st = path.stat()
            signature[str(path.relative_to(ws))] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return signature


def check_after_import(ctx: Context, themes_before: dict) -> None:
    from annotator.exchange.importers.checks import passage_id_problem

    for sf in ctx.session.store.sources():
        for passage in sf.passages:
            problem = passage_id_problem(passage.id)
            if problem and sf.source.id != "lighthouse":
                raise AssertionError(f"an import wrote passage id {passage.id[:80]!r}, which {problem}")
    after = {t.id: t for t in ctx.session.store.themes()}
    for theme_id, theme in themes_before.items():
        now = after.get(theme_id)
        if now is None:
            raise AssertionError(f"an import removed theme {theme_id!r}")
        for field_name in ("description", "color"):
            if getattr(theme, field_name) and not getattr(now, field_name):
                raise AssertionError(f"an import emptied the {field_name} of theme {theme_id!r}")


def case_import_yaml(rng: random.Random, ctx: Context):
    roll = rng.random()
    if roll < 0.4:
        data = {"source": {"id": rng.choice(("fz", "fz-2", nasty_text(rng, 1))), "title": random_value(rng)},
                "passages": [random_value(rng) if rng.random() < 0.3 else
                             {"id": rng.choice((f"fz-{i}", random_value(rng))), "text": random_value(rng) if rng.random() < 0.3 else nasty_text(rng, 30) or "x",
                              "location": random_value(rng), "themes": random_value(rng) if rng.random() < 0.5 else [rng.choice(("hope", "Memory", "nope", nasty_text(rng, 1)))]}
                             for i in range(rng.randint(0, 8))]}
        text = dump(data, allow_unicode=True)
    elif roll < 0.6:
        text = dump(random_value(rng), allow_unicode=True)
    elif roll < 0.75:
        text = mutate_text(rng, (FIXTURES / "workspace" / "corpus" / "passages" / "lighthouse.yaml").read_text(encoding="utf-8").replace("lighthouse", "fzsrc").replace("lh-", "fz-"))
    elif roll < 0.85:
        text = alias_bomb(rng)
    else:
        text = nasty_text(rng, 50)
    _import(ctx, rng.choice(("fuzz.yaml", "fuzz.yml", "Fuzz Passages.YAML")), text.encode("utf-8", "surrogatepass"))
    return "ok"


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "cp1251",
             "koi8-r", "shift_jis", "euc-jp", "gb2312", "big5", "euc-kr", "mac_roman", "cp437", "iso8859-7"]


def text_bytes(rng: random.Random, shaped: str = "text") -> bytes:
    roll = rng.random()
    if roll < 0.15:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
    if roll < 0.25:
        return b"\x00".join(nasty_text(rng, 20).encode("utf-8", "replace") for _ in range(rng.randint(1, 5)))
    paragraphs = []
    for _ in range(rng.randint(0, 20)):
        kind = rng.random()
        if kind < 0.15:
            paragraphs.append(rng.choice(("# ", "## ", "Chapter ", "CHAPTER XIV", "Part ", "")) + nasty_text(rng, 4))
        elif kind < 0.2:
            paragraphs.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(200, 2000))))  # no sentence ends
        elif kind < 0.25:
            paragraphs.append(("word " * rng.randint(1, 5)) * rng.randint(1, 3000))
        else:
            paragraphs.append(nasty_text(rng, 60))
    text = rng.choice(("\n\n", "\r\n\r\n", "\r\r", "\n \n", "\n")).join(paragraphs)
    if shaped == "notes" and rng.random() < 0.7:
        text = "Study Guide\n\n" + "\n\n".join(f"{nasty_text(rng, 3)}\n\n{nasty_text(rng, 40)}" for _ in range(rng.randint(1, 8)))
    encoding = rng.choice(ENCODINGS)
    return text.encode(encoding, errors=rng.choice(("replace", "ignore")))


def case_text(rng: random.Random, ctx: Context):
    name = rng.choice(("fuzz.txt", "fuzz.md", "Fuzz Notes.markdown", "fuzz", "fuzz.TXT"))
    options = {"source_id": rng.choice((None, "fz", nasty_text(rng, 1) or None))}
    _import(ctx, name, text_bytes(rng), **options)
    return "ok"


def case_theme_notes(rng: random.Random, ctx: Context):
    from annotator.exchange.importers import import_theme_notes

    if rng.random() < 0.3:
        data = mutate_text(rng, (FIXTURES / "theme-notes.txt").read_text(encoding="utf-8")).encode("utf-8", "surrogatepass")
    else:
        data = text_bytes(rng, "notes")
    import_theme_notes(ctx.session.store, ctx.input_file("notes.txt", data))
    ctx.session.sync()
    ctx.session.search("hope", limit=3)
    return "ok"


def kindle_text(rng: random.Random) -> str:
    clippings = []
    for _ in range(rng.randint(0, 12)):
        title = rng.choice(("Never Let Me Go (Kazuo Ishiguro)", "The Lighthouse Keeper", "", nasty_text(rng, 3) + " (" + nasty_text(rng, 2) + ")", "(()", "Title (A) (B)"))
        kind = rng.choice(("Highlight", "Note", "Bookmark", "Clip", nasty_text(rng, 1)))
        where = rng.choice((
            f"on page {rng.randint(-5, 10**12)}", f"on page {rng.choice(('xiv', 'MMXX', 'iv-vi', '12-3'))}",
            f"at location {rng.randint(0, 10**15)}-{rng.randint(0, 99)}", f"on Location {rng.randint(0, 9999)}",
            "", nasty_text(rng, 2),
        ))
        meta = f"- Your {kind} {where} | Added on {rng.choice(('Monday, 1 January 2024 10:00:00', nasty_text(rng, 3)))}"
        body = rng.choice((nasty_text(rng, 40), "", "<You have reached the clipping limit for this item>", "\n\n\n"))
        clippings.append(f"{title}\n{meta}\n\n{body}")
        if rng.random() < 0.2:
            clippings.append(clippings[-1])  # re-highlight, duplicate
    separator = rng.choice(("\n==========\n", "\r\n==========\r\n", "\n=========\n", "\n" + "=" * 30 + "\n"))
    text = separator.join(clippings) + rng.choice((separator, "", "\n"))
    return mutate_text(rng, text) if rng.random() < 0.3 else text


def case_kindle(rng: random.Random, ctx: Context):
    data = kindle_text(rng).encode(rng.choice(("utf-8", "utf-8-sig", "utf-16")), "replace")
    _import(ctx, rng.choice(("My Clippings.txt", "clippings.txt")), data, source_id=rng.choice((None, None, "kn")))
    return "ok"


_VALID_EXPORT: list = []


def mutate_structure(rng: random.Random, data, edits: int = 3):
    """Replace, drop or duplicate a few values at random places in a JSON-like structure."""
    for _ in range(edits):
        node, path = data, []
        while isinstance(node, (dict, list)) and node and rng.random() < 0.75:
            key = rng.choice(list(node)) if isinstance(node, dict) else rng.randrange(len(node))
            path.append((node, key))
            node = node[key]
        if not path:
            return random_value(rng)
        parent, key = path[-1]
        roll = rng.random()
        if roll < 0.6:
            parent[key] = random_value(rng)
        elif roll < 0.8 and isinstance(parent, dict):
            del parent[key]
        elif isinstance(parent, list):
            parent.append(parent[key])  # a duplicate record: duplicate ids
    return data


def case_annotator_json(rng: random.Random, ctx: Context):
    if not _VALID_EXPORT:
        from annotator.exchange.exports import export

        _VALID_EXPORT.append(export(ctx.session, "json").decode("utf-8"))
    data = json.loads(_VALID_EXPORT[0])
    data = mutate_structure(rng, data, rng.randint(1, 6)) if rng.random() < 0.85 else random_value(rng)
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.15:
        text = mutate_text(rng, text)
    _import(ctx, "fuzz.json", text.encode("utf-8", "surrogatepass"))
    return "ok"


_VALID_QDPX: dict[str, bytes] = {}


def valid_qdpx_members(ctx: Context) -> dict[str, bytes]:
    if not _VALID_QDPX:
        from annotator.exchange.qdpx import write_qdpx

        blob = write_qdpx(ctx.session, [t.id for t in ctx.session.themes()])
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            _VALID_QDPX.update({name: archive.read(name) for name in archive.namelist()})
    return dict(_VALID_QDPX)


XML_BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>')


def qdpx_bytes(rng: random.Random, ctx: Context) -> bytes:
    members = valid_qdpx_members(ctx)
    roll = rng.random()
    if roll < 0.1:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
    if roll < 0.45:
        xml = members["project.qde"].decode("utf-8")
        if rng.random() < 0.5:
            for attr in ("startPosition", "endPosition", "guid", "targetGUID", "plainTextPath", "name", "color"):
                if rng.random() < 0.3:
                    xml = xml.replace(f'{attr}="', f'{attr}="{rng.choice(NASTY[:40]).replace(chr(34), "")}', 1)
        else:
            xml = mutate_text(rng, xml, rng.randint(1, 6))
        members["project.qde"] = xml.encode("utf-8", "surrogatepass")
    elif roll < 0.55:
        members["project.qde"] = rng.choice((XML_BOMB, XXE, b"", b"<Project/>", b"<NotAProject/>"))
    elif roll < 0.7:
        name = rng.choice(("../evil.txt", "/abs/evil.txt", "sources/../../x.txt", "C:/x.txt", "a\\..\\b.txt", "sources/" + "d/" * 60 + "x.txt"))
        members[name] = b"evil"
    elif roll < 0.78:
        members = {k: v for k, v in members.items() if not k.startswith("sources/") or rng.random() < 0.5}
        for key in list(members):
            if key.startswith("sources/") and rng.random() < 0.5:
                members[key] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
    elif roll < 0.85:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
            archive.writestr("sources/bomb.txt", b"\x00" * rng.choice((2, 70)) * 1024 * 1024)
        return buffer.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", rng.choice((zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED))) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    blob = buffer.getvalue()
    if rng.random() < 0.15:  # truncated or bit-flipped archive
        cut = bytearray(blob[: rng.randrange(len(blob) + 1)])
        for _ in range(rng.randint(0, 5)):
            if cut:
                cut[rng.randrange(len(cut))] = rng.randrange(256)
        blob = bytes(cut)
    return blob


def case_qdpx(rng: random.Random, ctx: Context):
    _import(ctx, "fuzz.qdpx", qdpx_bytes(rng, ctx))
    return "ok"


QUERY_PIECES = ['"', "(", ")", "*", "?", "~", "~2", "^", "-", "+", "AND", "OR", "NOT", "ANDNOT", "theme:", "source:",
                "kind:", "untagged", "theme:hope", "theme:*", "source:lighthouse", "kind:note", "[", "]", "{", "}",
                "TO", ":", "\\", "'", "/", "<", ">", "=", "!", "&&", "||", "sketch*", "*ing", "hop~", '"the light',
                "letter", "boat", "Hailsham", "light*", "a" * 500]


def random_query(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(("*", "?", "~", '"', "(", ")", "-", "NOT", "AND", "OR", "", " ", "theme:", "*:*", '""', "()", "\x00"))
    if roll < 0.1:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(200, 3000)))  # very long
    if roll < 0.4:
        return nasty_text(rng, 10)
    sep = rng.choice((" ", "", "  "))
    return sep.join(rng.choice(QUERY_PIECES + WORDS) for _ in range(rng.randint(1, 12)))


def case_query(rng: random.Random, ctx: Context):
    """Any query searches: never an error, offsets inside the text."""
    query = random_query(rng)
    result = ctx.session.search(query, limit=rng.choice((1, 20)), as_you_type=rng.random() < 0.5)
    for hit in result.hits:
        for start, end in hit.matches:
            if not 0 <= start < end <= len(hit.text):
                raise AssertionError(f"match offsets [{start}, {end}] outside a text of {len(hit.text)} chars")
    return "ok"


# -- crafted: the shapes an attacker (or an unlucky tool) sends a class ---------------------------

HUGE_INT = "9" * 5000  # past Python's 4,300-digit limit for int()
HOSTILE_STRINGS = ["x\\x1b]2;PWNED\\x07", "x\\u202eevil", "note:hope", "a" * 300, "x\\x1b[2J", "x\\u2066y", "x\\x9b31m"]


def hostile_string(rng: random.Random) -> str:
    # Written as escapes above so this file stays printable; decoded here.
    return rng.choice(HOSTILE_STRINGS).encode("ascii").decode("unicode_escape")


def crafted_json(rng: random.Random, ctx: Context) -> tuple[str, bytes]:
    from annotator.exchange.exports import export

    data = json.loads(export(ctx.session, "json").decode("utf-8"))
    data["themes"].append({"id": "crafted-new", "name": "Crafted", "description": ""})
    first = data["sources"][0]["passages"][0]["id"] if data["sources"] and data["sources"][0]["passages"] else "lh-001"
    data["annotations"].append({"annotator": "crafted", "tags": [{"passage": first, "theme": "hope", "at": ""}]})
    shape = rng.choice(("source-id", "passage-id", "tag-passage", "absent-fields", "huge-int", "shared-ids", "deep"))
    if shape == "source-id" and data["sources"]:
        rng.choice(data["sources"])["source"]["id"] = rng.choice(("a" * 101, "a" * 300, "b" * 5000, hostile_string(rng)))
    elif shape == "passage-id" and data["sources"] and data["sources"][-1]["passages"]:
        rng.choice(data["sources"][-1]["passages"])["id"] = hostile_string(rng)
    elif shape == "tag-passage":
        data["annotations"][-1]["tags"][0]["passage"] = hostile_string(rng)
    elif shape == "absent-fields":  # a theme that exists, with no description or colour
        data["themes"] = [{"id": rng.choice(("hope", "memory")), "name": rng.choice(("Hope", "Memory", "HOPE"))}]
    elif shape == "shared-ids" and data["sources"]:
        clone = json.loads(json.dumps(data["sources"][0]))
        clone["source"]["id"] = "crafted-clone"
        data["sources"].append(clone)
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    if shape == "deep":
        depth = rng.choice((500, 5000, 100_000))
        text = text.replace('"themes": [', '"themes": [' + "[" * depth + "]" * depth + ", ", 1)
    if shape == "huge-int":
        text = text.replace('"version": 1', '"version": ' + HUGE_INT) if rng.random() < 0.3 else text.replace('"at": ""', '"at": ' + HUGE_INT, 1)
    return "crafted.json", text.encode("utf-8", "surrogatepass")


def crafted_yaml(rng: random.Random, ctx: Context) -> tuple[str, bytes]:
    field_name = rng.choice(("id", "location", "text", "themes", "source-id", "title"))
    value = HUGE_INT if rng.random() < 0.5 else json.dumps(hostile_string(rng))  # JSON strings are YAML strings
    passage = {"id": "cr-1", "text": "hello", "location": "ch. 1", "themes": "[hope]"}
    source = {"id": "crafted", "title": "Crafted"}
    if field_name in passage:
        passage[field_name] = value
    else:
        source[field_name.replace("source-", "")] = value
    lines = ["source:"] + [f"  {k}: {v}" for k, v in source.items()] + ["passages:"]
    lines += [f"  - {k}: {v}" if i == 0 else f"    {k}: {v}" for i, (k, v) in enumerate(passage.items())]
    return "crafted.yaml", ("\n".join(lines) + "\n").encode("utf-8")


def crafted_kindle(rng: random.Random, ctx: Context) -> tuple[str, bytes]:
    title = rng.choice(("Book (Author)", f"{hostile_string(rng)} (Author)", "a" * 300))
    where = rng.choice((f"Location {HUGE_INT}-2", f"Location 12-{HUGE_INT}", f"page {HUGE_INT}", "Location 10-12"))
    text = f"{title}\r\n- Your Highlight on {where} | Added on Monday\r\n\r\nSome text {hostile_string(rng)}\r\n==========\r\n"
    return "My Clippings.txt", text.encode("utf-8")


def _qdpx(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _guid(n: int) -> str:
    return f"00000000-0000-0000-0000-{n:012d}"


def _xml_hostile(rng: random.Random) -> str:
    # XML 1.0 carries no C0 control, not even as &#x1b;: the 8-bit CSI (C1) and bidi controls it does carry.
    return hostile_string(rng).replace("\x1b", "\x9b").replace("\x07", "\x9c")


def crafted_qdpx(rng: random.Random, ctx: Context) -> tuple[str, bytes]:
    from xml.sax.saxutils import quoteattr

    shape = rng.choice(("nested", "theme-order", "long-ids", "shared-member", "doctype", "hostile-names", "absent-fields"))
    head = '<Project xmlns="urn:QDA-XML:project:1.0" name="crafted">'
    ids: dict = {}
    members: dict[str, str | bytes] = {}
    codes = '<CodeBook><Codes><Code guid="%s" name="Hope" isCodable="true"/></Codes></CodeBook>' % _guid(1)
    sources = f'<Sources><TextSource guid="{_guid(2)}" name="Interview" plainTextPath="internal://one.txt">' \
              f'<PlainTextSelection guid="{_guid(3)}" name="q1" startPosition="0" endPosition="5"/></TextSource></Sources>'
    members["sources/one.txt"] = "Hello world, a shared text.\n\n" * rng.choice((1, 100, 2000))
    if shape == "nested":
        depth = rng.choice((50, 101, 1000, 3000))
        opened = "".join(f'<Code guid="{_guid(100 + n)}" name="c{n}" isCodable="true">' for n in range(depth))
        codes = f"<CodeBook><Codes>{opened}{'</Code>' * depth}</Codes></CodeBook>"
    elif shape == "theme-order":
        ids = {"theme_order": rng.choice(([{}], [[]], [1, None], "hope", None, {"a": 1})), "themes": rng.choice(({_guid(1): "hope"}, {_guid(1): {}}, []))}
        if rng.random() < 0.3:
            members["annotator.json"] = "[" * 100_000 + "]" * 100_000
    elif shape == "long-ids":
        ids = {"sources": {_guid(2): {"id": rng.choice(("a" * 300, hostile_string(rng), 5))}}, "themes": {_guid(1): rng.choice(("h" * 300, hostile_string(rng)))}}
    elif shape == "shared-member":
        count = rng.choice((2, 50, 200))
        sources = "<Sources>" + "".join(
            f'<TextSource guid="{_guid(1000 + n)}" name="copy {n}" plainTextPath="internal://one.txt"/>' for n in range(count)
        ) + "</Sources>"
    elif shape == "doctype":
        head = rng.choice(('<!DOCTYPE Project SYSTEM "http://example.com/p.dtd">', "<!DOCTYPE Project []>")) + head
    elif shape == "hostile-names":
        title, name, location = (quoteattr(_xml_hostile(rng)) for _ in range(3))
        sources = f'<Sources><TextSource guid="{_guid(2)}" name={title} plainTextPath="internal://one.txt">' \
                  f'<PlainTextSelection guid="{_guid(3)}" name={name} startPosition="0" endPosition="5">' \
                  f'<Description>{location[1:-1]}</Description></PlainTextSelection></TextSource></Sources>'
    elif shape == "absent-fields":
        codes = '<CodeBook><Codes><Code guid="%s" name="%s" isCodable="true"/></Codes></CodeBook>' % (_guid(1), rng.choice(("Hope", "Memory", "Loss")))
    members["project.qde"] = f"{head}{codes}{sources}</Project>"
    if ids and "annotator.json" not in members:
        members["annotator.json"] = json.dumps(ids)
    return "crafted.qdpx", _qdpx(members)


RAW_ON_A_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_terminal_output(ctx: Context) -> None:
    """What the CLI prints for the workspace, as a person reads it, holds no control a terminal obeys."""
    from contextlib import redirect_stderr, redirect_stdout

    from annotator.cli import main as cli_main

    ids = [p.id for sf in ctx.session.store.sources() for p in sf.passages][-3:]
    commands = [["search", "hello", "text", "light"], ["themes"], ["evidence", "hope"], ["report"]]
    commands += [["show", pid] for pid in ids] + [["show", pid, "--quote"] for pid in ids[-1:]]
    if "crafted" in ctx.session.store.annotators():
        commands.append(["agreement", "fuzz", "crafted"])
    for command in commands:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli_main(["--workspace", str(ctx.ws), *command])
        if code not in (0, 1, 2, 3):
            raise AssertionError(f"annotator {command[0]} exited {code}: {err.getvalue()[:300]}")
        raw = RAW_ON_A_TERMINAL.search(out.getvalue() + err.getvalue())
        if raw:
            raise AssertionError(f"annotator {command[0]} printed a raw control {raw.group()!r}")


CRAFTED = [crafted_json, crafted_yaml, crafted_kindle, crafted_qdpx]


def case_crafted(rng: random.Random, ctx: Context):
    """Inputs of the shapes that once got through: long or hostile ids, huge numbers, nested codes,
    sources sharing one member, a DOCTYPE, codes with fields absent; then the CLI's output checked."""
    from annotator.exchange import qdpx

    name, data = rng.choice(CRAFTED)(rng, ctx)
    limit = qdpx.MAX_PROJECT_TEXT
    qdpx.MAX_PROJECT_TEXT = 200_000  # the shared-member shape reaches it in a few MB, not 64
    try:
        report = _import(ctx, name, data)
    finally:
        qdpx.MAX_PROJECT_TEXT = limit
    imported = set(report.source_id.split(", "))
    total = sum(len(p.text) for sf in ctx.session.store.sources() if sf.source.id in imported for p in sf.passages)
    if name.endswith(".qdpx") and total > 200_000:
        raise AssertionError(f"a project expanded to {total:,} characters past the limit")
    check_terminal_output(ctx)
    return "ok"


def _special_output(rng: random.Random, ctx: Context) -> tuple[Path, Callable[[], None]]:
    """An -o path of a dangerous shape, and a check that what it names is intact afterwards."""
    corpus = ctx.ws / "corpus"
    scratch = ctx.root / "outputs"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    shape = rng.choice(("corpus-file", "corpus-new", "index", "dotdot", "link-into-corpus", "link-out", "fifo", "dev-null", "dir"))
    nothing = lambda: None  # noqa: E731
    if shape == "corpus-file":
        return rng.choice(sorted(p for p in corpus.rglob("*.yaml"))), nothing
    if shape == "corpus-new":
        return corpus / "passages" / "new.md", nothing
    if shape == "index":
        return ctx.ws / "index" / rng.choice(("x.md", "MAIN_WRITELOCK")), nothing
    if shape == "dotdot":
        return ctx.ws / "reports" / ".." / "corpus" / "themes.yaml", nothing
    if shape == "link-into-corpus":
        link = scratch / "evidence.md"
        link.symlink_to(corpus / "themes.yaml")
        return link, lambda: link.is_symlink() or _raise("the symlink was replaced")
    if shape == "link-out":
        target = scratch / "target.md"
        target.write_text("old")
        link = scratch / "link.md"
        link.symlink_to(target)

        def followed():
            if not link.is_symlink() or target.read_text() == "old":
                _raise("the symlink was replaced, or its target not written")
        return link, followed
    if shape == "fifo":
        fifo = scratch / "pipe"
        os.mkfifo(fifo)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)

        def still_fifo():
            os.close(reader)
            if not stat.S_ISFIFO(os.stat(fifo).st_mode):
                _raise("the FIFO was replaced")
        return fifo, still_fifo
    if shape == "dev-null":  # the null device under another name: never the real /dev/null, which a bug would replace
        device = scratch / "null"
        try:
            os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:  # not root: no device can be replaced either
            return scratch / "plain.md", nothing
        return device, lambda: stat.S_ISCHR(os.stat(device).st_mode) or _raise("the device was replaced")
    return scratch, nothing  # a folder: refused in one line


def _raise(message: str):
    raise AssertionError(message)


def case_export_output(rng: random.Random, ctx: Context):
    """`export -o` at a path that must not be replaced: nothing in the corpus changes, specials stay."""
    from annotator.exchange.exports import export, write_file

    path, intact = _special_output(rng, ctx)
    before = corpus_signature(ctx.ws)
    data = export(ctx.session, rng.choice(("md", "csv", "json")))
    try:
        write_file(path, data[:4096], protected=[ctx.ws / "corpus", ctx.ws / "index"])
    finally:
        intact()
        if corpus_signature(ctx.ws) != before:
            raise AssertionError(f"export -o {path} changed the corpus")
    return "ok"


TARGETS = {
    "corpus-yaml": case_corpus_yaml,
    "import-yaml": case_import_yaml,
    "text": case_text,
    "theme-notes": case_theme_notes,
    "kindle": case_kindle,
    "annotator-json": case_annotator_json,
    "qdpx": case_qdpx,
    "query": case_query,
    "crafted": case_crafted,
    "export-output": case_export_output,
}
# Queries never fail; every other target may end in a clear AnnotatorError.
ERRORS_ALLOWED = {name: name != "query" for name in TARGETS}


# -- the loop --------------------------------------------------------------------------------


class CaseTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    def expire(*_args):
        raise CaseTimeout(f"case ran longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class TargetCount:
    cases: int = 0
    ok: int = 0
    clean_errors: int = 0
    tracebacks: int = 0
    skipped: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)


def bad_error_message(exc) -> str | None:
    """What is wrong with an AnnotatorError as the user would see it, or None."""
    from annotator.cli.output import format_error

    shown = format_error(str(exc))
    if not str(exc).strip():
        return "empty error message"
    if "\n" in shown or len(shown) > 1000:
        return f"error is not one short line ({len(shown)} chars)"
    if "Traceback" in shown:
        return "error message holds a traceback"
    return None


def run_case(name: str, rng: random.Random, ctx: Context, count: TargetCount, save_dir: Path | None) -> None:
    from annotator.errors import AnnotatorError

    count.cases += 1
    started = time.perf_counter()
    try:
        with time_limit(CASE_TIME_LIMIT_S):
            outcome = TARGETS[name](rng, ctx)
        if outcome == "skipped":
            count.skipped += 1
        else:
            count.ok += 1
    except AnnotatorError as exc:
        problem = None if ERRORS_ALLOWED[name] else "a query must never fail"
        problem = problem or bad_error_message(exc)
        if problem is None:
            count.clean_errors += 1
            return
        _failed(count, name, f"{problem}: {str(exc)[:300]!r}", ctx, save_dir)
    except Exception:  # noqa: BLE001 - counting exactly these is the point
        _failed(count, name, traceback.format_exc(), ctx, save_dir)
    finally:
        count.seconds = round(count.seconds + time.perf_counter() - started, 2)
        ctx.tick()


def _failed(count: TargetCount, name: str, detail: str, ctx: Context, save_dir: Path | None) -> None:
    count.tracebacks += 1
    if len(count.examples) < 5:
        count.examples.append(detail[-2500:])
    if save_dir is not None:
        save_dir.mkdir(parents=True, exist_ok=True)
        inputs = ctx.root / "inputs"
        for path in inputs.glob("*") if inputs.exists() else ():
            shutil.copy(path, save_dir / f"{name}-{count.cases}-{path.name}")
    try:
        ctx.reset()  # a failure may leave the workspace in any state; start the next case clean
    except Exception:  # noqa: BLE001
        pass


def run(cases: int = 10_000, seed: int = 0, targets=None, save_dir: Path | None = None) -> dict[str, TargetCount]:
    """Spread `cases` over the targets, round robin; returns the counts per target."""
    names = list(targets or TARGETS)
    counts = {name: TargetCount() for name in names}
    scratch = Path(tempfile.mkdtemp(prefix="annotator-fuzz-"))
    try:
        contexts = {name: Context(scratch / name) for name in names}
        rngs = {name: random.Random(f"{seed}-{name}") for name in names}
        for i in range(cases):
            name = names[i % len(names)]
            run_case(name, rngs[name], contexts[name], counts[name], save_dir)
        for ctx in contexts.values():
            ctx.session.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return counts


def big_text_import(megabytes: int = 50) -> TargetCount:
    """One import of a text file of the given size: a result or a clear error, within memory."""
    count = TargetCount()
    scratch = Path(tempfile.mkdtemp(prefix="annotator-fuzz-big-"))
    try:
        ctx = Context(scratch)
        rng = random.Random(50)
        paragraph = " ".join(rng.choice(WORDS) for _ in range(80)) + ".\n\n"
        data = (paragraph * (megabytes * 1024 * 1024 // len(paragraph) + 1)).encode("utf-8")[: megabytes * 1024 * 1024]

        def big(rng, ctx):
            _import(ctx, "big.txt", data)
            return "ok"

        TARGETS["big-text"] = big
        ERRORS_ALLOWED["big-text"] = True
        global CASE_TIME_LIMIT_S
        limit, CASE_TIME_LIMIT_S = CASE_TIME_LIMIT_S, 1800
        try:
            run_case("big-text", rng, ctx, count, None)
        finally:
            CASE_TIME_LIMIT_S = limit
            del TARGETS["big-text"]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", action="append", choices=list(TARGETS), help="only these targets (repeatable)")
    parser.add_argument("--big", action="store_true", help="also import one 50 MB text file")
    parser.add_argument("--save", metavar="DIR", help="save the inputs of failing cases here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    counts = run(args.cases, args.seed, args.target, Path(args.save) if args.save else None)
    if args.big:
        counts["big-text-50MB"] = big_text_import(50)
    total = TargetCount()
    for count in counts.values():
        for key in ("cases", "ok", "clean_errors", "tracebacks", "skipped", "seconds"):
            setattr(total, key, getattr(total, key) + getattr(count, key))
    report = {name: {k: v for k, v in c.__dict__.items() if k != "examples" or v} for name, c in counts.items()}
    report["total"] = {k: v for k, v in total.__dict__.items() if k != "examples"}
    report["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(report, indent=2))
    return 1 if total.tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
