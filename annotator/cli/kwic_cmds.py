"""kwic: a concordance, every occurrence of a word or phrase in its context."""

from __future__ import annotations

from annotator.cli import open_session, sync_index
from annotator.cli.common import positive_count
from annotator.cli.output import dim, print_json, use_color
from annotator.errors import AnnotatorError
from annotator.textsafe import show_line


def register(subparsers, common) -> None:
    from annotator.concordance import DEFAULT_LIMIT, DEFAULT_WIDTH, SORTS

    p = subparsers.add_parser(
        "kwic", parents=[common], help="a concordance: every occurrence of a word or phrase in context",
        description="Every occurrence of a word or phrase in the passages, in context. Several words are one "
                    "phrase, quoted or not (kwic Miss Lucy is kwic \"Miss Lucy\"); one word finds its stem-mates "
                    "too (hope: hoped, hopes). Common words (the, to be) are listed too: the passages are read "
                    "for them. AND, OR, NOT, -word, word* or word~ search as written, each word matched listed; "
                    "theme:ID, source:ID and untagged filter the passages.")
    p.add_argument("term", nargs="+", metavar="TERM", help='a word (its stem-mates too) or a phrase: several words are one phrase, quoted or not')
    p.add_argument("--width", type=int, metavar="N",
                   help=f"characters of context each side (default: what fits the terminal's width on one line; {DEFAULT_WIDTH} "
                        "when the output is not a terminal, and for --json)")
    p.add_argument("--sort", choices=SORTS, default="position", help="by place in the book (default), or the words left or right of it")
    p.add_argument("--limit", type=positive_count, default=DEFAULT_LIMIT, metavar="N", help=f"read at most N passages (default {DEFAULT_LIMIT})")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_kwic)


def cmd_kwic(args) -> int:
    from annotator.cell_width import cell_len
    from annotator.concordance import joined_context

    from annotator.concordance import DEFAULT_WIDTH

    if args.width is not None and not 0 <= args.width <= 1000:
        raise UsageError("--width must be between 0 and 1000")
    if not " ".join(args.term).strip(' "'):
        raise UsageError("the term is empty; give a word or a \"phrase\"")
    session = open_session(args)
    sync_index(session)
    columns = _terminal_columns() if args.width is None and not args.json else None
    width = args.width if args.width is not None else (max(DEFAULT_WIDTH, columns // 2) if columns else DEFAULT_WIDTH)
    found = session.kwic(" ".join(args.term), width=width, sort=args.sort, limit=max(args.limit, 1))
    if args.json:
        print_json(found.to_json())
        return 0
    color = use_color()
    print(dim(_summary(found, args.limit), color))
    if found.notice:
        print(found.notice)
    if found.suggestion:
        print(f"did you mean: {show_line(found.suggestion.strip(chr(34)))}")
    ids = max((len(show_line(line.id)) for line in found.lines), default=0)
    longest = max((cell_len(show_line(line.match)) for line in found.lines), default=0)  # columns: 時計 takes 4
    side = _fitted_side(columns, ids, max((len(show_line(line.location)) for line in found.lines), default=0),
                        longest + (0 if color else 2)) if columns else width
    for line in found.lines:
        match = f"\x1b[1;33m{show_line(line.match)}\x1b[0m" if color else f"[{show_line(line.match)}]"
        left = joined_context(line, side)[0]
        right = joined_context(line, side + longest - cell_len(show_line(line.match)))[1]  # the places line up
        print(f"{show_line(left)}{match}{show_line(right)}  {dim(show_line(line.id).ljust(ids) + '  ' + show_line(line.location), color)}")
    return 0


def _terminal_columns() -> int | None:
    """The terminal's width when the lines are printed on one, else None (a pipe, a file)."""
    import shutil
    import sys

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


MIN_SIDE = 8


def _fitted_side(columns: int, ids: int, locations: int, match: int) -> int:
    """The context each side that fits a line in `columns`: the contexts (each side + 1), the match,
    two spaces, the id, two spaces, the location; never under MIN_SIDE (a narrow terminal wraps)."""
    return max(MIN_SIDE, (columns - 1 - match - 2 - ids - 2 - locations) // 2 - 1)


def _summary(found, limit: int) -> str:
    occurrences = f"{len(found.lines)} occurrence{'s' if len(found.lines) != 1 else ''}"
    if not found.complete:  # common words, read passage by passage: the limit stopped the reading
        first = "the first passage that holds it" if found.read == 1 else f"the first {found.read} passages that hold it"
        return f"{occurrences} in {first} (--limit {limit} stopped the reading there)"
    read = f", the first {found.read} passages read (--limit)" if found.read < found.passages else ""
    return f"{occurrences} in {found.passages} passage{'s' if found.passages != 1 else ''}{read}"


class UsageError(AnnotatorError):
    exit_code = 2
