"""Keys typed faster than the app handles them are applied in the order they were typed.

A terminal delivers a quick `a b backspace a b backspace …` as one burst. An Input inserts a
letter at once but deletes through a key binding, which Textual runs only after the key has
bubbled up to the app; a letter typed meanwhile was inserted first, so the backspace deleted it
instead: in a tmux session the search box read "ababaabaab…" where "aaaaa…" was typed, and the
same scrambled text was saved as a comment.
"""

from __future__ import annotations

import yaml
from textual import events
from pilot_helpers import SIZE, settle, wait_until

from annotator.tui.comment_screen import CommentScreen

BURST = ["a", "b", "backspace"] * 25
TYPED = "a" * 25


def burst(app, keys) -> None:
    """Every key queued before the first is handled, as a terminal's driver delivers a fast typist's."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_backspaces_in_a_burst_delete_the_letter_typed_just_before_them(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        box = app.main.search_box
        burst(app, BURST)
        await settle(app, pilot)
        assert box.value == TYPED


async def test_a_comment_typed_in_a_burst_is_saved_as_typed(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "c")
        await wait_until(app, pilot, lambda: isinstance(app.screen, CommentScreen), "the comment dialog")
        burst(app, [*BURST, "left", "left", "x", "end", "y", "enter"])
        await wait_until(app, pilot, lambda: not isinstance(app.screen, CommentScreen), "the comment saved")
        await settle(app, pilot)
        saved = yaml.safe_load((workspace_dir / "corpus" / "annotations" / "tester.yaml").read_text(encoding="utf-8"))
        comments = [t.get("comment") for t in saved["tags"]] + [m.get("text") for m in saved.get("memos") or []]
        assert "a" * 23 + "xaa" + "y" in comments, comments


async def test_down_down_enter_in_a_burst_in_the_theme_picker_picks_the_third_theme(app, workspace_dir):
    # enter (the box's submit) must wait for the downs before it, which the dialog handles.
    from annotator.tui.theme_picker import ThemePicker

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "t")
        await wait_until(app, pilot, lambda: isinstance(app.screen, ThemePicker), "the theme picker")
        third = app.look.themes[2].id
        burst(app, ["down", "down", "enter"])
        await wait_until(app, pilot, lambda: not isinstance(app.screen, ThemePicker), "the theme picked")
        await settle(app, pilot)
        saved = yaml.safe_load((workspace_dir / "corpus" / "annotations" / "tester.yaml").read_text(encoding="utf-8"))
        assert [t["theme"] for t in saved["tags"]] == [third]
