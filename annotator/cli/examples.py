"""One example per command, shown at the end of its --help (a new command adds its line here)."""

from __future__ import annotations

import argparse

EXAMPLES = {
    "init": "annotator init ~/essay",
    "import": "annotator import novel-notes.md --source nlmg --dry-run",
    "themes": "annotator themes --json",
    "reindex": "annotator reindex",
    "search": "annotator search '\"open-plan office\" OR deferral*' --theme hope",
    "show": "annotator show nlmg-018 --quote",
    "tag": "annotator tag nlmg-018 hope --quote 'bright, modern open-plan office' --comment 'a hope built on a rumour'",
    "untag": "annotator untag nlmg-018 hope",
    "suggest": "annotator suggest nlmg-012 --limit 3",
    "evidence": "annotator evidence hope --json",
    "export": "annotator export --format md -o evidence.md",
    "theme": "annotator theme add 'Friendship' --description 'loyalty between the three'",
    "theme add": "annotator theme add 'Friendship' --description 'loyalty between the three'",
    "theme rename": "annotator theme rename hope 'Hope and denial'",
    "theme color": "annotator theme color hope '#98c379'",
    "theme describe": "annotator theme describe hope 'The belief that a deferral exists'",
    "theme parent": "annotator theme parent free-will conformity",
    "theme merge": "annotator theme merge willful-ignorance conformity",
    "theme delete": "annotator theme delete playing-god",
    "comment": "annotator comment nlmg-018 'a rumour, not a plan' --replace",
    "agreement": "annotator agreement demo tutor wren --json",
    "consensus": "annotator consensus demo tutor wren --as agreed --min 2",
    "report": "annotator report --by-annotator --format md",
    "config": "annotator config blind on",
    "status": "annotator status --json",
    "kwic": "annotator kwic hope --sort right --width 30",
}


JSON_HELP = "print one JSON document on stdout and nothing else"


def add_examples(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """Set each (sub)command's epilog to its example, where one is written above; and its
    description, when it has none, to the line the command list gives it, so that
    `annotator COMMAND --help` says what the command does, not only its options."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                example = EXAMPLES.get(prefix + name)
                if example and not sub.epilog:
                    sub.epilog = f"example: {example}"
                if not sub.description and summaries.get(name):
                    sub.description = summaries[name][0].upper() + summaries[name][1:] + "."
                for option in sub._actions:
                    if option.option_strings == ["--json"] and not option.help:
                        option.help = JSON_HELP
                add_examples(sub, prefix + name + " ")
