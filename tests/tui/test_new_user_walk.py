"""What a new user met walking the TUI from the README: each a defect seen in tmux, fixed.

- the search box's edge said nothing of words or meaning until F2 was pressed once;
- a hint after a theme's chip (the comment dialog, the theme view's head) stood in the chip's colour;
- `/` in the theme panel typed a "/" into the query instead of selecting it.
"""

from __future__ import annotations

from pilot_helpers import SMALLEST, settle
from rich.text import Text

from annotator.tui.render import ThemeLook


def title(app) -> str:
    return str(app.main.search_box.border_title)


async def test_the_search_box_says_by_words_from_the_start(app, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_MEANING", "0")  # the edge says so whether or not meaning can run
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        assert title(app).endswith("· by words")


def test_text_after_a_chip_is_not_in_the_chips_colour(session):
    look = ThemeLook(session.themes())
    theme_id = look.themes[0].id
    row = look.chip(theme_id) + Text("  (tagged, no comment)")
    hint_start = row.plain.index("(")
    styles = [span.style for span in row.spans if span.start <= hint_start < span.end]
    assert row.style == "" and styles == []  # the hint is drawn as itself, not on the theme's colour
    chip = [span.style for span in row.spans if span.start == 0]
    assert chip == [look.span_style(theme_id)]


async def test_the_comment_dialog_hint_is_not_drawn_on_the_theme_colour(app):
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        dialog = app.screen
        row = dialog._row(dialog.theme_ids[1])
        hint = row.plain.index("  (")
        assert not any(span.start <= hint < span.end and span.style.bgcolor for span in row.spans)
        assert not row.style


async def test_slash_in_the_theme_panel_selects_the_query_without_typing_it(app):
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        await pilot.press(*"keeper")
        await settle(app, pilot)
        app.main.query_one("#themes").focus()
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"lamp")
        await settle(app, pilot)
        assert app.main.search_box.value == "lamp"
        assert app.focused is app.main.search_box


def test_the_keys_legend_breaks_chinese_names_between_themes_and_fits_the_width():
    """A long Japanese name was measured in characters: "8" stayed on one line, its chip wrapped
    onto the next, unindented, and out of the screen's width."""
    from rich.cells import cell_len

    from annotator.corpus.model import Theme
    from annotator.tui.legend import digit_legend

    names = ["L'espérance", "La culpabilité", "Les", "Émile et l'éducation", "Ça ne va pas", "Straße der Träume",
             "希望", "非常に長い日本語のテーマの名前はここで終わりません"]
    look = ThemeLook([Theme(f"t{n}", name) for n, name in enumerate(names)])
    lines = digit_legend(look, 78).plain.split("\n")
    assert all(cell_len(line) <= 78 for line in lines), lines
    assert all(line.startswith("      ") for line in lines[1:])
    chip = lines[-1].split(" 8 ")[1].strip()  # the number and its chip on one line
    assert chip.startswith("非常に長い") and cell_len(chip) <= 16


async def test_tab_into_the_results_selects_the_first_so_enter_and_digits_act(app):
    """The footer offered "⏎ Open" after tab, but nothing was selected: enter and 1-9 did nothing."""
    from pilot_helpers import result_ids, type_query

    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "lamp")
        await pilot.press("tab")
        await settle(app, pilot)
        assert app.focused is app.main.results
        assert app.selected_passage_id() == result_ids(app)[0]
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is not app.main  # the passage opened
