"""status: which workspace is open, how it was found, what it holds, who you are in it."""

from __future__ import annotations

from annotator.cli.common import open_session
from annotator.cli.output import print_json
from annotator.display import clip
from annotator.textsafe import show_controls


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "status", parents=[common],
        help="which workspace is open and how it was found, its counts, who you are, the index, meaning search",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_status)


def cmd_status(args) -> int:
    session = open_session(args)
    status = session.status()
    if args.json:
        print_json(status)
    else:
        print(render_status(status))
    return 2 if status["problems"] else 0


def _per_annotator(counts: dict) -> str:
    if not counts:
        return "none yet"
    return ", ".join(f"{clip(show_controls(name))} {n}" for name, n in counts.items())


def _languages(status: dict) -> str:
    """`French (workspace default); sources: fr 3, de 1`."""
    from annotator.corpus.languages import name

    default = f"{name(status['language'])} (the workspace's default)"
    used = ", ".join(f"{code} {n}" for code, n in status["languages"].items())
    return f"{default}; sources: {used}" if used else default


def render_status(status: dict) -> str:
    you = status["you"]
    rows = [
        ("workspace", f"{show_controls(status['workspace'])}"),
        ("found by", status["found_by"]),
        ("themes", str(status["themes"])),
        ("sources", f"{status['sources']} ({status['passages']} passage{'' if status['passages'] == 1 else 's'})"),
        ("language", _languages(status)),
        ("tags", _per_annotator(status["tags"])),
        ("comments", _per_annotator(status["comments"])),
        ("you", f"{show_controls(you['name'] or '?')} (from {you['from']}; change with 'annotator config name NAME')"),
        ("index", status["index"]),
        ("meaning", _meaning_line(status["meaning_search"])),
    ]
    if status.get("read_only"):
        rows.insert(2, ("read-only", f"yes: search, read and export here; the index is kept in {show_controls(status['index_folder'])}"))
    lines = [f"{label:<10} {value}" for label, value in rows]
    lines += [f"problem    {show_controls(p)}" for p in status["problems"]]
    return "\n".join(lines)


def _meaning_line(state: str) -> str:
    """"search by meaning available (…)", "… switched off (…)", or "… unavailable: why" (a model
    that failed to load, a processor without AVX2: not "search by meaning the model could not…")."""
    if state.startswith(("available", "switched off", "not installed")):
        return f"search by meaning {state}"
    return f"search by meaning unavailable: {state}"
