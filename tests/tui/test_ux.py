"""What a new user trips on, driven as a user drives the TUI (issue 17, and issue 15's TUI items)."""

from __future__ import annotations

import yaml
from pilot_helpers import settle

from annotator.tui.app import AnnotatorApp

SIZE = (100, 30)
LONG_NAME = ("the theme of renaming as an emerging metaphor " * 10)[:300]


async def type_keys(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", "/": "slash"}.get(ch, ch) for ch in text])


def themes_file(workspace_dir):
    return workspace_dir / "corpus" / "themes.yaml"


def write_themes(workspace_dir, themes: list[dict]) -> None:
    themes_file(workspace_dir).write_text(yaml.safe_dump(themes, sort_keys=False), encoding="utf-8")


def read_themes(workspace_dir) -> list[dict]:
    return yaml.safe_load(themes_file(workspace_dir).read_text(encoding="utf-8"))


async def test_palette_answers_keys_with_a_300_character_theme_name(session, workspace_dir):
    # Whole, such a name made Textual's fuzzy matcher run for minutes on "rename a theme".
    write_themes(workspace_dir, [*read_themes(workspace_dir), {"id": "long", "name": LONG_NAME}])
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await type_keys(pilot, "rename a theme")
        await settle(app, pilot)
        from textual.command import CommandList

        options = app.screen.query_one(CommandList)
        assert options.option_count > 0
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("rename a theme" in p.lower() for p in prompts)
        assert all(len(p) < 120 for p in prompts)


def my_tags(workspace_dir) -> list[dict]:
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("tags") or []


async def test_a_malformed_colleague_file_stops_a_tag_before_anything_is_written(app, workspace_dir):
    broken = workspace_dir / "corpus" / "annotations" / "bob.yaml"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        broken.write_text("annotator: bob\ntags: [\n", encoding="utf-8")
        await pilot.press("1")
        await settle(app, pilot)
        assert my_tags(workspace_dir) == []  # the error shown means nothing was written
        assert any("bob.yaml" in str(n.message) for n in app._notifications)
        broken.write_text("annotator: bob\ntags: []\n", encoding="utf-8")
        await pilot.press("1")
        await settle(app, pilot)
        assert [t["theme"] for t in my_tags(workspace_dir)] == ["hope"]
        await pilot.press("u")
        await settle(app, pilot)
        assert my_tags(workspace_dir) == []


async def test_a_codebook_change_just_before_a_tag_is_still_seen(app, workspace_dir):
    # The tag records the files' signatures; the codebook edited a moment before must not be taken as seen.
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        write_themes(workspace_dir, list(reversed(read_themes(workspace_dir))))
        await pilot.press("down", "2")
        await settle(app, pilot)
        app.poll_corpus()
        await settle(app, pilot)
        assert [t.id for t in app.look.themes] == ["loss", "friendship", "memory", "hope"]
        assert app.main.query_one("#themes").render_line(0).text  # the panel was redrawn without error


async def test_the_header_names_the_workspace_folder(app, workspace_dir):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert str(app.main.search_box.border_title) == f"annotator · {workspace_dir.name} · by words"


async def palette_prompts(app, pilot, typed: str) -> list[str]:
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await settle(app, pilot)
    await type_keys(pilot, typed)
    await settle(app, pilot)
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_palette_calls_colours_colour_scheme_and_says_what_codebook_edits_do(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        prompts = await palette_prompts(app, pilot, "colour")
        assert any(p.startswith("Colour scheme") for p in prompts)
        await pilot.press("escape")
        prompts = await palette_prompts(app, pilot, "theme")
        assert not any(p.startswith("Theme\n") or p == "Theme" for p in prompts)
        assert not any("the same as" in p for p in prompts)
        assert any("Codebook: rename a theme" in p and "its id, number and tags stay" in p for p in prompts)


async def test_the_passage_view_and_the_picker_say_which_digit_tags_which_theme(app, workspace_dir):
    from textual.widgets import OptionList, Static

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_passage("lh-001")
        await settle(app, pilot)
        legend = str(app.screen.query_one("#passage-legend", Static).render())
        assert "1 Hope" in legend.replace("  ", " ") and "4 Loss" in legend.replace("  ", " ")
        await pilot.press("t")
        await settle(app, pilot)
        options = app.screen.query_one("#picker-list", OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert rows[0].startswith("  1  Hope") and rows[3].startswith("  4  Loss")


async def test_the_picker_adds_a_theme_that_does_not_exist_and_tags_with_it(app, workspace_dir):
    from textual.widgets import OptionList

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "t")
        await settle(app, pilot)
        await type_keys(pilot, "Solitude")
        await settle(app, pilot)
        options = app.screen.query_one("#picker-list", OptionList)
        last = options.get_option_at_index(options.option_count - 1)
        assert str(last.prompt) == "+ Add theme “Solitude” and tag with it"
        options.highlighted = options.option_count - 1
        await pilot.press("enter")
        await settle(app, pilot)
        assert read_themes(workspace_dir)[-1]["name"] == "Solitude"
        assert [t["theme"] for t in my_tags(workspace_dir)] == ["solitude"]
        assert [t.id for t in app.look.themes][-1] == "solitude"


def memos(workspace_dir) -> list[str]:
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    if not path.exists():
        return []
    return [m["text"] for m in yaml.safe_load(path.read_text(encoding="utf-8")).get("memos") or []]


def comments_by_theme(workspace_dir) -> dict:
    return {t["theme"]: t.get("comment") for t in my_tags(workspace_dir)}


async def test_undo_and_redo_cover_comments_and_keep_the_tag(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "1", "c")
        await settle(app, pilot)
        await type_keys(pilot, "news by boat")
        await pilot.press("enter")
        await settle(app, pilot)
        assert comments_by_theme(workspace_dir) == {"hope": "news by boat"}
        await pilot.press("u")  # the comment goes, not the tag
        await settle(app, pilot)
        assert comments_by_theme(workspace_dir) == {"hope": None}
        await pilot.press("U")
        await settle(app, pilot)
        assert comments_by_theme(workspace_dir) == {"hope": "news by boat"}
        await pilot.press("u", "u")  # then the tag; redoing both brings the comment back
        await settle(app, pilot)
        assert my_tags(workspace_dir) == []
        await pilot.press("U", "U")
        await settle(app, pilot)
        assert comments_by_theme(workspace_dir) == {"hope": "news by boat"}


async def test_the_comment_dialog_edits_and_deletes(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "1", "c")
        await settle(app, pilot)
        await type_keys(pilot, "first")
        await pilot.press("enter", "c")
        await settle(app, pilot)
        assert app.screen.query_one("#comment-input").value == "first"
        await pilot.press("ctrl+a", "ctrl+k")
        await type_keys(pilot, "second")
        await pilot.press("enter")
        await settle(app, pilot)
        assert comments_by_theme(workspace_dir) == {"hope": "second"}
        await pilot.press("c")
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert comments_by_theme(workspace_dir) == {"hope": None}


async def test_c_on_an_untagged_passage_offers_the_passage_comment(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "c")
        await settle(app, pilot)
        await type_keys(pilot, "the opening")
        await pilot.press("enter")
        await settle(app, pilot)
        assert memos(workspace_dir) == ["the opening"] and my_tags(workspace_dir) == []
        await pilot.press("u")
        await settle(app, pilot)
        assert memos(workspace_dir) == []


async def test_typing_in_the_theme_panel_searches(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.main.set_focus(app.main.query_one("#themes"))
        await settle(app, pilot)
        shown = {key for key, active in app.screen.active_bindings.items() if active.binding.show}
        assert {"enter", "slash"} <= shown  # the footer shows the panel's keys
        await type_keys(pilot, "storm")
        await settle(app, pilot)
        assert app.focused is app.main.search_box
        assert app.main.search_box.value == "storm"
        app.main.set_focus(app.main.query_one("#themes"))
        await pilot.press("slash")
        await settle(app, pilot)
        assert app.focused is app.main.search_box


async def test_result_rows_end_their_citation_line_with_the_passage_id(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        first_line = app.main.results.row_text("lh-001").splitlines()[0]
        assert first_line.rstrip().endswith("lh-001")


async def test_a_long_passage_opens_at_the_highlighted_words_that_found_it(workspace_dir):
    from annotator.session import Session

    words = " ".join(f"filler{i}" for i in range(3000))
    source = {"source": {"id": "long", "title": "Long"},
              "passages": [{"id": "long-1", "text": f"{words} the albatross circled {words}", "location": "p. 1"}]}
    (workspace_dir / "corpus" / "passages" / "long.yaml").write_text(yaml.safe_dump(source), encoding="utf-8")
    session = Session.open(workspace_dir)
    session.sync()
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await type_keys(pilot, "albatross")
            await settle(app, pilot)
            await pilot.press("down", "enter")
            await settle(app, pilot)
            scroll = app.screen.query_one("#passage-scroll")
            assert scroll.scroll_y > 100
            shown = app.screen.query_one("#passage-text").render()
            assert [shown.plain[s.start:s.end] for s in shown.spans if s.style] == ["albatross"]
            assert "albatross" in app.export_screenshot()  # on screen, not only in the text
    finally:
        session.close()


async def test_the_palette_exports_the_evidence_sheet(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        prompts = await palette_prompts(app, pilot, "export")
        assert prompts[0].startswith("Export")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")  # the file name offered: evidence.md
        await settle(app, pilot)
        sheet = (tmp_path / "evidence.md").read_text(encoding="utf-8")
        assert "Hope" in sheet and "The drawing joins the mother's buttons" in sheet


async def test_the_palette_answers_keys_with_two_100_character_annotator_names(session, workspace_dir, monkeypatch):
    annotations = workspace_dir / "corpus" / "annotations"
    long_name = ("the-theme-of-renaming-as-an-emerging-metaphor-" * 3)[:100]  # the most annotator names may have
    monkeypatch.setenv("ANNOTATOR_NAME", long_name)  # "Agreement: <me> and <other>" has both names
    for name in (long_name, long_name[:-1] + "x"):
        (annotations / f"{name}.yaml").write_text(f"annotator: {name}\ntags: []\n", encoding="utf-8")
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        prompts = await palette_prompts(app, pilot, "agreement rename a theme")
        assert all(len(p) < 200 for p in prompts)
