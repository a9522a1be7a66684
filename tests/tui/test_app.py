"""The terminal UI driven as a user drives it (Textual's Pilot), on a temporary workspace."""

from __future__ import annotations

import pytest
import yaml
from pilot_helpers import SIZE, result_ids, settle, type_query

from annotator.tui.commands import COMMANDS
from annotator.tui.help_screen import HelpScreen
from annotator.tui.passage_screen import PassageScreen
from annotator.tui.theme_screen import ThemeScreen

def counter(app) -> str:
    return app.main.status


def my_tags(workspace_dir) -> list[dict]:
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("tags") or []


async def test_opens_with_search_focused_and_corpus_order(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.focused is app.main.search_box
        assert result_ids(app)[:3] == ["lh-001", "lh-002", "lh-003"]
        assert counter(app) == "12 passages"


async def test_typing_searches_as_you_type_with_stemming(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "sketching")
        assert result_ids(app) == ["lh-005"]
        assert counter(app) == "1 passage"
        hit = app.main.results.hits[0]
        assert any(hit.text[s:e].lower().startswith("sketch") for s, e in hit.matches)


async def test_unfinished_word_matches_as_prefix(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "Hails")
        assert result_ids(app) == ["lh-003"]


@pytest.mark.parametrize(
    "query, expected",
    [("theme:hope", ["lh-002"]), ("theme:memory", ["lh-006"]), ("source:lighthouse", None)],
)
async def test_filters_typed_in_the_query(app, query, expected):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, query)
        if expected is None:  # every passage: the counter says so; the first screenful and a few more are loaded
            assert counter(app) == "12 passages" and result_ids(app)[:7] == [f"lh-{n:03d}" for n in range(1, 8)]
        else:
            assert result_ids(app) == expected


async def test_a_filter_typed_with_no_value_is_named_in_the_counter(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "lighthouse")
        found = result_ids(app)
        await type_query(app, pilot, " source:")
        assert result_ids(app) == found and counter(app).endswith(" — 'source:' needs a name: source:ID")


async def test_untagged_filter_leaves_tagged_passages_out(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "untagged")
        ids = result_ids(app)
        assert len(ids) == 8 and not {"lh-002", "lh-006", "lh-007", "lh-012"} & set(ids)


async def test_down_enters_results_digit_tags_undo_redo(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "sketching")
        await pilot.press("down")
        assert app.focused is app.main.results and app.main.results.highlighted == 0
        assert app.counts["hope"] == 1

        await pilot.press("1")  # theme 1 in codebook order: hope
        assert {"passage": "lh-005", "theme": "hope"}.items() <= my_tags(workspace_dir)[0].items()
        assert app.counts["hope"] == 2
        assert "hope" in app.main.results.hits[0].themes

        await pilot.press("2")  # memory
        assert [t["theme"] for t in my_tags(workspace_dir)] == ["hope", "memory"]
        await pilot.press("u", "u")
        assert my_tags(workspace_dir) == []
        assert app.counts["hope"] == 1 and app.main.results.hits[0].themes == []
        await pilot.press("U")
        assert [t["theme"] for t in my_tags(workspace_dir)] == ["hope"]


async def test_digit_again_untags(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "3", "3")
        assert my_tags(workspace_dir) == []


