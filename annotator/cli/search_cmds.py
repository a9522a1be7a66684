"""search, show."""

from __future__ import annotations

from annotator.cli.common import open_session, positive_count, sync_index
from annotator.cli.output import dim, emphasise, print_json, use_color
from annotator.display import plural, snippet_window
from annotator.textsafe import show_controls, show_line


def register(subparsers, common) -> None:
    p = subparsers.add_parser("search", parents=[common], help="search passages and theme notes")
    p.add_argument("query", nargs="+", metavar="QUERY", help='words, "phrases", AND/OR/NOT, -word, word*, word~, theme:ID, source:ID, untagged')
    p.add_argument("--theme", action="append", default=[], metavar="ID", help="only passages tagged with this theme (repeatable)")
    p.add_argument("--source", metavar="ID", help="only passages from this source")
    p.add_argument("--untagged", action="store_true", help="only passages with no tags")
    p.add_argument("--limit", type=positive_count, default=20, metavar="N", help="how many results (default 20)")
    p.add_argument("--full", action="store_true", help="print whole passages, not a snippet around the matches")
    p.add_argument("--meaning", action="store_true", help="rank by meaning and words together: finds passages that say it in other words")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = subparsers.add_parser("show", parents=[common], help="show one passage with its tags and comments")
    p.add_argument("passage_id", metavar="PASSAGE_ID")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quote", action="store_true", help="print the tagged words (else the passage) as quotations with their citation")
    p.add_argument("--whole", action="store_true", help="with --quote: the whole passage, even where tags quote some of its words")
    p.set_defaults(handler=cmd_show)


def cmd_search(args) -> int:
    session = open_session(args)
    sync_index(session)
    text = " ".join(args.query)
    options = dict(themes=args.theme, source=args.source, untagged=args.untagged, limit=max(args.limit, 0))
    if args.meaning:
        result = session.search_meaning(text, progress=EmbeddingProgress(), **options)
    else:
        result = session.search(text, **options)
    if args.json:
        print_json(result.to_json())
        return 0
    color = use_color()
    if getattr(result, "meaning", ""):
        print(dim(f"by words only: {show_line(result.words_only_reason())}", color))
    if getattr(result, "coverage", None) and not result.coverage.complete:
        print(dim(result.coverage.line(), color))
    shown = len(result.hits)
    print(dim(plural(result.total, "result") + (f", showing {shown}" if shown < result.total else ""), color))
    if result.suggestion:
        print(f"did you mean: {show_controls(result.suggestion)}")
    if result.notice:
        print(result.notice)
    if result.notices:
        print(show_controls(result.notice_line()))
    if not result.total and not session.has_passages():  # nothing to find yet: say how to add it
        print("no passages yet — import a book or your notes with: annotator import FILE")
    for hit in result.hits:
        print()
        print(format_heading(hit, color))
        # By meaning, the sentence that matched best is what is highlighted.
        marked = [result.sentences[hit.id]] if hit.id in getattr(result, "sentences", {}) else hit.matches
        text, matches = (hit.text, marked) if args.full else snippet(hit.text, marked)
        print("  " + emphasise(text, matches, color).replace("\n", "\n  "))
    return 0


class EmbeddingProgress:
    """"embedding passages for search by meaning: 120 of 3,400" on stderr, one line rewritten (a terminal only)."""

    def __init__(self):
        import sys

        self.stream = sys.stderr
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.stream.isatty():
            if not self.shown:
                print(f"embedding {plural(total - done, 'passage')} for search by meaning (once)…", file=self.stream)
                self.shown = True
            return
        end = "\n" if done >= total else ""
        print(f"\rembedding passages for search by meaning (once): {done:,} of {total:,}", end=end, file=self.stream, flush=True)


SNIPPET_CHARS = 300


def snippet(text: str, matches, width: int = SNIPPET_CHARS) -> tuple[str, list[list[int]]]:
    """A window of about `width` characters around the first match, cut at spaces and marked with
    "…", and the matches inside it; a 20,000-word passage prints as a few lines (--full for all)."""
    if len(text) <= width:
        return text, [list(m) for m in matches]
    start, end = snippet_window(text, matches, width, width // 4)
    lead = "…" if start else ""
    shifted = [[max(s, start) - start + len(lead), min(e, end) - start + len(lead)] for s, e in matches if s < end and e > start]
    return lead + text[start:end] + ("…" if end < len(text) else ""), shifted


def format_heading(hit, color: bool) -> str:
    if hit.kind == "note":
        where = f"theme note: {hit.title}"
    else:
        where = ", ".join(x for x in (hit.source, hit.location) if x)
    themes = f"  [{', '.join(hit.themes)}]" if hit.themes and hit.kind == "passage" else ""
    return f"{show_line(hit.id)}  " + dim(show_line(where + themes), color)


def cmd_show(args) -> int:
    from annotator.cli.span_warnings import warn_span_problems
    from annotator.corpus.spans import placed_spans
    from annotator.evidence import annotations_json

    session = open_session(args)
    sync_index(session)
    hit = session.get(args.passage_id)
    warn_span_problems(session, {hit.id: hit.text})
    if args.quote and not args.json:
        print(show_controls(session.quote(hit.id, whole=args.whole)))
        return 0
    tags = session.tags_on(hit.id)
    language = session.language_of(hit)
    if args.json:
        data = hit.to_json()
        data.pop("score", None)
        data["language"] = language
        data["annotations"] = annotations_json(tags, hit.text)
        data["memos"] = [{"annotator": m.annotator, "text": m.text, "time": m.at} for m in session.memos_on(hit.id)]
        print_json(data)
        return 0
    color = use_color()
    print(format_heading(hit, color))
    if language:
        from annotator.corpus.languages import name

        print(dim(f"  {name(language)}", color))
    print()
    print(show_controls(hit.text))
    if tags:
        print()
        for tag in tags:
            comment = f" — {_comment_lines(tag.comment)}" if tag.comment else ""
            print(f"  {show_line(tag.theme)} by {show_line(tag.annotator)} {dim(show_line(tag.at), color)}{comment}")
            for span in placed_spans(tag, hit.text):
                print(f"    “{show_line(' '.join(span.quote.split()))}” {dim(f'[{span.start}-{span.end}]', color)}")
    memos = session.memos_on(hit.id)
    if memos:
        print()
        for memo in memos:
            print(f"  comment by {show_line(memo.annotator)} {dim(show_line(memo.at), color)}: {_comment_lines(memo.text)}")
    return 0


def _comment_lines(text: str) -> str:
    """A comment of several lines, its later lines indented under the first (not at the margin,
    where they read as the passage's text)."""
    return show_controls(text).replace("\n", "\n    ")
