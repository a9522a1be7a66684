"""search, show."""

from __future__ import annotations

from annotator.cli import open_session, sync_index
from annotator.cli.output import dim, emphasise, print_json, use_color
from annotator.display import plural, snippet_window
from annotator.textsafe import show_controls, show_line


def register(subparsers, common) -> None:
    p = subparsers.add_parser("search", parents=[common], help="search passages and theme notes")
    p.add_argument("query", nargs="+", metavar="QUERY", help='words, "phrases", AND/OR/NOT, -word, word*, word~, theme:ID, source:ID, untagged')
    p.add_argument("--theme", action="append", default=[], metavar="ID", help="only passages tagged with this theme (repeatable)")
    p.add_argument("--source", metavar="ID", help="only passages from this source")
    p.add_argument("--untagged", action="store_true", help="only passages with no tags")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="how many results (default 20)")
    p.add_argument("--full", action="store_true", help="print whole passages, not a snippet around the matches")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = subparsers.add_parser("show", parents=[common], help="show one passage with its tags and comments")
    p.add_argument("passage_id", metavar="PASSAGE_ID")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quote", action="store_true", help="print the passage as a quotation with its citation")
    p.set_defaults(handler=cmd_show)


def cmd_search(args) -> int:
    session = open_session(args)
    sync_index(session)
    text = " ".join(args.query)
    result = session.search(text, themes=args.theme, source=args.source, untagged=args.untagged, limit=max(args.limit, 0))
    if args.json:
        print_json(result.to_json())
        return 0
    color = use_color()
    shown = len(result.hits)
    print(dim(plural(result.total, "result") + (f", showing {shown}" if shown < result.total else ""), color))
    if result.suggestion:
        print(f"did you mean: {show_controls(result.suggestion)}")
    if result.notice:
        print(result.notice)
    if result.notices:
        from annotator.engine.query_budget import notice_line

        print(show_controls(notice_line(result.notices)))
    for hit in result.hits:
        print()
        print(format_heading(hit, color))
        text, matches = (hit.text, hit.matches) if args.full else snippet(hit.text, hit.matches)
        print("  " + emphasise(text, matches, color).replace("\n", "\n  "))
    return 0


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


def _language_of(session, hit) -> str:
    """The language of a passage's source ("" for a theme note)."""
    from annotator.corpus.languages import workspace_language

    source = session.store.load_source(hit.source) if hit.kind == "passage" and hit.source else None
    return (source.source.language if source else "") or (workspace_language(session.ws.corpus) if source else "")


def cmd_show(args) -> int:
    session = open_session(args)
    sync_index(session)
    hit = session.get(args.passage_id)
    if args.quote and not args.json:
        print(show_controls(session.quote(hit.id)))
        return 0
    tags = session.tags_on(hit.id)
    language = _language_of(session, hit)
    if args.json:
        data = hit.to_json()
        data.pop("score", None)
        data["language"] = language
        data["annotations"] = [
            {"annotator": t.annotator, "theme": t.theme, "comment": t.comment, "time": t.at} for t in tags
        ]
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
            comment = f" — {show_controls(tag.comment)}" if tag.comment else ""
            print(f"  {show_line(tag.theme)} by {show_line(tag.annotator)} {dim(show_line(tag.at), color)}{comment}")
    memos = session.memos_on(hit.id)
    if memos:
        print()
        for memo in memos:
            print(f"  comment by {show_line(memo.annotator)} {dim(show_line(memo.at), color)}: {show_controls(memo.text)}")
    return 0
