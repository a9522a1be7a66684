"""A class of annotators: agreement among several, consensus, reports by annotator."""

from __future__ import annotations

from annotator.cli.common import in_workspace, open_checked_session, open_session, positive_count
from annotator.cli.output import print_json, warn
from annotator.textsafe import show_controls


def register(subparsers, common) -> None:
    p = subparsers.add_parser("agreement", parents=[common],
                              help="agreement among annotators: Krippendorff's alpha, Fleiss' and Cohen's kappas")
    p.add_argument("annotators", nargs="+", metavar="NAME", help="two or more annotators (A B [C ...])")
    p.add_argument("--top", type=positive_count, metavar="N",
                   help="list the N passages with most disagreement (default: all for two annotators, else 20)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_agreement)

    p = subparsers.add_parser("consensus", parents=[common],
                              help="write the tags at least K of the annotators gave into one annotator")
    p.add_argument("annotators", nargs="+", metavar="NAME", help="two or more annotators (A B [C ...])")
    p.add_argument("--as", dest="target", metavar="NAME", required=True, help="the annotator the consensus is written as")
    p.add_argument("--min", dest="minimum", type=positive_count, metavar="K",
                   help="how many must agree on a tag (default: more than half)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_consensus)
    add_viewer_options(subparsers)


# -- agreement -------------------------------------------------------------------------------


def cmd_agreement(args) -> int:
    session = open_session(args)
    top = args.top if args.top is not None else (None if len(args.annotators) == 2 else 20)
    report = session.agreement(args.annotators, top=top)
    for theme, count in report.missing_themes.items():
        warn(f"{count} tag(s) on '{show_controls(theme)}', a theme no longer in the codebook, are counted under that id")
    pair = report.pair
    if args.json:
        print_json(merged_json(report, pair))
        return 0
    if pair is not None:
        print(show_controls(render_agreement(pair)))
        print()
    print(show_controls(render_class_agreement(report, disagreements=pair is None)))  # two: listed above
    return 0


def merged_json(report, pair) -> dict:
    """The JSON of `annotator agreement`; with two annotators, today's figures sit beside the new ones."""
    data = report.to_json()
    if pair is None:
        return data
    old = pair.to_json()
    for entry in data["themes"]:
        figures = old["themes"].get(entry["theme"], {})
        entry["kappa"], entry["counts"] = figures.get("kappa"), figures.get("counts")
    for entry in data["disagreements"]:
        d = next((d for d in old["disagreements"] if d["passage"] == entry["passage"]), None)
        if d is not None:
            entry["both"], entry["only"] = d["both"], d["only"]
    data["overall"] = old["overall"]
    data["tagged_by_one"] = old["tagged_by_one"]
    return data


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0%}" if percent else f"{value:.2f}"


def render_agreement(report) -> str:
    a, b = report.annotator_a, report.annotator_b
    lines = [f"Agreement between {a} and {b}: {len(report.passages)} passage(s) tagged by both"]
    if report.only_a_passages or report.only_b_passages:
        lines.append(f"  (tagged by one only, not compared: {a} {len(report.only_a_passages)}, {b} {len(report.only_b_passages)})")
    if not report.passages:
        lines.append("No passage was tagged by both; nothing to compare.")
        return "\n".join(lines)
    o = report.overall
    lines.append(f"Overall (passage x theme): kappa {_fmt(o.kappa)}, agreement {_fmt(o.agreement, True)} "
                 f"({o.both} both, {o.only_a} only {a}, {o.only_b} only {b}, {o.neither} neither)")
    lines.append("")
    width = max(len(t) for t in report.themes)
    lines.append(f"  {'theme':<{width}}  kappa  agree  both  only {a}  only {b}")
    for theme, table in report.themes.items():
        lines.append(
            f"  {theme:<{width}}  {_fmt(table.kappa):>5}  {_fmt(table.agreement, True):>5}  {table.both:>4}  "
            f"{table.only_a:>{5 + len(a)}}  {table.only_b:>{5 + len(b)}}"
        )
    lines.append("")
    if report.disagreements:
        lines.append(f"Disagreements ({len(report.disagreements)} passage(s)):")
        for d in report.disagreements:
            parts = []
            if d.both:
                parts.append(f"both: {', '.join(d.both)}")
            if d.only_a:
                parts.append(f"{a}: {', '.join(d.only_a)}")
            if d.only_b:
                parts.append(f"{b}: {', '.join(d.only_b)}")
            lines.append(f"  {d.passage}  " + "; ".join(parts))
    else:
        lines.append("No disagreements.")
    return "\n".join(lines)


def render_class_agreement(report, disagreements: bool = True) -> str:
    names = report.annotators
    everyone = "both" if len(names) == 2 else f"all {len(names)}"
    lines = [f"Agreement among {', '.join(names)}: {report.passages} passage(s) tagged by at least two, "
             f"{report.full_passages} by {everyone}"]
    if not report.passages:
        lines.append("No passage was tagged by two of them; nothing to compare.")
        return "\n".join(lines)
    lines.append(f"Krippendorff's alpha {_fmt(report.alpha)}, Fleiss' kappa {_fmt(report.fleiss_kappa)} "
                 f"(passages tagged by {everyone}), agreement {_fmt(report.agreement, True)}")
    lines.append("")
    width = max(len("theme"), *(len(t.theme) for t in report.themes))
    lines.append(f"  {'theme':<{width}}  alpha  fleiss  agree")
    for t in report.themes:
        lines.append(f"  {t.theme:<{width}}  {_fmt(t.alpha):>5}  {_fmt(t.fleiss_kappa):>6}  {_fmt(t.agreement, True):>5}")
    lines.append("")
    lines.append("Cohen's kappa by pair (passages both tagged):")
    pair_width = max(len(f"{p.a} and {p.b}") for p in report.pairs)
    for p in report.pairs:
        lines.append(f"  {p.a + ' and ' + p.b:<{pair_width}}  {_fmt(p.kappa):>5}  ({p.passages})")
    if not disagreements:
        return "\n".join(lines)
    lines.append("")
    if not report.disagreements:
        lines.append("No disagreements.")
        return "\n".join(lines)
    shown = len(report.disagreements)
    more = f", the {shown} with most disagreement" if shown < report.disagreeing_passages else ""
    lines.append(f"Disagreements ({report.disagreeing_passages} passage(s){more}):")
    for d in report.disagreements:
        gave = "; ".join(f"{theme}: {', '.join(who)}" for theme, who in d.themes.items())
        lines.append(f"  {d.passage}  {gave}")
    return "\n".join(lines)


# -- consensus ---------------------------------------------------------------------------------


def cmd_consensus(args) -> int:
    session = open_checked_session(args)
    result = session.consensus(args.annotators, args.target, minimum=args.minimum)
    for theme, count in result.missing_themes.items():
        warn(f"{count} consensus tag(s) on '{show_controls(theme)}', a theme no longer in the codebook, "
             "were written under that id; merge or re-add the theme")
    if args.json:
        print_json(result.to_json())
        return 0
    print(show_controls(render_consensus(result)) + in_workspace(session))
    return 0


def render_consensus(result) -> str:
    lines = [f"{len(result.written)} tag(s) given by at least {result.minimum} of {', '.join(result.annotators)} "
             f"written as '{result.target}' ({result.already} already there)"]
    if result.unsettled:
        lines.append(f"Unsettled ({len(result.unsettled)}: fewer than {result.minimum} gave them):")
        for item in result.unsettled:
            lines.append(f"  {item.passage}  {item.theme}: {', '.join(item.given_by)}")
    else:
        lines.append("Nothing left unsettled.")
    return "\n".join(lines)


# -- reading commands: --as (who is looking, for blind coding) ------------------------------------

READING_COMMANDS = ("search", "show", "evidence", "themes", "report", "suggest", "export")


def add_viewer_options(subparsers) -> None:
    """`--as NAME` on the reading commands registered before this module: who is looking, as for writing."""
    for name in READING_COMMANDS:
        parser = subparsers.choices.get(name)
        if parser is not None:
            parser.add_argument("--as", dest="viewer", metavar="NAME",
                                help="who is looking (while blind coding is on, only their tags are shown)")


# -- settings and reports ------------------------------------------------------------------------


def config_blind(session, args) -> int:
    if args.unset:
        return _set_blind(session, False)
    if args.value is None:
        print(f"blind: {'on' if session.blind() else 'off'}")
        return 0
    value = args.value.strip().lower()
    if value not in ("on", "off"):
        warn(f"blind takes 'on' or 'off', not '{show_controls(args.value)}'")
        return 2
    return _set_blind(session, value == "on")


def _set_blind(session, on: bool) -> int:
    session.set_blind(on)
    if on:
        print("blind coding is on: each annotator sees only their own tags until it is turned off" + in_workspace(session))
    else:
        print("blind coding is off: everyone's tags are shown" + in_workspace(session))
    return 0


def report_by_annotator(session, args) -> int:
    import sys

    from annotator import class_report

    lines = session.report_by_annotator()
    if args.format == "json":
        print_json({"annotators": [line.to_json() for line in lines]})
    elif args.format == "md":
        markdown = class_report.render_markdown(lines)
        print(show_controls(markdown) if sys.stdout.isatty() else markdown, end="")
    else:
        import shutil

        print(show_controls(class_report.render_text(lines, width=shutil.get_terminal_size((100, 24)).columns)))
    return 0
