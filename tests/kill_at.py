"""Run the annotator CLI and SIGKILL it at a chosen write: the crash sweep's deterministic kill points.

    python tests/kill_at.py before-rename:2 -- --workspace WS theme rename spare-0 X --id x

Kill points (a rename is os.replace or os.rename: how every file is put in place):
  before-rename:N   the Nth rename's temporary file is written and synced, not yet renamed
  after-rename:N    the Nth rename is done, nothing after it
  before-append:END:N the Nth file opened for appending whose name ends with END, before the append
$KILL_AT_MEANING_BATCH, if set, is how many passages the embeddings job embeds at a time (so that
a small workspace makes several appends).
A command that makes fewer renames than N runs to its end. The hooks are installed before
annotator is imported, so every module's `os.replace` is the counting one.
"""

from __future__ import annotations

import builtins
import os
import signal
import sys


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(point: str) -> None:
    kind, _, arg = point.partition(":")
    if kind in ("before-rename", "after-rename"):
        wanted, count = int(arg), [0]

        def counted(real):
            def rename(*args, **kwargs):
                count[0] += 1
                if count[0] == wanted and kind == "before-rename":
                    die()
                result = real(*args, **kwargs)
                if count[0] == wanted and kind == "after-rename":
                    die()
                return result
            return rename

        os.replace, os.rename = counted(os.replace), counted(os.rename)
    elif kind == "before-append":
        real_open = builtins.open
        ending, _, nth = arg.partition(":")
        wanted, count = int(nth or 1), [0]

        def opened(file, mode="r", *args, **kwargs):
            if "a" in mode and str(file).endswith(ending):
                count[0] += 1
                if count[0] == wanted:
                    die()
            return real_open(file, mode, *args, **kwargs)

        builtins.open = opened
    else:
        raise SystemExit(f"unknown kill point {point!r}")


def main() -> int:
    point, separator, *argv = sys.argv[1:]
    assert separator == "--"
    install(point)
    if os.environ.get("KILL_AT_MEANING_BATCH"):
        from annotator.engine import meaning

        meaning.BATCH = int(os.environ["KILL_AT_MEANING_BATCH"])
    from annotator.cli import main as annotator_main

    return annotator_main(argv)


if __name__ == "__main__":
    sys.exit(main())
