"""tag, untag."""

from __future__ import annotations

from annotator.cli.common import in_workspace, open_session, sync_index
from annotator.textsafe import show_line


def register(subparsers, common) -> None:
    p = subparsers.add_parser("tag", parents=[common], help="tag a passage with themes")
    p.add_argument("passage_id", metavar="PASSAGE_ID")
    p.add_argument("themes", nargs="+", metavar="THEME", help="theme ids or names")
    p.add_argument("--comment", metavar="TEXT", help="why: a comment on the tag(s)")
    p.add_argument("--quote", metavar="WORDS", help="tag just these words of the passage (a span tag)")
    p.add_argument("--as", dest="annotator", metavar="ANNOTATOR", help="who is tagging (default: $ANNOTATOR_NAME or your login)")
    p.set_defaults(handler=cmd_tag)

    p = subparsers.add_parser("untag", parents=[common], help="remove themes from a passage")
    p.add_argument("passage_id", metavar="PASSAGE_ID")
    p.add_argument("themes", nargs="+", metavar="THEME")
    p.add_argument("--quote", metavar="WORDS", help="remove only the span of these words")
    p.add_argument("--as", dest="annotator", metavar="ANNOTATOR")
    p.set_defaults(handler=cmd_untag)


def cmd_tag(args) -> int:
    session = open_session(args)
    sync_index(session, writes=True)
    changes = session.tag(args.passage_id, args.themes, annotator=args.annotator, comment=args.comment, quote=args.quote)
    added = [c.tag.theme for c in changes]
    if added and args.quote is not None:
        words = (changes[0].span or changes[0].tag.spans[-1]).quote
        print(show_line(f"tagged {args.passage_id}: {', '.join(added)} on “{' '.join(words.split())}”") + in_workspace(session))
    elif added:
        print(show_line(f"tagged {args.passage_id}: {', '.join(added)}") + in_workspace(session))
    elif args.comment is not None:
        print(show_line(f"{args.passage_id}: comment updated") + in_workspace(session))
    elif args.quote is not None:
        print(show_line(f"{args.passage_id}: those words are already tagged with {', '.join(args.themes)}"))
    else:
        print(show_line(f"{args.passage_id}: already tagged with {', '.join(args.themes)}"))
    return 0


def cmd_untag(args) -> int:
    session = open_session(args)
    sync_index(session, writes=True)
    changes = session.untag(args.passage_id, args.themes, annotator=args.annotator, quote=args.quote)
    removed = [c.tag.theme for c in changes]
    on_words = f" on “{' '.join(args.quote.split())}”" if args.quote is not None else ""
    if removed:
        print(show_line(f"untagged {args.passage_id}: {', '.join(removed)}{on_words}") + in_workspace(session))
    else:
        session.passage(args.passage_id)  # a mistyped id: say so, with the near miss (a tag whose passage is gone still untags)
        print(show_line(f"{args.passage_id}: had none of those tags" + (" on those words" if args.quote is not None else "")))
    return 0
