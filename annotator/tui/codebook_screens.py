"""Codebook editing in the TUI: small prompts chained by the command palette entries.

Each prompt dismisses with its answer (or None when cancelled); `run_codebook_edit`
chains them and calls the Session's codebook methods, so the TUI edits the codebook (and
syncs the index) through the same methods as `annotator theme ...`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.display import clip
from annotator.errors import AnnotatorError
from annotator.tui.render import literal, one_line
from annotator.tui.text_box import TextBox

PROMPT_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 64; height: auto; max-height: 80%; border: round $accent; background: $surface; padding: 0 1; }}
{name} OptionList {{ height: auto; max-height: 16; }}
"""


class TextPrompt(ModalScreen[str | None]):
    DEFAULT_CSS = PROMPT_CSS.format(name="TextPrompt")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = ""):
        super().__init__()
        self.title_text, self.value, self.placeholder = title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.title_text))
            yield TextBox(value=self.value, placeholder=self.placeholder)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ThemeChoice(ModalScreen[str | None]):
    """Pick a theme (type to filter); dismisses with its id."""

    DEFAULT_CSS = PROMPT_CSS.format(name="ThemeChoice")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, themes, exclude: str | None = None, allow_none: str | None = None):
        super().__init__()
        self.title_text = title
        self.themes = [t for t in themes if t.id != exclude]
        self.allow_none = allow_none

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.title_text))
            yield TextBox(placeholder="type to filter")
            yield OptionList()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, wanted: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        wanted = wanted.casefold().strip()
        if self.allow_none and not wanted:
            options.add_option(Option(Text(self.allow_none), id="\0none"))
        for theme in self.themes:
            if wanted in theme.name.casefold() or wanted in theme.id:
                options.add_option(Option(one_line(f"{clip(theme.name)}  ({clip(theme.id)})"), id=theme.id))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_key(self, event) -> None:
        options = self.query_one(OptionList)
        if event.key in ("down", "up") and options.option_count:
            event.stop()
            current = options.highlighted or 0
            step = 1 if event.key == "down" else -1
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id)

    def _choose(self, option_id: str) -> None:
        self.dismiss("" if option_id == "\0none" else option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


EDITS = {
    "add": "Add a theme",
    "rename": "Rename a theme",
    "color": "Set a theme's colour",
    "describe": "Describe a theme",
    "parent": "Nest a theme under another",
    "merge": "Merge a theme into another",
    "delete": "Delete a theme",
}


def run_codebook_edit(app, session, edit: str, on_done=None) -> None:
    """Ask what the edit needs, one prompt after another, then apply it and report in a toast."""
    def finish(action) -> None:
        try:
            message = action()  # a Session codebook method: it syncs the index itself
        except AnnotatorError as exc:
            app.notify(str(exc), severity="error", timeout=8, markup=False)
            return
        app.notify(message, markup=False)
        if on_done:
            on_done()

    def with_theme(title: str, then, exclude: str | None = None, allow_none: str | None = None) -> None:
        app.push_screen(ThemeChoice(title, session.themes(), exclude, allow_none), lambda chosen: chosen is not None and then(chosen))

    def ask(title: str, then, value: str = "") -> None:
        app.push_screen(TextPrompt(title, value), lambda text: text is not None and text.strip() and then(text.strip()))

    if edit == "add":
        ask("Name of the new theme", lambda name: finish(lambda: f"added '{session.add_theme(name).id}'"))
    elif edit == "rename":
        with_theme("Rename which theme?", lambda tid: ask(
            f"New name for '{tid}' (its id stays)", lambda name: finish(lambda: session.rename_theme(tid, name).message),
            value=session.resolve_theme(tid).name))
    elif edit == "color":
        with_theme("Colour which theme?", lambda tid: ask(
            f"Colour for '{tid}' (#rrggbb, or none)",
            lambda c: finish(lambda: f"'{tid}' colour: {session.set_theme_color(tid, None if c.lower() == 'none' else c).color or 'none'}"),
            value=session.resolve_theme(tid).color or ""))
    elif edit == "describe":
        with_theme("Describe which theme?", lambda tid: ask(
            f"Description of '{tid}'", lambda text: finish(lambda: (session.set_theme_description(tid, text), f"'{tid}' description updated")[1]),
            value=session.resolve_theme(tid).description))
    elif edit == "parent":
        with_theme("Nest which theme?", lambda tid: with_theme(
            f"Put '{tid}' under…", lambda parent: finish(lambda: (session.set_theme_parent(tid, parent or None), f"'{tid}' moved")[1]),
            exclude=tid, allow_none="(top level)"))
    elif edit == "merge":
        with_theme("Merge which theme?", lambda tid: with_theme(
            f"Merge '{tid}' into…", lambda into: finish(lambda: session.merge_themes(tid, into).message), exclude=tid))
    elif edit == "delete":
        def delete(tid: str) -> None:
            count = session.theme_tag_count(tid)
            if not count:
                finish(lambda: session.delete_theme(tid).message)
                return
            ask(f"'{tid}' has {count} tag(s). Type DELETE to remove it and those {count} tag(s)",
                lambda answer: finish(lambda: session.delete_theme(tid, force=True).message) if answer == "DELETE" else app.notify("not deleted"))

        with_theme("Delete which theme?", delete)
    else:
        raise ValueError(f"unknown codebook edit '{edit}'")
