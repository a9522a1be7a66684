"""The search oracle's checks of what users see beyond a search's answer (tests/test_search_oracle.py).

Each one compares the product with a second reading made another way: the CLI as a user runs it
against the Session's answer; the `theme:` and `untagged` filters against a recount of the YAML
files; the CSV export's quotations against the passages' text at the offsets it gives; a
concordance against every place a word's analysed form occurs in the passages.
"""

from __future__ import annotations

import csv
import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import yaml

from annotator.errors import AnnotatorError


def run_cli(*argv) -> tuple[int, str, str]:
    """The CLI in this process, as the suite's `cli` fixture runs it: (exit code, stdout, stderr)."""
    from annotator.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


# -- the CLI's search, printed ----------------------------------------------------------------------


def check_cli_search(session, root: Path, text: str, limit: int, theme: str | None, source: str | None,
                     untagged: bool) -> None:
    """`annotator search TEXT --json` (a fresh session, as a new process opens one) prints the Session's
    answer; the plain output lists the same passages with the matched words between stars."""
    flags = ["--limit", str(limit), *(["--theme", theme] if theme else []), *(["--source", source] if source else []),
             *(["--untagged"] if untagged else [])]
    code, out, err = run_cli("--workspace", root, "search", text, *flags, "--json")
    options = dict(themes=[theme] if theme else [], source=source, untagged=untagged, limit=limit)
    try:
        expected = session.search(text, **options)
    except AnnotatorError as exc:
        assert code == exc.exit_code and str(exc) in err, f"search {text!r} {flags}: {code} {err!r}, not {exc}"
        return
    where = f"annotator search {text!r} {' '.join(flags)}"
    assert code == 0 and not err.strip(), f"{where}: exit {code}: {err}"
    assert json.loads(out) == json.loads(json.dumps(expected.to_json())), where
    code, out, err = run_cli("--workspace", root, "search", text, *flags)
    assert code == 0, f"{where}: exit {code}: {err}"
    check_printed(out, expected, where)


_HEADING = re.compile(r"^(\S+)  ")


def check_printed(out: str, expected, where: str) -> None:
    """The plain output: the hits' ids in order, each passage's text whole (short passages are not
    cut) with exactly the matched words between ** and **."""
    lines = out.splitlines()
    blocks = [i for i, line in enumerate(lines) if not line and i + 1 < len(lines)]
    assert len(blocks) == len(expected.hits), f"{where}: {len(blocks)} printed of {len(expected.hits)}\n{out}"
    for i, hit in zip(blocks, expected.hits):
        heading = lines[i + 1]
        assert _HEADING.match(heading) and _HEADING.match(heading).group(1) == hit.id, f"{where}: {heading!r} for {hit.id}"
        if any(ch < " " and ch != "\n" for ch in hit.text) or "*" in hit.text:
            continue  # controls are shown escaped; a star would read as a marker
        body = "\n".join(line[2:] for line in lines[i + 2:i + 2 + hit.text.count("\n") + 1])
        assert body.replace("**", "") == hit.text, f"{where}: text of {hit.id}: {body!r}"
        marked = re.findall(r"\*\*(.*?)\*\*", body, re.DOTALL)
        assert marked == [hit.text[s:e] for s, e in _unoverlapped(hit.matches)], f"{where}: highlights of {hit.id}: {marked}"


def _unoverlapped(matches) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for start, end in sorted(tuple(m) for m in matches):
        if start >= cursor:
            spans.append((start, end))
            cursor = end
    return spans


# -- a recount of the YAML files -------------------------------------------------------------------


class Recount:
    """What the YAML files say, read with a plain safe loader: passages, themes and who tagged what."""

    def __init__(self, corpus: Path):
        self.passages: dict[str, str] = {}  # id -> text
        for path in sorted((corpus / "passages").glob("*.yaml")):
            for record in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("passages") or []:
                self.passages[str(record["id"])] = record["text"]
        themes = yaml.safe_load((corpus / "themes.yaml").read_text(encoding="utf-8")) or []
        if isinstance(themes, dict):
            themes = themes.get("themes") or []
        self.parent = {str(t["id"]): t.get("parent") for t in themes}
        self.tags: list[dict] = []  # each with its annotator
        for path in sorted((corpus / "annotations").glob("*.yaml")):
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for tag in doc.get("tags") or []:
                self.tags.append({**tag, "annotator": doc.get("annotator")})

    def live_tags(self) -> list[dict]:
        """Tags on passages that exist, with themes that exist."""
        return [t for t in self.tags if str(t["passage"]) in self.passages and str(t["theme"]) in self.parent]

    def under(self, theme_id: str) -> set[str]:
        """The theme and its sub-themes, at any depth."""
        found, grew = {theme_id}, True
        while grew:
            more = {t for t, parent in self.parent.items() if parent in found} - found
            found |= more
            grew = bool(more)
        return found

    def tagged_with(self, theme_id: str) -> set[str]:
        wanted = self.under(theme_id)
        return {str(t["passage"]) for t in self.live_tags() if str(t["theme"]) in wanted}

    def untagged(self) -> set[str]:
        return set(self.passages) - {str(t["passage"]) for t in self.live_tags()}


