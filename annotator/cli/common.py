"""What every command does first: open the session (synced, read whole) and say where it wrote."""

from __future__ import annotations

from annotator.cli.output import ProgressPrinter, warn
from annotator.session import Session
from annotator.textsafe import show_controls


def open_session(args):
    session = Session.open(getattr(args, "workspace", None))
    session.viewer = getattr(args, "viewer", None)  # a reading command's --as: who is looking (blind coding)
    return session


def open_checked_session(args):
    """The session, its corpus read whole first: a malformed file stops a write before it
    writes, not after (the edit saved, then the index sync refusing another file)."""
    session = open_session(args)
    sync_index(session, quiet=True)
    return session


def in_workspace(session) -> str:
    """' (workspace DIR)' for a writing command's confirmation, when DIR is not the current folder's
    workspace: a write that lands somewhere unexpected says where."""
    return "" if session.in_current_folder() else f" (workspace {show_controls(str(session.ws.root))})"


def sync_index(session, quiet: bool = False):
    """Bring the index up to date before reading it, telling the user about a rebuild."""
    progress = ProgressPrinter("indexing")
    report = session.sync(progress=progress)
    progress.finish()
    if report.rebuilt and report.reason not in ("no index yet", "rebuild requested") and not quiet:
        warn(f"rebuilt the index ({report.reason})")
    if not quiet:  # a read that finds the index damaged rebuilds it: the same one line
        session.notify_rebuilds(lambda reason: warn(f"rebuilt the index ({reason})"))
    return report
