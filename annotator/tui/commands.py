"""Every action of the app, as the command palette (ctrl+p) offers them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    title: str
    help: str
    action: str  # an app action, as in a key binding
    needs_passage: bool = True


COMMANDS = [
    Command("Search", "Go to the search box with its text selected (/)", "focus_search", False),
    Command("Open passage", "Read the selected passage with its tags and theme notes (enter)", "open_passage"),
    Command("Theme picker", "Toggle any theme on the selected passage, by fuzzy name (t)", "pick_theme"),
    Command("Suggest themes", "Themes that fit the selected passage, with reasons (s)", "suggest"),
    Command("Comment", "Add or edit a comment on a tag of the selected passage (c)", "comment"),
    Command("Undo", "Undo the last tag change (u)", "undo", False),
    Command("Redo", "Redo the tag change just undone (U)", "redo", False),
    Command("Copy quotation", "Copy the selected passage as a quotation with its citation (y)", "copy_quote"),
    Command("Search by words / by meaning", "Switch the search box: as typed, or by meaning and words together (F2)", "toggle_meaning", False),
    Command("Help", "Keys and query language (? or F1)", "help", False),
]