async def test_enter_opens_passage_escape_keeps_selection(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down", "down")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PassageScreen) and app.screen.passage_id == "lh-003"
        text = str(app.screen.query_one("#passage-text").render())
        assert "Hailsham" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.main.results.highlighted == 2 and app.main.results.selected_id == "lh-003"


async def test_passage_view_shows_tags_comments_and_theme_notes(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_passage("lh-006")
        await settle(app, pilot)
        tags = str(app.screen.query_one("#passage-tags").render())
        notes = str(app.screen.query_one("#passage-notes").render())
        assert "alice" in tags and "keepsake" in tags
        assert "Memory lives in small objects" in notes


async def test_tagging_in_passage_view(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        await pilot.press("4")  # loss
        assert my_tags(workspace_dir)[0]["theme"] == "loss"
        assert "Loss" in str(app.screen.query_one("#passage-tags").render())


async def test_markup_in_passage_text_is_shown_literally(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "not bold")
        assert result_ids(app)[0] == "lh-008"
        row = app.main.results.row_text("lh-008")
        assert "[bold]not bold[/bold]" in " ".join(row.split())
        app.open_passage("lh-008")
        await settle(app, pilot)
        assert "[bold]not bold[/bold]" in str(app.screen.query_one("#passage-text").render())


async def test_help_opens_with_question_mark_and_f1(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("down", "question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")


async def test_palette_offers_every_action(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {c.title for c in COMMANDS} <= titles
        assert "Toggle theme: Hope (1)" in titles
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)


async def test_palette_command_runs_the_action(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await type_query(app, pilot, "Toggle theme: Friendship")
        await pilot.press("enter")
        await settle(app, pilot)
        assert my_tags(workspace_dir)[0]["theme"] == "friendship"


async def test_y_copies_quotation_with_citation(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "y")
        assert app.clipboard.startswith("“Ada Penhallow has kept the light")
        assert app.clipboard.endswith("(Test Author, The Lighthouse Keeper, ch. 1)")  # the author too (issue #18)


async def test_slash_returns_to_search_with_text_selected(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "sketching")
        await pilot.press("down", "slash")
        assert app.focused is app.main.search_box
        await type_query(app, pilot, "Hailsham")
        assert app.main.search_box.value == "Hailsham"
        assert result_ids(app) == ["lh-003"]


async def test_theme_picker_fuzzy_toggles(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "t")
        await settle(app, pilot)
        await pilot.press(*"frendship", "enter")
        await settle(app, pilot)
        assert my_tags(workspace_dir)[0]["theme"] == "friendship"


async def test_comment_on_a_tag(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "2", "c")
        await settle(app, pilot)
        await pilot.press(*"the lamp", "enter")
        await settle(app, pilot)
        tag = my_tags(workspace_dir)[0]
        assert tag["theme"] == "memory" and tag["comment"] == "the lamp"


async def test_suggestions_accepted_with_one_key(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "letter")
        await pilot.press("down", "s")
        await settle(app, pilot)
        suggested = app.screen.suggestions
        assert suggested, "expected at least one suggestion"
        await pilot.press("1")
        await settle(app, pilot)
        assert my_tags(workspace_dir)[0]["theme"] == suggested[0].theme


async def test_theme_view_shows_note_and_tagged_passages(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("tab", "tab")
        assert app.focused is app.main.query_one("#themes")
        await pilot.press("down", "enter")  # Memory
        await settle(app, pilot)
        assert isinstance(app.screen, ThemeScreen) and app.screen.theme_id == "memory"
        assert "small objects" in str(app.screen.query_one("#theme-note").render())
        assert app.screen.selected_passage_id() == "lh-006"


async def test_tag_from_cli_shows_up_without_restart(app, cli, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.counts["loss"] == 1
        code, _, _ = cli("tag", "lh-001", "loss", "--as", "bob", "--workspace", workspace_dir)
        assert code == 0
        app.poll_corpus()  # what the 1 s timer does
        await settle(app, pilot)
        assert app.counts["loss"] == 2
        assert "loss" in app.main.results.hits[0].themes


async def test_more_results_load_when_the_cursor_nears_the_end(app, monkeypatch):
    import annotator.tui.main_screen as main_screen

    monkeypatch.setattr(main_screen.MainScreen, "page_size", lambda screen: 5)
    async with app.run_test(size=(100, 16)) as pilot:  # three rows on screen: five results fill the view
        await settle(app, pilot)
        assert len(result_ids(app)) == 5 and counter(app) == "12 passages"
        await pilot.press("down", "down", "down")
        await settle(app, pilot)
        await pilot.press("down", "down", "down", "down", "down")
        await settle(app, pilot)
        assert result_ids(app) == [f"lh-{n:03d}" for n in range(1, 13)]
        assert app.main.results.selected_id == "lh-008"
