"""theme (codebook editing), comment, agreement, report, config."""

from __future__ import annotations

import shutil
import sys

from annotator.cli.common import in_workspace, open_checked_session, open_session, sync_index
from annotator.cli.output import print_json, warn
from annotator.display import clip
from annotator.reports import render_markdown, render_text
from annotator.textsafe import show_controls, show_line


def register(subparsers, common) -> None:
    _register_theme(subparsers, common)

    p = subparsers.add_parser("comment", parents=[common], help="comment on a passage (or, with --theme, on your tag); change or delete it")
    p.add_argument("passage_id", metavar="PASSAGE_ID")
    p.add_argument("text", nargs="*", metavar="TEXT")
    p.add_argument("--theme", metavar="THEME", help="comment on your tag with this theme instead of the passage")
    change = p.add_mutually_exclusive_group()
    change.add_argument("--replace", action="store_true", help="your comment(s) on the passage become TEXT (a tag's comment is always replaced)")
    change.add_argument("--delete", action="store_true", help="delete your comment(s) on the passage, or on your tag with --theme")
    p.add_argument("--as", dest="annotator", metavar="NAME", help="who is commenting (default: see 'annotator config')")
    p.set_defaults(handler=cmd_comment)

    # `agreement` and `consensus` are registered by annotator.cli.class_cmds

    p = subparsers.add_parser("report", parents=[common], help="passages per theme and source, coverage, co-occurrence")
    p.add_argument("--format", choices=["text", "md", "json"], default="text")
    p.add_argument("--json", action="store_const", const="json", dest="format", help="same as --format json")
    p.add_argument("--annotator", metavar="NAME", help="count only this annotator's tags")
    view = p.add_mutually_exclusive_group()  # one report at a time: neither silently wins
    view.add_argument("--by-annotator", action="store_true", help="per annotator: passages, tags, most used themes, agreement with the consensus")
    view.add_argument("--grid", action="store_true", help="the book at a glance: locations (chapters) x themes, tagged passages in each")
    p.set_defaults(handler=cmd_report)

    p = subparsers.add_parser("config", parents=[common], help="show or set your settings for this workspace (name, blind)")
    p.add_argument("key", nargs="?", choices=["name", "blind"], help="the setting (blind: on|off, each annotator sees only their own tags)")
    p.add_argument("value", nargs="?", help="its new value (omit to show it)")
    p.add_argument("--unset", action="store_true", help="remove the setting")
    p.set_defaults(handler=cmd_config)


def _register_theme(subparsers, common) -> None:
    theme = subparsers.add_parser("theme", parents=[common], help="edit the codebook: add, rename, color, describe, parent, merge, delete")
    actions = theme.add_subparsers(dest="theme_action", metavar="ACTION", required=True)

    p = actions.add_parser("add", parents=[common], help="add a theme")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--id", dest="theme_id", metavar="ID", help="its id (default: from the name)")
    p.add_argument("--description", default="", metavar="TEXT", help="the theme note")
    p.add_argument("--color", metavar="#RRGGBB")
    p.add_argument("--parent", metavar="THEME", help="nest it under this theme")
    p.set_defaults(handler=cmd_theme_add)

    p = actions.add_parser("rename", parents=[common], help="rename a theme (its id stays unless --id; then every tag follows)")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("name", nargs="?", metavar="NEW_NAME")
    p.add_argument("--id", dest="new_id", metavar="NEW_ID", help="also change the id; all tags are rewritten to it")
    p.set_defaults(handler=cmd_theme_rename)

    p = actions.add_parser("color", parents=[common], help="set a theme's colour (#rrggbb, or 'none')")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("color", metavar="COLOR")
    p.set_defaults(handler=cmd_theme_color)

    p = actions.add_parser("describe", parents=[common], help="set a theme's description (its note)")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.set_defaults(handler=cmd_theme_describe)

    p = actions.add_parser("parent", parents=[common], help="nest a theme under another ('none' for the top level)")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("parent", metavar="PARENT")
    p.set_defaults(handler=cmd_theme_parent)

    p = actions.add_parser("merge", parents=[common], help="merge THEME into INTO: its tags move, THEME goes")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("into", metavar="INTO")
    p.set_defaults(handler=cmd_theme_merge)

    p = actions.add_parser("delete", parents=[common], help="delete a theme (refused while it tags passages unless --force)")
    p.add_argument("theme", metavar="THEME")
    p.add_argument("--force", action="store_true", help="also remove its tags")
    p.set_defaults(handler=cmd_theme_delete)


# -- codebook -------------------------------------------------------------------------------


def _done(session, message: str) -> int:
    print(show_controls(message) + in_workspace(session))
    return 0


def cmd_theme_add(args) -> int:
    session = open_checked_session(args)
    parent = session.resolve_theme(args.parent).id if args.parent else None
    theme = session.add_theme(args.name, theme_id=args.theme_id, description=args.description, color=args.color, parent=parent)
    under = f" under '{parent}'" if parent else ""
    return _done(session, f"added theme '{theme.id}' ({show_controls(clip(theme.name))}){under}")


