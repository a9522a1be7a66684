"""Keys shared by every place a passage is selected: the results, the passage view, the theme view."""

from __future__ import annotations

from textual.binding import Binding

PASSAGE_BINDINGS = [
    Binding("1", "app.toggle_theme(1)", "Tag", key_display="1-9"),
    *(Binding(str(n), f"app.toggle_theme({n})", f"Toggle theme {n}", show=False) for n in range(2, 10)),
    Binding("t", "app.pick_theme", "Theme…"),
    Binding("s", "app.suggest", "Suggest"),
    Binding("c", "app.comment", "Comment"),
    Binding("u", "app.undo", "Undo"),
    Binding("U", "app.redo", "Redo", show=False),
    Binding("y", "app.copy_quote", "Copy"),
    Binding("question_mark", "app.help", "Help", show=False),  # the app's f1 Help shows: one Help fits 80 columns
]
