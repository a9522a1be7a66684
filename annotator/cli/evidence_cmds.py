"""suggest, evidence, export."""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.cli.common import open_session, positive_count, sync_index
from annotator.cli.output import dim, print_json, use_color
from annotator.cli.span_warnings import warn_span_problems
from annotator.display import clip
from annotator.errors import BadInput
from annotator.textsafe import show_controls, show_line


def register(subparsers, common) -> None:
    p = subparsers.add_parser("suggest", parents=[common], help="suggest themes for a passage, each with why")
    p.add_argument("passage_id", metavar="PASSAGE_ID")
    p.add_argument("--limit", type=positive_count, default=5, metavar="N", help="how many suggestions (default 5)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_suggest)

    p = subparsers.add_parser("evidence", parents=[common], help="every passage tagged with a theme, with citations")
    p.add_argument("theme", metavar="THEME", help="theme id or name")
    p.add_argument("--whole", action="store_true", help="quote whole passages, even where tags quote some of their words")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_evidence)

    # The format names are spelled out rather than read from the exports registry:
    # importing it pulls in the index and Whoosh, which every command (and the TUI's
    # cold start) would then pay for. export() rejects an unknown name in one line.
    p = subparsers.add_parser("export", parents=[common], help="export evidence (md, csv, json, qdpx)")
    p.add_argument(
        "--format", metavar="md|csv|json|qdpx",
        help="md: evidence sheet; csv: one row per tag; json: the whole workspace; qdpx: a REFI-QDA project"
             " (default: what -o FILE's ending says)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    p.add_argument("--theme", action="append", default=[], metavar="T", help="only this theme (repeatable; default all)")
    p.add_argument("--whole", action="store_true", help="md, csv: whole passages, even where tags quote some of their words")
    p.set_defaults(handler=cmd_export)


def export_format(args) -> str:
    """--format, or the ending of -o FILE (`-o evidence.md`) when --format is not given."""
    if args.format:
        return args.format
    if not args.output:
        raise BadInput("say which format: --format md|csv|json|qdpx (or -o FILE ending in .md, .csv, .json or .qdpx)")
    from annotator.session import Session

    return Session.export_format_for(Path(args.output))


def cmd_suggest(args) -> int:
    session = open_session(args)
    sync_index(session)
    suggestions = session.suggest(args.passage_id, limit=max(args.limit, 0), wait=True)
    if args.json:
        print_json({"passage": args.passage_id, "suggestions": [s.to_json() for s in suggestions]})
        return 0
    if not suggestions:
        print("no suggestions: no theme's note or tagged passages share words with this passage, or every theme is on it")
        return 0
    color = use_color()
    names = {t.id: t.name for t in session.themes()}
    for s in suggestions:
        print(f"{s.strength:<8} {s.score:.2f}  {show_line(s.theme)}  {dim(show_line(clip(names.get(s.theme, ''))), color)}")
        for reason in s.why:
            print(f"      {dim(show_controls(reason), color)}")
    return 0


def cmd_evidence(args) -> int:
    session = open_session(args)
    sync_index(session)
    theme = session.resolve_theme(args.theme)
    items = session.evidence(theme.id)
    warn_span_problems(session, {item.hit.id: item.hit.text for item in items})
    if args.json:
        print_json({"theme": theme.id, "passages": [_shown(session, item) for item in items]})
        return 0
    color = use_color()
    from annotator.evidence import sheet_annotators

    annotators = sheet_annotators(items)
    by_one = f", all tagged by {show_line(annotators[0])}" if len(annotators) == 1 else ""
    print(dim(f"{show_controls(theme.name)}: {len(items)} passage{'s' if len(items) != 1 else ''}{by_one}", color))
    for item in items:
        print()
        print(f"{show_line(item.hit.id)}  {dim(show_line(item.citation), color)}")
        spans = [] if args.whole else item.spans
        for span in spans:
            print("  " + show_controls(f"“{' '.join(span.quote.split())}”"))
        if not spans:
            print("  " + show_controls(item.hit.text).replace("\n", "\n  "))
        print_comments(item, label=len(annotators) > 1, color=color)
    return 0


def _shown(session, item) -> dict:
    """A passage of `evidence --json` with the fields of `show --json`, its language too."""
    data = item.to_json()
    data["language"] = session.language_of(item.hit)
    return data


def print_comments(item, *, label: bool, color: bool) -> None:
    """Who tagged the passage and what they said; with one annotator (named in the header) only what was said."""
    for tag in item.tags:
        if label:
            comment = f": {show_controls(tag.comment)}" if tag.comment else ""
            print(f"  {dim('— ' + show_line(tag.annotator), color)}{comment}")
        elif tag.comment:
            print(f"  {dim('—', color)} {show_controls(tag.comment)}")
    for memo in item.memos:
        who = show_line(memo.annotator) + ", on the passage" if label else "on the passage"
        print(f"  {dim('— ' + who, color)}: {show_controls(memo.text)}")


def cmd_export(args) -> int:
    chosen = export_format(args)
    session = open_session(args)
    sync_index(session)
    warn_span_problems(session)
    data = session.export(chosen, args.theme, whole=args.whole)
    if session.looking() is not None:
        from annotator.blind import export_note

        print(f"note: {export_note(session.looking())}", file=sys.stderr)
    if args.output:
        session.write_export(Path(args.output), data)
        print(f"wrote {args.output} ({len(data):,} bytes)", file=sys.stderr)
        return 0
    if sys.stdout.isatty():
        if chosen == "qdpx":
            raise BadInput("a qdpx project is a zip file; write it with -o FILE.qdpx")
        # On a screen, escape sequences from passage text are shown, not obeyed;
        # a pipe or -o FILE still gets the exact bytes.
        data = show_controls(data.decode("utf-8").replace("\r\n", "\n")).encode("utf-8")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return 0