def cmd_theme_rename(args) -> int:
    session = open_checked_session(args)
    if not args.name and not args.new_id:
        warn("give a new name, --id NEW_ID, or both")
        return 2
    theme = session.resolve_theme(args.theme)
    change = session.rename_theme(theme.id, args.name, args.new_id)
    return _done(session, change.message)


def cmd_theme_color(args) -> int:
    session = open_checked_session(args)
    theme = session.resolve_theme(args.theme)
    color = None if args.color.lower() in ("none", "-", "") else args.color
    updated = session.set_theme_color(theme.id, color)
    return _done(session, f"'{updated.id}' colour: {updated.color or 'none'}")


def cmd_theme_describe(args) -> int:
    session = open_checked_session(args)
    theme = session.resolve_theme(args.theme)
    session.set_theme_description(theme.id, " ".join(args.text))
    return _done(session, f"'{theme.id}' description updated")


def cmd_theme_parent(args) -> int:
    session = open_checked_session(args)
    theme = session.resolve_theme(args.theme)
    parent = None if args.parent.lower() in ("none", "-", "") else session.resolve_theme(args.parent).id
    session.set_theme_parent(theme.id, parent)
    return _done(session, f"'{theme.id}' now sits under '{parent}'" if parent else f"'{theme.id}' is now a top-level theme")


def cmd_theme_merge(args) -> int:
    session = open_checked_session(args)
    source = session.resolve_theme(args.theme)
    into = session.resolve_theme(args.into)
    change = session.merge_themes(source.id, into.id)
    return _done(session, change.message)


def cmd_theme_delete(args) -> int:
    session = open_checked_session(args)
    theme = session.resolve_theme(args.theme)
    change = session.delete_theme(theme.id, force=args.force)
    return _done(session, change.message)


# -- comments -------------------------------------------------------------------------------


def cmd_comment(args) -> int:
    session = open_session(args)
    sync_index(session, writes=True)
    passage = session.passage(args.passage_id)
    annotator = session.who(args.annotator)
    text = " ".join(args.text).strip()
    if args.delete and text:
        warn("--delete takes no TEXT")
        return 2
    if not args.delete and not text:
        warn("the comment is empty (to delete one, use --delete)")
        return 2
    if args.theme:
        theme = session.resolve_theme(args.theme)
        change = session.set_tag_comment(passage.id, theme.id, None if args.delete else text, annotator=annotator)
        print(show_line(f"{passage.id}: comment on {theme.id} by {annotator} {change.what}") + in_workspace(session))
        return 0
    if args.delete:
        change = session.delete_passage_comment(passage.id, annotator=annotator)
    elif args.replace:
        change = session.replace_passage_comment(passage.id, text, annotator=annotator)
    else:
        change = session.add_passage_comment(passage.id, text, annotator=annotator)
    print(show_line(f"{passage.id}: comment by {annotator} {change.what}") + in_workspace(session))
    return 0


# -- agreement and reports ------------------------------------------------------------------------


def cmd_report(args) -> int:
    session = open_session(args)
    if getattr(args, "by_annotator", False):
        from annotator.cli.class_cmds import report_by_annotator

        return report_by_annotator(session, args)
    annotator = session.resolve_annotator(args.annotator) if args.annotator else session.looking()
    if session.looking() not in (None, annotator):
        warn(f"blind coding is on: you see only your own tags ('{session.looking()}')")
        return 2
    if args.grid:
        return print_grid(session, annotator, args.format)
    report = session.report(annotator)
    if args.format == "json":
        print_json(report.to_json())
    elif args.format == "md":
        markdown = render_markdown(report)
        print(show_controls(markdown) if sys.stdout.isatty() else markdown, end="")  # a pipe gets the exact text
    else:
        print(show_controls(render_text(report, width=shutil.get_terminal_size((100, 24)).columns)), end="")
    return 0


def print_grid(session, annotator: str | None, output_format: str) -> int:
    """`report --grid`: rows are locations in reading order, columns themes, cells tagged passages."""
    import shutil

    from annotator.grid import render_grid

    grid = session.grid(annotator)
    if output_format == "json":
        print_json(grid.to_json())
        return 0
    names = {t.id: t.name for t in session.themes()}
    print(show_controls(render_grid(grid, names, width=shutil.get_terminal_size((100, 24)).columns)), end="")
    return 0


# -- settings -----------------------------------------------------------------------------------


def cmd_config(args) -> int:
    session = open_session(args)
    if args.key == "blind":
        from annotator.cli.class_cmds import config_blind

        return config_blind(session, args)
    if args.key == "name" and (args.value is not None or args.unset):  # "" is a name given, and refused
        if args.unset:
            session.set_name(None)
            name, source = session.name_setting()
            print(f"name setting removed; you are now '{name}' ({source})")
        else:
            name = session.set_name(args.value)
            print(f"you annotate this workspace as '{name}' (saved in {session.settings_file()}, not committed)")
        return 0
    name, source = session.name_setting()
    print(f"name: {name}  ({source})")
    print(f"blind: {'on' if session.blind() else 'off'}")
    return 0

