"""Span tags in the TUI: choosing words in the passage view (keyboard and mouse), tagging them with a
digit or `t`, seeing them in the theme's colour, copying them, undoing."""

from __future__ import annotations

import yaml
from pilot_helpers import SIZE, SMALLEST, settle, wait_until

from annotator.tui.passage_screen import PassageScreen

LH2 = "lh-002"  # "The supply boat calls once a fortnight, bringing flour, lamp oil and, if she is lucky, ..."


def my_tags(workspace_dir) -> list[dict]:
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("tags") or []


async def open_lh2(app, pilot) -> PassageScreen:
    await settle(app, pilot)
    app.open_passage(LH2)
    await wait_until(app, pilot, lambda: isinstance(app.screen, PassageScreen), "the passage view")
    await settle(app, pilot)
    return app.screen


async def test_shift_arrows_select_words_and_a_digit_tags_just_them(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        await pilot.press("right", "right")  # the cursor appears on "The", then moves to "supply"
        await pilot.press("shift+right")
        assert screen.selected_span().quote == "supply boat"
        await pilot.press("1")  # hope
        [tag] = my_tags(workspace_dir)
        assert tag["theme"] == "hope" and tag["spans"] == [{"quote": "supply boat", "start": 4, "end": 15}]
        assert screen.selected_span() is None  # the words now show in the theme's colour instead
        tags = str(screen.query_one("#passage-tags").render())
        assert "“supply boat”" in tags
        await pilot.press("u")
        assert my_tags(workspace_dir) == []
        await pilot.press("U")
        assert my_tags(workspace_dir)[0]["spans"][0]["quote"] == "supply boat"


async def test_a_sentence_at_a_time_and_the_theme_picker(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        await pilot.press("right", "full_stop")
        assert screen.selected_span().quote.startswith("The supply boat calls") and screen.selected_span().quote.endswith("study engineering.")
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"loss", "enter")
        await wait_until(app, pilot, lambda: bool(my_tags(workspace_dir)), "the tag")
        [tag] = my_tags(workspace_dir)
        assert tag["theme"] == "loss" and tag["spans"][0]["quote"].endswith("engineering.")


async def test_span_tags_and_whole_passage_tags_together_and_escape_clears_first(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        await pilot.press("2")  # memory, on the whole passage: nothing selected
        await pilot.press("right", "v", "right", "right")
        assert screen.selected_span().quote == "The supply boat"
        await pilot.press("1")
        await pilot.press("right", "shift+right")
        await pilot.press("1")  # a second span of hope
        tags = {t["theme"]: t for t in my_tags(workspace_dir)}
        assert "spans" not in tags["memory"]
        assert [s["quote"] for s in tags["hope"]["spans"]] == ["The supply boat", "calls once"]
        await pilot.press("shift+right")
        await pilot.press("escape")
        assert isinstance(app.screen, PassageScreen) and screen.selected_span() is None
        await pilot.press("escape")
        assert not isinstance(app.screen, PassageScreen)


async def test_the_same_selection_toggles_its_span_off(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        await pilot.press("right", "shift+right", "1")
        await pilot.press("shift+left")  # select "The supply" again
        assert screen.selected_span().quote == "The supply"
        await pilot.press("1")
        assert my_tags(workspace_dir) == []


async def test_dragging_the_mouse_across_words_selects_them(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        text = screen.query_one("#passage-text")
        # The first line of the text: "The supply boat calls once a fortnight, ..."
        await pilot.mouse_down(text, offset=(5, 0))   # on "supply"
        await pilot.hover(text, offset=(13, 0))        # on "boat"
        await pilot.mouse_up(text, offset=(13, 0))
        assert screen.selected_span().quote == "supply boat"
        await pilot.press("1")
        assert my_tags(workspace_dir)[0]["spans"][0]["quote"] == "supply boat"


async def test_y_copies_the_selection_or_the_tagged_words_with_the_citation(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        copied = []
        app.copy_to_clipboard = copied.append
        await pilot.press("right", "right", "shift+right", "y")
        assert copied[-1] == "“supply boat” (Test Author, The Lighthouse Keeper, ch. 1)"
        await pilot.press("1", "y")
        assert copied[-1] == "“supply boat” (Test Author, The Lighthouse Keeper, ch. 1)"  # the span tag's words, not the passage
        assert screen.selected_span() is None


def test_passage_view_with_a_selection_and_span_tags(snap_compare, app, session):
    from annotator.session import Session

    text = session.get(LH2).text
    at = "2026-11-21T10:00:00+00:00"  # a fixed date: the view shows it
    session.store.add_span("tester", LH2, "hope", Session.span_of(LH2, text, "The supply boat"), at=at)
    session.store.add_span("tester", LH2, "loss", Session.span_of(LH2, text, "a fortnight"), at=at)
    session.store.add_span("tester", LH2, "hope", Session.span_of(LH2, text, "a letter from her younger brother"), at=at)
    session.sync()

    async def run_before(pilot):
        await open_lh2(pilot.app, pilot)
        await pilot.press(*["right"] * 9, "shift+right", "shift+right")  # "flour, lamp oil" selected
        await settle(pilot.app, pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)


async def test_a_span_a_hand_edit_broke_is_named_when_the_passage_opens(app, workspace_dir):
    path = workspace_dir / "corpus" / "annotations" / "carol.yaml"
    path.write_text("annotator: carol\ntags:\n- passage: lh-002\n  theme: loss\n  spans:\n  - {quote: a boat of lamps, start: 4, end: 18}\n",
                    encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        shown = [n.message for n in app._notifications]
        assert any(f"{path}:6: span on lh-002 (loss) cannot be placed" in m for m in shown)
        assert "Loss" in str(screen.query_one("#passage-tags").render())  # the tag, on the whole passage



async def test_a_span_whose_offsets_a_hand_edit_moved_is_reported_when_the_passage_opens(app, workspace_dir):
    path = workspace_dir / "corpus" / "annotations" / "carol.yaml"
    path.write_text("annotator: carol\ntags:\n- passage: lh-002\n  theme: loss\n  spans:\n  - {quote: lamp oil, start: 1, end: 9}\n",
                    encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_lh2(app, pilot)
        shown = [n.message for n in app._notifications]
        assert any(m.startswith(f"{path}:6: span on lh-002 (loss): offsets 1-9 hold ") for m in shown), shown
        assert "“lamp oil”" in str(screen.query_one("#passage-tags").render())  # still the words, where they are


async def test_a_sentence_at_a_time_stops_at_a_japanese_full_stop(tmp_path):
    from annotator.corpus.model import Passage, Source, SourceFile
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import init_workspace
    from annotator.session import Session
    from annotator.tui.app import AnnotatorApp

    ws = init_workspace(tmp_path / "ja", empty=True)
    Store(ws).save_source(SourceFile(Source("ja", "Japanese", "Us", "ja.txt", "2026-01-01T00:00:00+00:00"),
                                     [Passage("ja-1", "灯台の灯りが消えた。彼女は港で手紙を待っていた。", "p. 1", "ja")]))
    session = Session.open(ws.root)
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.open_passage("ja-1")
            await wait_until(app, pilot, lambda: isinstance(app.screen, PassageScreen), "the passage view")
            await settle(app, pilot)
            await pilot.press("right", "full_stop")
            assert app.screen.selected_span().quote == "灯台の灯りが消えた。"
    finally:
        session.close()
