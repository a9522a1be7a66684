"""init, import, themes, reindex."""

from __future__ import annotations

from pathlib import Path

from annotator.display import clip, plural
from annotator.cli import in_workspace, open_checked_session, open_session
from annotator.cli.output import ProgressPrinter, print_json, warn
from annotator.textsafe import show_controls, show_line


def register(subparsers, common) -> None:
    p = subparsers.add_parser("init", parents=[common], help="create a workspace (demo codebook unless --empty)")
    p.add_argument("dir", nargs="?", help="folder to create (default: the current folder)")
    p.add_argument("--empty", action="store_true", help="start with an empty codebook")
    p.add_argument("--language", metavar="CODE", help="the language sources are in unless they say otherwise (fr, de, zh...)")
    p.set_defaults(handler=cmd_init)

    p = subparsers.add_parser("import", parents=[common], help="import passages (.txt, .md, .yaml) or, with --themes, theme notes")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--source", metavar="ID", help="source id for the passages (default: from the file name)")
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
    from annotator.corpus.workspace import init_workspace

    from annotator.corpus.languages import name, normalise, set_workspace_language

    target = getattr(args, "workspace", None) if not args.dir else args.dir
    language = normalise(args.language) if args.language else None  # an unknown code: nothing is created
    ws = init_workspace(Path(target or "."), empty=args.empty)
    if language:
        set_workspace_language(ws.corpus, language)
    print(f"created workspace {ws.root}")
    if language:
        print(f"  language: {name(language)} ({language})")
    print(f"  themes:   {ws.themes_file}{' (empty)' if args.empty else ' (demo codebook)'}")
    print(f"  passages: {ws.passages_dir}/  — add some with: annotator --workspace {ws.root} import FILE")
    return 0


def cmd_import(args) -> int:
    # A dry run writes no index either: the corpus is read whole on the copy instead (read_whole).
    session = open_session(args) if args.dry_run else open_checked_session(args)
    if args.source and len(args.files) > 1:
        warn("--source names one source; import one file at a time with it")
        return 2
    annotator = args.annotator or session.default_annotator()
    if args.dry_run:
        from annotator.exchange.importers.dry_run import corpus_copy
        from annotator.session import Session

        with corpus_copy(session.ws) as scratch:
            reports = run_imports(args, read_whole(Session(scratch)), annotator)
    else:
        reports = run_imports(args, session, annotator)
        progress = ProgressPrinter("indexing")
        session.sync(progress=progress)
        progress.finish()
    if args.json:
        print_json({"imports": [r.to_json() for r in reports], "dry_run": args.dry_run})
        return 0
    for report in reports:
        lines = describe_import(report)
        print(show_line(lines[0]) + in_workspace(session))
        for line in lines[1:] + unplaced_lines(report) + language_line(report):
            print(show_line(line))
    if args.dry_run:
        print("dry run: nothing was written; run the same command without --dry-run to import")
    return 0


def read_whole(session):
    """The session, every corpus file read: a malformed one stops a dry run as it stops the import."""
    session.store.themes()
    session.store.sources()
    session.store.all_annotations()
    return session


def run_imports(args, session, annotator: str) -> list:
    from annotator.exchange.importers import import_source, import_theme_notes

    reports = []
    for name in args.files:
        path = Path(name)
        if args.themes:
            check_theme_notes(path)
            report = import_theme_notes(session.store, path)
        else:
            report = import_source(
                session.store, path, source_id=args.source, annotator=annotator, resolve_theme=session.resolve_theme,
                language=getattr(args, "language", None),
            )
        report.dry_run = args.dry_run
        reports.append(report)
        for message in report.warnings:
            warn(message)
    return reports


def unplaced_lines(report) -> list[str]:
    kept = "would be kept" if report.dry_run else "is kept"
    lines = [f"  tag not placed: {tag.passage} {tag.theme} ({tag.annotator}) — the passage is gone from the new text; "
             f"the tag {kept} in the annotations file" for tag in report.unplaced_tags]
    lines += [f"  comment not placed: {memo.passage} ({memo.annotator}) — the passage is gone from the new text; "
              f"the comment {kept} in the annotations file" for memo in report.unplaced_memos]
    return lines


def check_theme_notes(path: Path) -> None:
    """Refuse chapter notes given as theme notes, before anything is written (annotator.exchange.notes_check)."""
    from annotator.exchange.importers.textio import read_text_file
    from annotator.exchange.importers.theme_notes import parse_theme_notes
    from annotator.exchange.notes_check import refuse_chapter_notes

    if path.is_file():  # the importer reports a missing or unreadable file itself
        refuse_chapter_notes(path, [note.name for note in parse_theme_notes(read_text_file(path).text)])


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
    import shutil

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
    """`1  hope  Hope  3 tagged`, columns aligned and long ids and names cut to fit the terminal."""
    import shutil

    columns = shutil.get_terminal_size((100, 24)).columns
    id_width = min(max(len(r["id"]) for r in rows), 28) if rows else 0
    name_width = min(max(len(r["name"]) for r in rows), max(12, columns - id_width - 18)) if rows else 0
    lines = []
    for number, row in enumerate(rows, start=1):
        key = str(number) if number <= 9 else " "
        under = f"  (under {clip(show_line(row['parent']), 28)})" if row.get("parent") else ""
        theme_id = clip(show_controls(row["id"]), id_width)
        name = clip(show_controls(row["name"]), name_width)
        lines.append(f"{key}  {theme_id:<{id_width}}  {name:<{name_width}} {row['count']:>4} tagged{under}")
    return lines


def cmd_reindex(args) -> int:
    import time

    session = open_session(args)
    start = time.perf_counter()
    progress = ProgressPrinter("indexing")
    session.sync(progress=progress, force=True)
    progress.finish()
    with session.index.open().searcher() as searcher:
        count = searcher.doc_count()
    print(f"indexed {count} documents in {time.perf_counter() - start:.1f}s")
    return 0