def check_theme_filters(session, corpus: Path) -> None:
    """`theme:ID` (typed and as --theme) and `untagged` find what a recount of the YAML finds."""
    recount = Recount(corpus)
    for theme_id in recount.parent:
        expected = recount.tagged_with(theme_id)
        for text, options in ((f"theme:{theme_id}", {}), ("", {"themes": [theme_id]})):
            found = session.search(text, kind="passage", limit=None, **options)
            assert {h.id for h in found.hits} == expected, f"{text or '--theme ' + theme_id}: {sorted({h.id for h in found.hits} ^ expected)}"
            assert found.total == len(expected), text
    for text, options in (("untagged", {}), ("", {"untagged": True})):
        found = session.search(text, kind="passage", limit=None, **options)
        assert {h.id for h in found.hits} == recount.untagged(), f"untagged: {sorted({h.id for h in found.hits} ^ recount.untagged())}"


# -- the CSV export's quotations ---------------------------------------------------------------------


def check_csv_export(session, corpus: Path) -> None:
    """Every tag is a row (a span tag a row per span it quotes); a row's text is the passage's text at
    its offsets (the whole passage without offsets)."""
    recount = Recount(corpus)
    rows = list(csv.DictReader(io.StringIO(session.export("csv").decode("utf-8"))))
    tagged = {(str(t["passage"]), str(t["theme"]), t["annotator"]) for t in recount.live_tags()}
    assert {(r["passage"], r["theme"], r["annotator"]) for r in rows} == tagged
    for row in rows:
        text = recount.passages[row["passage"]]
        quoted = row["text"][1:] if row["text"][:2] in {"'" + c for c in "=+-@\t\r"} else row["text"]  # csv_safe's quote
        if row["start"]:
            start, end = int(row["start"]), int(row["end"])
            assert text[start:end] == quoted, f"{row['passage']} {start}-{end}: {quoted!r} is not {text[start:end]!r}"
        else:
            assert quoted == text, f"{row['passage']}: the whole passage"


# -- a concordance, read the slow way ----------------------------------------------------------------


def check_kwic_word(session, word: str) -> bool:
    """`annotator kwic WORD` (a word without accents, found through the index) lists every place where a
    passage's own analysis (its language's tokens, stop words, stems) yields a term the word's analysis
    yields: the passages read one by one, none skipped. False when the word is not one to check so (a
    German source looks for words inside compounds; a common word is read, not searched)."""
    from annotator import concordance as kwic
    from annotator.engine.analysis import LanguageText, _chain
    from annotator.engine.schema import default_language, source_language
    from annotator.engine.search import searched_languages

    if not re.fullmatch(r"[a-z]+", word) or kwic._only_common_words([word]):
        return False  # a common word is read in the text, as concordance_of_common_words checks
    languages = session.index.read(lambda: searched_languages(session.index.searcher(), []))
    wanted = {t.text for t in _chain(tuple(languages))(word, mode="query") if not t.stopped}
    if not wanted or "de" in languages:
        return False
    every = set()
    default = default_language(session.store)
    for source_file in session.store.sources():
        code = source_language(source_file.source, default)
        for passage in source_file.passages:
            for token in _chain((code,))(LanguageText(passage.text, code), positions=True, chars=True):
                if not token.stopped and token.text in wanted:
                    every.add((passage.id, token.startchar, token.endchar))
    found = kwic.concordance(session, word, limit=None)
    listed = {(line.id, line.start, line.end) for line in found.lines}
    assert listed == every, f"kwic {word} ({languages}): listed but not there {sorted(listed - every)}, missed {sorted(every - listed)}"
    return True
