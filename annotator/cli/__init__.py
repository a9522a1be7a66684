"""The `annotator` command: argument parsing and error handling around the core.

Each command lives in a module of this package with a `register(subparsers, common)`
function; commands call `Session` methods and print, nothing more.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING

from annotator import __version__
# Every command's helpers, named here too (command modules import them from annotator.cli.common).
from annotator.cli.common import in_workspace, open_checked_session, open_session, sync_index  # noqa: F401
from annotator.cli.output import warn
from annotator.errors import AnnotatorError, os_error_reason

if TYPE_CHECKING:
    import argparse

COMMAND_MODULES = [
    "annotator.cli.corpus_cmds",
    "annotator.cli.search_cmds",
    "annotator.cli.tag_cmds",
    "annotator.cli.evidence_cmds",
    "annotator.cli.tutor_cmds",
    "annotator.cli.class_cmds",
    "annotator.cli.status_cmds",
    "annotator.cli.kwic_cmds",
]


def build_parser() -> argparse.ArgumentParser:
    import argparse  # not at import: opening the TUI builds no parser
    import importlib  # COMMAND_MODULES by name: a module added to the list needs no other line here

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workspace", metavar="DIR", default=argparse.SUPPRESS,
        help="workspace folder (default: $ANNOTATOR_WORKSPACE, the nearest folder with corpus/, or your own)",
    )
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Find textual evidence and tag it with themes. With no command, opens the terminal UI.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, common)
    from annotator.cli.examples import add_examples  # argparse: not when opening the TUI

    add_examples(parser)
    return parser


def tui_only(argv: list[str]) -> tuple[bool, str | None]:
    """Whether the arguments just open the TUI (none, or only --workspace DIR), and the workspace.

    Building the parser imports every command module; opening the TUI needs none of them.
    """
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--workspace" and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--workspace=") and len(argv[0]) > len("--workspace="):
        return True, argv[0].split("=", 1)[1]
    return False, None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _closed_streams_discard()
    just_tui, workspace = tui_only(argv)
    args = None
    if not just_tui:
        from annotator.cli.query_args import with_query_words

        parser = build_parser()
        args = parser.parse_args(with_query_words(parser, argv))  # `search Norfolk -Ruth`: a query's word
    try:
        if just_tui or not args.command:
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                # Piped or redirected, the TUI would ignore every key or fill a file with escape codes.
                warn("the terminal UI needs a terminal (stdin and stdout); outside one, use a command: annotator --help")
                return 2
            from annotator.tui import run_tui  # Textual: only when the TUI opens

            return run_tui(workspace if just_tui else getattr(args, "workspace", None))
        return args.handler(args) or 0
    except AnnotatorError as exc:
        warn(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno in _REFUSED_BY_THE_SYSTEM:
            return _refused_by_the_system(exc)
        return _internal_error(exc)
    except Exception as exc:
        return _internal_error(exc)


def _closed_streams_discard() -> None:
    """A shell's `>&-` leaves Python no sys.stdout (or sys.stderr): what would be printed there is
    discarded, as print() discards it, rather than ending in an AttributeError."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # open for the process's life


# Errors of the place written to, not of annotator: said as such, not as a bug.
_REFUSED_BY_THE_SYSTEM = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ELOOP}


def _refused_by_the_system(exc: OSError) -> int:
    # A write the store does not make itself (the index, for one) refused by the system.
    where = f" {exc.filename}" if exc.filename else ""
    warn(f"cannot write{where}: {os_error_reason(exc)}; the corpus files were not changed")
    return 1


def _internal_error(exc: Exception) -> int:
    """A bug; the user still gets one line, ANNOTATOR_DEBUG=1 gives the traceback."""
    if os.environ.get("ANNOTATOR_DEBUG"):
        raise exc
    warn(f"internal error ({type(exc).__name__}: {exc}); this is a bug, please report it (ANNOTATOR_DEBUG=1 shows details)")
    return 70
