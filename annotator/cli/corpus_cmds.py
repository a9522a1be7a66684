"""init, import, themes, reindex."""

from __future__ import annotations

import shutil
import time

from annotator.display import clip, plural
from annotator.session import Session
from annotator.cli.common import in_workspace, open_checked_session, open_session
from annotator.cli.output import ProgressPrinter, print_json, warn
from annotator.textsafe import show_controls, show_line


def register(subparsers, common) -> None:
    p = subparsers.add_parser("init", parents=[common], help="create a workspace (demo codebook unless --empty)")
    p.add_argument("dir", nargs="?", help="folder to create (default: the current folder)")
    p.add_argument("--empty", action="store_true", help="start with an empty codebook")
    p.add_argument("--language", metavar="CODE", help="the language sources are in unless they say otherwise (fr, de, zh...)")
    p.set_defaults(handler=cmd_init)

    p = subparsers.add_parser("import", parents=[common], help="import passages (.txt, .md, .yaml, .epub, .pdf, .docx, .odt, .html, Kindle, KOReader, Kobo, Readwise, .qdpx) or, with --themes, theme notes")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--source", metavar="ID", help="source id for the passages (default: from the file name)")
    p.add_argument("--replace", action="store_true", help="with --source: replace that source even if another file made it")
    p.add_argument("--title", metavar="T", help="the work's title, as citations name it (default: from the file)")
    p.add_argument("--author", metavar="A", help="the work's author, as citations name it (default: from the file)")
    p.add_argument("--book", metavar="TITLE", help="import only this book from a file of highlights (Kindle, KOReader, Kobo, Readwise)")
    p.add_argument("--themes", action="store_true", help="the files are theme notes: import them as themes")
    p.add_argument("--as", dest="annotator", metavar="ANNOTATOR", help="who the tags in a YAML file are by")
    p.add_argument("--language", metavar="CODE", help="the language of the text (fr, de, es, zh, ja...; default: detected)")
    p.add_argument("--dry-run", action="store_true", help="show what the import would add or change, and write nothing")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.set_defaults(handler=cmd_import)

    p = subparsers.add_parser("themes", parents=[common], help="list themes: id, name, description, count")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_themes)

    p = subparsers.add_parser("reindex", parents=[common], help="rebuild the search index from the corpus")
    p.set_defaults(handler=cmd_reindex)


def cmd_init(args) -> int:
    from annotator.corpus.languages import name, normalise

    target = getattr(args, "workspace", None) if not args.dir else args.dir
    language = normalise(args.language) if args.language else None  # an unknown code: nothing is created
    ws = Session.create(target or ".", empty=args.empty, language=language).ws
    print(f"created workspace {ws.root}")
    if language:
        print(f"  language: {name(language)} ({language})")
    print(f"  themes:   {ws.themes_file}{' (empty)' if args.empty else ' (demo codebook)'}")
    print(f"  passages: {ws.passages_dir}/  — add some with: annotator --workspace {ws.root} import FILE")
    return 0


def cmd_import(args) -> int:
    from annotator.cli.progress_bar import ProgressBar
    from annotator.session import ImportRequest

    request = ImportRequest(args.files, args.themes, args.source, args.title, args.author, args.book, args.replace,
                            args.dry_run, args.annotator, language=args.language)
    request.check()
    # A dry run writes no index either: the corpus is read whole on the copy instead.
    session = open_session(args) if args.dry_run else open_checked_session(args)
    bar = ProgressBar()
    try:
        reports = session.import_files(request, progress=bar)
    finally:
        bar.finish()
    for report in reports:
        for message in report.warnings:
            warn(message)
    if args.json:
        print_json({"imports": [r.to_json() for r in reports], "dry_run": args.dry_run})
        return 0
    for report in reports:
        lines = describe_import(report)
        print(show_line(lines[0]) + in_workspace(session))
        for line in lines[1:] + unplaced_lines(report) + language_line(report) + title_line(report):
            print(show_line(line))
    if args.dry_run:
        print("dry run: nothing was written; run the same command without --dry-run to import")
    return 0


def unplaced_lines(report) -> list[str]:
    kept = "would be kept" if report.dry_run else "is kept"
    lines = [f"  tag not placed: {tag.passage} {tag.theme} ({tag.annotator}) — the passage is gone from the new text; "
             f"the tag {kept} in the annotations file" for tag in report.unplaced_tags]
    lines += [f"  comment not placed: {memo.passage} ({memo.annotator}) — the passage is gone from the new text; "
              f"the comment {kept} in the annotations file" for memo in report.unplaced_memos]
    lines += [f"  span not placed: {p.tag.passage} {p.tag.theme} ({p.tag.annotator}) “{p.span_quote}” — {p.reason}; "
              f"the span {kept} in the annotations file and the tag counts for the whole passage" for p in report.unplaced_spans]
    return lines


