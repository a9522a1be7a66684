"""What every command does first: open the session (synced, read whole) and say where it wrote."""

from __future__ import annotations

import errno

from annotator.cli.output import ProgressPrinter, warn
from annotator.errors import os_error_reason
from annotator.session import Session
from annotator.textsafe import show_controls


def positive_count(text: str) -> int:
    """An argparse type for --limit, --top, --min: a whole number, 1 or more (0 or -1 would
    otherwise mean "everything" in one command and "nothing" in another)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


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


# The system refusing the index's update: a full or read-only disk, no permission.
_REFUSED = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def sync_index(session, quiet: bool = False, writes: bool = False):
    """Bring the index up to date before reading it, telling the user about a rebuild. A command
    that only reads (neither `quiet` nor `writes`) still reads an index the system will not let
    it update (a full disk), saying so: the YAML is untouched, and the next command with room
    catches up. One that writes stops there, in one line."""
    progress = ProgressPrinter("indexing")
    try:
        report = session.sync(progress=progress)
    except OSError as exc:
        progress.finish()
        if quiet or writes or exc.errno not in _REFUSED or not session.ws.index_dir.is_dir():
            raise
        warn(f"cannot update the index ({os_error_reason(exc)}); reading it as it was, so changes made since "
             "its last update may be missing")
        return None
    progress.finish()
    if report.rebuilt and report.reason not in ("no index yet", "rebuild requested") and not quiet:
        warn(f"rebuilt the index ({report.reason})")
    if not quiet:  # a read that finds the index damaged rebuilds it: the same one line
        session.notify_rebuilds(lambda reason: warn(f"rebuilt the index ({reason})"))
    return report
