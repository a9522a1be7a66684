"""A query's minus words on the command line: `annotator search Norfolk -Ruth` is a query, not an option.

argparse reads any argument that begins with a minus as an option: `search Norfolk -Ruth` stopped with
"unrecognized arguments: -Ruth", `search -Ruth Norfolk` with "the following arguments are required:
QUERY", and `search Norfolk -hope` as `-h ope`. For the commands that take a query, an argument is an
option only when it is one of the command's options (or an unambiguous `--` abbreviation of one, as
argparse allows); every other argument is a word of the query, in the order typed.
"""

from __future__ import annotations

import argparse

QUERY_COMMANDS = ("search", "kwic")


def with_query_words(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """`argv` with a query command's options first and its words after `--`, their order kept."""
    at = _command_index(argv)
    if at is None or argv[at] not in QUERY_COMMANDS:
        return argv
    command = _subparser(parser, argv[at])
    options, words = [], []
    rest = iter(argv[at + 1:])
    for token in rest:
        if token == "--":
            words += list(rest)
            break
        action = _option(command, token)
        if action is None:
            words.append(token)
            continue
        options.append(token)
        if action.nargs is None and "=" not in token:  # the option's value follows it
            options += [value for value in [next(rest, None)] if value is not None]
    return argv[:at + 1] + options + (["--", *words] if words else [])


def _command_index(argv: list[str]) -> int | None:
    skip = False
    for i, token in enumerate(argv):
        if skip:
            skip = False
        elif token == "--workspace":
            skip = True
        elif not token.startswith("-"):
            return i
        elif token == "--":
            return None
    return None


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    return next(action.choices[name] for action in parser._actions if isinstance(action, argparse._SubParsersAction))


def _option(command: argparse.ArgumentParser, token: str):
    """The command's option `token` names, or None when it is a word."""
    if not token.startswith("-") or token == "-":
        return None
    known = command._option_string_actions
    name = token.split("=", 1)[0] if token.startswith("--") else token
    if name in known:
        return known[name]
    if name.startswith("--") and len(name) > 2:
        found = {id(action): action for option, action in known.items() if option.startswith(name)}
        if len(found) == 1:
            return next(iter(found.values()))
    return None