def describe_import(report) -> list[str]:
    """What an import did (or, in a dry run, would do): one line, or a line per source and the totals."""
    would = report.dry_run
    if report.kind == "theme-notes":
        parts = []
        if report.themes_added:
            parts.append(f"{'would add' if would else 'added'} {len(report.themes_added)} theme(s): {', '.join(report.themes_added)}")
        if report.themes_updated:
            parts.append(f"{'would update' if would else 'updated'} {len(report.themes_updated)}: {', '.join(report.themes_updated)}")
        return [f"{report.path}: " + ("; ".join(parts) or "themes already up to date")]
    if not report.sources:  # a REFI-QDA project holding a codebook and no text
        return [f"{report.path}: codebook only: {theme_counts(report) or 'themes already up to date'}"]
    if len(report.sources) == 1:
        verb = "would import source" if would else "source"
        return [f"{report.path}: {verb} '{report.source_id}', {passage_counts(report)}{tags_and_themes(report)}"]
    lines = [f"{report.path}: {'would import ' if would else ''}{len(report.sources)} sources"]
    lines += source_rows(report.sources)
    lines.append(f"  total: {passage_counts(report)}{tags_and_themes(report)}")
    return lines


def source_rows(changes) -> list[str]:
    """`  id  title  12 passages: 2 new, 10 unchanged`, one per source, titles cut to fit the terminal."""
    columns = shutil.get_terminal_size((100, 24)).columns
    counts = [short_passage_counts(change) for change in changes]
    id_width = min(max(len(change.source_id) for change in changes), 28)
    room = columns - 6 - id_width - max(len(c) for c in counts)
    title_width = min(max(len(change.title) for change in changes), max(12, room))
    return [f"  {clip(change.source_id, id_width):<{id_width}}  {clip(change.title, title_width):<{title_width}}  {count}"
            for change, count in zip(changes, counts)]


def short_passage_counts(change) -> str:
    """`12 passages: 2 new, 10 unchanged`: the counts that are not zero."""
    parts = [f"{n} {what}" for n, what in ((change.added, "new"), (change.changed, "changed"),
                                            (change.unchanged, "unchanged"), (change.removed, "removed")) if n]
    return plural(change.passages, "passage") + (": " + ", ".join(parts) if parts else "")


def language_line(report) -> list[str]:
    from annotator.corpus.languages import name

    if not report.language:
        return []
    how = "" if report.language_how == "given" else f", {report.language_how}"
    return [f"  language: {name(report.language)} ({report.language}{how})"]


def title_line(report) -> list[str]:
    """Where a title taken from the file's name came from, and how to give the work's own."""
    if not report.title_from_file_name or len(report.sources) != 1:
        return []
    title = report.sources[0].title
    return [f"  title: {title} (the file's name; --title \"...\" --author \"...\" name the work in citations)"]


def passage_counts(counts) -> str:
    detail = f"{counts.added} new, {counts.changed} changed, {counts.unchanged} unchanged, {counts.removed} removed"
    return f"{plural(counts.passages, 'passage')} ({detail})"


def tags_and_themes(report) -> str:
    tags = f", {report.tags_added} tag(s) {'would be imported' if report.dry_run else 'imported'}" if report.tags_added else ""
    themes = theme_counts(report)
    return tags + (f", {themes}" if themes else "")


def theme_counts(report) -> str:
    done = "would be added" if report.dry_run else "added"
    parts = [f"{len(report.themes_added)} theme(s) {done}"] if report.themes_added else []
    if report.themes_updated:
        parts.append(f"{len(report.themes_updated)} {'would be updated' if report.dry_run else 'updated'}")
    return ", ".join(parts)


def cmd_themes(args) -> int:
    session = open_session(args)
    themes = session.themes()
    counts = session.theme_counts()
    rows = [{"id": t.id, "name": t.name, "description": t.description, "count": counts.get(t.id, 0)} for t in themes]
    for row, theme in zip(rows, themes):
        if theme.parent:
            row["parent"] = theme.parent
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no themes yet — import theme notes with: annotator import --themes NOTES.txt")
    print("\n".join(theme_table(rows)))
    return 0


def theme_table(rows: list[dict]) -> list[str]:
    """`1  hope  Hope  3 tagged`, columns aligned and long names cut to fit the terminal; ids are
    what commands take, so an id is cut only past what leaves a name 12 characters."""
    from annotator.cell_width import cell_len, clip_cells, fit_right

    columns = shutil.get_terminal_size((100, 24)).columns
    id_width = min(max(len(r["id"]) for r in rows), max(28, columns - 18 - 12)) if rows else 0
    # names in columns, not characters: 希望 takes four, and the counts after it stay in line
    name_width = min(max(cell_len(show_controls(r["name"])) for r in rows), max(12, columns - id_width - 18)) if rows else 0
    lines = []
    for number, row in enumerate(rows, start=1):
        key = str(number) if number <= 9 else " "
        under = f"  (under {clip(show_line(row['parent']), 28)})" if row.get("parent") else ""
        theme_id = clip(show_controls(row["id"]), id_width)
        name = fit_right(clip_cells(show_controls(row["name"]), name_width), name_width)
        lines.append(f"{key}  {theme_id:<{id_width}}  {name} {row['count']:>4} tagged{under}")
    return lines


def cmd_reindex(args) -> int:
    session = open_session(args)
    start = time.perf_counter()
    progress = ProgressPrinter("indexing")
    session.sync(progress=progress, force=True)
    progress.finish()
    count = session.document_count()
    print(f"indexed {count} documents in {time.perf_counter() - start:.1f}s")
    return 0
